"""The shapes lab's experiments: four questions of the paper, each a set of arms trained under
one budget over paired seeds, compared with :mod:`vggviz.lab.stats`, beside the paper's own
effect and scale (:mod:`vggviz.paper`).

* ``depth``: A, B, D, E (batch norm and He init for every arm).
* ``kernel``: 3×3 stacks against one bigger kernel of the same receptive field: B vs B-5×5
  (the paper's own control) and D vs D-7×7.
* ``init``: D without batch norm from N(0, 0.01) (the paper's), He, Glorot, and from a
  trained A (the paper's remedy).
* ``c_lrn``: C's 1×1 convs against B and D; A-LRN against A.

Every arm of an experiment trains :data:`BUDGET` (the same steps, data, order and schedule)
with seeds 0 … n − 1: seed ``s`` of every arm sees the same batches in the same order, so
arms compare seed by seed. A comparison's ``better`` arm is the one the paper found better
(lower top-1 error in its Table 3, or its Sect. 4.1 for the 5×5 control); the verdict comes
from the 95 % interval of the paired difference (:func:`vggviz.lab.stats.paired`).

:func:`run` trains a whole experiment (``workers`` processes, each of ``threads`` torch
threads) and returns its JSON; the reference results, ``assets/experiments/KEY.json``, are
what it returned at full budget (:func:`reference`). Every arm's ``reproduce`` is the CLI
command that retrains one of its seeds and prints the same ``final_accuracy``.

Example::

    from vggviz.lab import experiments
    out = experiments.run("depth", seeds=3)
    [(c["better"], c["worse"], c["verdict"]) for c in out["comparisons"]]

Longer than 400 lines on purpose: the four experiments are data (arms, comparisons, what the
literature says each needs), and running, caching and summarising them is one pipeline.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from vggviz.errors import VggvizError
from vggviz.i18n import N_
from vggviz.lab.stats import mean_sd, paired

__all__ = ["Arm", "Comparison", "Experiment", "EXPERIMENTS", "BUDGET", "MIN_STEPS", "ExperimentError",
           "budget_for", "budget_of", "reproduce_command", "paper_effect", "run", "run_many", "summarise", "reference",
           "REFERENCE_DIR", "check_key"]

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "assets" / "experiments"


class ExperimentError(VggvizError):
    """A request that cannot run (unknown experiment, no seeds, a budget too small); one line."""


@dataclass(frozen=True)
class Arm:
    """One configuration of an experiment: a mini variant, its initialisation, batch norm or not."""

    label: str          # English, unique in its experiment (N_: shown translated)
    variant: str
    init: str = "he"
    bn: bool = True

    @property
    def config(self) -> str:
        from vggviz.model.variants import variant_info

        return variant_info(self.variant).config


@dataclass(frozen=True)
class Comparison:
    """``better`` against ``worse`` (arm labels): ``better`` is the arm the paper found better."""

    better: str
    worse: str


@dataclass(frozen=True)
class Experiment:
    key: str
    title: str
    question: str
    arms: tuple[Arm, ...]
    comparisons: tuple[Comparison, ...]
    needs: str          # what the literature says it takes for a comparison to show (N_)

    def arm(self, label: str) -> Arm:
        return next(a for a in self.arms if a.label == label)


# The lab's budget: every arm of every experiment trains exactly this (seed, initialisation and
# batch norm set per arm): the lab's recipe, 4 epochs of the 6,000 training images (748 steps of
# 32), the peak learning rate after 10 % of the steps, then a half cosine to zero; 5,000 held-out
# images score the final model (the curve's earlier points: the first 1,000 of them).
BUDGET_FIELDS = ("epochs", "batch_size", "lr", "warmup", "momentum", "weight_decay", "dropout",
                 "train_size", "val_size", "curve_size")


def _budget():
    from vggviz.lab.training import Recipe

    return Recipe(val_size=5000, curve_size=1000)


BUDGET = _budget()
MIN_STEPS = 20          # fewer steps than this train nothing worth comparing


EXPERIMENTS: dict[str, Experiment] = {e.key: e for e in [
    Experiment(
        "depth", N_("Depth: A vs B vs D vs E"),
        N_("Does a deeper network learn shapes better, on the same data and budget?"),
        (Arm(N_("A (11 layers)"), "vgg11_mini"), Arm(N_("B (13 layers)"), "vgg13_mini"),
         Arm(N_("D (16 layers)"), "vgg16_mini"), Arm(N_("E (19 layers)"), "vgg19_mini")),
        (Comparison(N_("B (13 layers)"), N_("A (11 layers)")), Comparison(N_("D (16 layers)"), N_("B (13 layers)")),
         Comparison(N_("D (16 layers)"), N_("A (11 layers)")), Comparison(N_("D (16 layers)"), N_("E (19 layers)"))),
        N_("Depth pays where the task does not saturate and the data are plenty: on ImageNet A→D is "
           "2.6 points of top-1 and E no better than D; full-width VGG with batch norm on CIFAR-10 gives "
           "92.4 / 94.2 / 94.0 / 94.0 % for 11/13/16/19 layers (A worse, the rest tie); plain nets "
           "degrade past ~20 layers even with batch norm and He init (He et al. 2016). It takes a task "
           "hard enough to leave headroom, and enough steps for the deeper nets to converge."),
    ),
    Experiment(
        "kernel", N_("3×3 stacks vs one big kernel"),
        N_("Is a stack of 3×3 convolutions better than one larger convolution that sees as far?"),
        (Arm(N_("B: pairs of 3×3"), "vgg13_mini"), Arm(N_("B-5×5: one 5×5 each"), "vgg13_5x5_mini"),
         Arm(N_("D: 3×3 stacks"), "vgg16_mini"), Arm(N_("D-7×7: one 5×5/7×7 each"), "vgg16_7x7_mini")),
        (Comparison(N_("B: pairs of 3×3"), N_("B-5×5: one 5×5 each")),
         Comparison(N_("D: 3×3 stacks"), N_("D-7×7: one 5×5/7×7 each"))),
        N_("The paper's 7-point gap was on ImageNet, where capacity is scarce against the task. With "
           "plenty of easy data the parameter argument disappears; the robust lesson is 'the same "
           "receptive field for about 28 % fewer parameters, and not worse'. A gap needs a task that "
           "does not saturate and a budget where the bigger kernels' extra parameters cannot make up "
           "for the missing non-linearities."),
    ),
    Experiment(
        "init", N_("Why the paper initialised from A"),
        N_("Can a 16-layer plain network (no batch norm) start from small random weights, and what rescues it?"),
        (Arm(N_("D, N(0, 0.01)"), "vgg16_mini", "gaussian", False),
         Arm(N_("D, He init"), "vgg16_mini", "he", False),
         Arm(N_("D, Glorot init"), "vgg16_mini", "glorot", False),
         Arm(N_("D from trained A"), "vgg16_mini", "from-a", False)),
        (Comparison(N_("D, He init"), N_("D, N(0, 0.01)")), Comparison(N_("D, Glorot init"), N_("D, N(0, 0.01)")),
         Comparison(N_("D from trained A"), N_("D, N(0, 0.01)"))),
        N_("The paper gives no number, only 'bad initialisation can stall learning due to the "
           "instability of gradient in deep nets'. The stall shows at any scale in plain (no batch "
           "norm) deep nets; scaled initialisations (Glorot 2010, He 2015) or batch norm remove it. "
           "Copying A's layers into N(0, 0.01) ones rescues D only if the signal still passes the "
           "small random layers in between."),
    ),
    Experiment(
        "c_lrn", N_("1×1 convs (C) and LRN (A-LRN)"),
        N_("Do LRN and 1×1 convolutions help?"),
        (Arm("A", "vgg11_mini"), Arm("A-LRN", "vgg11_lrn_mini"), Arm("B", "vgg13_mini"),
         Arm(N_("C (1×1)"), "vgg16_c_mini"), Arm("D", "vgg16_mini")),
        (Comparison("A", "A-LRN"), Comparison(N_("C (1×1)"), "B"), Comparison("D", N_("C (1×1)"))),
        N_("On ImageNet these effects are small: LRN ±0.1 point, C about 0.6 point better than B and "
           "1.1 worse than D. Gaps of a point need many seeds and a large held-out set to resolve "
           "(its own noise here is about ±0.5 point); at small scale they are expected to stay unresolved."),
    ),
]}


def check_key(key: str) -> Experiment:
    exp = EXPERIMENTS.get(key)
    if exp is None:
        raise ExperimentError(f"unknown experiment {key!r}; choose one of: {', '.join(EXPERIMENTS)}")
    return exp


def budget_for(arm: Arm, seed: int, budget=None):
    """The recipe of one arm-seed: the budget with the arm's initialisation and batch norm."""
    return dataclasses.replace(budget or BUDGET, seed=int(seed), init=arm.init, bn=arm.bn)


