"""How well the bundled mini models know shapes drawn by code that is not the generator.

Three styles, each drawn here with Pillow's ``ImageDraw`` primitives and nothing of
:mod:`vggviz.data.shapes` but its class names:

* ``filled``: the shape filled, on a plain tinted background (light or dark) with a little noise;
* ``outline``: a dark outline (1, 2 or 3 px at 64 px) on a light background;
* ``stroke``: ink on white as a mouse draws it: a jittered polyline of 2, 3 or 5 px, a plus and
  a × as two strokes, a star as a pentagram, a hexagram as two triangles.

Each shape is drawn ``--per`` times per image size (64 and 128 px; the model's preprocessing
scales 128 down), at 0.45-0.8 of the image, slightly off centre. ``four`` is the four shapes of
the first measurement (circle, square, triangle, cross: 48 drawings per style with the
defaults); ``eight`` the first world's eight classes; ``all`` every class (``--checkpoints``
scores older checkpoints, which know only the classes they were trained on). Reported per model and style: correct/total, percent and a
Wilson 95 % interval.

    .venv/bin/python -m benchmarks.bench_drawings [--variants vgg11_mini,...] [--per 6] [--json]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw

STYLES = ("filled", "outline", "stroke")
FOUR = ("circle", "square", "triangle", "cross")
SIZES = (64, 128)
BUNDLED = ("vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini")


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score 95 % interval of a binomial proportion k/n, in percent."""
    if n == 0:
        return (0.0, 100.0)
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (100 * max(0.0, centre - half), 100 * min(1.0, centre + half))


def _star_points(cx, cy, r, n, inner, turn=0.0):
    return [(cx + (r if i % 2 == 0 else r * inner) * math.cos(turn - math.pi / 2 + i * math.pi / n),
             cy + (r if i % 2 == 0 else r * inner) * math.sin(turn - math.pi / 2 + i * math.pi / n))
            for i in range(2 * n)]


def _ngon(cx, cy, r, n, turn=0.0):
    return [(cx + r * math.cos(turn - math.pi / 2 + 2 * math.pi * i / n),
             cy + r * math.sin(turn - math.pi / 2 + 2 * math.pi * i / n)) for i in range(n)]


def _plus(cx, cy, r, arm):
    a = arm * r
    return [(cx - a, cy - r), (cx + a, cy - r), (cx + a, cy - a), (cx + r, cy - a), (cx + r, cy + a),
            (cx + a, cy + a), (cx + a, cy + r), (cx - a, cy + r), (cx - a, cy + a), (cx - r, cy + a),
            (cx - r, cy - a), (cx - a, cy - a)]


def _turn(points, cx, cy, degrees):
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return [(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c) for x, y in points]


def _arc_span(a: float, b: float, target: float) -> tuple[float, float]:
    """(start, end) in degrees, start → end increasing, of the arc between angles a and b that
    holds ``target``."""
    a, b, t = a % 360, b % 360, target % 360
    inside = (t - a) % 360 < (b - a) % 360
    return (a, a + (b - a) % 360) if inside else (b, b + (a - b) % 360)


def _crescent_arcs(cx, cy, r, dx, dy, rho):
    """The crescent (disc (cx, cy, r) minus disc (cx+dx, cy+dy, rho)) as two arcs: the outer
    circle's ``(start, end)`` and the cut's, in Pillow's degrees."""
    d = math.hypot(dx, dy)
    a = (r * r - rho * rho + d * d) / (2 * d)
    h = math.sqrt(max(r * r - a * a, 0))
    ux, uy = dx / d, dy / d
    px, py = cx + a * ux, cy + a * uy
    pts = [(px - h * uy, py + h * ux), (px + h * uy, py - h * ux)]
    ang = lambda ox, oy, p: math.degrees(math.atan2(p[1] - oy, p[0] - ox))  # noqa: E731
    away = math.degrees(math.atan2(-dy, -dx))
    outer = _arc_span(ang(cx, cy, pts[0]), ang(cx, cy, pts[1]), away)
    inner = _arc_span(ang(cx + dx, cy + dy, pts[0]), ang(cx + dx, cy + dy, pts[1]), away)
    return outer, inner


def _arc_points(cx, cy, r, start, end, n=24):
    return [(cx + r * math.cos(math.radians(start + (end - start) * i / (n - 1))),
             cy + r * math.sin(math.radians(start + (end - start) * i / (n - 1)))) for i in range(n)]


