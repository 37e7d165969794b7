"""The Teach page's workspace, without Streamlit: the student's classes checked and capped, every
image's features kept once per model, and the steps features → new last layer → held-out
accuracy → (optionally) fine-tuning, with their progress.

Forward passes go through ``run(key, fn)`` when one is given: the server's scheduler
(:meth:`vggviz.serving.scheduler.Scheduler.run`), one call per batch of images, so a class of
30 images queues with every other session's passes instead of bypassing them, and progress is
reported between batches, in the caller's thread.

Example::

    from vggviz.lab.transfer import shape_images, as_image, workspace
    from vggviz.model.weights import load_model
    loaded = load_model("vgg11_mini", "shapes", "cpu")
    classes = [(c, [as_image(p) for p in shape_images(c, 3)]) for c in ("circle", "ring")]
    cache = workspace.FeatureCache()
    cache.use(workspace.model_key(loaded))
    done = workspace.train(loaded, cache, classes, "fc7")
    done.head.train_accuracy, done.cv
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vggviz.i18n import _
from vggviz.lab.transfer.finetune import FineTuned, finetune
from vggviz.lab.transfer.head import (
    BATCH,
    FEATURE_LAYERS,
    MAX_PER_CLASS,
    Head,
    cross_val_accuracy,
    features,
    fit,
)
from vggviz.model.weights import LoadedModel

__all__ = ["Runner", "Classes", "model_key", "capped", "problem", "signature", "FeatureCache", "Trained",
           "train", "finetune_classes"]

Runner = Callable[[Hashable, Callable[[], Any]], Any]
"""``run(key, fn)``: runs ``fn`` (a forward pass) and returns its result; the scheduler's ``run``."""

Classes = Sequence[tuple[str, Sequence]]
"""The student's classes in order: (name, images), each image a :class:`vggviz.data.images.LoadedImage`."""


def model_key(loaded: LoadedModel) -> tuple:
    """What features depend on: the variant, the weights asked for and had, the device."""
    return (loaded.variant, loaded.requested, loaded.source, str(loaded.device))


def capped(images: Sequence) -> tuple[list, bool]:
    """The first :data:`MAX_PER_CLASS` images of a class, and whether any were left out."""
    return list(images[:MAX_PER_CLASS]), len(images) > MAX_PER_CLASS


def problem(classes: Classes) -> str:
    """Why these classes cannot be trained yet (one line, in the current language), or ""."""
    names = [name for name, _images in classes]
    if any(not name for name in names):
        return _("Give every class a name.")
    if len(set(names)) < len(names):
        return _("Give every class a different name.")
    if any(not images for _name, images in classes):
        return _("Every class needs at least one image: upload some, take photos, pick sample photos or fill it "
                 "with shapes.")
    return ""


def signature(key: tuple, layer: str, classes: Classes) -> tuple:
    """What a trained head depends on: the model, the layer, the class names and their images' digests."""
    return (key, layer, tuple((name, tuple(im.digest for im in images)) for name, images in classes))


class FeatureCache:
    """Each image's features of every :data:`FEATURE_LAYERS` (by image digest) for ONE model:
    another model empties it (features of another network are worth nothing). Per session,
    bounded by :meth:`keep`."""

    def __init__(self) -> None:
        self.model: tuple | None = None
        self._feats: dict[str, dict[str, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self._feats)

    def __contains__(self, digest: str) -> bool:
        return digest in self._feats

    def use(self, key: tuple) -> bool:
        """Work for the model ``key`` (:func:`model_key`); True when that emptied the cache."""
        if key == self.model:
            return False
        self.model, self._feats = key, {}
        return True

    def missing(self, images: Sequence) -> list:
        """The images (one per digest, in order) whose features are not kept yet."""
        todo: dict[str, Any] = {}
        for im in images:
            if im.digest not in self._feats:
                todo.setdefault(im.digest, im)
        return list(todo.values())

    def fill(self, loaded: LoadedModel, images: Sequence, run: Runner | None = None,
             progress: Callable[[int, int], None] | None = None) -> int:
        """Compute the features of the images not kept yet, one forward pass per batch of
        :data:`BATCH` (through ``run`` when given); ``progress(done, total)`` after each batch.
        Returns how many images were computed."""
        todo = self.missing(images)
        for s in range(0, len(todo), BATCH):
            batch = todo[s: s + BATCH]
            key = ("transfer-features", model_key(loaded), tuple(im.digest for im in batch))
            got = run(key, lambda batch=batch: features(loaded, batch)) if run else features(loaded, batch)
            for k, im in enumerate(batch):
                self._feats[im.digest] = {ly: got[ly][k].astype(np.float32) for ly in FEATURE_LAYERS}
            if progress is not None:
                progress(min(s + BATCH, len(todo)), len(todo))
        return len(todo)

    def keep(self, images: Sequence) -> None:
        """Forget every image but these (the current classes')."""
        wanted = {im.digest for im in images}
        for d in [d for d in self._feats if d not in wanted]:
            del self._feats[d]

    def per_class(self, classes: Classes, layer: str) -> dict[str, np.ndarray]:
        """Class name → (n, D) features of ``layer``, from kept features only."""
        return {name: np.stack([self._feats[im.digest][layer] for im in images]) for name, images in classes}


@dataclass(frozen=True, eq=False)
class Trained:
    """A new last layer trained on the student's classes, and what the page shows of it."""

    signature: tuple
    head: Head
    cv: float | None                    # held-out accuracy (5-fold cross-validation), None below 2 images a class
    per_class: dict[str, np.ndarray]    # the features it was trained on (for the PCA)
    seconds: float                      # the head and the cross-validation (features not counted)


def train(loaded: LoadedModel, cache: FeatureCache, classes: Classes, layer: str, run: Runner | None = None,
          progress: Callable[[str, int, int, float], None] | None = None) -> Trained:
    """Features (only of new images, kept in ``cache``) → a new last layer → its held-out accuracy.
    ``progress(stage, done, total, loss)``, stage "features" (images), "train" (steps, with the
    loss) or "heldout" (once, before the cross-validation)."""
    cache.use(model_key(loaded))
    images = [im for _name, ims in classes for im in ims]
    cache.fill(loaded, images, run, None if progress is None else lambda d, t: progress("features", d, t, 0.0))
    cache.keep(images)
    per_class = cache.per_class(classes, layer)
    t0 = time.perf_counter()
    head = fit(loaded, per_class, layer,
               progress=None if progress is None else lambda s, t, loss: progress("train", s, t, loss))
    if progress is not None:
        progress("heldout", 0, 1, 0.0)
    cv = cross_val_accuracy(per_class)
    return Trained(signature(model_key(loaded), layer, classes), head, cv, per_class, time.perf_counter() - t0)


def finetune_classes(loaded: LoadedModel, classes: Classes, layer: str, epochs: int, seconds: float,
                     run: Runner | None = None,
                     progress: Callable[[str, int, int, float], None] | None = None) -> FineTuned:
    """:func:`vggviz.lab.transfer.finetune` on the student's classes, its passes through ``run``."""
    per: Mapping[str, Sequence] = {name: list(images) for name, images in classes}
    return finetune(loaded, per, layer, epochs=int(epochs), seconds=float(seconds), progress=progress, run=run)
