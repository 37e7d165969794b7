"""What training costs, and what it costs everyone else.

* ``first_epoch``: the lab's default single run (``python -m vggviz train vgg11_mini --epochs 1
  --seed 0``): held-out accuracy after its one epoch, as a multiple of chance (budget: ≥ 3×,
  it learns visibly in the first epoch), and its seconds.
* ``live``: one seed of every arm of ``--experiment`` (default depth: 4 arms) on the lab's
  budget, one after another with ``--threads`` torch threads (default 2, the classroom
  server's cores): its seconds against the budget of 180 s (ratio ≤ 1), and the seconds per
  arm-seed. On CUDA too when there is one (``live_cuda``).

* ``epochs``: seconds per training epoch of each mini configuration (the paper's recipe on
  ``--images`` shapes images), on the CPU and on CUDA when there is one, and the
  ratio to A's epoch.
* ``latency``: median time of one :func:`vggviz.inference.analysis.analyze` (``--variant``, default
  vgg16_mini; try vgg11 for a full-size pass) with the training pool idle, with a training
  run going and no gate, and with a run going while the pass holds the foreground gate
  (:func:`vggviz.serving.jobs.Pool.foreground`); ratios against idle.

    .venv/bin/python -m benchmarks.bench_training [--images 1024] [--repeats 9] [--variant vgg16_mini]
        [--experiment depth] [--threads 2] [--live-epochs N --live-train-size N] [--skip-live | --lab-only] [--json]
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
LIVE_BUDGET_S = 180.0        # a live experiment of 4 arms × 1 seed on 2 CPU cores
FIRST_EPOCH_TIMES_CHANCE = 3.0


def first_epoch(device: str = "cpu", train_size: int | None = None) -> dict:
    """The lab's default single run, one epoch: held-out accuracy against chance."""
    import dataclasses

    from vggviz.data.shapes import CLASSES
    from vggviz.lab.training import percent

    recipe = Recipe(epochs=1, seed=0)
    if train_size:
        recipe = dataclasses.replace(recipe, train_size=train_size, batch_size=min(recipe.batch_size, train_size),
                                     val_size=min(recipe.val_size, 200))
    res = train("vgg11_mini", recipe, device)
    chance = 100 / len(CLASSES)
    acc = percent(res.final_accuracy)
    return {"final_accuracy": acc, "chance": round(chance, 2), "times_chance": round(acc / chance, 2),
            "train_size": recipe.train_size,
            "budget_times_chance": FIRST_EPOCH_TIMES_CHANCE, "seconds": round(res.seconds, 2)}


def live_experiment(key: str, device: str, threads: int, epochs: int | None, train_size: int | None) -> dict:
    """One seed of every arm of experiment ``key``, one after another (as the server's one
    training worker runs them), with ``threads`` torch threads: seconds against the budget."""
    import dataclasses

    from vggviz.lab import experiments

    budget = experiments.BUDGET
    changes = {k: v for k, v in (("epochs", epochs), ("train_size", train_size)) if v}
    if train_size:          # a shrunk budget (tests): a held-out set to match
        changes.update(batch_size=min(budget.batch_size, train_size), val_size=min(budget.val_size, 200),
                       curve_size=min(budget.curve_size, 200))
    budget = dataclasses.replace(budget, **changes)
    dataset(DATA_SEED, budget.train_size)             # the server has its images cached after the first run
    dataset(VAL_SEED, budget.val_size)
    t0 = time.perf_counter()
    out = experiments.run(key, [0], device, budget, workers=1, threads=threads)
    seconds = time.perf_counter() - t0
    arms = len(out["arms"])
    return {"experiment": key, "arms": arms, "threads": threads, "steps": budget.steps, "seconds": round(seconds, 1),
            "per_arm_seed_s": {a["label"]: a["seconds_per_seed"] for a in out["arms"]},
            "budget_s": LIVE_BUDGET_S * arms / 4, "ratio_to_budget": round(seconds / (LIVE_BUDGET_S * arms / 4), 3)}


