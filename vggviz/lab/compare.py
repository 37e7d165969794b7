"""Side-by-side facts about the variants: depth, size, compute, accuracy, and the paper's
Table 1 (what changes from A to E), all derived from the configuration table and torchvision's
metadata; nothing restated by hand. And one comparison that runs the networks: Grad-CAM of the
same image through VGG11, 13, 16 and 19 (:func:`gradcam_by_variant`, the Grad-CAM page's
"Grad-CAM across depths").

Names: "compare" means the Compare page (this module's tables); attribution methods side by
side are :func:`vggviz.explain.attribution.compare_methods`; Grad-CAM through VGG11…19 is
``gradcam_by_variant`` (cached for every session by ``ui.current_gradcam_by_variant``).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vggviz.i18n import N_, _
from vggviz.model.layers import CLASSIFIER_BLOCK
from vggviz.model.summary import summarize
from vggviz.model.variants import CONFIGS, VARIANTS, variant_info

if TYPE_CHECKING:
    from PIL import Image

    from vggviz.data.images import LoadedImage

__all__ = ["VariantRow", "variant_rows", "bundled_accuracy", "paper_table", "block_counts", "describe_changes", "paper_variant", "PAPER_ORDER", "gradcam_by_variant",
           "bn_gains", "bn_sentence", "depth_sentence", "other_layers", "other_layers_sentence", "ACCURACY_NOTE"]

# Where an accuracy is shown: what it is and what the paper's famous numbers are instead.
# (The paper's Table 7: its ILSVRC-2014 submission, 7 networks combined, 7.3 % top-5 test error.)
# Shown with _(ACCURACY_NOTE).
ACCURACY_NOTE = N_(
    "These are torchvision's accuracies for one network on one 224×224 centre crop (ImageNet "
    "validation set). The paper's numbers are higher because it evaluates more generously: dense "
    "evaluation over the whole image, many crops (multi-crop), several scales (multi-scale), and "
    "several networks averaged (an ensemble). The often-quoted 92.7 % top-5 is 100 − 7.3 % top-5 "
    "error of the paper's ILSVRC-2014 submission, an ensemble of 7 networks with multi-scale dense "
    "evaluation, not of one VGG16."
)

PAPER_ORDER = ["A", "A-LRN", "B", "C", "D", "E"]
_PAPER_VARIANT = {"A": "vgg11", "A-LRN": "vgg11_lrn", "B": "vgg13", "C": "vgg16_c",
                  "D": "vgg16", "E": "vgg19"}


@dataclass(frozen=True)
class VariantRow:
    variant: str
    label: str
    config: str
    batch_norm: bool
    weight_layers: int
    conv_layers: int
    params: int
    macs: int
    acc1: float | None          # ImageNet-1K top-1 from torchvision's meta, where it exists
    acc5: float | None
    block_params: list[int]     # blocks 1..5 then the classifier
    block_macs: list[int]


def variant_rows(input_size: int | None = None, mini: bool = False) -> list[VariantRow]:
    """One row per variant of a family (the full-size one, or the ``mini`` one), at
    ``input_size`` (default: each variant's own, 224 or 64). Accuracies: torchvision's ImageNet
    top-1/top-5 for the full-size family; for the mini family the bundled shapes checkpoint's
    held-out accuracy (top-1) where one ships."""
    rows = []
    for name, info in VARIANTS.items():
        if info.mini != mini:
            continue
        s = summarize(name, input_size or info.input_size)
        bp = [sum(r.params for r in s.rows if r.block == b) for b in range(1, CLASSIFIER_BLOCK + 1)]
        bm = [sum(r.macs for r in s.rows if r.block == b) for b in range(1, CLASSIFIER_BLOCK + 1)]
        acc1 = acc5 = None
        if info.torchvision:
            m = info.weights_enum.meta["_metrics"]["ImageNet-1K"]
            acc1, acc5 = m["acc@1"], m["acc@5"]
        elif info.mini:
            acc1 = bundled_accuracy(name)
        rows.append(VariantRow(
            variant=name, label=info.label, config=info.config, batch_norm=info.batch_norm,
            weight_layers=info.weight_layers,
            conv_layers=sum(1 for r in s.rows if r.type.startswith("Conv")),
            params=s.total_params, macs=s.total_macs, acc1=acc1, acc5=acc5,
            block_params=bp, block_macs=bm,
        ))
    return rows


def bn_gains(rows: list[VariantRow]) -> list[tuple[str, int, float]]:
    """For each configuration shipped with and without batch norm: (plain variant's label,
    parameters batch norm adds, top-1 points it adds), in the rows' order; pairs without
    accuracies are left out."""
    plain = {r.config: r for r in rows if not r.batch_norm}
    out = []
    for r in rows:
        p = plain.get(r.config)
        if r.batch_norm and p is not None and r.acc1 is not None and p.acc1 is not None:
            out.append((p.label.split(" ")[0], r.params - p.params, r.acc1 - p.acc1))
    return out


def bn_sentence(rows: list[VariantRow]) -> str:
    """What batch norm adds, in numbers read from ``rows`` (torchvision's metadata)."""
    gains = bn_gains(rows)
    if not gains:
        return ""
    extra = sorted({g[1] for g in gains})
    gained = _(", ").join(_("{gain} points ({name})").format(gain=f"{gain:+.2f}", name=name)
                          for name, _params, gain in gains)
    return _("Batch norm adds {low} to {high} parameters and raises torchvision's single-crop top-1 "
             "accuracy by {gains}.").format(low=f"{extra[0]:,}", high=f"{extra[-1]:,}", gains=gained)


def depth_sentence(rows: list[VariantRow]) -> str:
    """Shallowest against deepest plain variant of ``rows``: parameters and MACs."""
    plain = sorted((r for r in rows if not r.batch_norm and r.config in CONFIGS and r.config in "ABDE"),
                   key=lambda r: r.weight_layers)
    if len(plain) < 2:
        return ""
    a, e = plain[0], plain[-1]
    fc = [sum(r.block_params[5:]) / r.params for r in (a, e)]
    return _("Going from {a} to {e} layers adds {more}% parameters (the FC layers, which all "
             "variants share, hold {low}–{high}% of them) but {times}× the compute.").format(
                 a=a.weight_layers, e=e.weight_layers, more=f"{100 * (e.params / a.params - 1):.0f}",
                 low=f"{100 * fc[1]:.0f}", high=f"{100 * fc[0]:.0f}", times=f"{e.macs / a.macs:.1f}")


def other_layers() -> dict[str, list[str]]:
    """The paper's configurations' layers that are neither 3×3 convolutions nor max-pools,
    per configuration (C: its 1×1 convolutions; A-LRN: its LRN)."""
    out = {}
    for c in PAPER_ORDER:
        odd = [l for b in _blocks(CONFIGS[c]) for l in b if not l.startswith("conv3-")]
        if odd:
            out[c] = odd
    return out


def other_layers_sentence() -> str:
    """:func:`other_layers` in words: "The exceptions: A-LRN has 1 LRN layer; C has 3 convolutions of 1×1"."""
    parts = []
    for c, odd in other_layers().items():
        lrn = sum(l == "LRN" for l in odd)
        kinds = {}
        for l in odd:
            if l != "LRN":
                k = l[4:].split("-")[0]
                kinds[k] = kinds.get(k, 0) + 1
        bits = ([(_("{n} local response normalisation (LRN) layers") if lrn > 1 else
                  _("{n} local response normalisation (LRN) layer")).format(n=lrn)] if lrn else []) + [
            (_("{n} convolutions of {k}×{k}") if n > 1 else _("{n} convolution of {k}×{k}")).format(n=n, k=k)
            for k, n in kinds.items()]
        parts.append(_("{config} has {layers}").format(config=c, layers=_(" and ").join(bits)))
    return _("The exceptions: {parts}.").format(parts=_("; ").join(parts)) if parts else ""


def bundled_accuracy(variant: str) -> float | None:
    """Held-out shapes accuracy (%) of the variant's bundled checkpoint, from the training log
    that ships beside it (``assets/models/VARIANT.json``), or None."""
    import json

    from vggviz.model.weights import bundled_path

    log = bundled_path(variant).with_suffix(".json")
    try:
        return round(100 * float(json.loads(log.read_text(encoding="utf-8"))["val_accuracy"]), 2)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _blocks(config: list) -> list[list[str]]:
    """Split a configuration into its five blocks of layer labels in the paper's notation
    (``conv3-64``, ``conv1-256``, ``LRN``)."""
    blocks: list[list[str]] = [[]]
    for item in config:
        if item == "M":
            blocks.append([])
        elif item == "LRN":
            blocks[-1].append("LRN")
        else:
            c, k = item if isinstance(item, tuple) else (item, 3)
            blocks[-1].append(f"conv{k}-{c}")
    return [b for b in blocks if b]


def block_counts(config: str) -> list[int]:
    """Number of conv layers in each of the five blocks."""
    return [sum(1 for l in b if l.startswith("conv")) for b in _blocks(CONFIGS[config])]


def paper_table() -> list[dict]:
    """The paper's Table 1: one row per (block, position), one column per configuration.

    Each cell is ``{"layer": "conv3-256", "new": bool}``; ``new`` marks a layer that the
    configuration adds to the previous one (A→A-LRN→B→C→D→E), as the paper prints in bold.
    The five max-pools and the three FC layers are shared by all and listed once.
    """
    blocks = {c: _blocks(CONFIGS[c]) for c in PAPER_ORDER}
    prev_of = {"A-LRN": "A", "B": "A", "C": "B", "D": "C", "E": "D"}
    rows: list[dict] = []
    for b in range(5):
        depth = max(len(blocks[c][b]) for c in PAPER_ORDER)
        for i in range(depth):
            row = {"block": b + 1}
            for c in PAPER_ORDER:
                layers = blocks[c][b]
                if i < len(layers):
                    prev = blocks[prev_of[c]][b] if c in prev_of else []
                    new = c in prev_of and (i >= len(prev) or prev[i] != layers[i])
                    row[c] = {"layer": layers[i], "new": new}
                else:
                    row[c] = None
            rows.append(row)
        rows.append({"block": b + 1, **{c: {"layer": "maxpool", "new": False} for c in PAPER_ORDER}})
    for fc in ("FC-4096", "FC-4096", "FC-1000", "soft-max"):
        rows.append({"block": 6, **{c: {"layer": fc, "new": False} for c in PAPER_ORDER}})
    return rows


def paper_variant(config: str) -> str:
    return _PAPER_VARIANT[config]


def describe_changes() -> list[str]:
    """One sentence per step A→E, derived from the table."""
    out = []
    steps = [("A", "A-LRN"), ("A", "B"), ("B", "C"), ("C", "D"), ("D", "E")]
    for a, b in steps:
        ca, cb = block_counts(a), block_counts(b)
        ba, bb = _blocks(CONFIGS[a]), _blocks(CONFIGS[b])
        parts = []
        for i, (x, y) in enumerate(zip(ba, bb)):
            added = [l for j, l in enumerate(y) if j >= len(x)]
            swapped = [_("{old} becomes {new}").format(old=x[j], new=l)
                       for j, l in enumerate(y) if j < len(x) and x[j] != l]
            if added:
                parts.append(_("block {i} gains {layers}").format(i=i + 1, layers=", ".join(added)))
            if swapped:
                parts.append(_("block {i}: {changes}").format(i=i + 1, changes=_(", ").join(swapped)))
        va, vb = variant_info(paper_variant(a)), variant_info(paper_variant(b))
        out.append(_("{a} → {b} ({va} → {vb}): {changes} (convs per block {ca} → {cb})").format(
            a=a, b=b, va=va.label.split(" ")[0], vb=vb.label.split(" ")[0],
            changes=_("; ").join(parts) if parts else _("no change"), ca=ca, cb=cb))
    return out


# --------------------------------------------------------------------------- Grad-CAM across depths (the Grad-CAM page)


def gradcam_by_variant(
    variants: Sequence[str],
    image: LoadedImage | Image.Image,
    target: int | None,
    source: str,
    device="auto",
    progress: Callable[[int, int, str], None] | None = None,
    get_model: Callable[[str], object] | None = None,
) -> list[dict]:
    """Analyse ``image`` with each variant in turn and take Grad-CAM of ``target`` (None: each
    network's own top-1) at its last conv.

    Models are loaded one after another and dropped (``gc.collect()``) before the next, so at
    most one extra model is alive. ``get_model(variant)`` may hand over a model that is
    already loaded (e.g. from the app's bounded cache); it is used and not dropped.
    ``progress(done, total, variant)`` is called before each variant and once at the end.

    Returns one dict per variant: ``variant``, ``weights`` (the source used), ``note``,
    ``layer``, ``top`` (list of Prediction), ``gradcam`` (:class:`vggviz.explain.attribution.GradCam`),
    ``crop_box``, ``seconds`` (analysis + Grad-CAM, not loading).
    """
    from vggviz.explain.attribution import default_layer, gradcam
    from vggviz.inference.analysis import analyze
    from vggviz.model.weights import load_model

    results = []
    n = len(variants)
    for i, variant in enumerate(variants):
        if progress:
            progress(i, n, variant)
        loaded = get_model(variant) if get_model else None
        if loaded is None:
            loaded = load_model(variant, source, device)
        t0 = time.perf_counter()
        res = analyze(loaded, image)
        layer = default_layer(loaded)
        cam = gradcam(loaded, res, layer, target)
        results.append({
            "variant": variant, "weights": loaded.source, "note": loaded.note, "layer": layer,
            "top": list(res.top), "gradcam": cam, "crop_box": res.preprocessed.crop_box,
            "seconds": time.perf_counter() - t0,
        })
        del loaded, res, cam
        gc.collect()
    if progress:
        progress(n, n, "")
    return results
