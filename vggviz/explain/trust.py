"""Can this map be trusted? Two checks from the attribution literature, as plain data.

* **Model randomisation** (Adebayo et al., "Sanity Checks for Saliency Maps", 2018), cascading:
  re-initialise fc8, then fc7, fc6, then the conv blocks from conv5 down to conv1, recomputing
  the map after each step, and measure its Spearman rank correlation with the original map.
  A map that stays the same when the weights it should explain are gone explains nothing
  about what the network learned (guided backprop is the classic example: it mostly
  reconstructs the image's edges). :func:`randomisation_check` does this on a **private deep
  copy** of the model: the shared, cached model is only read (under its lock, while copying),
  never changed or hooked. It works for every method of :mod:`vggviz.explain.attribution` (the CAMs and
  plain gradients use no hooks, ``torch.autograd.grad``; captum's guided backprop hooks the
  copy's own chain; occlusion runs at a cheap setting).
* **Deletion and insertion** (Petsiuk et al., RISE, 2018): remove the pixels in the map's order
  of importance, K steps, and record the class probability (deletion: a good map makes it fall
  fast, a low area under the curve); or start from a blurred image and put the pixels back in
  that order (insertion: a good map makes it rise fast, a high area). The same against a
  seeded random order is the baseline. :func:`deletion_insertion` runs the images batched,
  as plain forward passes of the shared model under its lock and ``torch.inference_mode``.

Where these mislead: deleted pixels (the mean colour, zero after normalisation) make images
unlike any training image, so the probability can fall because of the grey blotches rather
than the evidence removed; a map may be faithful to the model and still point at a shortcut
(a watermark, the background); and the rank correlation of two maps with large zero areas
(Grad-CAM's ReLU) rests on few pixels.

Example::

    res = analyze(loaded, image)
    chk = randomisation_check(loaded, res, target=None, layer="conv4_3")
    [round(s.spearman, 2) for s in chk.steps]           # falls towards 0 for a good method
    cam = gradcam(loaded, res, "conv4_3")
    cur = deletion_insertion(loaded, res, cam.crop_map, cam.target, steps=20)
    cur.auc("deletion"), cur.auc("deletion", "random")  # lower than random: the map helps

Longer than 400 lines on purpose: three checks that share one private model copy and one cache
key (randomisation, deletion/insertion, the depth sweep's scores); split, they would pass the
copy around.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from vggviz.explain.attribution import METHODS, check_target, private_map, uses_layer
from vggviz.explain.attribution.cam import check_layer, default_layer
from vggviz.explain.attribution.chain import Chain
from vggviz.i18n import N_, _
from vggviz.model.layers import Layer, named_layers
from vggviz.model.variants import MINI_FC, variant_info
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = [
    "RANDOMISATION_METHODS",
    "CascadeStep",
    "RandomisationCheck",
    "randomisation_check",
    "cascade_groups",
    "spearman",
    "Curves",
    "deletion_insertion",
    "curve_passes",
    "depth_deletion",
    "curves_figure",
    "DEFAULT_STEPS",
    "MAX_STEPS",
    "LAYER_GUIDE_SHORT",
]

RANDOMISATION_METHODS = METHODS      # every method the Grad-CAM page shows (vggviz.explain.attribution)
DEFAULT_STEPS = 20
MAX_STEPS = 100
Progress = Callable[[int, int], None]

LAYER_GUIDE_SHORT = N_(
    "Early layers: sharp maps of edges and colours, much the same for every class. The last conv "
    "block: coarse but about the class, hence the usual choice. *Can this map be trusted?* below scores "
    "each block's map by how fast deleting its pixels removes the class."
)


# --------------------------------------------------------------------------- ranks


def _ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n of the values of ``a`` (flattened), ties given their average rank."""
    a = np.asarray(a, dtype=np.float64).ravel()
    order = np.argsort(a, kind="mergesort")
    s = a[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    ends = np.r_[starts[1:], len(s)]
    avg = (starts + ends + 1) / 2.0                      # mean of ranks start+1 … end
    ranks = np.empty(len(a), np.float64)
    ranks[order] = np.repeat(avg, ends - starts)
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rank correlation of two maps of the same shape (ties: average ranks, as
    ``scipy.stats.spearmanr``). A constant map shares no ranking with any other: 0.0."""
    ra, rb = _ranks(a), _ranks(b)
    if ra.shape != rb.shape:
        raise ValueError(f"maps of different sizes: {np.shape(a)} and {np.shape(b)}")
    ra -= ra.mean()
    rb -= rb.mean()
    den = math.sqrt(float((ra * ra).sum()) * float((rb * rb).sum()))
    return float((ra * rb).sum() / den) if den > 0 else 0.0


# --------------------------------------------------------------------------- maps on a private copy


def cascade_groups(layers: Sequence[Layer]) -> list[tuple[str, list[Layer]]]:
    """The cascade's steps, top down: fc8, fc7, fc6, then each conv block conv5 … conv1 (its
    convolutions and batch norms), each a (name, layers with weights) pair."""
    fcs = [l for l in layers if l.kind == "fc"]
    groups = [(l.name, [l]) for l in reversed(fcs)]
    blocks = sorted({l.block for l in layers if l.kind == "conv"}, reverse=True)
    for b in blocks:
        groups.append((f"conv{b}", [l for l in layers if l.block == b and l.kind in ("conv", "bn")]))
    return groups


def _reinit(module: nn.Module, mini: bool, gen: torch.Generator) -> None:
    """Re-initialise one layer as the family's builder does (torchvision's scheme; the mini
    family's fc6/fc7 Kaiming-normal), drawing on CPU from ``gen`` so no global RNG moves."""
    def put(p: torch.Tensor, value: torch.Tensor) -> None:
        with torch.no_grad():
            p.copy_(value.to(p.device, p.dtype))

    if isinstance(module, nn.Conv2d):
        w = torch.empty(module.weight.shape)
        nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=gen)
        put(module.weight, w)
    elif isinstance(module, nn.Linear):
        w = torch.empty(module.weight.shape)
        if mini and module.out_features == MINI_FC:
            nn.init.kaiming_normal_(w, nonlinearity="relu", generator=gen)
        else:
            nn.init.normal_(w, 0.0, 0.01, generator=gen)
        put(module.weight, w)
    elif isinstance(module, nn.BatchNorm2d):
        put(module.weight, torch.ones(module.weight.shape))
    if getattr(module, "bias", None) is not None:
        put(module.bias, torch.zeros(module.bias.shape))