def epoch_times(device: str, images: int) -> dict[str, float]:
    dataset(DATA_SEED, images)
    dataset(VAL_SEED, 200)
    train("vgg11_mini", Recipe(epochs=1, train_size=128, val_size=50), device)   # warm-up
    out = {}
    for v in CONFIGS:
        res = train(v, Recipe(epochs=1, train_size=images, val_size=200), device)
        out[v] = res.epochs[0].seconds
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
        out[name + "_s"] = statistics.median(times)
        out[name + "_training_paused_s"] = pool.paused_s
    idle_times += [one(None) for _ in range(repeats)]     # idle before and after: a busy machine shows
    idle = statistics.median(idle_times)
    out["idle_s"] = idle
    out["idle_spread_s"] = [min(idle_times), max(idle_times)]
    for name in ("training_no_gate", "training_gate"):
        out[name + "_ratio"] = out[name + "_s"] / idle
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=int, default=1024, help="training images per epoch (6000 = the app's)")
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--variant", default="vgg16_mini", help="the model of the timed forward pass")
    ap.add_argument("--experiment", default="depth", help="the live experiment timed (one seed of every arm)")
    ap.add_argument("--threads", type=int, default=2, help="torch threads of the live experiment (2: the budget's cores)")
    ap.add_argument("--live-epochs", type=int, default=None, help="shrink the live budget (for tests)")
    ap.add_argument("--live-train-size", type=int, default=None,
                    help="shrink the live budget and the first epoch (for tests)")
    ap.add_argument("--skip-live", action="store_true", help="skip first_epoch and live (the slow parts)")
    ap.add_argument("--lab-only", action="store_true", help="only first_epoch and live (the lab's two budgets)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = {"threads": torch.get_num_threads(), "images": args.images, "epochs": {}}
    if not args.lab_only:
        res["epochs"]["cpu"] = epoch_times("cpu", args.images)
    if torch.cuda.is_available() and not args.lab_only:
        res["epochs"]["cuda"] = epoch_times("cuda", args.images)
    if not args.skip_live:
        res["first_epoch"] = first_epoch("cpu", args.live_train_size)
        res["live"] = live_experiment(args.experiment, "cpu", args.threads, args.live_epochs, args.live_train_size)
        if torch.cuda.is_available():
            res["live_cuda"] = live_experiment(args.experiment, "cuda", args.threads, args.live_epochs,
                                               args.live_train_size)
    if not args.lab_only:
        res["latency"] = latency(args.variant, args.repeats, args.images)
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"torch threads: {res['threads']}, {args.images} training images per epoch")
    for dev, times in res["epochs"].items():
        a = times["vgg11_mini"]
        for v, s in times.items():
            print(f"  {dev:5s} {v:12s} {s:7.2f} s/epoch  ({s / a:.2f}× A)  ≈ {s * 6000 / args.images:.1f} s at 6000 images")
    if "first_epoch" in res:
        f = res["first_epoch"]
        print(f"first epoch of train vgg11_mini: {f['final_accuracy']:.1f} % held-out = {f['times_chance']}× chance "
              f"(budget ≥ {f['budget_times_chance']}×), {f['seconds']:.1f} s")
    for name in ("live", "live_cuda"):
        if name in res:
            lv = res[name]
            print(f"{name}: {lv['experiment']}, {lv['arms']} arms × 1 seed, {lv['steps']} steps each, {lv['threads']} "
                  f"threads: {lv['seconds']:.1f} s ({lv['ratio_to_budget']}× the {lv['budget_s']:.0f} s budget)")
    lat = res.get("latency")
    if lat is None:
        print(json.dumps(res))
        return 0
    print(f"analyze({lat['variant']}): idle {lat['idle_s'] * 1000:.0f} ms; "
          f"while training, no gate {lat['training_no_gate_s'] * 1000:.0f} ms ({lat['training_no_gate_ratio']}× idle); "
          f"with the foreground gate {lat['training_gate_s'] * 1000:.0f} ms ({lat['training_gate_ratio']}× idle)")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
