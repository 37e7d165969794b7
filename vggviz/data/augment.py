"""Training-time scale jittering, drawn on one image (the paper's Sect. 3.1).

Each training image is rescaled so that its shorter side is a random S ∈ [256, 512], then a
random 224×224 crop is taken and flipped horizontally half of the time. The mini family's
trainer does the same at its scale (:func:`vggviz.lab.training._jitter`: S ∈ [64, 96], a 64×64
crop), and flips at random.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from vggviz.i18n import _

__all__ = ["JitterDraw", "jitter_range", "jitter_draws", "PAPER_JITTER", "MINI_JITTER"]

PAPER_JITTER = (256, 512)     # S range for a 224 crop
MINI_JITTER = (64, 96)        # the mini trainer's: 64 · [1, 1.5], for a 64 crop


@dataclass(frozen=True)
class JitterDraw:
    image: Image.Image                  # the crop the network would be given (crop × crop)
    S: int                              # the shorter side the image was rescaled to
    box: tuple[int, int, int, int]      # the crop in the rescaled image (left, top, right, bottom)
    flipped: bool


def jitter_range(input_size: int) -> tuple[int, int]:
    """S's range for a network of this input size: [256, 512] at 224 (the paper), [64, 96] at 64."""
    return PAPER_JITTER if input_size >= 224 else MINI_JITTER


def jitter_draws(image: Image.Image, n: int = 6, seed: int = 0, crop: int = 224,
                 s_range: tuple[int, int] | None = None) -> list[JitterDraw]:
    """``n`` seeded draws of scale jittering on ``image``: S uniform in ``s_range`` (whole
    pixels, both ends included), the shorter side rescaled to S (aspect kept), a uniformly
    placed ``crop``×``crop`` crop, a horizontal flip with probability ½. Same seed, same draws."""
    lo, hi = s_range or jitter_range(crop)
    if not crop <= lo <= hi:
        raise ValueError(_("S must lie between the crop ({crop}) and its upper end, got [{lo}, {hi}]").format(
            crop=crop, lo=lo, hi=hi))
    rng = np.random.default_rng(seed)
    img = image.convert("RGB")
    w, h = img.size
    out = []
    for _draw in range(n):
        S = int(rng.integers(lo, hi + 1))
        rw, rh = (S, max(S, round(h * S / w))) if w <= h else (max(S, round(w * S / h)), S)
        left, top = int(rng.integers(0, rw - crop + 1)), int(rng.integers(0, rh - crop + 1))
        flipped = bool(rng.random() < 0.5)
        box = (left, top, left + crop, top + crop)
        piece = img.resize((rw, rh), Image.Resampling.BILINEAR).crop(box)
        if flipped:
            piece = piece.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        out.append(JitterDraw(image=piece, S=S, box=box, flipped=flipped))
    return out
