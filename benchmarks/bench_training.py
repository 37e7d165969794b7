"""What training costs, and what it costs everyone else.

* ``epochs``: seconds per training epoch of each mini configuration (the paper's recipe on
  ``--images`` shapes images, batch 64), on the CPU and on CUDA when there is one, and the
  ratio to A's epoch.
* ``latency``: median time of one :func:`vggviz.inference.analysis.analyze` (``--variant``, default
  vgg16_mini; try vgg11 for a full-size pass) with the training pool idle, with a training
  run going and no gate, and with a run going while the pass holds the foreground gate
  (:func:`vggviz.serving.jobs.Pool.foreground`); ratios against idle.

    .venv/bin/python -m benchmarks.bench_training [--images 1024] [--repeats 9] [--variant vgg16_mini] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import torch  # noqa: E402

from benchmarks.common import setup, sync  # noqa: E402
from vggviz.inference.analysis import analyze  # noqa: E402
from vggviz.lab.training import DATA_SEED, VAL_SEED, Recipe, dataset, train  # noqa: E402
from vggviz.serving.jobs import Pool  # noqa: E402

CONFIGS = ("vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini")


def epoch_times(device: str, images: int) -> dict[str, float]:
    dataset(DATA_SEED, images)
    dataset(VAL_SEED, 200)
    train("vgg11_mini", Recipe(epochs=1, train_size=128, val_size=50), device)   # warm-up
    out = {}
    for v in CONFIGS:
        res = train(v, Recipe(epochs=1, train_size=images, val_size=200), device)
        out[v] = round(res.epochs[0].seconds, 3)
    return out


def latency(variant: str, repeats: int, images: int) -> dict:
    loaded, img, _ = setup(variant, "cpu", "random", None)

    def one(gate: Pool | None) -> float:
        t0 = time.perf_counter()
        if gate is None:
            analyze(loaded, img)
        else:
            with gate.foreground():
                analyze(loaded, img)
        sync(loaded.device)
        return time.perf_counter() - t0

    for _ in range(3):
        one(None)
    idle_times = [one(None) for _ in range(repeats)]
    out = {"variant": variant}
    for name, gated in (("training_no_gate", False), ("training_gate", True)):
        pool = Pool(1, register=False)
        job = pool.submit("vgg16_mini", Recipe(epochs=50, train_size=images, val_size=100), "cpu", "bench")
        while job.progress is None:           # wait until it really trains
            time.sleep(0.05)
        times = [one(pool if gated else None) for _ in range(repeats)]
        pool.cancel(job)
        pool.wait(job, 60)
        out[name + "_s"] = round(statistics.median(times), 4)
        out[name + "_training_paused_s"] = round(pool.paused_s, 2)
    idle_times += [one(None) for _ in range(repeats)]     # idle before and after: a busy machine shows
    idle = statistics.median(idle_times)
    out["idle_s"] = round(idle, 4)
    out["idle_spread_s"] = [round(min(idle_times), 4), round(max(idle_times), 4)]
    for name in ("training_no_gate", "training_gate"):
        out[name + "_ratio"] = round(out[name + "_s"] / idle, 2)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=1024, help="training images per epoch (6000 = the app's)")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--variant", default="vgg16_mini", help="the model of the timed forward pass")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = {"threads": torch.get_num_threads(), "images": args.images, "epochs": {"cpu": epoch_times("cpu", args.images)}}
    if torch.cuda.is_available():
        res["epochs"]["cuda"] = epoch_times("cuda", args.images)
    res["latency"] = latency(args.variant, args.repeats, args.images)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"torch threads: {res['threads']}, {args.images} training images per epoch")
    for dev, times in res["epochs"].items():
        a = times["vgg11_mini"]
        for v, s in times.items():
            print(f"  {dev:5s} {v:12s} {s:7.2f} s/epoch  ({s / a:.2f}× A)  ≈ {s * 6000 / args.images:.1f} s at 6000 images")
    lat = res["latency"]
    print(f"analyze({lat['variant']}): idle {lat['idle_s'] * 1000:.0f} ms; "
          f"while training, no gate {lat['training_no_gate_s'] * 1000:.0f} ms ({lat['training_no_gate_ratio']}× idle); "
          f"with the foreground gate {lat['training_gate_s'] * 1000:.0f} ms ({lat['training_gate_ratio']}× idle)")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
