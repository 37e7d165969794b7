"""Receptive fields: the one function every view of them derives from.

A layer with kernel ``k`` and stride ``s`` grows the receptive field by
``(k - 1) * jump`` input pixels and multiplies the jump (the effective stride,
the distance in input pixels between neighbouring units) by ``s``.
The layer table, the receptive-field explorer and the CLI all call
:func:`receptive_fields`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vggviz.i18n import N_, _

__all__ = [
    "FieldStep",
    "StackComparison",
    "receptive_fields",
    "stack_rf",
    "compare_stack",
    "unit_box",
]


@dataclass(frozen=True)
class FieldStep:
    """Receptive field after one layer: side ``rf`` in input pixels, effective stride ``jump``,
    and ``start``, the input coordinate of the centre of the first unit's field."""

    rf: int
    jump: int
    start: float


def receptive_fields(layers: Iterable[tuple[int, int, int]]) -> list[FieldStep]:
    """Receptive field after each layer of a chain of ``(kernel, stride, padding)`` layers.

    Layers that do not change geometry (ReLU, BN, dropout) are passed as ``(1, 1, 0)``.

    >>> [s.rf for s in receptive_fields([(3, 1, 1)] * 3)]
    [3, 5, 7]
    """
    rf, jump, start = 1, 1, 0.5
    out: list[FieldStep] = []
    for kernel, stride, padding in layers:
        rf = rf + (kernel - 1) * jump
        start = start + ((kernel - 1) / 2 - padding) * jump
        jump = jump * stride
        out.append(FieldStep(rf=rf, jump=jump, start=start))
    return out