def _mouse(rng: random.Random, points, closed: bool, size: int):
    """A polyline through ``points`` as a hand moves a mouse: resampled every ~2 px, with a
    slowly drifting offset and a little tremor."""
    pts = list(points) + ([points[0]] if closed else [])
    out, drift = [], [0.0, 0.0]
    step = 2 * size / 64
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        for i in range(n):
            drift = [0.85 * drift[0] + rng.gauss(0, 0.25 * size / 64), 0.85 * drift[1] + rng.gauss(0, 0.25 * size / 64)]
            t = i / n
            out.append((x0 + (x1 - x0) * t + drift[0], y0 + (y1 - y0) * t + drift[1]))
    out.append((pts[-1][0] + drift[0], pts[-1][1] + drift[1]))
    return out


def draw(label: str, style: str, size: int, variant: int) -> Image.Image:
    """One drawing of ``label`` in ``style`` (deterministic in its arguments)."""
    rng = random.Random(f"{label}/{style}/{size}/{variant}")
    nrng = np.random.default_rng(rng.randrange(2 ** 32))
    k = size / 64
    r = rng.uniform(0.45, 0.8) * size / 2
    cx, cy = (size / 2 + rng.uniform(-0.1, 0.1) * size, size / 2 + rng.uniform(-0.1, 0.1) * size)
    if style == "filled":
        light = variant % 2 == 0
        bg = tuple(rng.randint(190, 255) if light else rng.randint(0, 110) for _ in range(3))
        ink = tuple(rng.randint(0, 100) if light else rng.randint(160, 255) for _ in range(3))
    else:
        bg = tuple([rng.randint(225, 255)] * 3) if rng.random() < 0.5 else (255, 250, 235)
        ink = (rng.randint(0, 60), rng.randint(0, 60), rng.randint(0, 90))
    img = Image.new("RGB", (size, size), bg)
    d = ImageDraw.Draw(img)
    box = [cx - r, cy - r, cx + r, cy + r]
    w = max(1, round((1, 2, 3)[variant % 3] * k)) if style == "outline" else max(1, round((2, 3, 5)[variant % 3] * k))

    if style == "filled":
        if label == "circle":
            d.ellipse(box, fill=ink)
        elif label == "square":
            s = 0.72 * r
            d.rectangle([cx - s, cy - s, cx + s, cy + s], fill=ink)
        elif label in ("triangle", "pentagon", "hexagon"):
            d.regular_polygon((cx, cy, r), {"triangle": 3, "pentagon": 5, "hexagon": 6}[label], fill=ink)
        elif label == "cross":
            d.polygon(_plus(cx, cy, r, rng.uniform(0.2, 0.35)), fill=ink)
        elif label == "xmark":
            s = 0.7 * r
            lw = max(2, round(rng.uniform(0.3, 0.45) * r))
            d.line([cx - s, cy - s, cx + s, cy + s], fill=ink, width=lw)
            d.line([cx - s, cy + s, cx + s, cy - s], fill=ink, width=lw)
        elif label == "star":
            d.polygon(_star_points(cx, cy, r, 5, rng.uniform(0.38, 0.5)), fill=ink)
        elif label == "hexagram":
            d.regular_polygon((cx, cy, r), 3, fill=ink)
            d.regular_polygon((cx, cy, r), 3, rotation=180, fill=ink)
        elif label == "ring":
            d.ellipse(box, outline=ink, width=max(2, round(rng.uniform(0.3, 0.45) * r)))
        elif label == "diamond":
            s = rng.uniform(0.55, 0.7) * r
            d.polygon([(cx, cy - r), (cx + s, cy), (cx, cy + r), (cx - s, cy)], fill=ink)
        elif label == "crescent":
            d.ellipse(box, fill=ink)
            off, rho = rng.uniform(0.35, 0.5) * r, 0.85 * r
            d.ellipse([cx + off - rho, cy - off / 3 - rho, cx + off + rho, cy - off / 3 + rho], fill=bg)
        arr = np.asarray(img).astype(np.float64) + nrng.normal(0, 6, (size, size, 3))
        return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8))

    # outlines and strokes: the same paths, traced exactly or by a mouse
    paths: list[tuple[list, bool]]
    if label == "circle":
        paths = [(_ngon(cx, cy, r, 40), True)]
    elif label == "ring":
        paths = [(_ngon(cx, cy, r, 40), True), (_ngon(cx, cy, rng.uniform(0.5, 0.6) * r, 32), True)]
    elif label == "square":
        s = 0.72 * r
        paths = [([(cx - s, cy - s), (cx + s, cy - s), (cx + s, cy + s), (cx - s, cy + s)], True)]
    elif label in ("triangle", "pentagon", "hexagon"):
        paths = [(_ngon(cx, cy, r, {"triangle": 3, "pentagon": 5, "hexagon": 6}[label]), True)]
    elif label == "diamond":
        s = 0.62 * r
        paths = [([(cx, cy - r), (cx + s, cy), (cx, cy + r), (cx - s, cy)], True)]
    elif label == "hexagram":
        paths = [(_ngon(cx, cy, r, 3), True), (_ngon(cx, cy, r, 3, math.pi), True)]
    elif label == "crescent":
        off, rho = 0.45 * r, 0.85 * r
        (a0, a1), (b0, b1) = _crescent_arcs(cx, cy, r, off, -off / 3, rho)
        outer = _arc_points(cx, cy, r, a0, a1)
        inner = _arc_points(cx + off, cy - off / 3, rho, b0, b1)
        if math.dist(outer[-1], inner[0]) > math.dist(outer[-1], inner[-1]):
            inner = inner[::-1]
        paths = [(outer + inner, True)]
    elif style == "outline" and label in ("cross", "xmark"):
        paths = [(_turn(_plus(cx, cy, r, 0.28), cx, cy, 45 if label == "xmark" else 0), True)]
    elif style == "outline" and label == "star":
        paths = [(_star_points(cx, cy, r, 5, 0.45), True)]
    elif label == "cross":
        paths = [([(cx - r, cy), (cx + r, cy)], False), ([(cx, cy - r), (cx, cy + r)], False)]
    elif label == "xmark":
        s = 0.7 * r
        paths = [([(cx - s, cy - s), (cx + s, cy + s)], False), ([(cx - s, cy + s), (cx + s, cy - s)], False)]
    elif label == "star":
        p = _ngon(cx, cy, r, 5)
        paths = [([p[0], p[2], p[4], p[1], p[3]], True)]
    else:
        raise ValueError(f"no drawing for {label!r}")
    for pts, closed in paths:
        if style == "stroke":
            d.line(_mouse(rng, pts, closed, size), fill=ink, width=w, joint="curve")
        else:
            d.line(list(pts) + ([pts[0]] if closed else []), fill=ink, width=w, joint="curve")
    return img


