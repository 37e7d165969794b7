"""What Grad-CAM costs on top of the one forward pass.

For one variant (default VGG16) at 224 px on the device it runs on, medians of:

* ``bare``: ``model(x)`` under ``inference_mode`` (the floor);
* ``analyze + gradcam``: :func:`vggviz.inference.analysis.analyze` (top-5 and every feature map) plus
  :func:`vggviz.explain.attribution.gradcam` at the last conv for the top-1 class: what an upload
  costs the app (target: ≤ 1.3 × bare);
* ``gradcam``: Grad-CAM alone, from the cached activation through the tail;
* ``captum whole model``: captum's ``LayerGradCam(model, last conv)`` from the image, a full
  forward and backward pass (what Grad-CAM would cost without the cached activation);
* ``depth sweep``: Grad-CAM at the five block ends (one pass from relu1_x);
* ``guided Grad-CAM``: guided backprop through the whole network (× the cached Grad-CAM);
* ``compare methods``: Grad-CAM + Guided Grad-CAM + saliency, as the page computes them;
* ``occlusion``: :func:`vggviz.explain.attribution.occlusion` (default patch/stride, 32/16 at 224 px:
  170 forward passes in batches of 16), reported as a multiple of ``gradcam`` (what the page's
  Grad-CAM costs) and of ``captum whole model``. It is timed in the first
  ``--occlusion-repeats`` rounds only (default 1: it is two orders of magnitude slower).

Runs alternate (bare, then the others), so a busy machine slows all alike.

    .venv/bin/python -m benchmarks.bench_gradcam [--variant vgg16] [--device auto] [--repeats 5] [--json]
        [--occlusion-patch P --occlusion-stride S] [--occlusion-repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from benchmarks.common import setup, sync  # noqa: E402
from vggviz.explain import attribution  # noqa: E402
from vggviz.inference.analysis import analyze  # noqa: E402
from vggviz.model.layers import find_layer, named_layers  # noqa: E402

TARGET_RATIO = 1.3


def run(variant: str, device: str, weights: str, repeats: int, warmup: int, image: str | None,
        occlusion_patch: int | None = None, occlusion_stride: int | None = None, occlusion_repeats: int = 1) -> dict:
    from captum.attr import GuidedBackprop, LayerGradCam

    loaded, img, x = setup(variant, device, weights, image)
    dev = loaded.device
    model = loaded.model
    layer = attribution.default_layer(loaded)
    module = find_layer(named_layers(model), layer).module
    res = analyze(loaded, img)
    target = res.top[0].index

    def timed(fn) -> float:
        sync(dev)
        t0 = time.perf_counter()
        fn()
        sync(dev)
        return time.perf_counter() - t0

    def bare():
        with torch.inference_mode():
            model(x)

    def full():
        r = analyze(loaded, img)
        attribution.gradcam(loaded, r, layer, None)

    def cam_only():
        attribution.gradcam(loaded, res, layer, target)

    def captum_whole():
        with attribution.attribution_mode(loaded):
            LayerGradCam(model, module).attribute(x.clone(), target=target, relu_attributions=True)

    def sweep():
        attribution.depth_sweep(loaded, res, target)

    def guided():
        with attribution.attribution_mode(loaded) as net, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GuidedBackprop(net).attribute(x.clone().requires_grad_(True), target=target)

    def methods():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            attribution.compare_methods(loaded, res, target, layer)

    size = int(x.shape[-1])
    patch, stride = attribution.occlusion_defaults(size)
    patch = occlusion_patch or patch
    stride = occlusion_stride or (patch // 2 if occlusion_patch else stride)
    passes = attribution.occlusion_passes(size, patch, stride)

    def occlusion():
        attribution.occlusion(loaded, res, target, patch, stride)

    cases = {"bare": bare, "analyze_gradcam": full, "gradcam": cam_only, "captum_whole": captum_whole,
             "depth_sweep": sweep, "guided": guided, "methods": methods}
    for _ in range(warmup):
        for fn in cases.values():
            fn()
    times: dict[str, list[float]] = {k: [] for k in cases}
    times["occlusion"] = []
    for i in range(repeats):
        for k, fn in cases.items():
            times[k].append(timed(fn))
        if i < occlusion_repeats:
            times["occlusion"].append(timed(occlusion))

    med = {k: statistics.median(v) for k, v in times.items()}
    return {
        "variant": variant, "weights": loaded.source, "device": str(dev),
        "device_name": torch.cuda.get_device_name(dev) if dev.type == "cuda" else
        f"CPU ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)",
        "input": "1x3x224x224", "layer": layer, "repeats": repeats,
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        **{f"{k}_s": v for k, v in med.items()},
        "ratio": med["analyze_gradcam"] / med["bare"],
        "ratio_paired": statistics.median(f / b for f, b in zip(times["analyze_gradcam"], times["bare"], strict=True)),
        "gradcam_over_bare": med["gradcam"] / med["bare"],
        "occlusion_patch": patch, "occlusion_stride": stride, "occlusion_passes": passes,
        "occlusion_repeats": len(times["occlusion"]),
        "occlusion_over_gradcam": med["occlusion"] / med["gradcam"],
        "occlusion_over_captum_whole": med["occlusion"] / med["captum_whole"],
        "occlusion_over_bare": med["occlusion"] / med["bare"],
        "target_ratio": TARGET_RATIO,
    }


def table(r: dict) -> str:
    ok = "ok" if r["ratio"] <= r["target_ratio"] else "OVER"
    b = r["bare_s"]
    rows = [
        ("device", r["device_name"], ""),
        ("bare forward model(x)", f"{1000 * b:.1f} ms", "1.00 ×"),
        (f"analyze() + gradcam({r['layer']}, top-1)", f"{1000 * r['analyze_gradcam_s']:.1f} ms",
         f"{r['ratio']:.2f} × (target ≤ {r['target_ratio']}: {ok}; paired {r['ratio_paired']:.2f} ×)"),
        (f"gradcam({r['layer']}) from the cache", f"{1000 * r['gradcam_s']:.1f} ms", f"{r['gradcam_s'] / b:.2f} ×"),
        ("captum LayerGradCam on the whole model", f"{1000 * r['captum_whole_s']:.1f} ms", f"{r['captum_whole_s'] / b:.2f} ×"),
        ("depth sweep (5 block ends, one pass)", f"{1000 * r['depth_sweep_s']:.1f} ms", f"{r['depth_sweep_s'] / b:.2f} ×"),
        ("guided backprop (Guided Grad-CAM)", f"{1000 * r['guided_s']:.1f} ms", f"{r['guided_s'] / b:.2f} ×"),
        ("compare methods (Grad-CAM, guided, saliency)", f"{1000 * r['methods_s']:.1f} ms", f"{r['methods_s'] / b:.2f} ×"),
        (f"occlusion ({r['occlusion_patch']}/{r['occlusion_stride']} px: {r['occlusion_passes']} passes)",
         f"{1000 * r['occlusion_s']:.1f} ms",
         f"{r['occlusion_over_bare']:.2f} × = {r['occlusion_over_gradcam']:.0f} × gradcam, "
         f"{r['occlusion_over_captum_whole']:.0f} × captum whole (of {r['occlusion_repeats']})"),
    ]
    w0 = max(len(a) for a, _, _ in rows)
    w1 = max(len(x) for _, x, _ in rows)
    head = (f"{r['variant']} ({r['weights']} weights), {r['input']}, medians of {r['repeats']}"
            + ("" if r["load_average_1min"] is None else f", load average {r['load_average_1min']:.2f} at the end"))
    return "\n".join([head] + [f"  {a:<{w0}}  {x:>{w1}}  {c}".rstrip() for a, x, c in rows])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--device", default="auto", help="auto (cuda when available), cpu or cuda")
    p.add_argument("--weights", default="random", help="random (default: no download), imagenet or a .pth")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--image", default=None, help="image file (default: the bundled cat)")
    p.add_argument("--occlusion-patch", type=int, default=None, help="default: input size / 7 (32 at 224 px)")
    p.add_argument("--occlusion-stride", type=int, default=None, help="default: half the patch")
    p.add_argument("--occlusion-repeats", type=int, default=1, help="rounds that also time occlusion")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    a = p.parse_args(argv)
    r = run(a.variant, a.device, a.weights, max(1, a.repeats), max(0, a.warmup), a.image,
            a.occlusion_patch, a.occlusion_stride, max(1, min(a.occlusion_repeats, a.repeats)))
    print(json.dumps(r, indent=2) if a.json else table(r))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
