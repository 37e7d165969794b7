"""What "Can this map be trusted?" costs on a full-size VGG: the cascading randomisation check
(:func:`vggviz.explain.trust.randomisation_check`, 9 maps on a private deep copy of the model) and the
deletion/insertion curves (:func:`vggviz.explain.trust.deletion_insertion`, 4 × (steps + 1) images).

Each method runs in its own process, so its peak memory is its own: ``peak_rss_mb`` is the
process's peak resident memory (``ru_maxrss``) after the check, ``before_rss_mb`` the peak
after loading the model and analysing the image (so ``extra_peak_mb`` is what the check adds:
the private copy of the weights, VGG16's 528 MB, plus the activations of its passes).
``seconds`` is the wall-clock time of the check, also as a multiple of one bare forward pass
(``over_bare``), which is what to compare between machines. Random weights by default: the cost
does not depend on what the weights are.

    .venv/bin/python -m benchmarks.bench_trust [--variant vgg16] [--device auto] [--methods Grad-CAM,Saliency]
        [--curves-steps 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from benchmarks.common import setup, sync  # noqa: E402
from vggviz.explain import attribution, trust  # noqa: E402
from vggviz.inference.analysis import analyze  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024      # Linux: KiB


def one(variant: str, device: str, weights: str, method: str, steps: int) -> dict:
    """The check of one method, in this process."""
    loaded, img, x = setup(variant, device, weights, None)
    res = analyze(loaded, img)
    target = res.top[0].index
    with torch.inference_mode():                # the floor, warmed up
        for _ in range(2):
            loaded.model(x)
    sync(loaded.device)
    t0 = time.perf_counter()
    with torch.inference_mode():
        loaded.model(x)
    sync(loaded.device)
    bare = time.perf_counter() - t0
    before = _peak_mb()
    t0 = time.perf_counter()
    chk = trust.randomisation_check(loaded, res, target, None, method)
    sync(loaded.device)
    seconds = time.perf_counter() - t0
    peak = _peak_mb()
    out = {"variant": variant, "weights": loaded.source, "device": str(loaded.device), "method": method,
           "maps": len(chk.steps) + 1, "seconds": round(seconds, 2), "bare_forward_s": round(bare, 3),
           "over_bare": round(seconds / bare, 1), "before_rss_mb": round(before), "peak_rss_mb": round(peak),
           "extra_peak_mb": round(peak - before), "spearman": [round(r, 3) for r in chk.correlations]}
    if steps:
        t0 = time.perf_counter()
        cur = trust.deletion_insertion(loaded, res, chk.original, target, steps)
        out.update(curves_steps=steps, curves_images=cur.passes, curves_s=round(time.perf_counter() - t0, 2))
    out["machine"] = (torch.cuda.get_device_name(loaded.device) if loaded.device.type == "cuda" else
                      f"CPU ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)")
    out["load_average_1min"] = round(os.getloadavg()[0], 2)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--device", default="auto")
    p.add_argument("--weights", default="random")
    p.add_argument("--methods", default=",".join(trust.RANDOMISATION_METHODS),
                   help="comma-separated method names (default: every method)")
    p.add_argument("--curves-steps", type=int, default=0, help="also time deletion/insertion at this many steps")
    p.add_argument("--json", action="store_true")
    p.add_argument("--one", default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.one:
        print(json.dumps(one(a.variant, a.device, a.weights, a.one, a.curves_steps)))
        return
    rows = []
    for method in [attribution.resolve_method(m.strip()) for m in a.methods.split(",") if m.strip()]:
        cmd = [sys.executable, "-m", "benchmarks.bench_trust", "--variant", a.variant, "--device", a.device, "--weights", a.weights,
               "--curves-steps", str(a.curves_steps), "--one", method]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        if not a.json:
            print(f"{row['method']:22s} {row['seconds']:8.1f} s  ({row['over_bare']:6.1f} × a forward pass)  "
                  f"peak {row['peak_rss_mb']} MB (+{row['extra_peak_mb']} MB)"
                  + (f"  curves {row['curves_s']} s" if a.curves_steps else ""), flush=True)
    if a.json:
        print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