def stack_rf(n_layers: int, kernel: int = 3) -> int:
    """Receptive field of ``n_layers`` stacked ``kernel``×``kernel`` stride-1 convolutions."""
    if n_layers < 1 or kernel < 1:
        raise ValueError(_("need at least one layer and a kernel of at least 1"))
    steps = receptive_fields([(kernel, 1, kernel // 2)] * n_layers)
    return steps[-1].rf


@dataclass(frozen=True)
class StackComparison:
    """N stacked K×K convolutions against the single convolution with the same receptive field."""

    kernel: int
    layers: int
    channels: int
    rf: int
    params: int
    nonlinearities: int
    macs_per_position: int
    single_kernel: int
    single_params: int
    single_nonlinearities: int
    single_macs_per_position: int
    growth: list[int]

    @property
    def saving(self) -> float:
        """Fraction of the single layer's weights that the stack saves (0.449 for 3×3×3 vs 7×7)."""
        return 1 - self.params / self.single_params if self.single_params else 0.0

    def to_json(self) -> dict:
        """The CLI contract's shape: ``{"rf", "params", "nonlinearities", "single": {...}}``."""
        return {
            "kernel": self.kernel,
            "layers": self.layers,
            "channels": self.channels,
            "rf": self.rf,
            "params": self.params,
            "nonlinearities": self.nonlinearities,
            "macs_per_position": self.macs_per_position,
            "single": {
                "kernel": self.single_kernel,
                "params": self.single_params,
                "nonlinearities": self.single_nonlinearities,
                "macs_per_position": self.single_macs_per_position,
            },
        }


def compare_stack(kernel: int = 3, layers: int = 3, channels: int = 64) -> StackComparison:
    """Compare ``layers`` stacked ``kernel``×``kernel`` convolutions (C in, C out, no bias)
    with the single convolution of equal receptive field.

    Weights: N·K²·C² against (N(K−1)+1)²·C², e.g. 27C² against 49C² for three 3×3 and one 7×7.
    A 1×1 kernel adds no spatial extent: the "single" layer is then one 1×1 convolution.
    """
    if kernel < 1 or layers < 1 or channels < 1:
        raise ValueError(_("kernel, layers and channels must all be at least 1"))
    steps = receptive_fields([(kernel, 1, kernel // 2)] * layers)
    rf = steps[-1].rf
    per_layer = kernel * kernel * channels * channels
    single = rf * rf * channels * channels
    return StackComparison(
        kernel=kernel,
        layers=layers,
        channels=channels,
        rf=rf,
        params=layers * per_layer,
        nonlinearities=layers,
        macs_per_position=layers * per_layer,
        single_kernel=rf,
        single_params=single,
        single_nonlinearities=1,
        single_macs_per_position=single,
        growth=[s.rf for s in steps],
    )


def unit_box(steps: Sequence[FieldStep], index: int, y: int, x: int) -> tuple[float, float, float, float]:
    """Theoretical receptive field of unit ``(y, x)`` after layer ``index`` as an input-pixel
    box ``(top, left, bottom, right)`` (may extend past the image: padding)."""
    s = steps[index]
    cy = s.start + y * s.jump
    cx = s.start + x * s.jump
    half = s.rf / 2
    return (cy - half, cx - half, cy + half, cx + half)


# --------------------------------------------------------------------------- path counts
# Appended for the receptive-field explorer (issue 5).


def path_counts_1d(kernel: int, layers: int) -> list[int]:
    """How many paths lead from one output unit down to each input pixel of its field, along
    one axis, through ``layers`` stacked ``kernel``-wide stride-1 convolutions: the box filter
    convolved with itself ``layers`` times (binomial coefficients for ``kernel`` = 2)."""
    if kernel < 1 or layers < 0:
        raise ValueError(_("kernel must be at least 1 and layers at least 0"))
    counts = [1]
    for _layer in range(layers):
        grown = [0] * (len(counts) + kernel - 1)
        for i, c in enumerate(counts):
            for k in range(kernel):
                grown[i + k] += c
        counts = grown
    return counts


def path_counts(kernel: int, layers: int, pad_to: int | None = None):
    """Number of paths from one output unit to each input pixel through ``layers`` stacked
    ``kernel``×``kernel`` convolutions, as an ``int64`` numpy array of side ``stack_rf``.

    Every path picks one of K² kernel taps per layer, so the grid sums to K^(2N); it is the
    outer product of :func:`path_counts_1d` with itself. With equal weights and no
    non-linearity the gradient of the unit is proportional to this grid, which is why the
    *effective* receptive field is concentrated in the centre (Luo et al. 2016).
    ``pad_to`` centres the grid in a larger zero grid (to draw layer 1..N on one canvas).
    """
    import numpy as np

    line = np.asarray(path_counts_1d(kernel, layers), dtype=np.int64)
    grid = np.outer(line, line)
    if pad_to is not None:
        if pad_to < grid.shape[0] or (pad_to - grid.shape[0]) % 2:
            raise ValueError(f"cannot centre a {grid.shape[0]}-wide grid in {pad_to}")
        m = (pad_to - grid.shape[0]) // 2
        grid = np.pad(grid, m)
    return grid


def path_count_steps(kernel: int, layers: int):
    """The path-count grid after each of layers 1..N, all centred on the final field's canvas
    (side N(K−1)+1), for the explorer's step slider and animation."""
    side = stack_rf(layers, kernel)
    return [path_counts(kernel, n, pad_to=side) for n in range(1, layers + 1)]


def with_pointwise(kernel: int = 3, channels: int = 64) -> dict:
    """A K×K convolution followed by a 1×1 convolution (config C) against the K×K alone:
    the 1×1 adds no receptive field but one more non-linearity and C² weights of channel mixing."""
    base = compare_stack(kernel, 1, channels)
    both = receptive_fields([(kernel, 1, kernel // 2), (1, 1, 0)])
    return {
        "rf": base.rf,
        "rf_with_1x1": both[-1].rf,
        "params": base.params,
        "params_with_1x1": base.params + channels * channels,
        "pointwise_params": channels * channels,
        "nonlinearities": 1,
        "nonlinearities_with_1x1": 2,
    }


@dataclass(frozen=True)
class Reduction:
    """A K×K convolution from ``c_in`` to ``c_out`` channels, direct or after a 1×1 layer that
    first reduces ``c_in`` to ``reduced`` channels (Network in Network, Inception's bottleneck).
    Weights without biases; MACs for one image at ``side``×``side`` (padding keeps the side)."""

    c_in: int
    reduced: int
    c_out: int
    kernel: int
    side: int
    direct_params: int
    reduce_params: int           # the 1×1: c_in × reduced
    conv_params: int             # the K×K after it: K² × reduced × c_out

    @property
    def bottleneck_params(self) -> int:
        return self.reduce_params + self.conv_params

    @property
    def direct_macs(self) -> int:
        return self.direct_params * self.side * self.side

    @property
    def bottleneck_macs(self) -> int:
        return self.bottleneck_params * self.side * self.side

    @property
    def ratio(self) -> float:
        """How many times fewer weights (and MACs) the bottleneck needs."""
        return self.direct_params / self.bottleneck_params


def channel_reduction(c_in: int = 256, reduced: int = 64, c_out: int = 256, kernel: int = 3,
                      side: int = 56) -> Reduction:
    """The 1×1 reduction's saving, e.g. 256 → 64 (1×1) → 3×3 → 256 at 56×56: 163,840 weights
    against 589,824 for the direct 3×3 (3.6× fewer), and the same ratio of MACs. VGG's C uses
    its 1×1 convolutions differently: C → C, for one more non-linearity, saving nothing."""
    for name, v in ((N_("input channels"), c_in), (N_("reduced channels"), reduced),
                    (N_("output channels"), c_out), (N_("kernel"), kernel), (N_("side"), side)):
        if int(v) < 1:
            raise ValueError(_("{name} must be at least 1, got {value}").format(name=_(name), value=v))
    return Reduction(c_in, reduced, c_out, kernel, side, kernel * kernel * c_in * c_out, c_in * reduced,
                     kernel * kernel * reduced * c_out)


__all__ += ["path_counts_1d", "path_counts", "path_count_steps", "with_pointwise", "Reduction", "channel_reduction"]
