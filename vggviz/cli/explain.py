"""The commands that explain a prediction or a unit: ``gradcam`` (any attribution method, with
``--check``), ``unit`` (one unit's arithmetic) and ``visualize`` (feature visualisation)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vggviz.cli.common import DEVICES, UsageError, load, positive, print_json

__all__ = ["add_parsers"]


def _method_choices() -> list[str]:
    from vggviz.explain.attribution import METHODS, method_slug

    return [method_slug(m) for m in METHODS]


def _method_name(text: str) -> str:
    from vggviz.explain.attribution import resolve_method

    try:
        return resolve_method(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def add_parsers(sub) -> None:
    """Add ``gradcam``, ``unit``, ``visualize`` to the subparsers ``sub``."""
    g = sub.add_parser("gradcam", help="Grad-CAM overlay (and heatmap) for an image")
    g.add_argument("image")
    g.add_argument("--variant", default="vgg16")
    g.add_argument("--layer", default=None, help="paper layer name, e.g. conv5_3 (default: the last conv)")
    g.add_argument("--target", type=int, default=None, help="class index (default: top-1)")
    g.add_argument("--weights", default=None)
    g.add_argument("--device", default="auto", choices=DEVICES)
    g.add_argument("--out", required=True, help="overlay PNG to write")
    g.add_argument("--heatmap", default=None, help="write the heatmap (float32, image size, [0,1]) as .npy")
    g.add_argument("--alpha", type=float, default=0.5)
    g.add_argument("--json", action="store_true")
    g.add_argument("--method", default="grad-cam", type=_method_name,
                   help="the attribution method: " + ", ".join(_method_choices()) + " (default: grad-cam; "
                        "--layer applies to the CAMs and guided-grad-cam)")
    g.add_argument("--check", action="store_true",
                   help="can this map be trusted? cascading model randomisation (Spearman per step) and "
                        "deletion/insertion AUCs against a random order")
    g.add_argument("--check-steps", type=positive("check steps"), default=20,
                   help="deletion/insertion steps for --check (4 × (steps + 1) forward passes)")
    g.set_defaults(run=_gradcam)

    u = sub.add_parser("unit", help="the arithmetic of one unit of a feature map: patch × kernel, bias, ReLU")
    u.add_argument("image")
    u.add_argument("--variant", default="vgg16")
    u.add_argument("--weights", default=None)
    u.add_argument("--device", default="auto", choices=DEVICES)
    u.add_argument("--layer", required=True, help="conv1_1 … pool5 (a ReLU's name: the same unit after its ReLU)")
    u.add_argument("--channel", type=int, required=True)
    u.add_argument("--row", type=int, required=True)
    u.add_argument("--col", type=int, required=True)
    u.add_argument("--json", action="store_true")
    u.set_defaults(run=_unit)

    v = sub.add_parser("visualize", help="feature visualisation: an image that makes one channel fire")
    v.add_argument("--variant", default="vgg16")
    v.add_argument("--weights", default=None)
    v.add_argument("--device", default="auto", choices=DEVICES)
    v.add_argument("--layer", required=True, help="conv1_1 … pool5 (for a ReLU or pool: maximised before the ReLU)")
    v.add_argument("--channel", type=int, required=True)
    v.add_argument("--steps", type=positive("steps"), default=None,
                   help="optimisation steps (default: 256 for the mini family, 64 for full size)")
    v.add_argument("--size", type=positive("size"), default=None, help="image side in px (default: the model's input size)")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--out", required=True, help="where to write the PNG")
    v.add_argument("--json", action="store_true")
    v.set_defaults(run=_visualize)


def _gradcam(a) -> None:
    import numpy as np

    image, loaded = load(a)
    from vggviz.explain.attribution import (
        CAM_METHODS,
        CamResult,
        cam,
        default_layer,
        gradcam_layers,
        method_map,
        method_slug,
        place_in_image,
        uses_layer,
    )
    from vggviz.figures.maps import overlay
    from vggviz.inference.analysis import analyze
    from vggviz.model.layers import UnknownLayerError

    layers = gradcam_layers(loaded)
    layer = a.layer or default_layer(loaded)
    if layer not in layers:
        raise UnknownLayerError(f"layer {layer!r} has no spatial map for Grad-CAM; choose one of: {', '.join(layers)}")
    if a.target is not None and not 0 <= a.target < len(loaded.categories):
        raise UsageError(f"target must be a class index from 0 to {len(loaded.categories) - 1}, got {a.target}")
    res = analyze(loaded, image)
    box = res.preprocessed.crop_box
    c: CamResult = cam(loaded, res, a.method if a.method in CAM_METHODS else "Grad-CAM", layer, a.target)
    if a.method == c.method:
        heat, shown = c.image_map(box, image.image.size), c.crop_map
    else:                                  # a pixel-level method: its (S, S) map over the crop
        shown = method_map(loaded, res, a.method, c.target, layer)
        heat = place_in_image(shown, box, image.image.size)
    overlay(image.image, heat, alpha=a.alpha, crop_box=box).save(a.out)
    if a.heatmap:
        np.save(a.heatmap, heat.astype(np.float32))
    info = {"variant": a.variant, "weights": loaded.source, "device": str(loaded.device),
            "method": method_slug(a.method), "layer": layer if uses_layer(a.method) else None,
            "target": c.target, "label": c.label, "prob": round(float(c.prob), 6),
            "out": a.out, "heatmap": a.heatmap}
    if loaded.classes is not None:
        info["classes"] = list(loaded.classes)
    if a.check:
        info.update(_gradcam_check(loaded, res, a.method, shown, c.target, layer, a.check_steps))
    if a.json:
        print_json(info)
    else:
        at = f" at {layer}" if uses_layer(a.method) else ""
        print(f"{a.method} of {c.label!r} ({c.target}, p={c.prob:.3f}){at} → {a.out}")
        if a.check:
            print(f"randomisation (Spearman per cascade step {', '.join(info['randomisation_steps'])}): "
                  + ", ".join(f"{r:.2f}" for r in info["randomisation_spearman"]))
            print(f"deletion AUC {info['deletion_auc']:.3f} (random order {info['random_deletion_auc']:.3f}; "
                  f"lower is better), insertion AUC {info['insertion_auc']:.3f} (random order "
                  f"{info['random_insertion_auc']:.3f}; higher is better)")


def _gradcam_check(loaded, res, method: str, crop_map, target: int, layer: str, steps: int) -> dict:
    """``gradcam --check``: :mod:`vggviz.explain.trust`'s two tests of the map, as JSON fields."""
    from vggviz.explain.trust import MAX_STEPS, deletion_insertion, randomisation_check

    if steps > MAX_STEPS:
        raise UsageError(f"--check-steps must be at most {MAX_STEPS}, got {steps}")
    chk = randomisation_check(loaded, res, target, layer, method)
    cur = deletion_insertion(loaded, res, crop_map, target, steps)
    return {"randomisation_steps": [s.randomised for s in chk.steps],
            "randomisation_spearman": [round(s.spearman, 4) for s in chk.steps],
            "deletion_auc": round(cur.auc("deletion"), 4), "insertion_auc": round(cur.auc("insertion"), 4),
            "random_deletion_auc": round(cur.auc("deletion", "random"), 4),
            "random_insertion_auc": round(cur.auc("insertion", "random"), 4), "check_steps": steps}


