"""First come, first served against everyone at once, in one process.

N analyses of one image each (distinct images) start at the same moment on one shared model:
(a) each in its own thread, as sessions ran them before the scheduler; (b) through
:mod:`vggviz.serving.scheduler`. Reports each way's p50/p95/max completion time against the floor
(N × one analysis on one core ÷ cores, the one analysis measured alone first with one torch
thread, as ``benchmarks/load_server.py`` measures it). Targets (issue 12):
p50 ≤ 0.6 × floor and p95 ≤ 1.5 × floor for the scheduler.

    .venv/bin/python -m benchmarks.bench_scheduler [--variant vgg16] [--users 16] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from benchmarks.common import median_seconds, torch_threads  # noqa: E402
from vggviz.inference.analysis import analyze  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402
from vggviz.serving.scheduler import Scheduler, cores  # noqa: E402


def _images(n: int, size: int):
    rng = np.random.default_rng(0)
    return [Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)) for _ in range(n)]


def _pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _run(images, work) -> list[float]:
    times = [0.0] * len(images)
    start = threading.Barrier(len(images) + 1)

    def one(i):
        start.wait()
        t0 = time.perf_counter()
        work(i)
        times[i] = time.perf_counter() - t0

    ts = [threading.Thread(target=one, args=(i,)) for i in range(len(images))]
    for t in ts:
        t.start()
    start.wait()
    for t in ts:
        t.join()
    return times


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--users", type=int, default=16)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    loaded = load_model(a.variant, "random", "cpu")
    imgs = _images(a.users, loaded.input_size)
    analyze(loaded, imgs[0])                                   # warm-up
    with torch_threads(1):
        alone = median_seconds(lambda: analyze(loaded, imgs[0]), 3)
    n_cores = cores()
    floor = a.users * alone / n_cores
    direct = _run(imgs, lambda i: analyze(loaded, imgs[i]))
    s = Scheduler()
    queued = _run(imgs, lambda i: s.run(("img", i), lambda i=i: analyze(loaded, imgs[i])))
    out = {"variant": a.variant, "users": a.users, "cores": n_cores, "workers": s.workers,
           "one_s": round(alone, 4), "floor_s": round(floor, 4)}
    for name, xs in (("threads", direct), ("scheduler", queued)):
        out[name] = {"p50_s": round(_pct(xs, 0.5), 2), "p95_s": round(_pct(xs, 0.95), 2), "max_s": round(max(xs), 2),
                     "p50_over_floor": round(_pct(xs, 0.5) / floor, 2), "p95_over_floor": round(_pct(xs, 0.95) / floor, 2)}
    print(json.dumps(out) if a.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
