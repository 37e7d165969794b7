"""What makes a channel fire across many images: the image patches where it is strongest
(Zeiler & Fergus 2014, "Visualizing and Understanding Convolutional Networks", Fig. 2).

Every image of a set goes through the network once, in batches, up to the chosen layer; for
every channel the strongest unit of each image is kept (value and position). A channel's
gallery is then the images where it peaks highest, each cropped to the peak unit's
theoretical receptive field. Indexing a layer covers all its channels at once, so browsing
channels costs nothing more.

The forward passes walk the shared model with :func:`vggviz.model.layers.walk` under
``inference_mode``: no hook, nothing mutated, no lock (as every analysis does).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from vggviz.explain.erf import feature_layers, variant_unit_field
from vggviz.i18n import _
from vggviz.inference.analysis import preprocess
from vggviz.model.layers import find_layer, walk

if TYPE_CHECKING:
    from vggviz.model.weights import LoadedModel

__all__ = ["Patch", "ChannelIndex", "index_layer", "image_set", "source_label", "SHAPES_SEED", "SHAPES_COUNT"]

SHAPES_SEED = 7          # generated images the mini family never trained or validated on (0, 1)
SHAPES_COUNT = 300
PAD_GREY = (128, 128, 128)


@dataclass(frozen=True)
class Patch:
    source: str                                  # where the image came from (display as text)
    value: float                                 # the channel's strongest unit on this image
    row: int
    col: int
    box: tuple[float, float, float, float]       # receptive field (left, top, right, bottom), input px
    image: Image.Image                           # the field cut from the network's input crop (grey: padding)


@dataclass(frozen=True, eq=False)
class ChannelIndex:
    """One layer's per-image, per-channel maxima over a set of images."""

    variant: str
    layer: str
    sources: tuple[str, ...]
    values: np.ndarray           # (N, C) float32: max over the map
    where: np.ndarray            # (N, C, 2) int32: (row, col) of that max
    crops: tuple[Image.Image, ...]   # the N network-input crops (S×S), to cut patches from

    @property
    def channels(self) -> int:
        return int(self.values.shape[1])

    def top(self, channel: int, k: int = 9) -> list[Patch]:
        """The ``k`` images where ``channel`` peaks highest (one patch per image), strongest first."""
        if not 0 <= channel < self.channels:
            raise ValueError(_("channel {channel} is out of range: {layer} has channels 0 … {last}").format(
                channel=channel, layer=self.layer, last=self.channels - 1))
        order = np.argsort(-self.values[:, channel], kind="stable")[:k]
        out = []
        for i in order:
            r, c = (int(v) for v in self.where[i, channel])
            top_, left, bottom, right = variant_unit_field(self.variant, self.layer, r, c)
            box = (left, top_, right, bottom)
            out.append(Patch(self.sources[i], float(self.values[i, channel]), r, c, box, _cut(self.crops[i], box)))
        return out

    def ranking(self) -> np.ndarray:
        """Channels ordered by their highest value over the set (most excitable first)."""
        return np.argsort(-self.values.max(axis=0), kind="stable")


def _cut(crop: Image.Image, box: tuple[float, float, float, float]) -> Image.Image:
    """The field ``box`` of ``crop``; the part past the image edge (the zero padding the
    network saw, i.e. the mean colour) is grey."""
    left, top, right, bottom = (int(round(v)) for v in box)
    out = Image.new("RGB", (max(1, right - left), max(1, bottom - top)), PAD_GREY)
    inner = crop.crop((max(0, left), max(0, top), min(crop.width, right), min(crop.height, bottom)))
    out.paste(inner, (max(0, left) - left, max(0, top) - top))
    return out


def image_set(loaded: LoadedModel, uploads: Sequence[tuple[str, Image.Image]] = (), shapes_count: int | None = None
              ) -> list[tuple[str, Image.Image]]:
    """The images to search: the bundled samples, the session's ``uploads`` and, for the
    shapes family, ``shapes_count`` generated shapes it was not trained on (default 300)."""
    from vggviz.data.images import load_image_file, sample_images
    from vggviz.model.variants import variant_info

    out: list[tuple[str, Image.Image]] = []
    for name, path in sample_images().items():
        out.append((f"sample: {name}", load_image_file(path).image))
    out.extend((f"upload: {n}", im) for n, im in uploads)
    if variant_info(loaded.variant).mini:
        from vggviz.data.shapes import CLASSES, sample

        n = SHAPES_COUNT if shapes_count is None else shapes_count
        for i in range(n):
            im, label = sample(SHAPES_SEED, i)
            out.append((f"shapes #{i} ({CLASSES[label]})", im))
    return out


_SOURCE = re.compile(r"^(sample|upload): (.*)$|^shapes #(\d+) \((.*)\)$", re.S)


def source_label(source: str) -> str:
    """A source of :func:`image_set` as a reader sees it, in the session's language. The
    source itself is an identifier (``sample: Cat``, ``upload: x.png``, ``shapes #3 (star)``),
    kept in the shared index; sample and file names stay as they are, a shape's name is translated."""
    m = _SOURCE.match(source)
    if m is None:
        return source
    if m.group(1) == "sample":
        return _("sample: {name}").format(name=m.group(2))
    if m.group(1) == "upload":
        return _("upload: {name}").format(name=m.group(2))
    return _("shapes #{i} ({shape})").format(i=m.group(3), shape=_(m.group(4)))


def index_layer(loaded: LoadedModel, layer: str, images: Sequence[tuple[str, Image.Image]], batch: int = 32,
                progress: Callable[[int, int], None] | None = None) -> ChannelIndex:
    """Run ``images`` (``(source, PIL image)`` pairs) through the network up to ``layer`` in
    batches and keep, per image and channel, the strongest unit. ``progress(done, total)``
    after each batch."""
    if not images:
        raise ValueError(_("no images to search"))
    layers = feature_layers(loaded.model)
    target = find_layer(layers, layer)
    crops, tensors = [], []
    for _source, im in images:
        p = preprocess(loaded, im)
        crops.append(p.stages["cropped"])
        tensors.append(p.tensor[0])
    n = len(images)
    values, where = None, None
    done = 0
    with torch.inference_mode():
        for start in range(0, n, batch):
            x = torch.stack(tensors[start: start + batch]).to(loaded.device)
            out = walk(loaded.model, x, stop=target.index, layers=layers).float()
            b, c, h, w = out.shape
            flat = out.reshape(b, c, h * w)
            v, idx = flat.max(dim=2)
            if values is None:
                values = np.empty((n, c), dtype=np.float32)
                where = np.empty((n, c, 2), dtype=np.int32)
            values[start: start + b] = v.cpu().numpy()
            idx = idx.cpu().numpy()
            where[start: start + b, :, 0] = idx // w
            where[start: start + b, :, 1] = idx % w
            done += b
            if progress is not None:
                progress(done, n)
    return ChannelIndex(loaded.variant, target.name, tuple(s for s, _im in images), values, where, tuple(crops))
