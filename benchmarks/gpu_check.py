"""Everything the project wants to know about a CUDA GPU, in one command (at most ~8 minutes on
one GPU): the library's device tests on CUDA, then each workload on the GPU against the CPU in
the same run — VGG16's forward pass, ``analyze()``, Grad-CAM, a feature visualisation of one
channel, a shapes-lab epoch, the lab's 4-arm depth experiment and the Draw page's stroke and camera
frame — with the checks that the two
devices agree (top-5 identical, Grad-CAM maps correlated ≥ 0.99), analyses per second one pass
per request against micro-batched through the scheduler, and the activation copy-back's cost
against the pass itself.

    python -m benchmarks.gpu_check --dry-run              # the steps, as JSON {"steps": [...]}
    python -m benchmarks.gpu_check --json gpu.json        # run them (the CPU half alone without CUDA)
    python -m benchmarks.gpu_check --only analyze,gradcam --json out.json
    python -m benchmarks.gpu_check --variant vgg11_mini --only copyback   # a quick smoke run

Needs only torch, torchvision, numpy and Pillow, plus plotly (``vggviz.explain.attribution`` imports it)
and pytest for the tests step; no streamlit. A step whose piece is missing (a module, the lab's
experiments) is reported as skipped, never a crash; a step that fails is reported with its one-
line error and the run goes on. Weights are seeded random for the full-size VGG16 (no download)
and the bundled shapes weights for the mini family. Without CUDA it runs the CPU half and says
there is no GPU. Each step prints one line as it ends; ``--json FILE`` writes everything.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("VGGVIZ_WEIGHTS", "random")
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

BUDGET_S = 480.0                 # the whole run on one GPU
CORR_MIN = 0.99                  # Grad-CAM maps, GPU against CPU
BATCH = 8                        # the micro-batch the scheduler makes at most (MAX_BATCH)
REQUESTS = {"cuda": 64, "cpu": 8}    # simultaneous analyses in the micro-batching step

# Where each piece lives (a module that does not import makes its step a skip, not a crash).
_PATHS = {
    "analysis": ("vggviz.inference.analysis",),
    "weights": ("vggviz.model.weights",),
    "images": ("vggviz.data.images",),
    "shapes": ("vggviz.data.shapes",),
    "cam": ("vggviz.explain.attribution.cam",),
    "featvis": ("vggviz.explain.featvis",),
    "training": ("vggviz.lab.training",),
    "scheduler": ("vggviz.serving.scheduler",),
}
_EXPERIMENT_PATHS = ("vggviz.lab.experiments", "vggviz.lab.training")


class Skip(Exception):
    """A step that cannot run here (a missing piece): reported as skipped."""


def mod(name: str):
    errors = []
    for path in _PATHS[name]:
        try:
            return importlib.import_module(path)
        except ImportError as e:
            errors.append(f"{path}: {e}")
    raise Skip("cannot import " + "; ".join(errors))


# --------------------------------------------------------------------------- timing helpers


def sync(dev: str) -> None:
    if dev.startswith("cuda"):
        torch.cuda.synchronize()


def timed(fn: Callable[[], object], dev: str, repeats: int, warmup: int = 1) -> float:
    """The median seconds of ``repeats`` calls after ``warmup`` untimed ones, GPU work included."""
    for _ in range(warmup):
        fn()
    sync(dev)
    times = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        fn()
        sync(dev)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def r4(x: float) -> float:
    return round(float(x), 4)


class Ctx:
    def __init__(self, devices: list[str], deadline: float, variant: str = "vgg16"):
        self.devices = devices            # ["cuda", "cpu"] or ["cpu"]
        self.variant = variant            # the full-size model of the timed steps (seeded random weights)
        self.deadline = deadline
        self.cuda = "cuda" in devices
        self._models: dict = {}

    def model(self, variant: str, source: str, dev: str):
        key = (variant, source, dev)
        if key not in self._models:
            self._models[key] = mod("weights").load_model(variant, source, dev)
        return self._models[key]

    def cat(self):
        images = mod("images")
        return images.load_image_file(images.sample_images()["Cat"])

    def left(self) -> float:
        return self.deadline - time.monotonic()


def photos(n: int, size: int = 256, seed: int = 0) -> list[Image.Image]:
    """``n`` distinct images (smooth random colour fields: every one a different input)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        small = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        out.append(Image.fromarray(small).resize((size, size), Image.BILINEAR))
    return out


