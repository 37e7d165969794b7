"""How hard the shapes world is under the lab's budget: held-out accuracy of the batch-norm
mini A, B, D, E trained the lab's way (a fixed training set, a few passes, SGD with momentum,
warm-up then cosine decay to zero), on the fixed held-out set (vggviz.data.shapes.heldout, 5,000).

    .venv/bin/python -m benchmarks.bench_world_difficulty [--variants vgg11_bn_mini,...] [--seeds 0,1]
        [--train-size 6000] [--epochs 3] [--lr 0.02] [--warmup 0.1] [--json]

The world is meant to leave headroom: the best configuration about 85-90 %, A lower.
Prints one line per run and a mean per variant; one thread per run (set by the script).
"""

from __future__ import annotations

import vggviz.boot  # noqa: F401  (imports torchvision first)

import argparse
import json
import statistics
import sys

import torch

from vggviz.lab.bundled import train_steps


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--variants", default="vgg11_bn_mini,vgg13_bn_mini,vgg16_bn_mini,vgg19_bn_mini")
    p.add_argument("--seeds", default="0")
    p.add_argument("--train-size", type=int, default=6000)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=0.02)
    p.add_argument("--warmup", type=float, default=0.1)
    p.add_argument("--json", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    steps = a.epochs * (a.train_size // a.batch)
    rows = []
    for v in a.variants.split(","):
        for seed in (int(s) for s in a.seeds.split(",")):
            r = train_steps(v, steps, batch_size=a.batch, lr=a.lr, warmup=a.warmup, seed=seed,
                            train_size=a.train_size, eval_every=max(steps // a.epochs, 1))
            rows.append({"variant": r.variant, "seed": seed, "steps": steps, "accuracy": round(100 * r.val_accuracy, 2),
                         "seconds": round(r.seconds, 1), "curve": [round(100 * c, 1) for _s, c in r.curve]})
            print(f"{r.variant:<16} seed {seed}  {steps} steps  held-out {100 * r.val_accuracy:5.2f} %  "
                  f"curve {rows[-1]['curve']}  {r.seconds:.0f} s", flush=True)
    for v in dict.fromkeys(r["variant"] for r in rows):
        accs = [r["accuracy"] for r in rows if r["variant"] == v]
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print(f"{v:<16} mean {statistics.mean(accs):5.2f} % ± {sd:.2f} (sd, {len(accs)} seeds)")
    if a.json:
        print(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
