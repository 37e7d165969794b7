"""The lab's experiments on a CUDA GPU: every arm of each experiment over ``--seeds`` paired
seeds (default 8) at the lab's full budget, ``--workers`` processes sharing the GPU, then the
training benchmark's CUDA path (the first epoch and a live 4-arm experiment). Prints one JSON
object: ``{"device", "torch", "experiments": {KEY: the experiment's JSON}, "benchmark": …}``.
Needs torch and torchvision only (no streamlit, no plotly).

    python benchmarks/gpu_experiments.py [--seeds 8] [--workers 4] [--keys depth,kernel,init,c_lrn] > gpu.json

On a GPU the arm-seeds are not bit-identical to the CPU references (other kernels, and cuDNN
picks its algorithms per run); the verdicts are what to compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--keys", default="depth,kernel,init,c_lrn")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--skip-benchmark", action="store_true")
    a = ap.parse_args(argv)
    from vggviz.lab import experiments

    t0 = time.perf_counter()
    out = {"device": a.device, "torch": torch.__version__,
           "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
           "experiments": experiments.run_many(a.keys.split(","), a.seeds, a.device, workers=a.workers, threads=1)}
    out["seconds"] = round(time.perf_counter() - t0, 1)
    for key, res in out["experiments"].items():
        for c in res["comparisons"]:
            print(f"{key}: {c['better']} − {c['worse']}: {c['mean_diff']:+.2f} points, CI {c['ci95']}, "
                  f"wins {c['wins']}/{c['n']} → {c['verdict']}", file=sys.stderr)
    if not a.skip_benchmark:
        from benchmarks import bench_training

        out["benchmark"] = {"first_epoch": bench_training.first_epoch(a.device),
                            "live": bench_training.live_experiment("depth", a.device, 2, None, None)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
