"""channels_last against the default layout: one analysis on the CPU, in one run.

``vggviz.model.weights.load_model`` puts a CPU model's convolution weights in channels_last, oneDNN's
fast layout. This runs ``vggviz.inference.analysis.analyze`` on the same image with that model and with
a contiguous copy of it, alternating, on one torch thread and on all of them, and reports the
median seconds, their ratio, and how far the two results are apart (the same top-5; the
probabilities differ only in float32 rounding).

    .venv/bin/python -m benchmarks.bench_layout [--variant vgg16] [--repeats 5] [--json]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import statistics
import sys

import numpy as np
import torch
from PIL import Image

from benchmarks.common import median_seconds, torch_threads
from vggviz.inference.analysis import analyze
from vggviz.model.weights import load_model


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--variant", default="vgg16")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    fast = load_model(a.variant, "random", "cpu")
    plain = dataclasses.replace(fast, model=copy.deepcopy(fast.model).to(memory_format=torch.contiguous_format))
    size = fast.input_size
    img = Image.fromarray(np.random.default_rng(0).integers(0, 256, (size + 32, size + 64, 3), dtype=np.uint8))
    out: dict = {"variant": a.variant, "repeats": a.repeats}
    for n in sorted({1, torch.get_num_threads()}):
        with torch_threads(n):
            analyze(fast, img)
            analyze(plain, img)                                  # warm-ups
            t_plain, t_fast = [], []
            for _ in range(a.repeats):                           # alternating, so both see the same machine
                t_plain.append(median_seconds(lambda: analyze(plain, img), 1))
                t_fast.append(median_seconds(lambda: analyze(fast, img), 1))
        f, q = statistics.median(t_fast), statistics.median(t_plain)
        out[f"threads_{n}"] = {"contiguous_s": round(q, 3), "channels_last_s": round(f, 3),
                               "ratio": round(f / q, 3)}
    ra, rb = analyze(fast, img), analyze(plain, img)
    out["same_top5"] = [t.index for t in ra.top] == [t.index for t in rb.top]
    out["max_abs_prob_diff"] = float(np.abs(ra.probs - rb.probs).max())
    print(json.dumps(out) if a.json else json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