def budget_of(result: dict):
    """The budget an experiment's JSON was run with, as a recipe (a live seed replicates it)."""
    from vggviz.lab.training import Recipe

    return Recipe(**{f: result["budget"][f] for f in BUDGET_FIELDS})


def reproduce_command(arm: Arm, budget=None, threads: int = 1) -> str:
    """The CLI command that retrains one seed of ``arm`` (``{seed}`` in place of the seed) and
    prints its ``final_accuracy`` again (bit-identical on a CPU with the same torch threads)."""
    b = budget or BUDGET
    flags = [f"--{f.replace('_', '-')} {getattr(b, f)}" for f in BUDGET_FIELDS]
    return (f"python -m vggviz train {arm.variant} --init {arm.init}{' --bn' if arm.bn else ' --no-bn'} --seed {{seed}} "
            f"{' '.join(flags)} --threads {threads} --device cpu --json")


# --------------------------------------------------------------------------- the paper beside

def paper_effect(exp: Experiment, c: Comparison) -> dict:
    """The paper's own effect for comparison ``c``: ``effect`` in top-1 error points (worse −
    better, so positive means the paper found ``better`` better; None where it gives no
    number), ``kind`` of source (``table3``, ``sect4.1``, ``no number``, ``not in the paper``)
    with the errors it rests on, the ``source`` and the paper's training ``scale`` in English
    (all from :mod:`vggviz.paper`)."""
    from vggviz.lab import paper

    better, worse = exp.arm(c.better).config, exp.arm(c.worse).config
    out = {"scale": paper.training_scale(), "epochs": paper.TRAINING_EPOCHS}
    if exp.key == "init":
        return {"effect": None, "kind": "no number", "source": "Sect. 3.1 gives no number", **out}
    if (better, worse) == ("B", "B-5x5"):
        return {"effect": paper.SHALLOW_5X5_GAP, "kind": "sect4.1",
                "source": f"Sect. 4.1, centre crop: top-1 error {paper.SHALLOW_5X5_GAP:g} points higher with one 5×5",
                **out}
    rb, rw = paper.lookup(better), paper.lookup(worse)
    if rb is None or rw is None:
        return {"effect": None, "kind": "not in the paper", "source": "not in the paper: the lab's own control", **out}
    return {"effect": round(rw.top1 - rb.top1, 2), "kind": "table3", "better_top1": rb.top1, "worse_top1": rw.top1,
            "source": f"Table 3, S = 256: {better} {rb.top1:.1f} %, {worse} {rw.top1:.1f} % top-1 error", **out}


