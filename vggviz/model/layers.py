"""The paper's layer names, mapped to torchvision module paths, and one walk through a VGG.

Every VGG here is torchvision's ``VGG`` (``features`` → ``avgpool`` → flatten →
``classifier``), so running it layer by layer needs no hooks: :func:`walk` calls the
modules in order and hands each output to the caller. Nothing on the shared model is
mutated, so concurrent walks are safe without a lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from vggviz.errors import VggvizError
from vggviz.i18n import _

__all__ = ["Layer", "named_layers", "walk", "UnknownLayerError", "find_layer", "block_ends", "CONV_BLOCKS",
           "CLASSIFIER_BLOCK", "LAST_BLOCK_INPUT"]

CONV_BLOCKS = 5                               # conv1_x … conv5_x: VGG's (and AlexNet's) convolutional blocks
CLASSIFIER_BLOCK = CONV_BLOCKS + 1            # the block number of avgpool and the classifier (fc6 … fc8)
LAST_BLOCK_INPUT = f"pool{CONV_BLOCKS - 1}"   # pool4: what the last convolutional block reads


@dataclass(frozen=True)
class Layer:
    index: int          # position in the walk
    name: str           # paper name: conv3_2, relu3_2, pool3, fc6, ...
    path: str           # torchvision module path: features.12
    kind: str           # conv, bn, relu, lrn, pool, avgpool, fc, dropout
    block: int          # 1..CONV_BLOCKS for the convolutional blocks, CLASSIFIER_BLOCK for the classifier
    module: nn.Module

    @property
    def spatial(self) -> bool:
        """True for layers whose output is a C×H×W map (the features and avgpool)."""
        return self.kind not in ("fc", "dropout") and not (self.block == CLASSIFIER_BLOCK and self.kind == "relu")

    @property
    def in_conv_blocks(self) -> bool:
        """True for the layers of the convolutional blocks (conv1_1 … pool5)."""
        return self.block <= CONV_BLOCKS

    def geometry(self) -> tuple[int, int, int]:
        """``(kernel, stride, padding)`` for receptive-field arithmetic."""
        m = self.module
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            def one(v):
                return v[0] if isinstance(v, tuple) else v
            return one(m.kernel_size), one(m.stride), one(m.padding)
        return 1, 1, 0


class UnknownLayerError(VggvizError):
    pass


def named_layers(model: nn.Module) -> list[Layer]:
    """Every module of a torchvision VGG in forward order, with the paper's names (AlexNet,
    the one reference model, with its paper's: see :func:`_alexnet_layers`)."""
    from torchvision.models import AlexNet

    if isinstance(model, AlexNet):
        return _alexnet_layers(model)
    layers: list[Layer] = []
    block, conv_i = 1, 0
    for i, m in enumerate(model.features):
        path = f"features.{i}"
        if isinstance(m, nn.Conv2d):
            conv_i += 1
            kind, name = "conv", f"conv{block}_{conv_i}"
        elif isinstance(m, nn.BatchNorm2d):
            kind, name = "bn", f"bn{block}_{conv_i}"
        elif isinstance(m, nn.ReLU):
            kind, name = "relu", f"relu{block}_{conv_i}"
        elif isinstance(m, nn.LocalResponseNorm):
            kind, name = "lrn", f"lrn{block}"
        elif isinstance(m, nn.MaxPool2d):
            kind, name = "pool", f"pool{block}"
        else:  # pragma: no cover - not in any VGG
            kind, name = type(m).__name__.lower(), f"{type(m).__name__.lower()}{block}"
        layers.append(Layer(len(layers), name, path, kind, block, m))
        if kind == "pool":
            block, conv_i = block + 1, 0
    layers.append(Layer(len(layers), "avgpool", "avgpool", "avgpool", 6, model.avgpool))
    fc = 5
    for i, m in enumerate(model.classifier):
        path = f"classifier.{i}"
        if isinstance(m, nn.Linear):
            fc += 1
            kind, name = "fc", f"fc{fc}"
        elif isinstance(m, nn.ReLU):
            kind, name = "relu", f"relu{fc}"
        elif isinstance(m, nn.Dropout):
            kind, name = "dropout", f"drop{fc}"
        else:  # pragma: no cover
            kind, name = type(m).__name__.lower(), f"{type(m).__name__.lower()}{fc}"
        layers.append(Layer(len(layers), name, path, kind, 6, m))
    return layers