@dataclass(frozen=True, eq=False)
class CascadeStep:
    """The map after re-initialising ``randomised`` (every layer from fc8 down to it)."""

    randomised: str
    spearman: float           # rank correlation with the original map (computed resolution)
    crop_map: np.ndarray      # (S, S) in [0, 1], over the input crop
    prob: float               # the target's probability with these weights


@dataclass(frozen=True, eq=False)
class RandomisationCheck:
    method: str
    layer: str | None         # the layer of a CAM (or Guided Grad-CAM); None for other pixel-level methods
    target: int
    original: np.ndarray      # (S, S) in [0, 1]
    steps: list[CascadeStep]
    seconds: float

    @property
    def correlations(self) -> list[float]:
        return [s.spearman for s in self.steps]


def randomisation_check(
    loaded: LoadedModel,
    analysis: Analysis,
    target: int | None = None,
    layer: str | None = None,
    method: str = "Grad-CAM",
    seed: int = 0,
    progress: Progress | None = None,
) -> RandomisationCheck:
    """The cascading model-randomisation test of ``method`` (any of
    :data:`RANDOMISATION_METHODS`, the methods of :mod:`vggviz.explain.attribution`) for class
    ``target`` (None: top-1); CAMs and Guided Grad-CAM at ``layer`` (None:
    :func:`vggviz.explain.attribution.default_layer`). Occlusion runs at a cheap setting (patch S/7,
    stride = patch: 50 forward passes a map), integrated gradients and SmoothGrad at the page's.

    Works on a deep copy of the model made under its lock; the shared model is neither
    changed nor hooked (hooks a method registers go on the copy's own chain). ``progress(done,
    total)`` after the original and after each step. Re-initialisation (and SmoothGrad's noise)
    is seeded (``seed``), so the result is the same every time.
    """
    if method not in RANDOMISATION_METHODS:
        raise ValueError(f"unknown method {method!r} for the randomisation check; choose one of "
                         f"{', '.join(RANDOMISATION_METHODS)}")
    target = check_target(loaded, analysis, target)
    t0 = time.perf_counter()
    with loaded.lock:
        private = copy.deepcopy(loaded.model)
    private.eval()
    layers = named_layers(private)
    lay = check_layer(layers, layer or default_layer(loaded)) if uses_layer(method) else None
    x = analysis.preprocessed.tensor.to(loaded.device, torch.float32)
    groups = cascade_groups(layers)
    total = len(groups) + 1
    gen = torch.Generator().manual_seed(int(seed))
    mini = variant_info(loaded.variant).mini
    base, original = private_map(layers, x, method, target, lay, seed)
    if progress:
        progress(1, total)
    steps = []
    for i, (name, group) in enumerate(groups):
        for l in group:
            _reinit(l.module, mini, gen)
        small, crop = private_map(layers, x, method, target, lay, seed)
        with torch.inference_mode():
            prob = float(torch.softmax(Chain(layers, 0)(x).float(), 1)[0, target])
        steps.append(CascadeStep(name, spearman(base, small), crop, prob))
        if progress:
            progress(i + 2, total)
    del private
    return RandomisationCheck(method, lay.name if lay else None, target, original, steps,
                              time.perf_counter() - t0)


