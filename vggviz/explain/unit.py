"""Inside one unit: how one number of a feature map is computed from the layer before it.

For a conv unit ``(channel, row, col)`` of ``convX_Y`` the arithmetic is exactly what the
network did: the ``C_in × k × k`` window of the previous layer's output (zeros where the window
lies in the padding), multiplied by the channel's kernel, summed per input channel (the
*terms*), plus the bias = the pre-activation; then, for ``_bn`` variants, batch norm
``(x − μ) / √(σ² + ε) · γ + β`` as its own step; then the ReLU. For a pool unit: its window and
which input won. Every number comes from the cached :class:`vggviz.inference.analysis.Analysis` and the
model's weights; nothing is hooked and no full forward pass is run. Where the analysis kept a
layer as float16 (blocks 1–3 of the full-size VGGs, to save memory), the float32 values of
that layer are recomputed once per analysis from the preprocessed input (the head of the
network up to that layer, no gradients) and memoised in the analysis, so the sums agree with
the network to float32 precision; the mini family keeps everything as float32 and needs none.

Example::

    u = unit_arithmetic(loaded, res, "conv3_1", channel=5, row=10, col=12)
    u.pre_activation == u.terms.sum() + u.bias     # (float32 tolerance)
    u.value == max(u.pre_activation, 0)            # what the feature map shows at (10, 12)
    u.step_back                                   # the strongest input channel's own unit
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from vggviz.errors import VggvizError
from vggviz.explain.erf import variant_unit_field
from vggviz.i18n import N_, _
from vggviz.model.layers import Layer, UnknownLayerError, find_layer, named_layers, walk

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis
    from vggviz.model.weights import LoadedModel

__all__ = ["UnitArithmetic", "UnitError", "unit_arithmetic", "unit_layers", "exact_activation", "resolve"]

UNIT_KINDS = ("conv", "bn", "relu", "pool", "lrn")


class UnitError(VggvizError):
    """A layer without units, a channel or position out of range: one line for the user."""


@dataclass(frozen=True, eq=False)
class UnitArithmetic:
    """One unit's computation, as plain data (float64 sums of float32 values)."""

    variant: str
    layer: str                       # the layer asked for (conv, bn, relu, pool or lrn name)
    unit_layer: str                  # the layer whose arithmetic is shown (conv, pool or lrn)
    kind: str                        # "conv", "pool" or "lrn"
    channel: int
    row: int
    col: int
    input_layer: str | None          # the layer read (None: the preprocessed image)
    input_channels: list[str]        # names of the input channels ("R", "G", "B" or "ch 12")
    window: tuple[int, int]          # (top, left) of the k×k window in the input layer (may be < 0)
    patch: np.ndarray                # (C_in, k, k) float32, zeros in the padding
    in_padding: np.ndarray           # (k, k) bool: that position of the window is padding
    kernel: np.ndarray | None        # (C_in, k, k) float32 for a conv
    terms: np.ndarray | None         # (C_in,) float64: sum over the window of patch × kernel
    bias: float
    pre_activation: float            # conv: terms.sum() + bias; pool/lrn: the layer's output
    bn: dict | None                  # {"mean", "var", "eps", "gamma", "beta", "out"} for BN variants
    relu: bool                       # a ReLU follows (value = max(., 0))
    value: float                     # what the chosen layer's map holds at (channel, row, col)
    stored: float                    # the same number as the cached analysis has it
    winner: tuple[int, int, int] | None   # pool: (channel, row, col) of the input that won
    step_back: tuple[str, int, int, int] | None   # the input unit to look at next, or None (pixels)
    patch_box: tuple[float, float, float, float]  # receptive field (left, top, right, bottom), input px
    pixels: Image.Image | None       # conv1_1: the k×k crop pixels it reads, as the image shows them

    def top_terms(self, n: int = 5) -> list[tuple[int, float]]:
        """The ``n`` input channels that add most (by absolute size) to the sum, largest first."""
        if self.terms is None:
            return []
        order = np.argsort(-np.abs(self.terms), kind="stable")[:n]
        return [(int(i), float(self.terms[i])) for i in order]

    def to_json(self) -> dict:
        """The CLI's ``unit`` contract (``patch_box`` as [left, top, right, bottom])."""
        return {
            "layer": self.layer, "channel": self.channel, "row": self.row, "col": self.col,
            "unit_layer": self.unit_layer, "kind": self.kind, "input_layer": self.input_layer,
            "pre_activation": self.pre_activation, "value": self.value, "stored": self.stored,
            "bias": self.bias,
            "terms": [] if self.terms is None else [float(t) for t in self.terms],
            "bn": self.bn, "winner": list(self.winner) if self.winner else None,
            "step_back": list(self.step_back) if self.step_back else None,
            "patch_box": [float(v) for v in self.patch_box],
        }