# --------------------------------------------------------------------------- the steps


def step_environment(ctx: Ctx) -> dict:
    out = {"python": platform.python_version(), "torch": torch.__version__,
           "cuda_available": torch.cuda.is_available(), "cpu_cores": len(os.sched_getaffinity(0)),
           "torch_threads": torch.get_num_threads()}
    try:
        import torchvision
        out["torchvision"] = torchvision.__version__
    except ImportError:
        pass
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        out |= {"gpu": p.name, "gpu_memory_gib": round(p.total_memory / 2**30, 1), "cuda": torch.version.cuda,
                "cudnn": torch.backends.cudnn.version(), "cudnn_allow_tf32": torch.backends.cudnn.allow_tf32,
                "matmul_allow_tf32": torch.backends.cuda.matmul.allow_tf32}
    else:
        out["note"] = "no CUDA GPU: only the CPU half runs"
    return out


# The device tests run on the GPU.
TEST_FILES = ["tests/unit/test_device.py", "tests/unit/inference/test_analysis.py",
              "tests/unit/serving/test_scheduler.py", "tests/unit/model/test_layers.py",
              "tests/unit/model/test_variants.py"]


def step_tests(ctx: Ctx) -> dict:
    try:
        import pytest  # noqa: F401
    except ImportError:
        raise Skip("pytest is not installed") from None
    files, missing = [], []
    for f in TEST_FILES:
        (files if (ROOT / f).exists() else missing).append(f)
    env = dict(os.environ, VGGVIZ_TEST_DEVICE="cuda" if ctx.cuda else "cpu", VGGVIZ_WEIGHTS="random",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]))
    limit = max(30.0, min(200.0, ctx.left() - 200))
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not load and not browser",
           "-o", "addopts=", *files]
    t0 = time.monotonic()
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired as e:
        tail = (e.stdout or b"")[-1500:] if isinstance(e.stdout, bytes) else (e.stdout or "")[-1500:]
        return {"ok": False, "error": f"pytest ran past {limit:.0f} s", "tail": str(tail)}
    text = done.stdout + done.stderr
    summary = [ln for ln in text.splitlines() if re.search(r"\d+ (passed|failed|error)", ln)]
    counts = {k: int(v) for v, k in re.findall(r"(\d+) (passed|failed|errors?|skipped)", summary[-1] if summary else "")}
    failed = [ln for ln in text.splitlines() if ln.startswith(("FAILED", "ERROR"))]
    return {"device": env["VGGVIZ_TEST_DEVICE"], "files": files, "missing_files": missing, "exit": done.returncode, **counts,
            "failures": failed[:20], "seconds": round(time.monotonic() - t0, 1), "ok": done.returncode == 0,
            **({"tail": text[-2500:]} if done.returncode else {})}


def step_vgg16_forward(ctx: Ctx) -> dict:
    out = {}
    for dev in ctx.devices:
        loaded = ctx.model(ctx.variant, "random", dev)
        for n in (1, BATCH):
            size = getattr(loaded, "input_size", 224)
            x = torch.randn(n, 3, size, size, device=loaded.device)
            with torch.inference_mode():
                s = timed(lambda x=x, m=loaded.model: m(x), dev, repeats=10 if dev == "cuda" else 3)
            out[f"{dev}_batch{n}_s"] = r4(s)
            out[f"{dev}_batch{n}_images_per_s"] = round(n / s, 1)
    if ctx.cuda:
        out["speedup_batch1"] = round(out["cpu_batch1_s"] / out["cuda_batch1_s"], 1)
    return out


