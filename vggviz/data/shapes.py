"""A small, offline image world: seeded pictures of simple shapes, for the mini VGGs.

Every image is a pure function of ``(seed, index)``: the same numbers give the same pixels on
every machine, whatever the batch it is drawn in. An image is 64×64 RGB with one filled shape
of one of :data:`CLASSES` (about a quarter to two-thirds of the image across, anywhere, turned
by up to ±25°) in a colour that stands out from its background, over a two-colour gradient with
noise and some clutter (thin lines, dots). A share of images is drawn plainly (flat background,
no noise, no clutter) so that what a model learns carries over to shapes drawn by any program.
Shapes are drawn on a 4× finer mask and scaled down, so their edges are anti-aliased.

:func:`canvas` draws several shapes on a larger picture (for the fully-convolutional page),
with each shape's box. :func:`draw_plain` draws one shape the plainest way (black on white
with Pillow's own ``ImageDraw``), to test that a model did not learn the generator's quirks.

Example::

    from vggviz.data import shapes
    img, label = shapes.sample(seed=0, index=3)
    x, y = shapes.batch(seed=0, start=0, count=256)    # uint8 (256, 3, 64, 64), int64 (256,)
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

from vggviz.i18n import N_, _

__all__ = [
    "CLASSES",
    "shown_names",
    "IMAGE_SIZE",
    "MEAN",
    "STD",
    "Placed",
    "sample",
    "sample_box",
    "batch",
    "canvas",
    "draw_plain",
    "transforms",
    "dataset_stats",
]

# The class names are data (labels, checkpoints' "classes", file names); N_ marks them for the
# catalogue, and the app shows them translated with _(name).
CLASSES: tuple[str, ...] = (N_("circle"), N_("square"), N_("triangle"), N_("cross"), N_("star"), N_("ring"),
                            N_("diamond"), N_("crescent"))
IMAGE_SIZE = 64


def shown_names(categories) -> list[str]:
    """A model's class names as a reader sees them: the shapes' names in the session's language
    when the model's classes are the shapes (the mini family's bundled or trained weights);
    any other names (ImageNet's, a checkpoint's own) as they are."""
    cats = list(categories)
    return [_(c) for c in cats] if tuple(cats) == CLASSES else cats

MIN_FRACTION, MAX_FRACTION = 0.25, 0.67     # shape's outer size against the image side
MAX_ROTATION = 25.0                          # degrees, either way
PLAIN_SHARE = 0.15                           # images with a flat background, no noise, no clutter
MIN_CONTRAST = 70.0                          # |luma(shape) − luma(background)|, 0..255
SUPERSAMPLE = 4
# The dataset's per-channel mean and std (of 4,000 images, seed 0, in [0, 1]); a test checks them.
MEAN = (0.4987, 0.4963, 0.5026)
STD = (0.2911, 0.3007, 0.2932)

_LUMA = np.array([0.299, 0.587, 0.114])


@dataclass(frozen=True)
class Placed:
    """One shape drawn on a canvas: its class and box ``(left, top, right, bottom)`` in pixels."""

    label: str
    box: tuple[int, int, int, int]


def _star(points: int = 5, inner: float = 0.45) -> list[tuple[float, float]]:
    out = []
    for i in range(2 * points):
        r = 1.0 if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / points
        out.append((r * math.cos(a), r * math.sin(a)))
    return out


# Outlines in unit coordinates (radius 1 around the centre, y down).
_POLYGONS = {
    "square": [(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)],
    "triangle": [(math.cos(a), math.sin(a) + 0.15) for a in (-math.pi / 2, math.pi / 6, 5 * math.pi / 6)],
    "cross": [(-0.3, -1), (0.3, -1), (0.3, -0.3), (1, -0.3), (1, 0.3), (0.3, 0.3), (0.3, 1),
              (-0.3, 1), (-0.3, 0.3), (-1, 0.3), (-1, -0.3), (-0.3, -0.3)],
    "star": _star(),
    "diamond": [(0, -1), (0.62, 0), (0, 1), (-0.62, 0)],
}


def _shape_mask(label: str, cx: float, cy: float, r: float, angle: float, mirror: bool,
                size: tuple[int, int]) -> Image.Image:
    """An anti-aliased 'L' mask (255 inside) of one shape on a canvas of ``size``."""
    s = SUPERSAMPLE
    w, h = size
    mask = Image.new("L", (w * s, h * s), 0)
    d = ImageDraw.Draw(mask)
    ca, sa = math.cos(math.radians(angle)), math.sin(math.radians(angle))

    def pt(x: float, y: float) -> tuple[float, float]:
        if mirror:
            x = -x
        return ((cx + r * (x * ca - y * sa)) * s, (cy + r * (x * sa + y * ca)) * s)

    def disc(x: float, y: float, rad: float, fill: int) -> None:
        px, py = pt(x, y)
        d.ellipse([px - rad * r * s, py - rad * r * s, px + rad * r * s, py + rad * r * s], fill=fill)

    if label == "circle":
        disc(0, 0, 1, 255)
    elif label == "ring":
        disc(0, 0, 1, 255)
        disc(0, 0, 0.55, 0)
    elif label == "crescent":
        disc(0, 0, 1, 255)
        disc(0.5, -0.15, 0.85, 0)
    else:
        d.polygon([pt(x, y) for x, y in _POLYGONS[label]], fill=255)
    return mask.resize(size, Image.Resampling.BOX)


def _luma(rgb) -> float:
    return float(np.dot(np.asarray(rgb, dtype=np.float64), _LUMA))


def _background(rng: np.random.Generator, w: int, h: int, plain: bool) -> tuple[np.ndarray, float]:
    """(h, w, 3) float background and its mean luma: a flat colour, or a gradient between two."""
    c1 = rng.uniform(0, 255, 3)
    if plain:
        return np.broadcast_to(c1, (h, w, 3)).astype(np.float64), _luma(c1)
    c2 = np.clip(c1 + rng.normal(0, 60, 3), 0, 255)
    theta = rng.uniform(0, 2 * math.pi)
    yy, xx = np.mgrid[0:h, 0:w]
    t = (xx * math.cos(theta) + yy * math.sin(theta))
    t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
    bg = c1 + (c2 - c1) * t[..., None]
    return bg, _luma((c1 + c2) / 2)


def _shape_colour(rng: np.random.Generator, bg_luma: float) -> np.ndarray:
    for _try in range(100):
        c = rng.uniform(0, 255, 3)
        if abs(_luma(c) - bg_luma) >= MIN_CONTRAST:
            return c
    return np.full(3, 0.0 if bg_luma > 127 else 255.0)


def _clutter(rng: np.random.Generator, img: Image.Image, count: int) -> None:
    d = ImageDraw.Draw(img)
    w, h = img.size
    for _n in range(count):
        colour = tuple(int(v) for v in rng.uniform(0, 255, 3))
        if rng.random() < 0.5:
            x0, y0 = rng.uniform(0, w), rng.uniform(0, h)
            length, a = rng.uniform(4, w / 4), rng.uniform(0, 2 * math.pi)
            d.line([x0, y0, x0 + length * math.cos(a), y0 + length * math.sin(a)], fill=colour,
                   width=int(rng.integers(1, 3)))
        else:
            x0, y0, rad = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.8, 2.2)
            d.ellipse([x0 - rad, y0 - rad, x0 + rad, y0 + rad], fill=colour)


def _compose(rng: np.random.Generator, size: tuple[int, int], items: list[tuple[str, float, float, float]],
             plain: bool) -> Image.Image:
    """Background, clutter behind, the shapes ``(label, cx, cy, r)``, noise."""
    w, h = size
    bg, bg_luma = _background(rng, w, h, plain)
    img = Image.fromarray(np.clip(bg + 0.5, 0, 255).astype(np.uint8), "RGB")
    scale = (w * h) / IMAGE_SIZE ** 2
    if not plain:
        _clutter(rng, img, int(rng.integers(0, 4) * max(1.0, scale / 2)))
    arr = np.asarray(img, dtype=np.float64)
    for label, cx, cy, r in items:
        angle = rng.uniform(-MAX_ROTATION, MAX_ROTATION)
        mirror = bool(rng.random() < 0.5)
        m = np.asarray(_shape_mask(label, cx, cy, r, angle, mirror, size), dtype=np.float64)[..., None] / 255
        colour = _shape_colour(rng, bg_luma)
        arr = arr * (1 - m) + colour * m
    if not plain:
        arr = arr + rng.normal(0, rng.uniform(0, 14), arr.shape)
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


def _radius(rng: np.random.Generator) -> float:
    return rng.uniform(MIN_FRACTION, MAX_FRACTION) * IMAGE_SIZE / 2


def _spec(seed: int, index: int, size: int):
    rng = np.random.default_rng([int(seed), int(index), 0x5A9E5])
    label = int(rng.integers(len(CLASSES)))
    r = _radius(rng) * size / IMAGE_SIZE
    cx, cy = rng.uniform(r + 1, size - r - 1, 2)
    return rng, label, float(cx), float(cy), float(r)


def sample(seed: int, index: int, size: int = IMAGE_SIZE) -> tuple[Image.Image, int]:
    """Image ``index`` of the dataset with ``seed``: a ``size``×``size`` RGB picture and its class
    index into :data:`CLASSES`. Deterministic in ``(seed, index)`` alone."""
    rng, label, cx, cy, r = _spec(seed, index, size)
    plain = bool(rng.random() < PLAIN_SHARE)
    return _compose(rng, (size, size), [(CLASSES[label], cx, cy, r)], plain), label


def sample_box(seed: int, index: int, size: int = IMAGE_SIZE) -> Placed:
    """Where :func:`sample` puts its shape: the class and the box of its outer circle."""
    _, label, cx, cy, r = _spec(seed, index, size)
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
    return _compose(rng, (w, h), items, plain=False), placed


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
        d.rectangle([c - 0.8 * r, c - 0.8 * r, c + 0.8 * r, c + 0.8 * r], fill=fill)
    elif label == "triangle":
        d.regular_polygon((c, c + 0.15 * r, r), 3, fill=fill)
    elif label == "diamond":
        d.polygon([(c, c - r), (c + 0.62 * r, c), (c, c + r), (c - 0.62 * r, c)], fill=fill)
    elif label == "cross":
        d.rectangle([c - 0.3 * r, c - r, c + 0.3 * r, c + r], fill=fill)
        d.rectangle([c - r, c - 0.3 * r, c + r, c + 0.3 * r], fill=fill)
    elif label == "star":
        d.polygon([(c + r * x, c + r * y) for x, y in _star()], fill=fill)
    elif label == "crescent":
        d.ellipse(box, fill=fill)
        rr = 0.85 * r
        d.ellipse([c + 0.5 * r - rr, c - 0.15 * r - rr, c + 0.5 * r + rr, c - 0.15 * r + rr], fill=background)
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
