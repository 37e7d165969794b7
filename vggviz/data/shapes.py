"""A small, offline image world: seeded pictures of simple shapes, for the mini VGGs.

Every image is a pure function of ``(seed, index)``: the same numbers give the same pixels on
every machine, whatever the batch it is drawn in. An image is 64×64 RGB with one shape of one
of :data:`CLASSES` — the first eight are the original ones; pentagon/hexagon/circle,
star/hexagram and cross/xmark (a plus and a ×) are confusable pairs — drawn in one of four
ways (:data:`STYLES`): filled, textured (stripes, checks or dots), outlined with a stroke of
varied width, or sketched (a jittered polyline that wobbles, overshoots or leaves a gap, as a
mouse or a marker draws). The shape is turned (fully for the shapes a turn does not change into
another class; ±20° for square/diamond and cross/xmark), stretched (aspect 0.8-1.25), scaled
(about 0.35-0.8 of the image across) and placed anywhere, in a colour that stands out from its
background: dark ink on light paper, light on dark, or any two colours. Backgrounds
(:data:`BACKGROUNDS`) are plain, noisy, a two-colour gradient, or cluttered (lines, dots and
fragments of strokes behind the shape); a share of images has small distractor fragments over
the shape. Shapes are drawn on a 4× finer canvas and scaled down, so edges are anti-aliased.

:func:`heldout` is the one fixed held-out set (5,000 images of :data:`HELDOUT_SEED`) everyone
evaluates on. :func:`canvas` draws several shapes on a larger picture (for the
fully-convolutional page), with each shape's box. :func:`draw_plain` draws one shape the
plainest way (Pillow's own ``ImageDraw``), to test that a model did not learn the generator's
quirks.

Example::

    from vggviz.data import shapes
    img, label = shapes.sample(seed=0, index=3)
    x, y = shapes.batch(seed=0, start=0, count=256)    # uint8 (256, 3, 64, 64), int64 (256,)
    xv, yv = shapes.heldout()                          # the fixed held-out set (cached)

Longer than 400 lines on purpose: the world is one geometry table, four renderers, four
backgrounds and the seeded composition that ties them to ``(seed, index)``; split, the order of
the random draws (which every image depends on) would be spread over several files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from PIL import Image, ImageDraw
from torchvision.transforms import InterpolationMode
from torchvision.transforms._presets import ImageClassification

from vggviz.data.geometry import CRESCENT_HOLE, SHAPES, SKELETON_SHARE, SKELETONS, placer, sketch_path, star
from vggviz.i18n import N_, _

__all__ = [
    "CLASSES",
    "STYLES",
    "BACKGROUNDS",
    "shown_names",
    "IMAGE_SIZE",
    "MEAN",
    "STD",
    "HELDOUT_SEED",
    "HELDOUT_SIZE",
    "Placed",
    "sample",
    "sample_style",
    "sample_box",
    "batch",
    "heldout",
    "canvas",
    "draw_plain",
    "transforms",
    "dataset_stats",
]

# The class names are data (labels, checkpoints' "classes", file names); N_ marks them for the
# catalogue, and the app shows them translated with _(name). The first eight are the original
# world's, in its order; the rest add confusable pairs.
CLASSES: tuple[str, ...] = (N_("circle"), N_("square"), N_("triangle"), N_("cross"), N_("star"), N_("ring"),
                            N_("diamond"), N_("crescent"), N_("pentagon"), N_("hexagon"), N_("hexagram"),
                            N_("xmark"))
IMAGE_SIZE = 64
# How a shape is drawn and what it is drawn on, with each one's share of the images.
STYLES: tuple[str, ...] = ("filled", "textured", "outline", "sketch")
STYLE_SHARES = (0.4, 0.15, 0.25, 0.2)
BACKGROUNDS: tuple[str, ...] = ("plain", "noisy", "gradient", "cluttered")
BACKGROUND_SHARES = (0.3, 0.3, 0.25, 0.15)
HELDOUT_SEED, HELDOUT_SIZE = 1, 5000


def shown_names(categories) -> list[str]:
    """A model's class names as a reader sees them: the shapes' names in the session's language
    when the model's classes are shapes (the mini family's bundled or trained weights, or a
    checkpoint of the first, eight-class world);
    any other names (ImageNet's, a checkpoint's own) as they are."""
    cats = list(categories)
    return [_(c) for c in cats] if cats and set(cats) <= set(CLASSES) else cats


MIN_FRACTION, MAX_FRACTION = 0.35, 0.8      # the shape's outer circle against the image side
SMALL_TURN = 20.0                            # degrees either way, for square/diamond and cross/xmark
MIN_CONTRAST = 60.0                          # |luma(shape) − luma(background)|, 0..255
INK_SHARE, INVERSE_SHARE = 0.35, 0.1         # dark on light paper; light on dark
OCCLUDED_SHARE = 0.1                         # images with distractor fragments over the shape
SUPERSAMPLE = 4
# The dataset's per-channel mean and std (of 4,000 images, seed 0, in [0, 1]); a test checks them.
MEAN = (0.5678, 0.5675, 0.5668)
STD = (0.3169, 0.3176, 0.3141)

_LUMA = np.array([0.299, 0.587, 0.114])
_SMALL_TURN = {"square", "diamond", "cross", "xmark"}


@dataclass(frozen=True)
class Placed:
    """One shape drawn on a canvas: its class and box ``(left, top, right, bottom)`` in pixels."""

    label: str
    box: tuple[int, int, int, int]


# --------------------------------------------------------------------------- drawing

def _luma(rgb) -> float:
    return float(np.dot(np.asarray(rgb, dtype=np.float64), _LUMA))


def _colours(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(background colour, second background colour for gradients, shape colour)."""
    u = rng.random()
    if u < INK_SHARE:             # ink on paper
        bg = rng.uniform(185, 255) + rng.normal(0, 8, 3)
        fg = rng.uniform(0, 90, 3)
    elif u < INK_SHARE + INVERSE_SHARE:
        bg = rng.uniform(0, 70) + rng.normal(0, 8, 3)
        fg = rng.uniform(170, 255, 3)
    else:
        bg = rng.uniform(0, 255, 3)
        fg = _contrasting(rng, _luma(bg))
    bg = np.clip(bg, 0, 255)
    bg2 = np.clip(bg + rng.normal(0, 45, 3), 0, 255)
    return bg, bg2, fg