def _top5(a) -> list[int]:
    return [p.index for p in a.top[:5]]


def step_analyze(ctx: Ctx) -> dict:
    an = mod("analysis")
    shapes = mod("shapes")
    cases = {ctx.variant: ("random", [ctx.cat()]), "vgg16_mini": ("shapes", [shapes.sample(5, i)[0] for i in range(8)])}
    out: dict = {}
    for variant, (source, images) in cases.items():
        res = {}
        for dev in ctx.devices:
            loaded = ctx.model(variant, source, dev)
            res[dev] = [an.analyze(loaded, im, topk=5) for im in images]
            out[f"{variant}_{dev}_s"] = r4(timed(lambda loaded=loaded, im=images[0]: an.analyze(loaded, im, topk=5), dev,
                                                repeats=10 if dev == "cuda" else 3))
        if ctx.cuda:
            same = [_top5(a) == _top5(b) for a, b in zip(res["cpu"], res["cuda"], strict=True)]
            out[f"{variant}_top5_identical"] = all(same)
            out[f"{variant}_max_prob_diff"] = float(max(np.abs(a.probs - b.probs).max()
                                                        for a, b in zip(res["cpu"], res["cuda"], strict=True)))
            if not all(same):      # ties decided by TF32 rounding? the same pass with TF32 off
                tf = torch.backends.cudnn.allow_tf32
                torch.backends.cudnn.allow_tf32 = False
                try:
                    loaded = ctx.model(variant, source, "cuda")
                    exact = [an.analyze(loaded, im, topk=5) for im in images]
                finally:
                    torch.backends.cudnn.allow_tf32 = tf
                out[f"{variant}_top5_identical_tf32_off"] = all(
                    _top5(a) == _top5(b) for a, b in zip(res["cpu"], exact, strict=True))
            out[f"{variant}_speedup"] = round(out[f"{variant}_cpu_s"] / out[f"{variant}_cuda_s"], 1)
    if ctx.cuda:
        # identical as the app runs (TF32 convolutions), or, where a near-tie flipped, with TF32 off
        out["ok"] = all(out[f"{v}_top5_identical"] or out.get(f"{v}_top5_identical_tf32_off", False) for v in cases)
    return out


def step_gradcam(ctx: Ctx) -> dict:
    an, cam = mod("analysis"), mod("cam")
    shapes = mod("shapes")
    cases = {ctx.variant: ("random", ctx.cat()), "vgg16_mini": ("shapes", shapes.sample(5, 3)[0])}
    out: dict = {}
    for variant, (source, image) in cases.items():
        maps = {}
        for dev in ctx.devices:
            loaded = ctx.model(variant, source, dev)
            a = an.analyze(loaded, image, topk=5)
            target = _top5(a)[0]
            maps[dev] = cam.gradcam(loaded, a, target=target)
            out[f"{variant}_{dev}_s"] = r4(timed(lambda loaded=loaded, a=a, t=target: cam.gradcam(loaded, a, target=t),
                                                dev, repeats=10 if dev == "cuda" else 3))
        if ctx.cuda:
            # the same class on both devices (the CPU's top-1), so the maps answer one question
            a_cuda = an.analyze(ctx.model(variant, source, "cuda"), image, topk=5)
            g_cuda = cam.gradcam(ctx.model(variant, source, "cuda"), a_cuda, target=maps["cpu"].target)
            x, y = maps["cpu"].layer_map.ravel(), g_cuda.layer_map.ravel()
            corr = float(np.corrcoef(x, y)[0, 1]) if x.std() > 0 and y.std() > 0 else float(np.allclose(x, y, atol=1e-3))
            out[f"{variant}_map_corr"] = round(corr, 5)
            out[f"{variant}_speedup"] = round(out[f"{variant}_cpu_s"] / out[f"{variant}_cuda_s"], 1)
    if ctx.cuda:
        out["ok"] = all(out[f"{v}_map_corr"] >= CORR_MIN for v in cases)
    return out