# --------------------------------------------------------------------------- running

def _preload(path: str) -> None:
    """A worker process's start: the datasets its parent drew, from ``path``."""
    import torch

    from vggviz.lab import training

    for (seed, count), (x, y) in torch.load(path, weights_only=True).items():
        training.preload(seed, count, x, y)


def _one(task: tuple) -> dict:
    """Train one arm-seed (in a worker process or in this one): the seed's record."""
    variant, recipe, device, threads = task
    import torch

    from vggviz.lab.training import percent, train

    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        t0 = time.perf_counter()
        res = train(variant, recipe, device)
        return {"seed": recipe.seed, "final_accuracy": percent(res.final_accuracy),
                "curve": [percent(e.val_accuracy) for e in res.epochs],
                "loss": [round(e.train_loss, 4) for e in res.epochs],
                "seconds": round(time.perf_counter() - t0, 2), "params": res.params}
    finally:
        torch.set_num_threads(before)


@lru_cache(maxsize=4)
def _world(init: str = "he") -> str:
    """A fingerprint of what an arm-seed's result depends on besides its request: torch's
    version, the CPU model (its kernels' floating-point order), the shapes world (its classes
    and first images) and, for the from-A and from-D initialisations, the bundled checkpoint
    they copy."""
    import hashlib
    import platform

    import torch

    from vggviz.data import shapes
    from vggviz.model.weights import bundled_path

    h = hashlib.sha1(torch.__version__.encode())
    try:
        cpu = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor() or platform.machine()
    h.update(cpu.encode())
    h.update(",".join(shapes.CLASSES).encode())
    for seed in (0, 1):
        h.update(shapes.batch(seed, 0, 4)[0].numpy().tobytes())
    source = {"from-a": "vgg11_mini", "from-d": "vgg16_mini"}.get(init)
    if source:
        path = bundled_path(source)
        h.update(path.read_bytes() if path.is_file() else b"-")
    return h.hexdigest()[:16]