def unit_layers(analysis: Analysis) -> list[str]:
    """The layers whose units can be inspected: every conv, bn, ReLU, LRN and pool of the
    convolutional part (avgpool excluded)."""
    return [n for n in analysis.layer_names() if n != "avgpool"]


def resolve(layers: list[Layer], name: str) -> Layer:
    try:
        layer = find_layer(layers, name)
    except UnknownLayerError:
        choices = ", ".join(l.name for l in layers if l.path.startswith("features"))
        raise UnitError(_("unknown layer {name}; choose one of: {choices}").format(name=repr(name), choices=choices)) from None
    if not layer.path.startswith("features") or layer.kind not in UNIT_KINDS:
        raise UnitError(_("{layer} has no feature map to pick a unit from; choose a conv, ReLU "
                        "or pool layer (conv1_1 … pool5)").format(layer=layer.name))
    return layer


def exact_activation(loaded: LoadedModel, analysis: Analysis, layer: Layer, layers: list[Layer]) -> np.ndarray:
    """``layer``'s output (C, H, W) as float32: the cached array where the analysis kept it
    as float32, else the network's head recomputed once from the preprocessed input (no
    gradients, no hooks) and memoised in the analysis."""
    key = layer.name
    stored_as = layer.name if layer.kind != "relu" else layers[layer.index - 1].name
    arr = analysis.acts.get(stored_as)
    if arr is not None and arr.dtype == np.float32:
        return analysis.activation(layer.name)
    memo = analysis._memo.setdefault("exact", {})
    if key not in memo:
        with torch.inference_mode():
            out = walk(loaded.model, analysis.preprocessed.tensor.to(loaded.device),
                       stop=layer.index, layers=layers)
            memo[key] = out[0].float().cpu().numpy().copy()
    return memo[key]


def _window(src: np.ndarray, top: int, left: int, k: int, fill: float = 0.0):
    """The ``(C, k, k)`` window of ``src`` at (top, left), ``fill`` outside, and its padding mask."""
    c, h, w = src.shape
    patch = np.full((c, k, k), fill, dtype=np.float32)
    pad = np.ones((k, k), dtype=bool)
    r0, r1 = max(top, 0), min(top + k, h)
    c0, c1 = max(left, 0), min(left + k, w)
    if r0 < r1 and c0 < c1:
        patch[:, r0 - top:r1 - top, c0 - left:c1 - left] = src[:, r0:r1, c0:c1]
        pad[r0 - top:r1 - top, c0 - left:c1 - left] = False
    return patch, pad


def _geometry(m) -> tuple[int, int, int]:
    def one(v):
        return v[0] if isinstance(v, tuple) else int(v)
    return one(m.kernel_size), one(m.stride), one(m.padding)


def _crop_pixels(analysis, top: int, left: int, k: int) -> Image.Image:
    crop = analysis.preprocessed.stages["cropped"]
    w, h = crop.size
    canvas = Image.new("RGB", (k, k), (0, 0, 0))
    box = (max(left, 0), max(top, 0), min(left + k, w), min(top + k, h))
    if box[0] < box[2] and box[1] < box[3]:
        canvas.paste(crop.crop(box), (box[0] - left, box[1] - top))
    return canvas


