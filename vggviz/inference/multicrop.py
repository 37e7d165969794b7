"""Multi-crop evaluation (the paper's section 3.2): a regular grid of crops of the network's own
input size over the resized image, each (and its mirror image) through the original network, the
soft-maxes averaged; the paper uses a 5×5 grid and flips, 50 crops per scale, and combines them
with dense evaluation (:mod:`vggviz.inference.dense`) by averaging the two posteriors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from vggviz.i18n import _
from vggviz.inference.dense import DenseSizeError, dense_input, min_size, pool_grid

if TYPE_CHECKING:
    from vggviz.model.weights import LoadedModel

__all__ = ["MultiCropResult", "multi_crop", "crop_boxes", "pixels_per_crop"]


def pixels_per_crop(grid: int = 7) -> int:
    """Pixels of one crop at the network's own input size (224², or 64² for the mini family):
    the unit in which the protocol's costs are given (the convolutions' MACs grow with pixels)."""
    return min_size(grid) ** 2


def crop_boxes(width: int, height: int, crop: int, n: int) -> list[tuple[int, int, int, int]]:
    """An n×n regular grid of ``crop``×``crop`` boxes (left, top, right, bottom) spanning the
    image from corner to corner (n = 1: the centre crop)."""
    def starts(side: int) -> list[int]:
        if n == 1:
            return [(side - crop) // 2]
        return [round(i * (side - crop) / (n - 1)) for i in range(n)]
    return [(x, y, x + crop, y + crop) for y in starts(height) for x in starts(width)]


@dataclass(frozen=True)
class MultiCropResult:
    """Multi-crop evaluation at one scale: crops of the network's own input size on a grid."""

    size: int                           # shorter side the image was resized to
    grid: int                           # n: an n×n grid of crops
    flip: bool                          # each crop also mirrored
    boxes: list[tuple[int, int, int, int]]
    mean_probs: np.ndarray              # (classes,) the crops' soft-maxes averaged

    @property
    def crops(self) -> int:
        """Forward passes: n² crops, twice with flips (the paper: 5 × 5 × 2 = 50)."""
        return len(self.boxes) * (2 if self.flip else 1)

    def top(self, k: int = 5) -> list[tuple[int, float]]:
        idx = np.argsort(-self.mean_probs)[:k]
        return [(int(i), float(self.mean_probs[i])) for i in idx]


def multi_crop(loaded: LoadedModel, image: Image.Image, size: int, grid: int = 5, flip: bool = True,
               batch: int = 10) -> MultiCropResult:
    """The paper's multi-crop evaluation at one scale: the shorter side resized to ``size``, an
    ``grid``×``grid`` grid of crops of the network's own input size (224, or 64 for the mini
    family), each (and, with ``flip``, its mirror image) through the original network; the
    soft-maxes averaged. The paper uses a 5×5 grid and flips: 50 crops per scale."""
    if not isinstance(grid, int) or not 1 <= grid <= 5:
        raise DenseSizeError(_("the crop grid must be 1 to 5 crops a side, got {grid}").format(grid=repr(grid)))
    g = pool_grid(loaded.model)
    x = dense_input(loaded, image, size)
    crop = min_size(g)
    boxes = crop_boxes(int(x.shape[3]), int(x.shape[2]), crop, grid)
    crops = torch.cat([x[:, :, t:b, l:r] for l, t, r, b in boxes])
    if flip:
        crops = torch.cat([crops, torch.flip(crops, dims=[3])])
    total = None
    with torch.inference_mode():
        for i in range(0, len(crops), batch):
            p = F.softmax(loaded.model(crops[i: i + batch].to(loaded.device)).float(), dim=1).sum(0)
            total = p if total is None else total + p
    mean = (total / len(crops)).cpu().numpy().astype(np.float32)
    return MultiCropResult(size=int(size), grid=grid, flip=bool(flip), boxes=boxes, mean_probs=mean)