def _cache_path(cache: Path, variant: str, recipe, device: str, threads: int) -> Path:
    import hashlib

    key = json.dumps([variant, recipe.to_json(), device, threads, _world(recipe.init)], sort_keys=True)
    return cache / f"{variant}-s{recipe.seed}-{hashlib.sha1(key.encode()).hexdigest()[:16]}.json"


def _check_budget(budget) -> None:
    budget.check()
    if budget.steps < MIN_STEPS:
        raise ExperimentError(f"a budget of {budget.steps} steps is too small to train; give it at least "
                              f"{MIN_STEPS} (epochs × train size ÷ batch size)")


def run_many(keys: Sequence[str], seeds: int | Sequence[int], device: str = "cpu", budget=None,
             workers: int = 1, threads: int = 1, on_done: Callable[[str, int, dict], None] | None = None,
             cache: Path | None = None) -> dict:
    """Run the experiments ``keys`` (each arm-seed trained once even where experiments share it)
    and return ``{key: its JSON}``. ``seeds``: a count (0 … n − 1) or the seeds themselves.
    ``workers`` > 1 trains arm-seeds in that many processes; ``threads`` torch threads each.
    ``cache``: a folder keeping every arm-seed's record (keyed by its request, device, threads
    and :func:`_world`), so an interrupted run resumes where it stopped. Arm-seeds run seed by
    seed (every arm's seed 0 first), so a partial cache holds whole seeds."""
    exps = [check_key(k) for k in keys]
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list:
        raise ExperimentError("--seeds must be at least 1")
    budget = budget or BUDGET
    _check_budget(budget)
    tasks: dict[tuple, tuple] = {}
    for s in seed_list:
        for exp in exps:
            for arm in exp.arms:
                tasks.setdefault((arm.variant, budget_for(arm, s, budget)), None)
    done: dict[tuple, dict] = {}
    if cache is not None:
        cache = Path(cache)
        cache.mkdir(parents=True, exist_ok=True)
        for key in tasks:
            path = _cache_path(cache, key[0], key[1], str(device), threads)
            if path.is_file():
                done[key] = json.loads(path.read_text(encoding="utf-8"))

    def keep(key, rec) -> None:
        done[key] = rec
        if cache is not None:
            path = _cache_path(cache, key[0], key[1], str(device), threads)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(rec), encoding="utf-8")
            tmp.replace(path)
        if on_done:
            on_done(key[0], key[1].seed, rec)

    order = [k for k in tasks if k not in done]
    t0 = time.perf_counter()
    jobs = [(v, r, str(device), threads) for v, r in order]
    if workers > 1 and len(jobs) > 1:
        import tempfile

        import torch

        from vggviz.lab.training import DATA_SEED, VAL_SEED, dataset

        ctx = multiprocessing.get_context("spawn")
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "data.pt"          # drawn once here, not once per worker
            torch.save({(DATA_SEED, budget.train_size): dataset(DATA_SEED, budget.train_size),
                        (VAL_SEED, budget.val_size): dataset(VAL_SEED, budget.val_size)}, data)
            with ctx.Pool(min(workers, len(jobs)), initializer=_preload, initargs=(str(data),)) as pool:
                for key, rec in zip(order, pool.imap(_one, jobs)):
                    keep(key, rec)
    else:
        for key, job in zip(order, jobs):
            keep(key, _one(job))
    wall = time.perf_counter() - t0
    return {exp.key: summarise(exp, seed_list, {k: v for k, v in done.items()}, budget, str(device), threads, wall)
            for exp in exps}