# --------------------------------------------------------------------------- deletion / insertion


CURVE_KINDS = ("deletion", "insertion")
ORDERS = ("map", "random")


@dataclass(frozen=True, eq=False)
class Curves:
    """Class probability after each of ``steps`` steps: ``probs[(kind, order)]`` has
    ``steps + 1`` values at ``fractions`` (0 … 1 of the pixels removed or inserted)."""

    target: int
    steps: int
    fractions: np.ndarray
    probs: dict
    passes: int
    seconds: float

    def auc(self, kind: str = "deletion", order: str = "map") -> float:
        """Area under the curve by the trapezoid rule, over fractions 0 … 1: in [0, 1]."""
        p = np.asarray(self.probs[(kind, order)], np.float64)
        x = self.fractions.astype(np.float64)
        return float(((p[1:] + p[:-1]) / 2 * np.diff(x)).sum())


def curve_passes(steps: int, kinds: Sequence[str] = CURVE_KINDS, orders: Sequence[str] = ORDERS) -> int:
    """Forward passes :func:`deletion_insertion` makes (images, batched)."""
    return len(kinds) * len(orders) * (int(steps) + 1)


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 2 <= int(steps) <= MAX_STEPS:
        raise ValueError(_("steps must be a whole number from 2 to {most}, got {steps}").format(
            most=MAX_STEPS, steps=repr(steps)))
    return int(steps)


def _blurred(x: torch.Tensor) -> torch.Tensor:
    """The insertion curve's starting canvas: ``x`` blurred with a Gaussian of σ = side/20."""
    from torchvision.transforms.functional import gaussian_blur

    sigma = max(1.0, x.shape[-1] / 20)
    k = int(2 * round(3 * sigma) + 1)
    return gaussian_blur(x, [k, k], [sigma, sigma])


