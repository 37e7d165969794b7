"""``python -m vggviz``: the layer table, predictions, Grad-CAM and receptive fields from the
command line, for scripting and exports. ``--json`` prints JSON on stdout.

Bad input (unknown variant or layer, unreadable image, bad weights file, bad sizes) exits
with status 2 and one line on stderr; no traceback (set VGGVIZ_DEBUG=1 to see one).

Longer than 400 lines on purpose: one argparse parser per command and its JSON contract; each
command is short, there are sixteen.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from vggviz.errors import VggvizError

__all__ = ["main", "build_parser"]


class UsageError(VggvizError):
    """Bad input from the user: exit status 2, one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line instead of usage + message
        raise UsageError(f"{message} (see python -m vggviz {self.prog.split()[-1] if ' ' in self.prog else ''} --help)".replace("  ", " "))


def _positive(name: str):
    def conv(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number, got {text!r}") from None
        if v < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1, got {v}")
        return v
    return conv


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vggviz", description="Take VGG networks apart.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("summary", help="the layer-by-layer table of a variant (or of alexnet, the reference model)")
    s.add_argument("variant", help="vgg11 … vgg19_bn, a mini variant, or alexnet")
    s.add_argument("--input-size", type=_positive("input size"), default=None,
                   help="default: the variant's own (224, or 64 for the mini family)")
    fmt = s.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")

    w = sub.add_parser("weights", help="manage ImageNet weights (for offline classrooms)")
    wsub = w.add_subparsers(dest="action", required=True, parser_class=_Parser)
    f = wsub.add_parser("fetch", help="download ImageNet weights into torch's cache (TORCH_HOME)")
    f.add_argument("variants", nargs="+")

    pr = sub.add_parser("predict", help="top-k classes for an image (ImageNet's, or a checkpoint's own)")
    pr.add_argument("image")
    pr.add_argument("--variant", default="vgg16")
    pr.add_argument("--weights", default=None, help="imagenet | shapes | random | PATH.pth (default: $VGGVIZ_WEIGHTS "
                                                    "or imagenet; shapes for the mini family); a .pth may "
                                                    "carry its own classes, or sit beside PATH.classes.txt")
    pr.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    pr.add_argument("--topk", type=_positive("topk"), default=5)
    pr.add_argument("--json", action="store_true")

    g = sub.add_parser("gradcam", help="Grad-CAM overlay (and heatmap) for an image")
    g.add_argument("image")
    g.add_argument("--variant", default="vgg16")
    g.add_argument("--layer", default=None, help="paper layer name, e.g. conv5_3 (default: the last conv)")
    g.add_argument("--target", type=int, default=None, help="class index (default: top-1)")
    g.add_argument("--weights", default=None)
    g.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
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
    g.add_argument("--check-steps", type=_positive("check steps"), default=20,
                   help="deletion/insertion steps for --check (4 × (steps + 1) forward passes)")

    t = sub.add_parser("train", help="train a mini variant on generated shapes (the lab's recipe)")
    t.add_argument("variant", help="a mini variant: vgg11_mini, vgg13_mini, vgg16_mini, vgg19_mini, …")
    t.add_argument("--epochs", type=_positive("epochs"), default=None, help="default: the recipe's")
    t.add_argument("--init", default="he", choices=["he", "random", "glorot", "gaussian", "from-a", "from-d"],
                   help="he (or random): torchvision's Kaiming init; glorot: Glorot-normal; gaussian: the paper's "
                        "N(0, 0.01); from-a: gaussian, then conv1_1, conv2_1, conv3_1, conv3_2, fc6–fc8 from the "
                        "trained A; from-d: every layer of the trained D copied, the rest random (E as a deepened D)")
    t.add_argument("--bn", action="store_true", help="the configuration with batch normalisation")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--lr", type=float, default=None, help="peak learning rate")
    t.add_argument("--warmup", type=float, default=None, help="share of the steps the learning rate warms up over")
    t.add_argument("--momentum", type=float, default=None)
    t.add_argument("--weight-decay", type=float, default=None)
    t.add_argument("--dropout", type=float, default=None)
    t.add_argument("--batch-size", type=_positive("batch size"), default=None)
    t.add_argument("--train-size", type=_positive("train size"), default=None)
    t.add_argument("--val-size", type=_positive("held-out size"), default=None)
    t.add_argument("--curve-size", type=int, default=None,
                   help="held-out images scored after each epoch but the last (0: all)")
    t.add_argument("--jitter", action="store_true", help="scale jittering (the paper's multi-scale training)")
    t.add_argument("--max-batches", type=_positive("max batches"), default=None, help="per epoch (quick runs)")
    t.add_argument("--threads", type=_positive("threads"), default=None,
                   help="torch threads (results are bit-identical on a CPU for the same threads)")
    t.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    t.add_argument("--out", default=None, help="write the trained checkpoint (.pth) here")
    t.add_argument("--json", action="store_true")

    e = sub.add_parser("experiment", help="run one of the shapes lab's experiments: every arm over paired seeds, "
                                          "with intervals and verdicts")
    e.add_argument("key", help="depth | kernel | init | c_lrn | all")
    e.add_argument("--seeds", type=int, default=3, help="seeds per arm (0 … N − 1; default 3)")
    e.add_argument("--epochs", type=_positive("epochs"), default=None, help="default: the lab's budget")
    e.add_argument("--train-size", type=_positive("train size"), default=None)
    e.add_argument("--val-size", type=_positive("held-out size"), default=None)
    e.add_argument("--batch-size", type=_positive("batch size"), default=None)
    e.add_argument("--max-batches", type=_positive("max batches"), default=None, help="per epoch (quick runs)")
    e.add_argument("--workers", type=_positive("workers"), default=1, help="processes training arm-seeds at once")
    e.add_argument("--threads", type=_positive("threads"), default=1, help="torch threads per process")
    e.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    e.add_argument("--out", default=None, help="write KEY.json into this folder")
    e.add_argument("--cache", default=None, help="keep every arm-seed's result in this folder (resumable)")
    e.add_argument("--json", action="store_true")

    u = sub.add_parser("unit", help="the arithmetic of one unit of a feature map: patch × kernel, bias, ReLU")
    u.add_argument("image")
    u.add_argument("--variant", default="vgg16")
    u.add_argument("--weights", default=None)
    u.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    u.add_argument("--layer", required=True, help="conv1_1 … pool5 (a ReLU's name: the same unit after its ReLU)")
    u.add_argument("--channel", type=int, required=True)
    u.add_argument("--row", type=int, required=True)
    u.add_argument("--col", type=int, required=True)
    u.add_argument("--json", action="store_true")

    v = sub.add_parser("visualize", help="feature visualisation: an image that makes one channel fire")
    v.add_argument("--variant", default="vgg16")
    v.add_argument("--weights", default=None)
    v.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    v.add_argument("--layer", required=True, help="conv1_1 … pool5 (for a ReLU or pool: maximised before the ReLU)")
    v.add_argument("--channel", type=int, required=True)
    v.add_argument("--steps", type=_positive("steps"), default=None,
                   help="optimisation steps (default: 256 for the mini family, 64 for full size)")
    v.add_argument("--size", type=_positive("size"), default=None, help="image side in px (default: the model's input size)")
    v.add_argument("--seed", type=int, default=0)
    v.add_argument("--out", required=True, help="where to write the PNG")
    v.add_argument("--json", action="store_true")

    r = sub.add_parser("rf", help="N stacked K×K convolutions against one with the same receptive field")
    r.add_argument("--kernel", type=_positive("kernel"), required=True)
    r.add_argument("--layers", type=_positive("layers"), required=True)
    r.add_argument("--channels", type=_positive("channels"), default=64)
    r.add_argument("--json", action="store_true")

    q = sub.add_parser("quiz", help="the predict-first questions that need no image, answers computed")
    q.add_argument("--variant", default="vgg16")
    q.add_argument("--size", type=_positive("size"), default=None,
                   help="input size in pixels (default: the variant's own, 224 or 64)")
    q.add_argument("--lang", default="en", help="en | zh: the language of prompts and explanations")
    q.add_argument("--json", action="store_true")

    tr = sub.add_parser("transfer", help="teach a frozen VGG new classes: a new last layer on its features")
    tr.add_argument("--variant", default="vgg16")
    tr.add_argument("--weights", default=None, help="imagenet | shapes | random | PATH.pth")
    tr.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    tr.add_argument("--class", dest="classes", action="append", default=[], metavar="NAME=IMG1,IMG2,...",
                    help="a class and its images (repeat for each class: at least 2, at most 5)")
    tr.add_argument("--layer", default="fc7", help="pool5 | fc6 | fc7 (default fc7)")
    tr.add_argument("--predict", required=True, help="the image to classify into the new classes")
    tr.add_argument("--finetune", action="store_true",
                    help="also fine-tune the last conv block (conv5_x) with the head, on a private copy")
    tr.add_argument("--epochs", type=_positive("epochs"), default=None, help="fine-tuning epochs (default 10, at most 30)")
    tr.add_argument("--time-limit", type=float, default=None, help="fine-tuning time bound in seconds (default 60, at most 120)")
    tr.add_argument("--save", default=None, metavar="PATH.pth",
                    help="write the whole network with the new classes in fc8's place (fc7 only; opens with --weights)")
    tr.add_argument("--json", action="store_true")
    return p


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def _summary(a) -> None:
    from vggviz.model.summary import summarize
    from vggviz.model.variants import model_info

    info = model_info(a.variant)         # a VGG variant, or a reference model (alexnet)
    a.variant, a.input_size = info.name, a.input_size or info.input_size
    s = summarize(a.variant, a.input_size)
    if a.json:
        _print_json(s.to_json())
    elif a.csv:
        sys.stdout.write(s.to_csv())
    else:
        print(f"{a.variant} at {a.input_size}×{a.input_size}: {s.total_params:,} parameters, "
              f"{s.total_macs:,} MACs ({s.total_flops:,} FLOPs)")
        print(f"weights {s.total_param_bytes:,} bytes (parameters × 4); activations of one "
              f"inference pass {s.total_act_bytes:,} bytes (distinct tensors, float32)")
        print(f"{'layer':<9} {'module':<14} {'type':<22} {'output':>14} {'params':>12} {'MACs':>15} {'rf':>5} {'jump':>5}")
        for row in s.rows:
            shape = "×".join(map(str, row.out_shape))
            print(f"{row.name:<9} {row.module:<14} {row.type:<22} {shape:>14} {row.params:>12,} "
                  f"{row.macs:>15,} {row.rf:>5} {row.jump:>5}")


def _weights(a) -> None:
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import cached_path, fetch_imagenet

    for v in a.variants:
        variant_info(v)
    for v in a.variants:
        last = [-1]

        def progress(done: int, total: int, v: str = v, last: list = last) -> None:
            pct = int(100 * done / total) if total else -1
            if pct != last[0] and (pct % 5 == 0 or pct < 0):
                last[0] = pct
                sys.stderr.write(f"\r{v}: {done / 2**20:.0f}/{total / 2**20:.0f} MB ({pct}%)")
                sys.stderr.flush()

        path = fetch_imagenet(v, progress, timeout=30)
        sys.stderr.write("\n" if last[0] != -1 else "")
        print(f"{v}: {path}" + (" (already cached)" if last[0] == -1 else ""))
    del cached_path


def _load(a):
    from vggviz.data.images import load_image_file
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import load_model

    variant_info(a.variant)
    image = load_image_file(a.image)
    loaded = load_model(a.variant, a.weights, a.device)
    if loaded.note:
        sys.stderr.write(f"warning: {loaded.note}\n")
    return image, loaded


def _predict(a) -> None:
    image, loaded = _load(a)
    from vggviz.inference.analysis import analyze

    res = analyze(loaded, image, topk=a.topk)
    out = {
        "variant": a.variant, "weights": loaded.source, "device": str(loaded.device),
        "top": [{"index": p.index, "label": p.label, "prob": round(float(p.prob), 6)} for p in res.top],
    }
    if loaded.classes is not None:      # a checkpoint with its own classes: all its names
        out["classes"] = list(loaded.classes)
    if a.json:
        _print_json(out)
    else:
        print(f"{a.variant} ({loaded.source} weights, {loaded.device}):")
        for p in res.top:
            print(f"  {100 * p.prob:6.2f}%  {p.label} ({p.index})")


def _method_choices() -> list[str]:
    from vggviz.explain.attribution import METHODS, method_slug

    return [method_slug(m) for m in METHODS]


def _method_name(text: str) -> str:
    from vggviz.explain.attribution import resolve_method

    try:
        return resolve_method(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _gradcam(a) -> None:
    import numpy as np

    image, loaded = _load(a)
    from vggviz.explain.attribution import (
        CAM_METHODS,
        GradCam,
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
    c: GradCam = cam(loaded, res, a.method if a.method in CAM_METHODS else "Grad-CAM", layer, a.target)
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
        _print_json(info)
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
    image, loaded = _load(a)
    from vggviz.explain.unit import resolve, unit_arithmetic
    from vggviz.inference.analysis import analyze
    from vggviz.model.layers import named_layers

    resolve(named_layers(loaded.model), a.layer)        # a bad layer fails before the forward pass
    res = analyze(loaded, image)
    u = unit_arithmetic(loaded, res, a.layer, a.channel, a.row, a.col)
    if a.json:
        _print_json(u.to_json())
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
        _print_json(info)
    else:
        ratio = (f"{info['ratio']:g}× what noise gives" if info["ratio"] is not None
                 else f"{info['activation'] - info['noise_activation']:+.4g} above noise")
        print(f"{a.variant} {r.layer}[{r.channels[0]}]: {info['activation']:.4g} on the image "
              f"(noise {info['noise_activation']:.4g}, {ratio}); {settings.steps} steps at {settings.size} px "
              f"in {r.seconds:.1f} s → {out}")
        if r.notes:
            print("note: " + " ".join(r.notes))


def _rf(a) -> None:
    from vggviz.model.receptive_field import compare_stack

    c = compare_stack(a.kernel, a.layers, a.channels)
    if a.json:
        _print_json(c.to_json())
    else:
        print(f"{a.layers} stacked {a.kernel}×{a.kernel} convs ({a.channels} channels): receptive field "
              f"{c.rf}×{c.rf}, {c.params:,} weights, {c.nonlinearities} non-linearities")
        print(f"one {c.single_kernel}×{c.single_kernel} conv: {c.single_params:,} weights, 1 non-linearity "
              f"(the stack saves {100 * c.saving:.1f}%)")


def _train(a) -> None:
    import dataclasses

    import torch

    from vggviz.lab.training import Recipe, checkpoint, percent, train
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import resolve_device

    variant = variant_info(a.variant).name
    recipe = Recipe(init=a.init, seed=a.seed, bn=a.bn, scale_jitter=a.jitter, max_batches=a.max_batches)
    changes = {k: v for k, v in (("epochs", a.epochs), ("lr", a.lr), ("warmup", a.warmup), ("momentum", a.momentum),
                                 ("weight_decay", a.weight_decay), ("dropout", a.dropout),
                                 ("batch_size", a.batch_size), ("train_size", a.train_size),
                                 ("val_size", a.val_size), ("curve_size", a.curve_size)) if v is not None}
    recipe = dataclasses.replace(recipe, **changes).check()
    device = resolve_device(a.device)
    if a.threads:
        torch.set_num_threads(a.threads)

    def progress(p) -> None:
        if p.batch == p.batches and p.records and p.records[-1].epoch == p.epoch:
            r = p.records[-1]
            sys.stderr.write(f"{p.variant} epoch {r.epoch}/{p.epochs}: loss {r.train_loss:.4f}, held-out "
                             f"accuracy {100 * r.val_accuracy:.1f}% ({r.seconds:.1f} s)\n")
            sys.stderr.flush()

    res = train(variant, recipe, device, on_progress=progress)
    if a.out:
        torch.save(checkpoint(res), a.out)
    if a.json:
        _print_json(res.to_json())
    else:
        print(f"{res.variant}: {res.params:,} parameters, {len(res.epochs)} epochs in {res.seconds:.1f} s on "
              f"{device}, final held-out accuracy {percent(res.final_accuracy)}%" + (f" → {a.out}" if a.out else ""))


def _experiment(a) -> None:
    import dataclasses

    from vggviz.lab import experiments as ex
    from vggviz.model.weights import resolve_device

    keys = list(ex.EXPERIMENTS) if a.key == "all" else [ex.check_key(a.key).key]
    if a.seeds < 1:
        raise UsageError(f"--seeds must be at least 1, got {a.seeds}")
    budget = ex.BUDGET
    changes = {k: v for k, v in (("epochs", a.epochs), ("train_size", a.train_size), ("val_size", a.val_size),
                                 ("batch_size", a.batch_size), ("max_batches", a.max_batches)) if v is not None}
    if a.val_size is not None:
        changes["curve_size"] = min(budget.curve_size, a.val_size)
    budget = dataclasses.replace(budget, **changes)
    device = resolve_device(a.device)

    def done(variant, seed, rec) -> None:
        sys.stderr.write(f"{variant} seed {seed}: {rec['final_accuracy']:.2f}% ({rec['seconds']:.1f} s)\n")
        sys.stderr.flush()

    results = ex.run_many(keys, a.seeds, str(device), budget, a.workers, a.threads, done,
                          Path(a.cache) if a.cache else None)
    if a.out:
        out = Path(a.out)
        out.mkdir(parents=True, exist_ok=True)
        for key, res in results.items():
            (out / f"{key}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    if a.json:
        _print_json(results[keys[0]] if len(keys) == 1 else results)
        return
    for res in results.values():
        b = res["budget"]
        print(f"{res['title']} ({b['steps']} steps of {b['batch_size']}, {len(res['seeds'])} seeds, {res['device']})")
        for arm in res["arms"]:
            print(f"  {arm['label']:<28} {arm['mean']:6.2f} ± {arm['sd']:5.2f} %  {arm['params']:>9,} params  "
                  f"{arm['macs'] / 1e6:7.1f} M MACs  {arm['seconds_per_seed']:6.1f} s/seed")
        for c in res["comparisons"]:
            lo, hi = c["ci95"]
            ci = "—" if lo is None else f"[{lo:+.2f}, {hi:+.2f}]"
            effect = c["paper"]["effect"]
            print(f"  {c['better']} − {c['worse']}: {c['mean_diff']:+.2f} points, 95 % CI {ci}, wins {c['wins']}/{c['n']}"
                  f" → {c['verdict']} (paper: {'—' if effect is None else f'{effect:+.1f}'}, {c['paper']['source']})")


def _transfer(a) -> None:
    from vggviz.data.images import load_image_file
    from vggviz.lab import transfer
    from vggviz.model.variants import variant_info
    from vggviz.model.weights import load_model

    variant_info(a.variant)
    if a.layer not in transfer.FEATURE_LAYERS:
        raise UsageError(f"unknown feature layer {a.layer!r}; choose one of: {', '.join(transfer.FEATURE_LAYERS)}")
    named: dict[str, list[str]] = {}
    for spec in a.classes:
        name, sep, files = spec.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--class wants NAME=IMG1,IMG2,..., got {spec!r}")
        if name in named:
            raise UsageError(f"class {name!r} is given twice")
        named[name] = [f for f in files.split(",") if f.strip()]
        if not named[name]:
            raise UsageError(f"class {name!r} has no images")
        if len(named[name]) > transfer.MAX_PER_CLASS:
            raise UsageError(f"class {name!r} has {len(named[name])} images; at most {transfer.MAX_PER_CLASS}")
    if not transfer.MIN_CLASSES <= len(named) <= transfer.MAX_CLASSES:
        raise UsageError(f"give {transfer.MIN_CLASSES} to {transfer.MAX_CLASSES} classes with --class NAME=IMG,...; "
                         f"got {len(named)}")
    if not a.finetune and (a.epochs is not None or a.time_limit is not None):
        raise UsageError("--epochs and --time-limit go with --finetune")
    epochs = transfer.FINETUNE_EPOCHS if a.epochs is None else a.epochs
    limit = transfer.FINETUNE_SECONDS if a.time_limit is None else a.time_limit
    if a.finetune and not 1 <= epochs <= transfer.FINETUNE_MAX_EPOCHS:
        raise UsageError(f"--epochs must be 1 to {transfer.FINETUNE_MAX_EPOCHS}")
    if a.finetune and not 0 < limit <= transfer.FINETUNE_MAX_SECONDS:
        raise UsageError(f"--time-limit must be more than 0 and at most {transfer.FINETUNE_MAX_SECONDS:.0f}")
    if a.save and a.layer != "fc7":
        raise UsageError("--save needs --layer fc7 (a pool5 or fc6 layer does not fit in VGG's fc8)")
    images = {c: [load_image_file(f) for f in fs] for c, fs in named.items()}
    target = load_image_file(a.predict)
    loaded = load_model(a.variant, a.weights, a.device)
    if loaded.note:
        sys.stderr.write(f"warning: {loaded.note}\n")
    tuned = None
    if a.finetune:
        tuned = transfer.finetune(loaded, images, a.layer, epochs=epochs, seconds=limit)
        head = tuned.head
        probs = transfer.finetuned_predict(loaded, tuned, [target])[0]
    else:
        feats = {c: transfer.features(loaded, ims)[a.layer] for c, ims in images.items()}
        head = transfer.fit(loaded, feats, a.layer)
        probs = transfer.predict(head, transfer.features(loaded, [target]))[0]
    if a.save:
        data = tuned.checkpoint(loaded) if tuned is not None else transfer.model_checkpoint(loaded, head)
        Path(a.save).write_bytes(data)
    order = sorted(range(len(head.classes)), key=lambda i: -float(probs[i]))
    out = {"classes": list(head.classes), "layer": a.layer, "train_accuracy": round(head.train_accuracy, 6),
           "predictions": [{"label": head.classes[i], "prob": round(float(probs[i]), 6)} for i in order]}
    if tuned is not None:
        r = (lambda v: None if v is None else round(v, 6))
        out["finetune"] = {"heldout_accuracy": r(tuned.heldout), "frozen_heldout_accuracy": r(tuned.frozen_heldout),
                           "train_images": tuned.n_train, "heldout_images": tuned.n_heldout,
                           "epochs": tuned.epochs, "steps": tuned.steps, "stopped_by_time": tuned.stopped_by_time,
                           "seconds": round(tuned.seconds, 3)}
    if a.json:
        _print_json(out)
    else:
        how = "conv5 fine-tuned with a new last layer" if tuned is not None else "new last layer"
        print(f"{a.variant} ({loaded.source} weights), {how} on {a.layer}: "
              f"train accuracy {100 * head.train_accuracy:.1f}%")
        if tuned is not None:
            pct = (lambda v: "-" if v is None else f"{100 * v:.1f}%")
            print(f"  held-out accuracy ({tuned.n_heldout} images): fine-tuned {pct(tuned.heldout)}, "
                  f"frozen features {pct(tuned.frozen_heldout)}; {tuned.epochs} epochs, {tuned.seconds:.1f} s"
                  + (" (stopped by the time limit)" if tuned.stopped_by_time else ""))
        for p in out["predictions"]:
            print(f"  {100 * p['prob']:6.2f}%  {p['label']}")
        if a.save:
            print(f"saved {a.save}")


def _quiz(a) -> None:
    from . import i18n
    from .lab.quiz import no_image_questions, to_json

    if a.lang not in i18n.LANGUAGES:
        raise UsageError(f"unknown language {a.lang!r}; choose one of: {', '.join(i18n.LANGUAGES)}")
    with i18n.using(a.lang):
        questions = no_image_questions(a.variant, a.size)
        if a.json:
            _print_json(to_json(a.variant, questions))
            return
        for q in questions:
            tol = f" (within {100 * q.tolerance:g} %)" if q.tolerance else ""
            print(f"[{q.page}] {q.id}: {q.prompt}\n    → {q.answer}{tol}. {q.explanation}")


HANDLERS = {"experiment": _experiment, "summary": _summary, "weights": _weights, "predict": _predict, "gradcam": _gradcam, "rf": _rf,
            "train": _train, "unit": _unit, "visualize": _visualize,
            "transfer": _transfer, "quiz": _quiz}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        a = build_parser().parse_args(argv)
        HANDLERS[a.command](a)
        return 0
    except UsageError as e:
        return _fail(str(e), 2)
    except BrokenPipeError:  # e.g. `python -m vggviz summary vgg16 | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
        return 0
    except (ValueError, OSError) as e:
        # Every input error of vggviz (unknown variant or layer, bad image, bad weights,
        # bad size) is a ValueError subclass with a one-line message.
        if os.environ.get("VGGVIZ_DEBUG"):
            raise
        return _fail(str(e), 2)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as e:  # noqa: BLE001 - never a traceback for the user
        if os.environ.get("VGGVIZ_DEBUG"):
            raise
        return _fail(f"internal error ({type(e).__name__}: {e}); set VGGVIZ_DEBUG=1 for details", 1)


def _fail(message: str, code: int) -> int:
    line = " ".join(str(message).split()) or "error"
    sys.stderr.write(f"vggviz: error: {line}\n")
    return code
