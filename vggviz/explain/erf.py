"""The *effective* receptive field: which input pixels actually move a unit.

The theoretical receptive field (:mod:`vggviz.model.receptive_field`) is the square a unit can
see. How much each pixel of that square matters is measured here with autograd:
``|∂ unit / ∂ input|``, summed over the three colour channels. Luo et al. (2016,
"Understanding the Effective Receptive Field in Deep Convolutional Neural Networks")
showed that it is concentrated in the centre of the theoretical field, roughly Gaussian:
far more paths lead from a unit to the centre of its field than to its edges (see
:func:`vggviz.model.receptive_field.path_counts`).

No hooks: the forward pass is :func:`vggviz.model.layers.walk` on an input that requires grad;
the shared model's parameters already have ``requires_grad=False``, so only the input's
gradient is computed and nothing on the model changes. In-place ReLUs are fine for input
gradients (a test checks it against out-of-place ReLUs). The walk runs under the model's
lock because a model found in training mode is switched to eval mode for the measurement
(BN must use its running statistics); the app's shared models are always in eval mode.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from vggviz.errors import VggvizError
from vggviz.i18n import _
from vggviz.model.layers import Layer, find_layer, named_layers, walk
from vggviz.model.receptive_field import FieldStep, receptive_fields, unit_box

if TYPE_CHECKING:
    from PIL import Image

    from vggviz.model.weights import LoadedModel

__all__ = [
    "effective_rf",
    "effective_rf_noise",
    "feature_layers",
    "field_steps",
    "unit_field",
    "variant_unit_field",
    "box_mask",
    "erf_radius",
    "crop_input",
    "NotSpatialError",
]


class NotSpatialError(VggvizError):
    """The layer is not in the convolutional part (conv1_1 … pool5), so it has no units at
    positions (y, x) whose field could be drawn."""


def feature_layers(model: nn.Module) -> list[Layer]:
    """The layers of the convolutional part (``features``): the ones with a spatial field."""
    return [layer for layer in named_layers(model) if layer.path.startswith("features")]


def field_steps(model: nn.Module) -> list[tuple[Layer, FieldStep]]:
    """Each feature layer with its receptive field (side, jump, first unit's centre)."""
    layers = feature_layers(model)
    return list(zip(layers, receptive_fields(l.geometry() for l in layers)))


def unit_field(model: nn.Module, layer_name: str, y: int, x: int) -> tuple[float, float, float, float]:
    """Theoretical field of unit ``(y, x)`` of ``layer_name`` as ``(top, left, bottom, right)``
    in input coordinates where pixel ``i`` spans ``[i, i + 1)``; it may reach past the image
    (the padding)."""
    pairs = field_steps(model)
    index = _feature_index([l for l, _step in pairs], layer_name)
    return unit_box([s for _layer, s in pairs], index, y, x)


@lru_cache(maxsize=32)
def _variant_steps(variant: str) -> tuple[tuple[str, ...], tuple[FieldStep, ...]]:
    from vggviz.model.variants import build

    pairs = field_steps(build(variant, device="meta"))
    return tuple(l.name for l, _step in pairs), tuple(s for _layer, s in pairs)


def variant_unit_field(variant: str, layer_name: str, y: int, x: int) -> tuple[float, float, float, float]:
    """:func:`unit_field` for a named variant, without allocating a model (meta device, cached)."""
    names, steps = _variant_steps(variant)
    if layer_name not in names:
        raise NotSpatialError(_("{layer!r} is not a layer of the convolutional part of {variant} "
                           "(choose one of {first} … {last})").format(
                               layer=layer_name, variant=variant, first=names[0], last=names[-1]))
    return unit_box(steps, names.index(layer_name), y, x)


def box_mask(box: Sequence[float], height: int, width: int | None = None) -> np.ndarray:
    """Boolean ``(H, W)`` mask of the input pixels inside ``box`` (clipped to the image)."""
    width = height if width is None else width
    top, left, bottom, right = box
    mask = np.zeros((height, width), dtype=bool)
    r0, r1 = max(0, math.ceil(top)), min(height, math.floor(bottom))
    c0, c1 = max(0, math.ceil(left)), min(width, math.floor(right))
    if r0 < r1 and c0 < c1:
        mask[r0:r1, c0:c1] = True
    return mask


def _feature_index(layers: list[Layer], name: str) -> int:
    try:
        layer = find_layer(layers, name)
    except ValueError:
        raise NotSpatialError(
            _("{layer!r} is not in the convolutional part: the effective receptive field is "
              "measured for {first} … {last}").format(layer=name, first=layers[0].name, last=layers[-1].name)
        ) from None
    return layers.index(layer)


@contextmanager
def _eval_mode(model: nn.Module) -> Iterator[None]:
    """Eval mode for the duration (BN must use its running statistics and not update them);
    the shared models are always in eval mode, so this normally changes nothing."""
    was = model.training
    if was:
        model.eval()
    try:
        yield
    finally:
        if was:
            model.train()


def _input_gradient(loaded, x: torch.Tensor, layer_name: str, y: int | None, xx: int | None,
                    channel: int | None) -> torch.Tensor:
    """``∂ Σ unit / ∂ input`` for a batch: unit ``(y, x)`` (centre when None) of ``layer_name``,
    one channel or all of them summed. Returns the gradient, shape of ``x``, on the CPU."""
    model = loaded.model
    layers = named_layers(model)
    feats = [l for l in layers if l.path.startswith("features")]
    layer = feats[_feature_index(feats, layer_name)]
    if x.dim() != 4 or x.shape[1] != 3:
        raise ValueError(_("expected an input of shape (N, 3, H, W), got {shape}").format(shape=tuple(x.shape)))
    inp = x.detach().to(loaded.device, torch.float32).clone().requires_grad_(True)
    with loaded.lock, _eval_mode(model), torch.enable_grad():
        out = walk(model, inp, stop=layer.index, layers=layers)
        _batch, c, h, w = out.shape
        y = h // 2 if y is None else y
        xx = w // 2 if xx is None else xx
        if not (0 <= y < h and 0 <= xx < w):
            raise ValueError(_("unit ({y}, {x}) is outside {layer}'s {h}×{w} map").format(
                y=y, x=xx, layer=layer_name, h=h, w=w))
        if channel is not None and not 0 <= channel < c:
            raise ValueError(_("channel {channel} is outside {layer}'s {c} channels").format(
                channel=channel, layer=layer_name, c=c))
        unit = out[:, :, y, xx] if channel is None else out[:, channel, y, xx]
        (grad,) = torch.autograd.grad(unit.sum(), inp)
        del out, unit
    return grad.detach().cpu()


def _normalise(g: np.ndarray) -> np.ndarray:
    peak = float(g.max()) if g.size else 0.0
    return (g / peak if peak > 0 else g).astype(np.float32)


def effective_rf(loaded: LoadedModel, tensor: torch.Tensor, layer_name: str, y: int, x: int,
                 channel: int | None = None) -> np.ndarray:
    """``|∂ unit / ∂ input|`` summed over colour channels, normalised to [0, 1], shape (S, S).

    Args:
        loaded: a :class:`vggviz.model.weights.LoadedModel` (model, device, lock).
        tensor: the preprocessed input, ``(1, 3, S, S)``.
        layer_name: a layer of the convolutional part, paper name (``conv4_2``) or path.
        y, x: the unit's position in that layer's output map.
        channel: one channel, or None for the sum over all channels at ``(y, x)``.

    Returns all zeros when no gradient reaches the input (the unit is switched off by its
    ReLU for this image). Zero outside the unit's theoretical field, always.

    >>> erf = effective_rf(loaded, x, "conv3_3", 28, 28)   # doctest: +SKIP
    """
    if tensor.dim() != 4 or tensor.shape[0] != 1:
        raise ValueError(_("expected one image, shape (1, 3, H, W), got {shape}").format(shape=tuple(tensor.shape)))
    g = _input_gradient(loaded, tensor, layer_name, y, x, channel)
    return _normalise(g[0].abs().sum(0).numpy())


def effective_rf_noise(loaded: LoadedModel, layer_name: str, size: int | None = None, samples: int = 4,
                       seed: int = 0, y: int | None = None, x: int | None = None,
                       channel: int | None = None) -> np.ndarray:
    """The classic picture of Luo et al.: the effective field of the centre unit (or ``(y, x)``)
    averaged over ``samples`` images of Gaussian noise (in the normalised input space), so
    that no particular image shapes it. ``size``: the noise images' side, by default the
    model's own input size (224, or 64 for the mini family). One batched backward pass;
    normalised to [0, 1]."""
    if samples < 1:
        raise ValueError(_("need at least one noise sample"))
    if size is None:
        size = getattr(loaded, "input_size", 224)
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn(samples, 3, size, size, generator=gen)
    g = _input_gradient(loaded, noise, layer_name, y, x, channel)
    return _normalise(g.abs().sum(1).mean(0).numpy())


def erf_radius(erf: np.ndarray, mass: float = 0.5) -> float:
    """Side of the smallest square, centred on the ERF's centre of mass, that holds ``mass``
    of its total: a single number for "how much of the field is really used"."""
    total = float(erf.sum())
    if total <= 0:
        return 0.0
    h, w = erf.shape
    ys, xs = np.mgrid[0:h, 0:w]
    cy = float((erf * ys).sum() / total)
    cx = float((erf * xs).sum() / total)
    cheb = np.maximum(np.abs(ys - cy), np.abs(xs - cx))
    order = np.argsort(cheb, axis=None)
    cum = np.cumsum(erf.ravel()[order])
    k = int(np.searchsorted(cum, mass * total))
    return float(2 * cheb.ravel()[order][min(k, cum.size - 1)] + 1)


def crop_input(loaded: LoadedModel, image: Image.Image) -> tuple[Image.Image, torch.Tensor]:
    """The weights' own preprocessing applied to a PIL image (:func:`vggviz.inference.analysis.preprocess`):
    the crop as a PIL image (to draw on) and the ``(1, 3, S, S)`` tensor the network sees, S the
    model's input size (224, or 64 for the mini family)."""
    from vggviz.inference.analysis import preprocess

    pre = preprocess(loaded, image)
    return pre.stages["cropped"], pre.tensor
