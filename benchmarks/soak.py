"""Soak: many consecutive uploads on ONE shared model, as a classroom server sees them over a
lesson. Memory must not creep and nothing may pile up on the shared model.

Three phases, each on the same shared model (vggviz.model.weights.load_model, random weights):
* ``one-session``: N images one after another: bytes → vggviz.data.images.load_image →
  vggviz.inference.analysis.analyze → vggviz.explain.attribution.gradcam (the page's default layer);
* ``sessions``: the same N spread over THREADS concurrent workers (sessions at once);
* ``app`` (optional, --app N): the Grad-CAM page of the real app through streamlit's AppTest,
  N runs with a new image each, alternating one long session and fresh sessions; the app's
  own caches (24 analyses) fill during the warm-up, which is why it is longer there.

After each phase's warm-up the RSS is taken (after gc and malloc_trim, so it is memory held,
not allocator slack); at the end again: the growth must stay under 100 MB. After every
iteration the shared model must have no hook left (every module's _forward_hooks,
_forward_pre_hooks, _backward_hooks, _backward_pre_hooks and torch's global module hooks),
stay in eval mode and keep requires_grad False on every parameter.

    .venv/bin/python -m benchmarks.soak                   # 200 per phase on VGG16 (~10 min on 2 cores)
    .venv/bin/python -m benchmarks.soak --variant vgg11 --iterations 60 --app 40
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("VGGVIZ_WEIGHTS", "random")

from benchmarks.load_test import make_image  # noqa: E402
from benchmarks.server import self_rss_mb  # noqa: E402

GROWTH_LIMIT_MB = 100.0
HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")

try:
    _libc = ctypes.CDLL("libc.so.6")
except OSError:  # pragma: no cover - not glibc
    _libc = None


def held_rss_mb() -> float:
    """RSS after a full gc and returning freed heap pages to the OS."""
    gc.collect()
    if _libc is not None:
        _libc.malloc_trim(0)
    return self_rss_mb()


def leftover_hooks(model) -> list[str]:
    """Every hook (or state change) left on ``model`` and torch's global module hooks."""
    import torch.nn.modules.module as M

    found = []
    for name, mod in model.named_modules():
        for attr in HOOK_DICTS:
            d = getattr(mod, attr, None)
            if d:
                found.append(f"{name or '<model>'}.{attr}: {len(d)}")
        if mod.training:
            found.append(f"{name or '<model>'} left in training mode")
    for attr in ("_global_forward_hooks", "_global_forward_pre_hooks", "_global_backward_hooks",
                 "_global_backward_pre_hooks"):
        d = getattr(M, attr, None)
        if d:
            found.append(f"torch global {attr}: {len(d)}")
    if any(p.requires_grad for p in model.parameters()):
        found.append("parameters left with requires_grad=True")
    return found


def one_pass(loaded, i: int) -> tuple[int, float]:
    """One upload's work; returns (top-1 index, Grad-CAM max) so nothing is optimised away."""
    from vggviz.data.images import load_image
    from vggviz.explain.attribution import gradcam
    from vggviz.inference.analysis import analyze

    name, data = make_image(i)
    res = analyze(loaded, load_image(data, name))
    cam = gradcam(loaded, res)
    return res.top[0].index, float(cam.layer_map.max())