def _unit(a) -> None:
    image, loaded = load(a)
    from vggviz.explain.unit import resolve, unit_arithmetic
    from vggviz.inference.analysis import analyze
    from vggviz.model.layers import named_layers

    resolve(named_layers(loaded.model), a.layer)        # a bad layer fails before the forward pass
    res = analyze(loaded, image)
    u = unit_arithmetic(loaded, res, a.layer, a.channel, a.row, a.col)
    if a.json:
        print_json(u.to_json())
        return
    where = f"{u.layer}[{u.channel}, {u.row}, {u.col}]"
    if u.kind == "conv":
        src = u.input_layer or "the preprocessed image"
        k = u.patch.shape[-1]
        print(f"{where}: {u.unit_layer} reads a {len(u.terms)}×{k}×{k} window of {src}")
        for i, t in u.top_terms(5):
            print(f"  {u.input_channels[i]:>7}: {t:+.5g}")
        print(f"  … {len(u.terms)} terms sum to {float(u.terms.sum()):+.5g}; bias {u.bias:+.5g}; "
              f"pre-activation {u.pre_activation:+.5g}")
        if u.bn:
            print(f"  batch norm: ({u.pre_activation:.5g} − {u.bn['mean']:.5g}) / √({u.bn['var']:.5g} + "
                  f"{u.bn['eps']:g}) × {u.bn['gamma']:.5g} + {u.bn['beta']:.5g} = {u.bn['out']:.5g}")
        if u.relu:
            print(f"  ReLU → {u.value:.5g}")
    elif u.kind == "pool":
        print(f"{where}: max of its window of {u.input_layer} = {u.value:.5g}, won by {u.input_layer}{list(u.winner)}")
    else:
        print(f"{where}: local response normalisation over {len(u.input_channels)} channels = {u.value:.5g}")
    l, t, r, b = u.patch_box
    print(f"  the network stored {u.stored:.5g}; receptive field: x {l:g}…{r:g}, y {t:g}…{b:g} (input pixels)")


def _visualize(a) -> None:
    from vggviz.explain.featvis import default_settings, visual_layers, visualize
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import load_model

    variant_info(a.variant)
    out = Path(a.out)
    if out.suffix.lower() != ".png":
        raise UsageError(f"--out must name a .png file, got {a.out!r}")
    if not out.parent.is_dir():
        raise UsageError(f"the folder of --out does not exist: {str(out.parent)!r}")
    loaded = load_model(a.variant, a.weights, a.device)
    if loaded.note:
        sys.stderr.write(f"warning: {loaded.note}\n")
    if a.layer not in visual_layers(loaded.model):
        names = visual_layers(loaded.model)
        raise UsageError(f"layer {a.layer!r} is not a conv, ReLU or pool of {a.variant}; choose one of {names[0]} … {names[-1]}")
    changes = {"seed": a.seed, "size": a.size or loaded.input_size}
    if a.steps:
        changes["steps"] = a.steps
    settings = default_settings(loaded, **changes)

    def progress(step: int, steps: int, _preview) -> None:
        if not a.json and sys.stderr.isatty():
            sys.stderr.write(f"\rstep {step}/{steps}")
            if step == steps:
                sys.stderr.write("\n")

    r = visualize(loaded, a.layer, a.channel, settings, progress=progress)
    r.image(0).save(out)
    info = {**r.to_json(), "weights": loaded.source, "device": str(loaded.device), "out": str(out)}
    if a.json:
        print_json(info)
    else:
        ratio = (f"{info['ratio']:g}× what noise gives" if info["ratio"] is not None
                 else f"{info['activation'] - info['noise_activation']:+.4g} above noise")
        print(f"{a.variant} {r.layer}[{r.channels[0]}]: {info['activation']:.4g} on the image "
              f"(noise {info['noise_activation']:.4g}, {ratio}); {settings.steps} steps at {settings.size} px "
              f"in {r.seconds:.1f} s → {out}")
        if r.notes:
            print("note: " + " ".join(r.notes))
