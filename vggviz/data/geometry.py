"""The shapes world's geometry: every class as contours in unit coordinates, the strokes people
draw some of them with, and the transforms that place and sketch a contour (used by
:mod:`vggviz.data.shapes`, which owns the random draws)."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["CRESCENT_HOLE", "SHAPES", "SKELETONS", "SKELETON_SHARE", "placer", "sketch_path", "star"]


def star(points: int = 5, inner: float = 0.45) -> list[tuple[float, float]]:
    out = []
    for i in range(2 * points):
        r = 1.0 if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / points
        out.append((r * math.cos(a), r * math.sin(a)))
    return out


def regular(n: int, radius: float = 1.0, phase: float = -math.pi / 2, dy: float = 0.0) -> list[tuple[float, float]]:
    return [(radius * math.cos(phase + 2 * math.pi * i / n), radius * math.sin(phase + 2 * math.pi * i / n) + dy)
            for i in range(n)]


def _circle(cx: float = 0.0, cy: float = 0.0, radius: float = 1.0, n: int = 48) -> list[tuple[float, float]]:
    return [(cx + radius * math.cos(2 * math.pi * i / n), cy + radius * math.sin(2 * math.pi * i / n))
            for i in range(n)]


_PLUS = [(-0.3, -1), (0.3, -1), (0.3, -0.3), (1, -0.3), (1, 0.3), (0.3, 0.3), (0.3, 1),
         (-0.3, 1), (-0.3, 0.3), (-1, 0.3), (-1, -0.3), (-0.3, -0.3)]
CRESCENT_HOLE = (0.5, -0.15, 0.85)          # the disc cut out of the circle: centre and radius


def _crescent() -> list[tuple[float, float]]:
    """The crescent's boundary: the outer circle's arc outside the hole, then the hole's arc
    inside the circle, back to the start."""
    hx, hy, hr = CRESCENT_HOLE
    n = 96

    def arc(points, keep):
        k = np.asarray(keep)
        start = next(i for i in range(n) if k[i] and not k[i - 1])
        idx = [(start + j) % n for j in range(n)]
        run = []
        for i in idx:
            if not k[i]:
                break
            run.append(points[i])
        return run

    outer = _circle(n=n)
    hole = _circle(hx, hy, hr, n)
    a = arc(outer, [math.hypot(x - hx, y - hy) > hr for x, y in outer])
    b = arc(hole, [math.hypot(x, y) < 1 for x, y in hole])
    if math.dist(a[-1], b[0]) > math.dist(a[-1], b[-1]):
        b = b[::-1]
    return a + b


# Each shape as closed contours in unit coordinates (within radius 1 of the centre, y down):
# (outer contours, holes). Filled: outer contours painted, holes cut out; drawn: every contour.
SHAPES: dict[str, tuple[list, list]] = {
    "circle": ([_circle()], []),
    "square": ([[(-0.7, -0.7), (0.7, -0.7), (0.7, 0.7), (-0.7, 0.7)]], []),
    "triangle": ([regular(3, 1.0, dy=0.15)], []),
    "cross": ([_PLUS], []),
    "star": ([star(5, 0.45)], []),
    "ring": ([_circle()], [_circle(radius=0.55)]),
    "diamond": ([[(0, -1), (0.62, 0), (0, 1), (-0.62, 0)]], []),
    "crescent": ([_crescent()], []),
    "pentagon": ([regular(5)], []),
    "hexagon": ([regular(6)], []),
    "hexagram": ([star(6, 0.58)], []),
    "xmark": ([[((x - y) / math.sqrt(2) / 1.05, (x + y) / math.sqrt(2) / 1.05) for x, y in _PLUS]], []),
}


# How people draw some shapes with a pen or a mouse instead of tracing their outline: a plus
# and a × as two strokes, a star as a pentagram, a hexagram as two triangles. Paths in unit
# coordinates, each (points, closed).
_PENTAGRAM = [star(5, 0.45)[2 * i % 10] for i in (0, 2, 4, 1, 3)]
SKELETONS: dict[str, list[tuple[list, bool]]] = {
    "cross": [([(-1, 0), (1, 0)], False), ([(0, -1), (0, 1)], False)],
    "xmark": [([(-0.68, -0.68), (0.68, 0.68)], False), ([(-0.68, 0.68), (0.68, -0.68)], False)],
    "star": [(_PENTAGRAM, True)],
    "hexagram": [(regular(3), True), (regular(3, phase=math.pi / 2), True)],
}
SKELETON_SHARE = 0.5         # of the outline and sketch images of those shapes


def placer(cx: float, cy: float, r: float, angle: float, aspect: float, mirror: bool):
    """A function mapping unit coordinates to pixels: stretched by ``aspect`` (kept within
    radius ``r``), mirrored, turned by ``angle`` degrees, centred on (cx, cy)."""
    sx, sy = math.sqrt(aspect), 1 / math.sqrt(aspect)
    k = r / max(sx, sy)
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def place(c) -> np.ndarray:
        p = np.asarray(c, dtype=np.float64)
        x, y = p[:, 0] * sx * (-1 if mirror else 1), p[:, 1] * sy
        return np.stack([cx + k * (x * ca - y * sa), cy + k * (x * sa + y * ca)], 1)

    return place


def _resample(c: np.ndarray, n: int, closed: bool = True) -> np.ndarray:
    """``n`` points evenly spaced along the contour ``c`` (closed: back to its start)."""
    path = np.vstack([c, c[:1]]) if closed else c
    seg = np.hypot(*np.diff(path, axis=0).T)
    cum = np.concatenate([[0], np.cumsum(seg)])
    t = np.linspace(0, cum[-1], n, endpoint=not closed)
    return np.stack([np.interp(t, cum, path[:, 0]), np.interp(t, cum, path[:, 1])], 1)


def sketch_path(rng: np.random.Generator, c: np.ndarray, r: float, closed: bool = True) -> np.ndarray:
    """A hand-drawn version of the contour ``c``: evenly resampled, displaced by a smooth random
    wobble and a little tremor; a closed one starts anywhere and ends a bit short of or past its
    start, an open one overshoots or stops short at its ends."""
    n = 72 if closed else 24
    p = _resample(c, n, closed)
    t = np.arange(n) / n
    wobble = np.zeros((n, 2))
    for k in (1, 2, 3):
        amp = rng.uniform(0, 0.05 * r) / k
        wobble += amp * np.stack([np.sin(2 * math.pi * k * t + rng.uniform(0, 2 * math.pi)),
                                  np.sin(2 * math.pi * k * t + rng.uniform(0, 2 * math.pi))], 1)
    p = p + wobble + rng.normal(0, 0.012 * r, p.shape)
    if not closed:
        ends = rng.uniform(-0.08, 0.08, 2)
        return np.vstack([p[0] + ends[0] * (p[0] - p[-1]), p[1:-1], p[-1] + ends[1] * (p[-1] - p[0])])
    p = np.roll(p, -int(rng.integers(n)), axis=0)
    end = int(round(n * rng.uniform(0.94, 1.08)))
    return np.vstack([p, p[: max(0, end - n) + 1]])[: max(end, n // 2)]