def unit_arithmetic(loaded: LoadedModel, analysis: Analysis, layer: str, channel: int, row: int, col: int) -> UnitArithmetic:
    """The arithmetic behind ``layer[channel, row, col]`` of ``analysis`` (see the module doc).

    ``layer`` may be a conv, its batch norm, its ReLU (all three show the conv's arithmetic,
    followed by BN and ReLU as far as the chosen layer goes), a max-pool or an LRN.
    Raises :class:`UnitError` for a layer without units or a unit out of range."""
    layers = named_layers(loaded.model)
    chosen = resolve(layers, layer)
    shape = analysis.activation(chosen.name).shape
    c_n, h_n, w_n = shape
    for what, v, n in ((N_("channel {value}"), channel, c_n), (N_("row {value}"), row, h_n),
                       (N_("col {value}"), col, w_n)):
        if not 0 <= int(v) < n:
            raise UnitError(_("{what} is out of range for {layer} ({c} channels × {h} × {w}): choose 0 … {last}")
                          .format(what=_(what).format(value=v), layer=chosen.name, c=c_n, h=h_n, w=w_n, last=n - 1))
    channel, row, col = int(channel), int(row), int(col)

    # The layer that computes: back from a ReLU or BN to its conv.
    unit = chosen
    while unit.kind in ("relu", "bn"):
        unit = layers[unit.index - 1]
    prev = layers[unit.index - 1] if unit.index > 0 and layers[unit.index - 1].path.startswith("features") else None
    src = (analysis.preprocessed.tensor[0].float().numpy() if prev is None
           else exact_activation(loaded, analysis, prev, layers))
    k, s, p = _geometry(unit.module) if unit.kind in ("conv", "pool") else (1, 1, 0)
    top, left = row * s - p, col * s - p
    names = ["R", "G", "B"] if prev is None else [_("ch {i}").format(i=i) for i in range(src.shape[0])]

    kernel = terms = bn = winner = back = pixels = None
    bias = 0.0
    relu = chosen.kind == "relu"
    if unit.kind == "conv":
        patch, pad = _window(src, top, left, k)
        kernel = unit.module.weight.detach()[channel].float().cpu().numpy()
        terms = (patch.astype(np.float64) * kernel.astype(np.float64)).sum(axis=(1, 2))
        bias = float(unit.module.bias.detach()[channel]) if unit.module.bias is not None else 0.0
        pre = float(terms.sum() + bias)
        x = pre
        bn_layer = layers[unit.index + 1] if layers[unit.index + 1].kind == "bn" else None
        if bn_layer is not None and chosen.kind != "conv":
            b = bn_layer.module
            mean, var = float(b.running_mean[channel]), float(b.running_var[channel])
            gamma = float(b.weight[channel]) if b.weight is not None else 1.0
            beta = float(b.bias[channel]) if b.bias is not None else 0.0
            x = (pre - mean) / np.sqrt(var + b.eps) * gamma + beta
            bn = {"mean": mean, "var": var, "eps": float(b.eps), "gamma": gamma, "beta": beta, "out": float(x)}
        value = max(x, 0.0) if relu else x
        best = int(np.argmax(terms))
        if prev is None:
            pixels = _crop_pixels(analysis, top, left, k)
        else:
            # the strongest contributor's own unit: its position in the window with the largest term
            prod = patch[best] * kernel[best]
            prod = np.where(pad, -np.inf, prod)
            dy, dx = np.unravel_index(int(np.argmax(prod)), prod.shape)
            back = (prev.name, best, top + int(dy), left + int(dx))
    elif unit.kind == "pool":
        patch, pad = _window(src[channel:channel + 1], top, left, k, fill=-np.inf)
        pre = float(patch.max())
        value = pre
        dy, dx = np.unravel_index(int(np.argmax(patch[0])), patch[0].shape)
        winner = (channel, top + int(dy), left + int(dx))
        back = (prev.name, *winner) if prev is not None else None
        patch = np.where(np.isinf(patch), 0.0, patch).astype(np.float32)
        names = [names[channel]]
    else:  # LRN: the value divided by a local sum over neighbouring channels
        m = unit.module
        half = m.size // 2
        lo, hi = max(0, channel - half), min(src.shape[0], channel + m.size - half)
        patch = src[lo:hi, row:row + 1, col:col + 1].astype(np.float32)
        pad = np.zeros((1, 1), dtype=bool)
        denom = (m.k + m.alpha / m.size * float((patch.astype(np.float64) ** 2).sum())) ** m.beta
        pre = float(src[channel, row, col] / denom)
        value = pre
        names = names[lo:hi]
        back = (prev.name, channel, row, col) if prev is not None else None
        bias = 0.0

    stored = float(analysis.activation(chosen.name)[channel, row, col])
    t, l, b_, r = variant_unit_field(analysis.variant, chosen.name, row, col)
    return UnitArithmetic(
        variant=analysis.variant, layer=chosen.name, unit_layer=unit.name, kind=unit.kind,
        channel=channel, row=row, col=col, input_layer=None if prev is None else prev.name,
        input_channels=names, window=(top, left), patch=patch, in_padding=pad, kernel=kernel,
        terms=terms, bias=bias, pre_activation=pre, bn=bn, relu=relu, value=float(value),
        stored=stored, winner=winner, step_back=back, patch_box=(l, t, r, b_), pixels=pixels,
    )