def step_featvis(ctx: Ctx) -> dict:
    fv = mod("featvis")
    out: dict = {}
    for dev in ctx.devices:
        loaded = ctx.model(ctx.variant, "random", dev)
        steps = 64 if dev == "cuda" else 8
        s = fv.default_settings(loaded, steps=steps)
        fv.visualize(loaded, "conv4_1", 0, settings=fv.default_settings(loaded, steps=2))     # warm-up
        sync(dev)
        t0 = time.perf_counter()
        vis = fv.visualize(loaded, "conv4_1", 0, settings=s)
        sync(dev)
        sec = time.perf_counter() - t0
        out[f"{dev}_steps"] = steps
        out[f"{dev}_size"] = s.size
        out[f"{dev}_s_per_step"] = r4(sec / steps)
        out[f"{dev}_default_run_s"] = round(sec / steps * fv.DEFAULT_STEPS, 2)
        out[f"{dev}_gain"] = round(float(vis.activation[0] - vis.start_activation[0]), 4)
    out["default_steps"] = fv.DEFAULT_STEPS
    if ctx.cuda:
        out["speedup"] = round(out["cpu_s_per_step"] / out["cuda_s_per_step"], 1)
    return out


def _train_timed(tr, variant: str, recipe, dev: str) -> tuple[float, float, object]:
    """Train and time it: the median seconds per training batch (from the progress reports;
    every step reads its loss back, so GPU work is included) and the held-out evaluation's
    seconds (the epoch's time less its batches)."""
    stamps: list[float] = []      # one report per batch, then one at the epoch's end
    t0 = time.perf_counter()
    res = tr.train(variant, recipe, device=dev, on_progress=lambda p: stamps.append(time.perf_counter()))
    sync(dev)
    total = time.perf_counter() - t0
    n = max(1, len(stamps) - 1)
    steps = np.diff(np.array(stamps[:n])) if n > 2 else np.array([total / n])
    per_batch = float(np.median(steps))
    eval_s = max(0.0, float(res.epochs[-1].seconds) - per_batch * n)
    return per_batch, eval_s, res


def _warm_data(tr, recipe) -> None:
    """Generate (and cache) the lab's training and held-out images before anything is timed."""
    if hasattr(tr, "dataset") and hasattr(tr, "DATA_SEED") and hasattr(tr, "VAL_SEED"):
        tr.dataset(tr.DATA_SEED, recipe.train_size)
        tr.dataset(tr.VAL_SEED, recipe.val_size)


def step_lab_epoch(ctx: Ctx) -> dict:
    tr = mod("training")
    full = tr.Recipe(epochs=1)
    batches = full.train_size // full.batch_size
    _warm_data(tr, full)
    out: dict = {"variant": "vgg11_mini", "train_size": full.train_size, "batches_per_epoch": batches}
    for dev in ctx.devices:
        cap = None if dev == "cuda" else 8
        tr.train("vgg11_mini", tr.Recipe(epochs=1, max_batches=2, val_size=64), device=dev)     # warm-up
        t0 = time.perf_counter()
        per_batch, eval_s, res = _train_timed(tr, "vgg11_mini", tr.Recipe(epochs=1, max_batches=cap), dev)
        sec = time.perf_counter() - t0
        done = cap or batches
        out[f"{dev}_batches"] = done
        out[f"{dev}_s"] = round(sec, 2)
        out[f"{dev}_s_per_batch"] = r4(per_batch)
        out[f"{dev}_eval_s"] = round(eval_s, 2)
        out[f"{dev}_epoch_s" + ("" if cap is None else "_extrapolated")] = round(per_batch * batches + eval_s, 1)
        out[f"{dev}_val_accuracy"] = round(res.epochs[-1].val_accuracy, 3)
    if ctx.cuda:
        out["speedup_per_batch"] = round(out["cpu_s_per_batch"] / out["cuda_s_per_batch"], 1)
        out["speedup_epoch"] = round(out["cpu_epoch_s_extrapolated"] / out["cuda_epoch_s"], 1)
    return out