def run(key: str, seeds: int | Sequence[int] = 3, device: str = "cpu", budget=None, workers: int = 1,
        threads: int = 1, on_done=None, cache: Path | None = None) -> dict:
    """One experiment's JSON (see :func:`run_many`)."""
    return run_many([key], seeds, device, budget, workers, threads, on_done, cache)[key]


def _macs(variant: str) -> int:
    from vggviz.model.summary import summarize

    return summarize(variant).total_macs


def summarise(exp: Experiment, seeds: Sequence[int], done: dict, budget, device: str, threads: int,
              wall: float | None = None) -> dict:
    """The experiment's JSON from its arm-seeds' records ``{(variant, recipe): record}``."""
    arms, per_arm = [], {}
    for arm in exp.arms:
        recs = [done[(arm.variant, budget_for(arm, s, budget))] for s in seeds]
        accs = [r["final_accuracy"] for r in recs]
        m, sd = mean_sd(accs)
        per_arm[arm.label] = accs
        arms.append({
            "label": arm.label, "variant": arm.variant, "config": arm.config, "init": arm.init, "bn": arm.bn,
            "params": recs[0]["params"], "macs": _macs(arm.variant),
            "reproduce": reproduce_command(arm, budget, threads),
            "seconds_per_seed": round(sum(r["seconds"] for r in recs) / len(recs), 2),
            "mean": round(m, 4), "sd": round(sd, 4),
            "seeds": [{"seed": s, "final_accuracy": r["final_accuracy"], "curve": r["curve"], "loss": r["loss"]}
                      for s, r in zip(seeds, recs)],
        })
    comparisons = []
    for c in exp.comparisons:
        p = paired(per_arm[c.better], per_arm[c.worse])
        comparisons.append({
            "better": c.better, "worse": c.worse, "n": p.n, "mean_diff": round(p.mean_diff, 4),
            "sd_diff": round(p.sd_diff, 4),
            "ci95": [None if abs(v) == float("inf") else round(v, 4) for v in p.ci95],
            "wins": p.wins, "verdict": p.verdict, "paper": paper_effect(exp, c),
        })
    steps = budget.steps
    out = {
        "experiment": exp.key, "title": exp.title, "question": exp.question, "needs": exp.needs,
        "budget": {**{f: getattr(budget, f) for f in BUDGET_FIELDS}, "steps": steps,
                   "images_seen": steps * budget.batch_size, "schedule": "linear warm-up, then half cosine to 0",
                   "optimiser": f"SGD, momentum {budget.momentum}, weight decay {budget.weight_decay:g}"},
        "seeds": list(seeds), "device": device, "threads": threads,
        "arms": arms, "comparisons": comparisons,
    }
    if wall is not None:
        out["wall_seconds"] = round(wall, 1)
    return out


# --------------------------------------------------------------------------- the shipped results

@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict | None:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def reference(key: str, directory: Path | None = None) -> dict | None:
    """The shipped full-budget result of experiment ``key`` (``assets/experiments/KEY.json``),
    or None when it is missing or unreadable."""
    path = (directory or REFERENCE_DIR) / f"{check_key(key).key}.json"
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _load(str(path), mtime)