def _contrasting(rng: np.random.Generator, bg_luma: float) -> np.ndarray:
    for _try in range(100):
        c = rng.uniform(0, 255, 3)
        if abs(_luma(c) - bg_luma) >= MIN_CONTRAST:
            return c
    return np.full(3, 0.0 if bg_luma > 127 else 255.0)


def _background(rng: np.random.Generator, kind: str, w: int, h: int, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """(h, w, 3) float background: flat, or (gradient, cluttered) a gradient from c1 to c2."""
    if kind in ("plain", "noisy"):
        return np.broadcast_to(c1, (h, w, 3)).astype(np.float64)
    theta = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w]
    t = xx * math.cos(theta) + yy * math.sin(theta)
    t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
    return c1 + (c2 - c1) * t[..., None]


def _clutter(rng: np.random.Generator, img: Image.Image, count: int, scale: float) -> None:
    """Lines, dots and stroke fragments (arcs, corners) of random colours."""
    d = ImageDraw.Draw(img)
    w, h = img.size
    for _n in range(count):
        colour = tuple(int(v) for v in rng.uniform(0, 255, 3))
        kind = rng.random()
        x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
        if kind < 0.4:
            length, a = rng.uniform(4, 16) * scale, rng.uniform(0, 2 * math.pi)
            d.line([x0, y0, x0 + length * math.cos(a), y0 + length * math.sin(a)], fill=colour,
                   width=int(rng.integers(1, 3)))
        elif kind < 0.7:
            rad = rng.uniform(0.8, 2.2) * scale
            d.ellipse([x0 - rad, y0 - rad, x0 + rad, y0 + rad], fill=colour)
        elif kind < 0.85:
            rad = rng.uniform(3, 9) * scale
            start = rng.uniform(0, 360)
            d.arc([x0 - rad, y0 - rad, x0 + rad, y0 + rad], start, start + rng.uniform(40, 120), fill=colour,
                  width=int(rng.integers(1, 3)))
        else:
            length, a = rng.uniform(4, 10) * scale, rng.uniform(0, 2 * math.pi)
            b = a + rng.choice([-1, 1]) * rng.uniform(math.pi / 3, 2 * math.pi / 3)
            d.line([x0 + length * math.cos(a), y0 + length * math.sin(a), x0, y0,
                    x0 + length * math.cos(b), y0 + length * math.sin(b)], fill=colour,
                   width=int(rng.integers(1, 3)), joint="curve")