def _experiments():
    for path in _EXPERIMENT_PATHS:
        try:
            m = importlib.import_module(path)
        except ImportError:
            continue
        if hasattr(m, "EXPERIMENTS"):
            return m
    raise Skip("no EXPERIMENTS in " + ", ".join(_EXPERIMENT_PATHS) + " (the lab is being reworked)")


def step_experiment(ctx: Ctx) -> dict:
    exps = _experiments()
    tr = mod("training")
    exp = exps.EXPERIMENTS.get("depth") or next(iter(exps.EXPERIMENTS.values()))
    arms = list(getattr(exp, "arms", ()))
    if len(arms) < 4:
        raise Skip(f"experiment {getattr(exp, 'key', '?')!r} has {len(arms)} arms, not 4")
    _warm_data(tr, tr.Recipe())
    epochs = getattr(exp, "epochs", 1)
    out: dict = {"experiment": getattr(exp, "key", "?"), "arms": [getattr(a, "variant", str(a)) for a in arms[:4]],
                 "epochs_per_arm": epochs}
    for dev in ctx.devices:
        cap = 30 if dev == "cuda" else 3
        t0 = time.perf_counter()
        per_arm, per_batch = [], []
        for arm in arms[:4]:
            t1 = time.perf_counter()
            pb, eval_s, _res = _train_timed(tr, arm.variant, tr.Recipe(epochs=1, max_batches=cap,
                                                                       init=getattr(arm, "init", "default")), dev)
            per_arm.append(round(time.perf_counter() - t1, 2))
            per_batch.append(pb)
        full = tr.Recipe()
        batches = full.train_size // full.batch_size
        out[f"{dev}_batches_per_arm"] = cap
        out[f"{dev}_arm_s"] = per_arm
        out[f"{dev}_s_per_batch_by_arm"] = [r4(x) for x in per_batch]
        out[f"{dev}_whole_s"] = round(time.perf_counter() - t0, 1)
        # the experiment as the lab runs it (epochs × full epochs per arm, one arm after another)
        out[f"{dev}_full_experiment_s_estimated"] = round(sum(per_batch) * batches * epochs, 1)
    if ctx.cuda:
        out["speedup"] = round(out["cpu_full_experiment_s_estimated"] / out["cuda_full_experiment_s_estimated"], 1)
    return out


