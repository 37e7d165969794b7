"""The layer-by-layer table: shapes, parameters, MACs/FLOPs, receptive field, activation memory.

Built on the meta device: shapes come from walking a meta tensor through a meta model,
so no weights are allocated and a VGG19 table takes milliseconds.

MACs are multiply-accumulates of the conv and FC layers (what torchvision's ``_ops``
calls GFLOPS: 15.47 G for VGG16 at 224); FLOPs = 2 × MACs.

Memory, in float32 (4 bytes a number), for one image:

* **Weights** = parameters × 4 bytes (VGG16: 553,430,176 B = 553.4 MB = 527.8 MiB, the size of
  torchvision's ``vgg16-397923af.pth``).
* **Activations** = the distinct tensors one inference pass (eval mode) produces: every layer
  whose output is a new tensor counts its output once; a layer that hands back its input
  adds nothing. In VGG that is the rule: conv, batch norm, LRN, max-pool, avgpool and FC outputs
  are new tensors; the ReLUs work in place (``inplace=True``) and dropout in eval mode returns
  its input unchanged, so their rows add 0. VGG16 at 224: 15,112,168 numbers = 60,448,672 B =
  57.6 MiB. This is what a pass that keeps every output (as this app's analysis does) holds;
  a pass that frees each tensor once used needs far less at any moment.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import torch

from vggviz.errors import VggvizError
from vggviz.i18n import _
from vggviz.model.layers import Layer, named_layers, walk
from vggviz.model.receptive_field import receptive_fields
from vggviz.model.variants import build, model_info

__all__ = ["LayerRow", "Summary", "summarize", "MIN_INPUT_SIZE", "InputSizeError", "check_input_size", "new_tensor"]

MIN_INPUT_SIZE = 32       # five 2×2 pools: 32 px is the smallest input that keeps 1×1 at pool5
MAX_INPUT_SIZE = 2048


class InputSizeError(VggvizError):
    pass


def check_input_size(size: int, minimum: int = MIN_INPUT_SIZE, model: str = "VGG") -> int:
    if not isinstance(size, int) or isinstance(size, bool):
        raise InputSizeError(_("input size must be a whole number of pixels, got {size!r}").format(size=size))
    if size < minimum:
        why = (_("input size {size} is too small: VGG halves the image five times, so it needs at "
                 "least {min}×{min} pixels") if model == "VGG" else
               _("input size {size} is too small: {model}'s stride-4 conv1 and three 3×3 stride-2 pools "
                 "need at least {min}×{min} pixels"))
        raise InputSizeError(why.format(size=size, model=model, min=minimum))
    if size > MAX_INPUT_SIZE:
        raise InputSizeError(_("input size {size} is too large: use at most {max} pixels").format(
            size=size, max=MAX_INPUT_SIZE))
    return size


@dataclass(frozen=True)
class LayerRow:
    name: str
    module: str
    type: str
    block: int
    out_shape: list[int]      # [C, H, W]; FC layers as [C, 1, 1]
    params: int
    macs: int
    flops: int
    rf: int
    jump: int
    out_bytes: int            # float32 size of this layer's output for one image
    act_bytes: int            # new memory the output takes: out_bytes, or 0 when the layer
                              # returns its input (in-place ReLU, dropout in eval mode)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Summary:
    variant: str
    input_size: int
    rows: list[LayerRow] = field(default_factory=list)

    @property
    def total_params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def total_macs(self) -> int:
        return sum(r.macs for r in self.rows)

    @property
    def total_flops(self) -> int:
        return 2 * self.total_macs

    @property
    def total_act_bytes(self) -> int:
        """Bytes of the distinct tensors one image's inference pass produces (module docstring)."""
        return sum(r.act_bytes for r in self.rows)

    @property
    def total_out_bytes(self) -> int:
        """Every layer's output counted as if it were its own tensor (in-place ReLUs and
        dropout included): the figure that overstates the memory, shown only to explain it."""
        return sum(r.out_bytes for r in self.rows)

    @property
    def total_param_bytes(self) -> int:
        """The weights' size in float32: parameters × 4 bytes."""
        return 4 * self.total_params

    def share(self, kind: str) -> tuple[float, float]:
        """Fraction of (parameters, MACs) in layers whose type starts with ``kind`` (``Conv``/``Linear``)."""
        p = sum(r.params for r in self.rows if r.type.startswith(kind))
        m = sum(r.macs for r in self.rows if r.type.startswith(kind))
        return p / max(self.total_params, 1), m / max(self.total_macs, 1)

    def row(self, name: str) -> LayerRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def to_json(self) -> dict:
        return {
            "variant": self.variant,
            "input_size": self.input_size,
            "total_params": self.total_params,
            "total_macs": self.total_macs,
            "total_flops": self.total_flops,
            "total_param_bytes": self.total_param_bytes,
            "total_activation_bytes": self.total_act_bytes,
            "layers": [
                {k: v for k, v in r.to_json().items() if k not in ("block",)} for r in self.rows
            ],
        }

    def to_csv(self) -> str:
        buf = io.StringIO()
        cols = ["name", "module", "type", "out_shape", "params", "macs", "flops", "rf", "jump",
                "out_bytes", "act_bytes"]
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in self.rows:
            d = r.to_json()
            d["out_shape"] = "x".join(str(v) for v in r.out_shape)
            w.writerow([d[c] for c in cols])
        return buf.getvalue()