def _alexnet_layers(model: nn.Module) -> list[Layer]:
    """Torchvision's AlexNet with the names of its paper and of Caffe: conv1…conv5 (one conv per
    block, the block numbered by the conv), relu1…relu5, pool1, pool2, pool5, then drop6, fc6,
    relu6, drop7, fc7, relu7, fc8 (torchvision puts each dropout before its FC layer)."""
    layers: list[Layer] = []
    conv = 0
    for i, m in enumerate(model.features):
        if isinstance(m, nn.Conv2d):
            conv += 1
            kind, name = "conv", f"conv{conv}"
        elif isinstance(m, nn.ReLU):
            kind, name = "relu", f"relu{conv}"
        elif isinstance(m, nn.MaxPool2d):
            kind, name = "pool", f"pool{conv}"
        else:  # pragma: no cover - not in torchvision's AlexNet
            kind, name = type(m).__name__.lower(), f"{type(m).__name__.lower()}{conv}"
        layers.append(Layer(len(layers), name, f"features.{i}", kind, conv, m))
    layers.append(Layer(len(layers), "avgpool", "avgpool", "avgpool", 6, model.avgpool))
    fc = 6
    for i, m in enumerate(model.classifier):
        if isinstance(m, nn.Linear):
            kind, name = "fc", f"fc{fc}"
            fc += 1
        elif isinstance(m, nn.ReLU):
            kind, name = "relu", f"relu{fc - 1}"
        elif isinstance(m, nn.Dropout):
            kind, name = "dropout", f"drop{fc}"
        else:  # pragma: no cover
            kind, name = type(m).__name__.lower(), f"{type(m).__name__.lower()}{fc}"
        layers.append(Layer(len(layers), name, f"classifier.{i}", kind, 6, m))
    return layers


def find_layer(layers: list[Layer], name: str) -> Layer:
    """Look a layer up by paper name or module path."""
    for layer in layers:
        if name in (layer.name, layer.path):
            return layer
    choices = ", ".join(l.name for l in layers)
    raise UnknownLayerError(_("unknown layer {name!r}; choose one of: {choices}").format(name=name, choices=choices))


def block_ends(layers: list[Layer]) -> list[Layer]:
    """The last ReLU of each convolutional block (what the depth sweep shows)."""
    out = []
    for b in range(1, CONV_BLOCKS + 1):
        relus = [l for l in layers if l.block == b and l.kind == "relu"]
        if relus:
            out.append(relus[-1])
    return out


def walk(
    model: nn.Module,
    x: torch.Tensor,
    on_output: Callable[[Layer, torch.Tensor], torch.Tensor | None] | None = None,
    *,
    start: int = 0,
    stop: int | None = None,
    layers: list[Layer] | None = None,
) -> torch.Tensor:
    """Run ``model`` on ``x`` one layer at a time, from layer ``start`` up to and including ``stop``.

    ``on_output(layer, out)`` sees every output; a non-None return replaces it (e.g. a
    detached copy that requires grad). In-place ReLUs overwrite their input, so a caller
    that keeps a conv output must keep a copy. No hooks are registered on the model.
    """
    layers = layers if layers is not None else named_layers(model)
    stop = len(layers) - 1 if stop is None else stop
    for layer in layers[start: stop + 1]:
        if layer.path.startswith("classifier") and x.dim() > 2:
            x = torch.flatten(x, 1)
        x = layer.module(x)
        if on_output is not None:
            replaced = on_output(layer, x)
            if replaced is not None:
                x = replaced
    return x
