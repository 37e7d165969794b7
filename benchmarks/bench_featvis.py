"""What feature visualisation costs, per layer and image size, against its budgets.

For each layer and size: the seconds per optimisation step for one channel and for a
gallery of N channels in one batch (median of a few timed steps after a warm-up step), and
the projected time of a run at the app's default step counts (galleries at the gallery's
default size). Budgets (issue 10, 2 CPU
cores): one VGG16 channel up to conv4_3 at 128 px ≤ 60 s, a gallery of 16 ≤ 180 s; the
mini family in a few seconds; on a GPU a VGG16 channel ≤ 5 s. ``--full`` also runs one
whole default-length channel run and one whole gallery at conv4_3 (the numbers the budgets
are about, measured, not projected).

    .venv/bin/python -m benchmarks.bench_featvis [--variant vgg16] [--device auto] [--steps 3] [--full] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from benchmarks.common import sync  # noqa: E402
from vggviz.explain.featvis import default_settings, visualize  # noqa: E402
from vggviz.model.layers import named_layers  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402

BUDGET_CHANNEL_S = 60.0
BUDGET_GALLERY_S = 180.0
BUDGET_GPU_CHANNEL_S = 5.0
GALLERY = 16


def _per_step(loaded, layer: str, channels: list[int], size: int, steps: int) -> float:
    """Seconds per step: (time of 1 + steps steps − time of 1 step) / steps, so the fixed
    costs (copying the layers, measuring noise) are left out."""
    def run(n: int) -> float:
        sync(loaded.device)
        t0 = time.perf_counter()
        visualize(loaded, layer, channels, default_settings(loaded, size=size, steps=n))
        sync(loaded.device)
        return time.perf_counter() - t0

    run(1)                                           # warm-up
    one = statistics.median(run(1) for _ in range(2))
    many = run(1 + steps)
    return max(1e-6, (many - one) / steps), one


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--weights", default="random", help="the cost does not depend on the weights")
    p.add_argument("--device", default="auto")
    p.add_argument("--steps", type=int, default=3, help="timed steps per measurement")
    p.add_argument("--layers", default=None, help="comma-separated (default: the last conv of blocks 3, 4, 5; mini: of block 4)")
    p.add_argument("--sizes", default=None, help="comma-separated px (default: 64,128,224; mini: 64)")
    p.add_argument("--gallery", type=int, default=GALLERY)
    p.add_argument("--full", action="store_true", help="also run one whole default channel run and gallery at conv4_3")
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)

    loaded = load_model(a.variant, a.weights, a.device)
    mini = loaded.input_size <= 64
    convs = [layer for layer in named_layers(loaded.model) if layer.kind == "conv"]
    last = {b: [layer.name for layer in convs if layer.block == b][-1] for b in (3, 4, 5)}   # conv4_3 in D, conv4_2 in A
    layers = a.layers.split(",") if a.layers else ([last[4]] if mini else [last[3], last[4], last[5]])
    sizes = [int(s) for s in (a.sizes or ("64" if mini else "64,128,224")).split(",")]
    one_defaults = default_settings(loaded)
    gal_defaults = default_settings(loaded, gallery=True)
    rows, gallery_rows = [], []
    for layer in layers:
        for size in sizes:
            step1, fixed1 = _per_step(loaded, layer, [0], size, a.steps)
            rows.append({"layer": layer, "size": size, "step_s": round(step1, 6),
                         "channel_s": round(fixed1 + step1 * one_defaults.steps, 2)})
            if not a.json:
                print(f"{layer:>8} {size:>4} px: {step1:.3f} s/step, {rows[-1]['channel_s']:.1f} s for "
                      f"{one_defaults.steps} steps", file=sys.stderr)
        stepn, fixedn = _per_step(loaded, layer, list(range(a.gallery)), gal_defaults.size, max(1, a.steps // 2))
        gallery_rows.append({"layer": layer, "size": gal_defaults.size, "step_s": round(stepn, 6),
                             "gallery_s": round(fixedn + stepn * gal_defaults.steps, 2)})
        if not a.json:
            print(f"{layer:>8} {gal_defaults.size:>4} px, gallery of {a.gallery}: {stepn:.3f} s/step, "
                  f"{gallery_rows[-1]['gallery_s']:.1f} s for {gal_defaults.steps} steps", file=sys.stderr)
    out = {
        "variant": a.variant, "device": str(loaded.device), "threads": torch.get_num_threads(),
        "default_steps": one_defaults.steps, "default_size": one_defaults.size,
        "gallery_steps": gal_defaults.steps, "gallery_size": gal_defaults.size, "gallery": a.gallery,
        "rows": rows, "gallery_rows": gallery_rows,
    }
    budget_layer = last[4] if last[4] in layers else layers[-1]
    at = {r["size"]: r for r in rows if r["layer"] == budget_layer}
    ch_size = one_defaults.size if one_defaults.size in at else max(at)
    gal = next(r for r in gallery_rows if r["layer"] == budget_layer)
    out["budget"] = {
        "layer": budget_layer, "channel_size": ch_size, "channel_s": at[ch_size]["channel_s"],
        "gallery_size": gal["size"], "gallery_s": gal["gallery_s"],
        "channel_limit_s": BUDGET_GPU_CHANNEL_S if loaded.device.type == "cuda" else BUDGET_CHANNEL_S,
        "gallery_limit_s": BUDGET_GALLERY_S, "measured": False,
    }
    if a.full:
        t0 = time.perf_counter()
        visualize(loaded, budget_layer, 0, one_defaults)
        out["full_run"] = {"layer": budget_layer, "size": one_defaults.size, "steps": one_defaults.steps,
                           "seconds": round(time.perf_counter() - t0, 2)}
        t0 = time.perf_counter()
        visualize(loaded, budget_layer, list(range(a.gallery)), gal_defaults)
        out["full_gallery"] = {"layer": budget_layer, "size": gal_defaults.size, "steps": gal_defaults.steps,
                               "channels": a.gallery, "seconds": round(time.perf_counter() - t0, 2)}
        # What the budgets are about, measured rather than projected from a few steps.
        out["budget"].update(channel_s=out["full_run"]["seconds"], channel_size=one_defaults.size,
                             gallery_s=out["full_gallery"]["seconds"], measured=True)
    print(json.dumps(out) if a.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