def _phase(name: str, iterations: int, warmup: int, work, check, workers: int = 1) -> dict:
    """Run ``work(i)`` for i in range(iterations) (in ``workers`` threads), checking hooks
    after every call; RSS after the warm-up and at the end."""
    problems: list[str] = []
    lock = threading.Lock()
    t0 = time.monotonic()

    def step(i: int) -> None:
        work(i)
        left = check()
        if left:
            with lock:
                problems.append(f"iteration {i}: {left[:3]}")

    def run(range_):
        if workers == 1:
            for i in range_:
                step(i)
        else:
            with ThreadPoolExecutor(workers) as ex:
                list(ex.map(step, range_))

    run(range(warmup))
    warm = held_rss_mb()
    t1 = time.monotonic()
    samples = []
    chunk = max(1, (iterations - warmup) // 10)
    i = warmup
    while i < iterations:
        run(range(i, min(i + chunk, iterations)))
        i += chunk
        samples.append(held_rss_mb())
    end = held_rss_mb()
    return {
        "phase": name,
        "iterations": iterations,
        "warmup": warmup,
        "workers": workers,
        "seconds": time.monotonic() - t0,
        "per_iteration_s": (time.monotonic() - t1) / max(1, iterations - warmup) * workers,
        "rss_after_warmup_mb": warm,
        "rss_max_mb": max(samples + [end]),
        "rss_end_mb": end,
        "growth_mb": end - warm,
        "max_growth_mb": max(samples + [end]) - warm,
        "rss_samples_mb": [round(x, 1) for x in samples],
        "hook_problems": problems,
    }


def app_phase(variant: str, iterations: int, warmup: int, check) -> dict:
    """The Grad-CAM page through AppTest: a new image each run; every 5th run a new session."""
    import warnings

    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from vggviz.app import models
    from vggviz.data.images import load_image

    # As tests/support.py: a server stops treating pages/ as an old-style app once
    # st.navigation has run; AppTest resets that before every run.
    if not getattr(PagesManager, "_vggviz_soak_patched", False):
        init = PagesManager.__init__

        def patched(self, *a, **kw):
            init(self, *a, **kw)
            PagesManager.uses_pages_directory = False

        PagesManager.__init__ = patched
        PagesManager._vggviz_soak_patched = True
    warnings.filterwarnings("ignore")
    import logging

    for noisy in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context",
                  "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    state = {"at": None, "errors": []}

    def new_session():
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
        at.session_state["vggviz_variant"] = variant
        at.run()
        at.switch_page("pages/gradcam.py").run()
        state["at"] = at

    def work(i: int) -> None:
        if state["at"] is None or i % 5 == 0:
            new_session()
        at = state["at"]
        name, data = make_image(10_000 + i)
        at.session_state["vggviz_image"] = load_image(data, name)
        at.run()
        if at.exception or at.error:
            msg = (at.exception[0].value if at.exception else at.error[0].value)
            state["errors"].append(f"run {i}: {str(msg)[:200]}")

    def app_check():
        loaded = models._cached_model(variant, "random", "cpu")
        return check(loaded.model)

    out = _phase("app (AppTest, Grad-CAM page)", iterations, warmup, work, app_check)
    out["app_errors"] = state["errors"]
    return out


def run_soak(variant: str = "vgg16", iterations: int = 200, warmup: int = 20, workers: int = 4,
             app: int = 0, app_warmup: int = 30, phases=("one-session", "sessions"), quiet: bool = False) -> dict:
    import torch

    from vggviz.model.weights import load_model

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    loaded = load_model(variant, "random", "cpu")
    say(f"soak: {variant} (random weights), {torch.get_num_threads()} torch threads, "
        f"{os.cpu_count()} CPUs, MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', 'unset')}, "
        f"RSS with the model {held_rss_mb():.0f} MB")
    check = lambda: leftover_hooks(loaded.model)  # noqa: E731
    results = []
    if "one-session" in phases:
        results.append(_phase("one session (sequential)", iterations, warmup, lambda i: one_pass(loaded, i), check))
        say(line(results[-1]))
    if "sessions" in phases:
        results.append(_phase(f"{workers} sessions at once", iterations, warmup,
                              lambda i: one_pass(loaded, 100_000 + i), check, workers=workers))
        say(line(results[-1]))
    if app:
        results.append(app_phase(variant, app, min(app_warmup, app - 1), lambda m: leftover_hooks(m)))
        say(line(results[-1]))
    ok = all(r["growth_mb"] < GROWTH_LIMIT_MB and not r["hook_problems"] and not r.get("app_errors")
             for r in results)
    return {"variant": variant, "phases": results, "ok": ok, "growth_limit_mb": GROWTH_LIMIT_MB,
            "cpus": os.cpu_count(), "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX")}


def line(r: dict) -> str:
    s = (f"  {r['phase']}: {r['iterations']} iterations ({r['warmup']} warm-up) in {r['seconds']:.0f} s, "
         f"{r['per_iteration_s']:.2f} s each; RSS after warm-up {r['rss_after_warmup_mb']:.0f} MB, "
         f"max {r['rss_max_mb']:.0f} MB, end {r['rss_end_mb']:.0f} MB: growth {r['growth_mb']:+.0f} MB "
         f"(max {r['max_growth_mb']:+.0f}); hooks left: {len(r['hook_problems'])}")
    if r.get("app_errors"):
        s += f"; app errors: {len(r['app_errors'])} ({r['app_errors'][0]})"
    return s


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variant", default="vgg16")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--app", type=int, default=0, help="also N AppTest runs of the Grad-CAM page")
    ap.add_argument("--phases", default="one-session,sessions",
                    help="comma-separated: one-session, sessions (default both)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    s = run_soak(a.variant, a.iterations, a.warmup, a.workers, a.app, phases=tuple(a.phases.split(",")))
    print(f"soak {'OK' if s['ok'] else 'FAILED'}: growth limit {GROWTH_LIMIT_MB:.0f} MB after warm-up, no hook left")
    if a.json:
        a.json.write_text(json.dumps(s, indent=2))
    return 0 if s["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