def _through_scheduler(loaded, images, batched: bool, sched_mod, an) -> tuple[float, list[int]]:
    """All ``images`` submitted at once (one thread each) to a fresh scheduler; the seconds
    until the last result, and the batch sizes it made."""
    s = sched_mod.Scheduler()
    results: dict[int, object] = {}
    start = threading.Barrier(len(images) + 1)

    def run_many(items):
        return an.analyze_batch(loaded, list(items), topk=5)

    def user(i, im):
        start.wait()
        batch = sched_mod.Batch("m", im, run_many) if batched else None
        results[i] = s.run(("img", i), lambda: an.analyze(loaded, im, topk=5), batch=batch)

    threads = [threading.Thread(target=user, args=(i, im)) for i, im in enumerate(images)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    sec = time.perf_counter() - t0
    assert len(results) == len(images)
    return sec, list(s.batch_sizes)


def step_microbatch(ctx: Ctx) -> dict:
    an, sched = mod("analysis"), mod("scheduler")
    if not hasattr(an, "analyze_batch") or not hasattr(sched, "Batch"):
        raise Skip("no micro-batching in this tree (analysis.analyze_batch, scheduler.Batch)")
    out: dict = {"max_batch": sched.MAX_BATCH, "window_ms": round(sched.BATCH_WINDOW_S * 1000, 1)}
    for dev in ctx.devices:
        loaded = ctx.model(ctx.variant, "random", dev)
        n = REQUESTS["cuda" if dev == "cuda" else "cpu"]
        images = photos(n, seed=1)
        # direct: N passes of one image against N/BATCH passes of BATCH images
        first = images[:BATCH]
        one = timed(lambda loaded=loaded, first=first: [an.analyze(loaded, im) for im in first], dev, repeats=2)
        many = timed(lambda loaded=loaded, first=first: an.analyze_batch(loaded, first), dev, repeats=2)
        out[f"{dev}_direct_batch1_per_s"] = round(BATCH / one, 1)
        out[f"{dev}_direct_batch{BATCH}_per_s"] = round(BATCH / many, 1)
        _through_scheduler(loaded, images[:4], False, sched, an)          # warm the workers
        sec1, _ = _through_scheduler(loaded, images, False, sched, an)
        secb, sizes = _through_scheduler(loaded, images, True, sched, an)
        out[f"{dev}_requests"] = n
        out[f"{dev}_scheduler_batch1_per_s"] = round(n / sec1, 1)
        out[f"{dev}_scheduler_microbatched_per_s"] = round(n / secb, 1)
        out[f"{dev}_batch_sizes"] = sizes
        out[f"{dev}_microbatch_gain"] = round(sec1 / secb, 2)
    return out


def step_copyback(ctx: Ctx) -> dict:
    an = mod("analysis")
    if not hasattr(an, "analyze_batch"):
        raise Skip("no analysis.analyze_batch in this tree")
    out: dict = {}
    for dev in ctx.devices:
        loaded = ctx.model(ctx.variant, "random", dev)
        images = photos(BATCH, seed=2)
        for n in (1, BATCH):
            an.analyze_batch(loaded, images[:n])                              # warm-up
            runs = [an.analyze_batch(loaded, images[:n])[0] for _ in range(3 if dev == "cuda" else 2)]
            pass_s = statistics.median(r.seconds for r in runs)
            copy_s = statistics.median(r.copy_seconds for r in runs)
            out[f"{dev}_batch{n}_pass_s"] = r4(pass_s)
            out[f"{dev}_batch{n}_copy_s"] = r4(copy_s)
            out[f"{dev}_batch{n}_copy_over_pass"] = round(copy_s / pass_s, 2) if pass_s else None
            out[f"{dev}_batch{n}_kept_mb"] = round(sum(a.nbytes for a in runs[0].acts.values()) * n / 1e6, 1)
    return out


def step_live(ctx: Ctx) -> dict:
    """The Draw page (benchmarks/bench_live.py): one stroke → answer, and a camera stream's frames/s."""
    try:
        from benchmarks import bench_live
    except ImportError as e:
        raise Skip(f"no Draw page in this tree ({e})") from None
    out: dict = {}
    for dev in ctx.devices:
        for variant in ("vgg16_mini", ctx.variant):
            r = bench_live.run(variant, dev, repeats=10 if dev == "cuda" else 3, warmup=2 if dev == "cuda" else 1)
            out[f"{variant}_{dev}_draw_ms"] = r["draw_ms"]
            out[f"{variant}_{dev}_camera_fps"] = r["camera_fps"]
    if ctx.cuda:
        for variant in ("vgg16_mini", ctx.variant):
            out[f"{variant}_draw_speedup"] = round(out[f"{variant}_cpu_draw_ms"] / out[f"{variant}_cuda_draw_ms"], 1)
    return out


STEPS: list[tuple[str, str, Callable[[Ctx], dict]]] = [
    ("environment", "python, torch, torchvision, CUDA and cuDNN versions, the GPU and its memory, CPU cores",
     step_environment),
    ("tests", "pytest of the library's device tests (tests/unit/test_device.py, VGGVIZ_TEST_DEVICE=cuda) and the "
              "streamlit-free unit tests of analysis, scheduler, layers and variants", step_tests),
    ("vgg16_forward", f"VGG16 (seeded random weights) forward pass at batch 1 and {BATCH}: seconds and images/s, "
                      "GPU and CPU", step_vgg16_forward),
    ("analyze", "analyze() of the Cat sample (VGG16) and 8 shapes (mini VGG16, bundled weights): seconds; top-5 "
                "identical between GPU and CPU", step_analyze),
    ("gradcam", f"Grad-CAM at the default layer, same class on both devices: seconds; maps correlated >= {CORR_MIN}",
     step_gradcam),
    ("featvis", "feature visualisation of one channel (VGG16 conv4_1, its default size): seconds per step and the "
                "default run's time", step_featvis),
    ("lab_epoch", "one shapes-lab epoch of the mini VGG11 (the paper's recipe, 6000 images): seconds; the CPU's "
                  "extrapolated from 8 batches", step_lab_epoch),
    ("experiment", "the lab's 4-arm depth experiment (A, B, D, E mini), a capped epoch per arm: seconds per batch",
     step_experiment),
    ("microbatch", f"analyses/s: {BATCH} passes of one image against one pass of {BATCH}, and "
                   f"{REQUESTS['cuda']} simultaneous requests (CPU: {REQUESTS['cpu']}) through the scheduler, one "
                   "pass each against micro-batched", step_microbatch),
    ("copyback", f"the activation copy-back to the CPU against the pass itself, batch 1 and {BATCH}", step_copyback),
    ("live", "the Draw page: one stroke → answer (ms) and a camera stream's frames/s, mini VGG16 and VGG16, "
             "GPU and CPU (benchmarks/bench_live.py)", step_live),
]


def run(only: list[str] | None = None, budget_s: float = BUDGET_S, say=print, variant: str = "vgg16") -> dict:
    devices = (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]
    ctx = Ctx(devices, time.monotonic() + budget_s, variant)
    report = {"cuda": ctx.cuda, "devices": devices, "budget_s": budget_s, "variant": variant, "steps": {}}
    if not ctx.cuda:
        say("gpu_check: no CUDA GPU here (torch.cuda.is_available() is False): running the CPU half only")
    t_all = time.monotonic()
    for name, _what, fn in STEPS:
        if only and name not in only:
            continue
        t0 = time.monotonic()
        if ctx.left() < 20 and name != "environment":
            entry = {"status": "skipped", "reason": "the time budget is spent"}
        else:
            try:
                entry = {"status": "ok", **fn(ctx)}
                if entry.get("ok") is False:
                    entry["status"] = "failed"
            except Skip as e:
                entry = {"status": "skipped", "reason": str(e)}
            except Exception as e:  # noqa: BLE001 - one step's failure is reported, the rest still run
                entry = {"status": "failed", "error": f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}",
                         "traceback": traceback.format_exc()[-2000:]}
        entry["step_s"] = round(time.monotonic() - t0, 1)
        report["steps"][name] = entry
        brief = {k: v for k, v in entry.items() if k not in ("traceback", "tail", "failures", "files")}
        say(f"[{name}] " + json.dumps(brief, default=str))
    report["total_s"] = round(time.monotonic() - t_all, 1)
    report["ok"] = all(e["status"] != "failed" for e in report["steps"].values())
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", metavar="FILE", help="write the whole report here")
    ap.add_argument("--dry-run", action="store_true", help="list the steps as JSON and exit")
    ap.add_argument("--only", help="comma-separated step names")
    ap.add_argument("--budget", type=float, default=BUDGET_S, help="seconds for the whole run (default 480)")
    ap.add_argument("--variant", default="vgg16",
                    help="the model of the timed steps (default vgg16; a mini one for a quick smoke run)")
    args = ap.parse_args(argv)
    if args.dry_run:
        print(json.dumps({"steps": [{"name": n, "what": w} for n, w, _ in STEPS]}, indent=1))
        return 0
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    unknown = [s for s in only or [] if s not in {n for n, _, _ in STEPS}]
    if unknown:
        print(f"gpu_check: unknown steps {unknown}; see --dry-run", file=sys.stderr)
        return 2
    report = run(only, args.budget, say=lambda s: print(s, flush=True), variant=args.variant)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str))
    print(f"gpu_check: {'all steps passed or skipped' if report['ok'] else 'SOME STEPS FAILED'} in {report['total_s']} s"
          + ("" if report["cuda"] else " (no GPU: CPU half only)"), flush=True)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