def _type_label(layer: Layer) -> str:
    m = layer.module
    if layer.kind == "conv":
        k, stride = m.kernel_size[0], m.stride[0]
        return f"Conv {k}×{k}" + (f", stride {stride}" if stride != 1 else "")
    if layer.kind == "pool":
        stride = m.stride if isinstance(m.stride, int) else m.stride[0]
        overlap = f", stride {stride}" if stride != m.kernel_size else ""   # AlexNet's overlapping pools
        return f"MaxPool {m.kernel_size}×{m.kernel_size}{overlap}"
    if layer.kind == "fc":
        return "Linear"
    return {"bn": "BatchNorm", "relu": "ReLU", "lrn": "LRN", "avgpool": "AdaptiveAvgPool",
            "dropout": "Dropout"}.get(layer.kind, type(m).__name__)


def new_tensor(layer: Layer) -> bool:
    """Whether ``layer``'s output (in eval mode) is a new tensor rather than its input: False for
    an in-place ReLU and for dropout (the identity at inference), True for everything else."""
    if layer.kind == "relu":
        return not getattr(layer.module, "inplace", False)
    return layer.kind != "dropout"


def _macs(layer: Layer, out: torch.Tensor) -> int:
    m = layer.module
    if layer.kind == "conv":
        k = m.kernel_size[0] * m.kernel_size[1]
        return out.numel() * (m.in_channels // m.groups) * k
    if layer.kind == "fc":
        return m.in_features * m.out_features
    return 0


def summarize(variant: str, input_size: int | None = None) -> Summary:
    """The layer table of ``variant`` for a square ``input_size`` image (cached); by default
    at the variant's own size (224, or 64 for the mini family). ``variant`` may also be a
    reference model (``alexnet``)."""
    info = model_info(variant)
    return _summarize(variant, info.input_size if input_size is None else input_size)


@lru_cache(maxsize=64)
def _summarize(variant: str, input_size: int) -> Summary:
    info = model_info(variant)
    if hasattr(info, "min_input_size"):
        check_input_size(input_size, info.min_input_size, info.label.split(" ")[0])
    else:
        check_input_size(input_size)
    model = build(variant, device="meta")
    layers = named_layers(model)
    shapes: dict[int, list[int]] = {}

    def record(layer: Layer, out: torch.Tensor) -> None:
        s = list(out.shape[1:])
        shapes[layer.index] = s + [1] * (3 - len(s))
        macs[layer.index] = _macs(layer, out)

    macs: dict[int, int] = {}
    with torch.no_grad():
        walk(model, torch.empty(1, 3, input_size, input_size, device="meta"), record, layers=layers)

    # Geometry for receptive fields: the adaptive avgpool is identity at 7×7 input (224 px; 2×2
    # at 64 px for the mini family); FC layers act as the paper's dense-evaluation convolutions
    # (fc6: 7×7 or 2×2, fc7/fc8: 1×1).
    geometry = []
    for layer in layers:
        if layer.kind == "avgpool":
            prev = shapes[layer.index - 1][1]
            out = shapes[layer.index][1]
            k = max(prev // out, 1) if prev >= out else 1
            geometry.append((k, k, 0))
        elif layer.name == "fc6":
            geometry.append((info.pool_grid, 1, 0))
        else:
            geometry.append(layer.geometry())
    fields = receptive_fields(geometry)

    rows = []
    for layer, f in zip(layers, fields):
        shape = shapes[layer.index]
        params = sum(p.numel() for p in layer.module.parameters(recurse=False))
        n = shape[0] * shape[1] * shape[2]
        rows.append(
            LayerRow(
                name=layer.name,
                module=layer.path,
                type=_type_label(layer),
                block=layer.block,
                out_shape=shape,
                params=int(params),
                macs=int(macs[layer.index]),
                flops=int(2 * macs[layer.index]),
                rf=f.rf,
                jump=f.jump,
                out_bytes=int(4 * n),
                act_bytes=int(4 * n) if new_tensor(layer) else 0,
            )
        )
    return Summary(variant=variant, input_size=input_size, rows=rows)


summarize.cache_clear = _summarize.cache_clear     # type: ignore[attr-defined]