def drawings(style: str, classes, sizes=SIZES, per: int = 6) -> list[tuple[Image.Image, str]]:
    return [(draw(c, style, s, v), c) for c in classes for s in sizes for v in range(per)]


@torch.no_grad()
def predict(loaded, images) -> list[str]:
    from vggviz.data import shapes

    t = shapes.transforms()
    x = torch.stack([t(im) for im in images])
    return [loaded.categories[int(i)] for i in loaded.model(x).argmax(1)]


def score(loaded, style: str, classes, sizes=SIZES, per: int = 6) -> dict:
    pics = drawings(style, classes, sizes, per)
    said = predict(loaded, [p for p, _ in pics])
    k = sum(s == c for s, (_, c) in zip(said, pics))
    lo, hi = wilson(k, len(pics))
    wrong: dict[str, int] = {}
    for s, (_, c) in zip(said, pics):
        if s != c:
            wrong[f"{c}→{s}"] = wrong.get(f"{c}→{s}", 0) + 1
    return {"correct": k, "total": len(pics), "percent": round(100 * k / len(pics), 1),
            "ci95": [round(lo, 1), round(hi, 1)], "confusions": dict(sorted(wrong.items(), key=lambda kv: -kv[1])[:5])}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_drawings")
    p.add_argument("--variants", default=",".join(BUNDLED))
    p.add_argument("--per", type=int, default=6, help="drawings per shape, style and size")
    p.add_argument("--sizes", default="64,128")
    p.add_argument("--checkpoints", default=None,
                   help="a folder of VARIANT.pth to score instead of the bundled ones (e.g. older checkpoints)")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    import vggviz.boot  # noqa: F401

    from vggviz.data import shapes
    from vggviz.model.weights import load_model

    sizes = tuple(int(s) for s in a.sizes.split(","))
    out = []
    for v in a.variants.split(","):
        loaded = load_model(v, f"{a.checkpoints}/{v}.pth" if a.checkpoints else "shapes", "cpu")
        if not loaded.trained:
            print(f"error: no bundled checkpoint for {v}", file=sys.stderr)
            return 2
        for subset, classes in (("four", FOUR), ("eight", shapes.CLASSES[:8]), ("all", shapes.CLASSES)):
            if not set(classes) <= set(loaded.categories):
                continue            # an older checkpoint without the newer classes
            for style in STYLES:
                r = score(loaded, style, classes, sizes, a.per)
                out.append({"variant": v, "shapes": subset, "style": style, **r})
                if not a.json:
                    print(f"{v:<12} {subset:<4} {style:<8} {r['correct']:>4}/{r['total']:<4} {r['percent']:5.1f} %  "
                          f"[{r['ci95'][0]:.0f}, {r['ci95'][1]:.0f}]  {r['confusions']}", flush=True)
    if a.json:
        print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