def _texture(rng: np.random.Generator, w: int, h: int, c1: np.ndarray, c2: np.ndarray) -> np.ndarray:
    """(h, w, 3) stripes, checks or dots in two colours."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    period = rng.uniform(3, 8)
    kind = rng.integers(3)
    if kind == 0:
        a = rng.uniform(0, math.pi)
        on = ((xx * math.cos(a) + yy * math.sin(a)) / period) % 1 < 0.5
    elif kind == 1:
        on = (np.floor(xx / period) + np.floor(yy / period)) % 2 == 0
    else:
        dx, dy = (xx / period) % 1 - 0.5, (yy / period) % 1 - 0.5
        on = dx * dx + dy * dy < 0.1
    return np.where(on[..., None], c1, c2)


def _draw_shape(rng: np.random.Generator, label: str, style: str, cx: float, cy: float, r: float,
                size: tuple[int, int]) -> Image.Image:
    """An anti-aliased 'L' mask (255 where the shape's paint is) of one shape in ``style``."""
    s = SUPERSAMPLE
    w, h = size
    angle = rng.uniform(-SMALL_TURN, SMALL_TURN) if label in _SMALL_TURN else rng.uniform(0, 360)
    aspect = math.exp(rng.uniform(math.log(0.8), math.log(1.25)))
    place = placer(cx, cy, r, angle, aspect, bool(rng.random() < 0.5))
    outer, holes = ([place(c) for c in cs] for cs in SHAPES[label])
    mask = Image.new("L", (w * s, h * s), 0)
    d = ImageDraw.Draw(mask)
    if style in ("filled", "textured"):
        for c in outer:
            d.polygon([tuple(p) for p in c * s], fill=255)
        for c in holes:
            d.polygon([tuple(p) for p in c * s], fill=0)
    else:
        width = rng.uniform(1.2, 2.5) + rng.uniform(0, 0.12) * r      # px at the image's scale
        if label in SKELETONS and rng.random() < SKELETON_SHARE:
            paths = [(place(c), closed) for c, closed in SKELETONS[label]]
        else:
            paths = [(c, True) for c in outer + holes]
        for c, closed in paths:
            if style == "sketch":
                path = sketch_path(rng, c, r, closed)
            else:
                path = np.vstack([c, c[:1]]) if closed else c
            # rounded joints where a corner needs one (Pillow draws them vertex by vertex, in Python);
            # a smooth path of many short segments needs none
            d.line([tuple(p) for p in path * s], fill=255, width=max(1, int(round(width * s))),
                   joint="curve" if len(path) <= 16 else None)
    return mask.resize(size, Image.Resampling.BOX)


def _fragments(rng: np.random.Generator, d: ImageDraw.ImageDraw, cx: float, cy: float, r: float,
               colour: tuple[int, int, int]) -> None:
    """One or two small distractor fragments over the shape: a blob or a short stroke."""
    for _n in range(int(rng.integers(1, 3))):
        a, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0.3, 1.0) * r
        x, y = cx + dist * math.cos(a), cy + dist * math.sin(a)
        size = rng.uniform(0.12, 0.28) * r
        if rng.random() < 0.5:
            pts = [(x + size * math.cos(t) * rng.uniform(0.6, 1.2), y + size * math.sin(t) * rng.uniform(0.6, 1.2))
                   for t in np.sort(rng.uniform(0, 2 * math.pi, int(rng.integers(3, 6))))]
            d.polygon(pts, fill=colour)
        else:
            b = rng.uniform(0, 2 * math.pi)
            d.line([x - size * math.cos(b), y - size * math.sin(b), x + size * math.cos(b), y + size * math.sin(b)],
                   fill=colour, width=int(rng.integers(1, 3)))


