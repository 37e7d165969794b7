"""The Fully convolutional page's evaluations, computed once for every session: dense scores per
(model, image, size, square, flip) and multi-crop per (model, image, size, grid), each a new one
through the server's scheduler (first come, first served with every other forward pass) and kept
in a bounded :class:`~vggviz.serving.cache.SharedResults`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vggviz.inference.dense import DenseResult, dense_scores
from vggviz.inference.multicrop import MultiCropResult, multi_crop
from vggviz.serving.cache import SharedResults
from vggviz.serving.scheduler import scheduler

if TYPE_CHECKING:
    from vggviz.data.images import LoadedImage
    from vggviz.model.weights import LoadedModel

__all__ = ["DENSE_ENTRIES", "CROP_ENTRIES", "model_key", "dense", "crops", "crops_kept", "clear"]

DENSE_ENTRIES = 32                # a DenseResult keeps (classes × map) float32: 4 MB for a 10×10 ImageNet map
CROP_ENTRIES = 16                 # a MultiCropResult is one posterior

_dense = SharedResults(DENSE_ENTRIES)
_crops = SharedResults(CROP_ENTRIES)

OnWait = Callable[[int], None]


def model_key(loaded: LoadedModel) -> tuple[str, str, str, str]:
    """What a result depends on besides the image: the variant, the weights asked for and had, the device."""
    return (loaded.variant, loaded.requested, loaded.source, str(loaded.device))


def _through_scheduler(store: SharedResults, key: tuple, fn, on_wait: OnWait | None):
    hit = store.get(key)
    if hit is not None:
        return hit
    return store.put(key, scheduler().run(key, fn, on_wait))


def dense(loaded: LoadedModel, image: LoadedImage, size: int, square: bool = False, flip: bool = False,
          on_wait: OnWait | None = None) -> DenseResult:
    """:func:`vggviz.inference.dense.dense_scores` of ``image``, kept for every session."""
    key = ("dense", *model_key(loaded), image.digest, int(size), bool(square), bool(flip))
    return _through_scheduler(_dense, key, lambda: dense_scores(loaded, image.image, int(size), square, flip), on_wait)


def _crops_key(loaded: LoadedModel, image: LoadedImage, size: int, grid: int) -> tuple:
    return ("crops", *model_key(loaded), image.digest, int(size), int(grid))


def crops_kept(loaded: LoadedModel, image: LoadedImage, size: int, grid: int) -> bool:
    """Whether this multi-crop result is kept (no forward pass, nothing to count against a budget)."""
    return _crops.get(_crops_key(loaded, image, size, grid)) is not None


def crops(loaded: LoadedModel, image: LoadedImage, size: int, grid: int, on_wait: OnWait | None = None) -> MultiCropResult:
    """:func:`vggviz.inference.multicrop.multi_crop` of ``image`` (with flips), kept for every session."""
    key = _crops_key(loaded, image, size, grid)
    return _through_scheduler(_crops, key, lambda: multi_crop(loaded, image.image, int(size), grid=int(grid), flip=True),
                              on_wait)


def clear() -> None:
    """Forget every kept result (tests)."""
    _dense.clear()
    _crops.clear()