def deletion_insertion(
    loaded: LoadedModel,
    analysis: Analysis,
    heat: np.ndarray,
    target: int,
    steps: int = DEFAULT_STEPS,
    kinds: Sequence[str] = CURVE_KINDS,
    orders: Sequence[str] = ORDERS,
    seed: int = 0,
    batch: int = 16,
    progress: Progress | None = None,
) -> Curves:
    """Deletion and insertion curves of the map ``heat`` (S, S) over the input crop, for class
    ``target``, and the same for a seeded random pixel order.

    Deletion sets the most important pixels first (all three channels) to zero in normalised
    space (the dataset's mean colour); insertion starts from the image blurred (σ = S/20) and
    puts the original pixels back in the same order. Step k changes round(k·S²/steps) pixels;
    equal map values are ordered randomly (seeded). ``curve_passes(steps)`` images run in
    batches of ``batch`` through the shared model (under its lock, inference mode: nothing
    is hooked or changed); ``progress(done, total)`` counts images.
    """
    steps = _check_steps(steps)
    target = check_target(loaded, analysis, target)
    x = analysis.preprocessed.tensor.to(loaded.device, torch.float32)
    side_h, side_w = int(x.shape[-2]), int(x.shape[-1])
    heat = np.asarray(heat, np.float64)
    if heat.shape != (side_h, side_w):
        raise ValueError(f"the map is {heat.shape}, the input crop {(side_h, side_w)}")
    n = side_h * side_w
    rng = np.random.default_rng(int(seed))
    ranks = {}
    for order in orders:
        if order == "map":
            idx = np.lexsort((rng.random(n), -heat.ravel()))
        elif order == "random":
            idx = rng.permutation(n)
        else:
            raise ValueError(f"unknown order {order!r}; use map or random")
        r = np.empty(n, np.int64)
        r[idx] = np.arange(n)
        ranks[order] = torch.from_numpy(r.reshape(side_h, side_w)).to(x.device)
    canvases = {}
    for kind in kinds:
        if kind == "deletion":
            canvases[kind] = (x, torch.zeros_like(x))            # from the image, towards the mean colour
        elif kind == "insertion":
            canvases[kind] = (_blurred(x), x)                    # from the blurred image, towards the image
        else:
            raise ValueError(f"unknown curve {kind!r}; use deletion or insertion")
    counts = [round(k * n / steps) for k in range(steps + 1)]
    jobs = [(kind, order, k) for kind in kinds for order in orders for k in range(steps + 1)]
    total = len(jobs)
    out = np.zeros(total, np.float64)
    model = loaded.model
    t0 = time.perf_counter()
    if progress:
        progress(0, total)
    for start in range(0, total, max(1, int(batch))):
        part = jobs[start:start + max(1, int(batch))]
        imgs = []
        for kind, order, k in part:
            src, dst = canvases[kind]
            changed = (ranks[order] < counts[k])[None, None]
            imgs.append(torch.where(changed, dst, src))
        with loaded.lock, torch.inference_mode():
            probs = torch.softmax(model(torch.cat(imgs)).float(), dim=1)[:, target]
        out[start:start + len(part)] = probs.double().cpu().numpy()
        if progress:
            progress(start + len(part), total)
    curves = {}
    for j, (kind, order, k) in enumerate(jobs):
        curves.setdefault((kind, order), np.zeros(steps + 1))[k] = out[j]
    return Curves(target, steps, np.asarray(counts, np.float64) / n, curves, total, time.perf_counter() - t0)


def depth_deletion(loaded: LoadedModel, analysis: Analysis, target: int, steps: int = DEFAULT_STEPS,
                   progress: Progress | None = None, method: str = "Grad-CAM") -> list[tuple]:
    """The depth sweep's maps of CAM ``method`` (:func:`vggviz.explain.attribution.depth_sweep`, one per
    block) each with its deletion AUC: ``[(GradCam, auc), …]``, shallow to deep.
    ``progress(done, total)`` counts images over all blocks."""
    from vggviz.explain.attribution import depth_sweep

    cams = depth_sweep(loaded, analysis, target, method)
    per = curve_passes(steps, ("deletion",), ("map",))
    total = per * len(cams)
    rows = []
    for i, cam in enumerate(cams):
        def sub(done: int, _total: int, i=i) -> None:
            if progress:
                progress(i * per + done, total)
        cur = deletion_insertion(loaded, analysis, cam.crop_map, cam.target, steps, ("deletion",), ("map",),
                                 progress=sub)
        rows.append((cam, cur.auc("deletion")))
    return rows


# --------------------------------------------------------------------------- figure


_CURVE_NAMES = {
    ("deletion", "map"): N_("deletion, map order (AUC {auc})"),
    ("deletion", "random"): N_("deletion, random order (AUC {auc})"),
    ("insertion", "map"): N_("insertion, map order (AUC {auc})"),
    ("insertion", "random"): N_("insertion, random order (AUC {auc})"),
}


def curves_figure(curves: Curves, label: str = ""):
    """A plotly figure of the deletion and insertion curves, the map's order solid and the
    random order dotted, each named with its AUC (texts in the session's language)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    colours = {"deletion": "#d62728", "insertion": "#1f77b4"}
    for (kind, order), p in curves.probs.items():
        fig.add_trace(go.Scatter(
            x=100 * curves.fractions, y=p, mode="lines+markers" if order == "map" else "lines",
            name=_(_CURVE_NAMES[(kind, order)]).format(auc=f"{curves.auc(kind, order):.3f}"),
            line={"color": colours.get(kind), "dash": "solid" if order == "map" else "dot"},
        ))
    fig.update_layout(
        title=_("Probability of {label} as pixels are removed or inserted").format(
            label=label or _("class {index}").format(index=curves.target)),
        xaxis_title=_("% of pixels removed (deletion) / inserted (insertion)"), yaxis_title=_("class probability"),
        yaxis_range=[0, 1.02], height=380, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