def _compose(rng: np.random.Generator, size: tuple[int, int], items: list[tuple[str, float, float, float]],
             style: str | None = None, background: str | None = None) -> Image.Image:
    """Background, clutter behind, the shapes ``(label, cx, cy, r)`` (each in ``style``, or a
    random one), distractor fragments over them, noise."""
    w, h = size
    scale = math.sqrt((w * h) / IMAGE_SIZE ** 2)
    if background is None:
        background = BACKGROUNDS[int(rng.choice(len(BACKGROUNDS), p=BACKGROUND_SHARES))]
    c1, c2, fg = _colours(rng)
    arr = _background(rng, background, w, h, c1, c2)
    if background == "cluttered":
        img = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")
        _clutter(rng, img, int(rng.integers(2, 7) * max(1.0, scale * scale / 2)), min(scale, 2.0))
        arr = np.asarray(img, dtype=np.float64)
    for label, cx, cy, r in items:
        st = style or STYLES[int(rng.choice(len(STYLES), p=STYLE_SHARES))]
        m = np.asarray(_draw_shape(rng, label, st, cx, cy, r, size), dtype=np.float64)[..., None] / 255
        paint = _texture(rng, w, h, fg, _contrasting(rng, _luma(c1))) if st == "textured" else fg
        arr = arr * (1 - m) + paint * m
    if rng.random() < OCCLUDED_SHARE:
        img = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")
        d = ImageDraw.Draw(img)
        for _label, cx, cy, r in items:
            colour = c1 if rng.random() < 0.5 else rng.uniform(0, 255, 3)
            _fragments(rng, d, cx, cy, r, tuple(int(v) for v in colour))
        arr = np.asarray(img, dtype=np.float64)
    if background != "plain":
        sigma = rng.uniform(4, 22) if background == "noisy" else rng.uniform(0, 10)
        arr = arr + rng.normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


# --------------------------------------------------------------------------- the dataset

def _radius(rng: np.random.Generator) -> float:
    return rng.uniform(MIN_FRACTION, MAX_FRACTION) * IMAGE_SIZE / 2


def _spec(seed: int, index: int, size: int):
    rng = np.random.default_rng([int(seed), int(index), 0x5A9E6])
    label = int(rng.integers(len(CLASSES)))
    r = _radius(rng) * size / IMAGE_SIZE
    cx, cy = rng.uniform(r + 1, size - r - 1, 2)
    style = STYLES[int(rng.choice(len(STYLES), p=STYLE_SHARES))]
    background = BACKGROUNDS[int(rng.choice(len(BACKGROUNDS), p=BACKGROUND_SHARES))]
    return rng, label, float(cx), float(cy), float(r), style, background


def sample(seed: int, index: int, size: int = IMAGE_SIZE) -> tuple[Image.Image, int]:
    """Image ``index`` of the dataset with ``seed``: a ``size``×``size`` RGB picture and its class
    index into :data:`CLASSES`. Deterministic in ``(seed, index)`` alone."""
    rng, label, cx, cy, r, style, background = _spec(seed, index, size)
    return _compose(rng, (size, size), [(CLASSES[label], cx, cy, r)], style, background), label


def sample_style(seed: int, index: int) -> tuple[str, str]:
    """How :func:`sample` draws image ``index``: its style (one of :data:`STYLES`) and
    background (one of :data:`BACKGROUNDS`)."""
    _, _label, _cx, _cy, _r, style, background = _spec(seed, index, IMAGE_SIZE)
    return style, background


def sample_box(seed: int, index: int, size: int = IMAGE_SIZE) -> Placed:
    """Where :func:`sample` puts its shape: the class and the box of its outer circle."""
    _, label, cx, cy, r, _style, _bg = _spec(seed, index, size)
    return Placed(CLASSES[label], (int(cx - r), int(cy - r), int(math.ceil(cx + r)), int(math.ceil(cy + r))))


