"""Soak, shortened for CI: consecutive uploads (load_image → analyze → gradcam) on ONE shared
VGG11, first one after another (one session), then from 4 threads at once (sessions side by
side). After the warm-up the process's held memory must grow < 100 MB, and no hook, training
mode or requires_grad may be left on the shared model after any iteration.

benchmarks/soak.py does the full 200 per phase on VGG16 (and optionally the Grad-CAM page
through AppTest); here 40 per phase on VGG11 keep the test near a minute and a half.

The soak runs in its own process started as a classroom server should be (MALLOC_ARENA_MAX=2,
README "Serving a class"): in the pytest process, which by then has run dozens of threads and
holds several models, glibc's per-thread malloc arenas alone moved the threaded phase's RSS by
-38 to +121 MB between runs with the same code (docs/testing.md, "Soak"), so a limit measured
there judged the allocator, not vggviz."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import ROOT

from benchmarks.soak import GROWTH_LIMIT_MB, leftover_hooks, line  # noqa: E402

pytestmark = [pytest.mark.load, pytest.mark.slow]

ITERATIONS = 40


@pytest.fixture(scope="module")
def soak(tmp_path_factory):
    out = tmp_path_factory.mktemp("soak") / "soak.json"
    env = dict(os.environ, MALLOC_ARENA_MAX="2", VGGVIZ_WEIGHTS="random")
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.soak", "--variant", "vgg11",
         "--iterations", str(ITERATIONS), "--warmup", "10", "--workers", "4", "--json", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    s = json.loads(out.read_text())
    assert s["malloc_arena_max"] == "2"
    print("\n" + "\n".join(line(p) for p in s["phases"]))
    return s


@pytest.mark.parametrize("phase", [0, 1], ids=["one-session", "four-sessions"])
def test_memory_does_not_grow(soak, phase):
    p = soak["phases"][phase]
    assert p["iterations"] == ITERATIONS
    assert p["growth_mb"] < GROWTH_LIMIT_MB, line(p)
    assert p["max_growth_mb"] < GROWTH_LIMIT_MB, line(p)


@pytest.mark.parametrize("phase", [0, 1], ids=["one-session", "four-sessions"])
def test_no_hook_accumulates_on_the_shared_model(soak, phase):
    assert soak["phases"][phase]["hook_problems"] == []


def test_leftover_hooks_sees_a_hook(vgg11):
    """The check itself works: a hook left on any module is reported."""
    m = vgg11.model
    assert leftover_hooks(m) == []
    h = m.features[3].register_forward_hook(lambda *a: None)
    try:
        assert any("features.3._forward_hooks" in s for s in leftover_hooks(m))
    finally:
        h.remove()
    assert leftover_hooks(m) == []
