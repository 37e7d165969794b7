"""AlexNet beside VGG16: what VGG was a reaction to, in numbers read from the two layer tables
and torchvision's metadata (nothing restated by hand).

AlexNet is torchvision's ``alexnet`` (builder, ``AlexNet_Weights.IMAGENET1K_V1`` and its meta),
a *reference model*: :func:`vggviz.model.summary.summarize` and the Architecture page accept it, the
image pages do not (see :data:`vggviz.model.variants.REFERENCE_MODELS`).

Its conv1 filters are read only from a file already in torch's cache: nothing here downloads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vggviz.i18n import _
from vggviz.model.summary import Summary, summarize
from vggviz.model.variants import REFERENCE_MODELS, VARIANTS

__all__ = ["ModelFacts", "model_facts", "kernel_rows", "rf_growth", "rf_sentence",
           "weights_cached", "weights_file", "conv1_weight", "REFERENCE"]

REFERENCE = "alexnet"


@dataclass(frozen=True)
class ModelFacts:
    name: str
    label: str
    weight_layers: int
    conv_layers: int
    params: int
    macs: int
    acc1: float
    acc5: float
    meta_params: int          # torchvision's meta["num_params"]
    meta_gmacs: float         # torchvision's meta["_ops"] (it calls them GFLOPS; they are GMACs)
    conv_kernels: list[str]   # "11×11 /4", "3×3", ... one per conv layer
    rf_pool5: int
    jump_pool5: int


def _info(name: str):
    return REFERENCE_MODELS.get(name) or VARIANTS[name]


def model_facts(name: str) -> ModelFacts:
    """Depth, size, compute, accuracy and conv kernels of ``alexnet`` or a VGG variant at 224."""
    info = _info(name)
    s = summarize(name, 224)
    meta = info.weights_enum.meta
    m = meta["_metrics"]["ImageNet-1K"]
    convs = [r for r in s.rows if r.type.startswith("Conv")]
    return ModelFacts(
        name=name, label=info.label, weight_layers=info.weight_layers, conv_layers=len(convs),
        params=s.total_params, macs=s.total_macs, acc1=m["acc@1"], acc5=m["acc@5"],
        meta_params=meta["num_params"], meta_gmacs=meta["_ops"],
        conv_kernels=[r.type.removeprefix("Conv ") for r in convs],
        rf_pool5=s.row("pool5").rf, jump_pool5=s.row("pool5").jump,
    )


def kernel_rows(a: str = REFERENCE, b: str = "vgg16") -> list[dict]:
    """The conv and pool layers of two models side by side, in order: one row per position,
    ``{"step", a: "conv1 11×11, stride 4", b: "conv1_1 3×3"}`` ("" where one has run out);
    "max-pool" in the reader's language."""
    pool = _("max-pool") + " "

    def steps(s: Summary) -> list[str]:
        return [f"{r.name} {r.type.replace('Conv ', '').replace('MaxPool ', pool)}"
                for r in s.rows if r.type.startswith(("Conv", "MaxPool"))]
    sa, sb = steps(summarize(a, 224)), steps(summarize(b, 224))
    n = max(len(sa), len(sb))
    return [{"step": i + 1, a: sa[i] if i < len(sa) else "", b: sb[i] if i < len(sb) else ""}
            for i in range(n)]


def rf_growth(name: str, input_size: int = 224) -> list[tuple[str, int, int]]:
    """``(layer, receptive field px, effective stride px)`` after each conv and pool layer, in
    order, up to pool5: the curve of :func:`vggviz.figures.rf.rf_growth_per_model_figure`."""
    s = summarize(name, input_size)
    return [(r.name, r.rf, r.jump) for r in s.rows if r.type.startswith(("Conv", "MaxPool"))]


def rf_sentence(a: str = REFERENCE, b: str = "vgg16", reach: int = 100) -> str:
    """How many conv/pool layers each model needs before one unit sees ``reach`` px, and where
    each ends, generated from :func:`rf_growth`."""
    ga, gb = rf_growth(a), rf_growth(b)

    def first(g):
        return next((i + 1 for i, (_name, rf, _jump) in enumerate(g) if rf >= reach), None)

    la, lb = _info(a).label.split(" ")[0], _info(b).label.split(" ")[0]
    fa, fb = first(ga), first(gb)
    if fa is None or fb is None:
        return ""
    return _("A unit sees {reach} px or more after {fa} conv/pool layers in {la} ({layer_a}, effective "
             "stride {stride_a} px) but after {fb} in {lb} ({layer_b}, stride {stride_b} px). At pool5 "
             "{la} sees {rf_a} px in {na} layers, {lb} {rf_b} px in {nb}: {la}'s first layer alone "
             "moves {step_a} px a step and sees {first_a} px; {lb} gets there by many small 3×3 "
             "steps, each with its own ReLU.").format(
                 reach=reach, fa=fa, la=la, layer_a=ga[fa - 1][0], stride_a=ga[fa - 1][2], fb=fb, lb=lb,
                 layer_b=gb[fb - 1][0], stride_b=gb[fb - 1][2], rf_a=ga[-1][1], na=len(ga), rf_b=gb[-1][1],
                 nb=len(gb), step_a=ga[0][2], first_a=ga[0][1])


def weights_file(name: str) -> str:
    """The file name torchvision's ImageNet weights of ``name`` have in torch's cache."""
    return _info(name).weights_enum.url.rsplit("/", 1)[1]


def weights_cached(name: str) -> Path | None:
    """The path of the model's ImageNet weights if torch's cache already holds them, else None.
    Never downloads."""
    import torch

    info = _info(name)
    if not info.torchvision or getattr(info, "mini", False):
        return None
    path = Path(torch.hub.get_dir()) / "checkpoints" / weights_file(name)
    return path if path.is_file() else None


def conv1_weight(name: str) -> np.ndarray | None:
    """The first conv layer's ImageNet filters, shape (out, 3, k, k), read from torch's cache
    only (``weights_only=True``); None when the file is not there or cannot be read."""
    import torch

    path = weights_cached(name)
    if path is None:
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return state["features.0.weight"].float().numpy().copy()
    except Exception:       # a truncated or foreign file: say "not available", never a traceback
        return None