def batch(seed: int, start: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Images ``start … start + count − 1`` as a uint8 tensor (count, 3, 64, 64) and their
    labels (int64)."""
    xs = np.empty((count, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    ys = np.empty(count, dtype=np.int64)
    for i in range(count):
        img, ys[i] = sample(seed, start + i)
        xs[i] = np.asarray(img)
    return torch.from_numpy(xs).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(ys)


@lru_cache(maxsize=1)
def heldout() -> tuple[torch.Tensor, torch.Tensor]:
    """The fixed held-out set every evaluation uses: :data:`HELDOUT_SIZE` images of
    :data:`HELDOUT_SEED` (uint8 and int64 tensors, cached; do not modify them)."""
    return batch(HELDOUT_SEED, 0, HELDOUT_SIZE)


def canvas(seed: int, size: int | tuple[int, int] = 256, count: int = 4) -> tuple[Image.Image, list[Placed]]:
    """A larger picture with ``count`` shapes of the training sizes that do not overlap, and
    where each one is. Deterministic in ``(seed, size, count)``."""
    w, h = (size, size) if isinstance(size, int) else size
    rng = np.random.default_rng([int(seed), w, h, int(count), 0xCA1])
    items: list[tuple[str, float, float, float]] = []
    placed: list[Placed] = []
    for _n in range(count):
        for _try in range(200):
            r = _radius(rng)
            if w < 2 * r + 2 or h < 2 * r + 2:
                continue
            cx, cy = rng.uniform(r + 1, w - r - 1), rng.uniform(r + 1, h - r - 1)
            if all(math.hypot(cx - x, cy - y) > r + rr + 4 for _, x, y, rr in items):
                label = CLASSES[int(rng.integers(len(CLASSES)))]
                items.append((label, cx, cy, r))
                placed.append(Placed(label, (int(cx - r), int(cy - r), int(math.ceil(cx + r)), int(math.ceil(cy + r)))))
                break
    return _compose(rng, (w, h), items), placed


def draw_plain(label: str, size: int = IMAGE_SIZE, fill: str = "black", background: str = "white",
               scale: float = 0.5) -> Image.Image:
    """``label`` drawn the plainest way, with Pillow's ``ImageDraw`` primitives (no rotation,
    no noise): how another program would draw it. ``scale`` is its size against the image."""
    if label not in CLASSES:
        raise ValueError(f"unknown shape {label!r}; choose one of: {', '.join(CLASSES)}")
    img = Image.new("RGB", (size, size), background)
    d = ImageDraw.Draw(img)
    c, r = size / 2, scale * size / 2
    box = [c - r, c - r, c + r, c + r]
    if label == "circle":
        d.ellipse(box, fill=fill)
    elif label == "ring":
        d.ellipse(box, outline=fill, width=max(2, int(r * 0.45)))
    elif label == "square":
        d.rectangle([c - 0.75 * r, c - 0.75 * r, c + 0.75 * r, c + 0.75 * r], fill=fill)
    elif label == "triangle":
        d.regular_polygon((c, c + 0.15 * r, r), 3, fill=fill)
    elif label == "pentagon":
        d.regular_polygon((c, c, r), 5, fill=fill)
    elif label == "hexagon":
        d.regular_polygon((c, c, r), 6, fill=fill)
    elif label == "diamond":
        d.polygon([(c, c - r), (c + 0.62 * r, c), (c, c + r), (c - 0.62 * r, c)], fill=fill)
    elif label == "cross":
        d.rectangle([c - 0.3 * r, c - r, c + 0.3 * r, c + r], fill=fill)
        d.rectangle([c - r, c - 0.3 * r, c + r, c + 0.3 * r], fill=fill)
    elif label == "xmark":
        k = 0.7 * r
        d.line([c - k, c - k, c + k, c + k], fill=fill, width=max(2, int(0.42 * r)))
        d.line([c - k, c + k, c + k, c - k], fill=fill, width=max(2, int(0.42 * r)))
    elif label == "star":
        d.polygon([(c + r * x, c + r * y) for x, y in star()], fill=fill)
    elif label == "hexagram":
        d.polygon([(c + r * x, c + r * y) for x, y in star(6, 0.58)], fill=fill)
    elif label == "crescent":
        d.ellipse(box, fill=fill)
        hx, hy, hr = CRESCENT_HOLE
        d.ellipse([c + (hx - hr) * r, c + (hy - hr) * r, c + (hx + hr) * r, c + (hy + hr) * r], fill=background)
    return img


def transforms() -> ImageClassification:
    """The mini variants' preprocessing, in torchvision's own preset: resize the short side to
    64, centre crop 64, scale to [0, 1], normalise with the dataset's mean and std."""
    return ImageClassification(crop_size=IMAGE_SIZE, resize_size=IMAGE_SIZE, mean=MEAN, std=STD,
                               interpolation=InterpolationMode.BILINEAR)


@lru_cache(maxsize=2)
def dataset_stats(seed: int = 0, count: int = 4000) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Per-channel mean and std in [0, 1] of ``count`` images (what :data:`MEAN`/:data:`STD` hold)."""
    x, _ = batch(seed, 0, count)
    x = x.double() / 255
    return tuple(x.mean((0, 2, 3)).tolist()), tuple(x.std((0, 2, 3)).tolist())
