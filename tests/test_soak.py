"""Soak, shortened for CI: consecutive uploads (load_image → analyze → gradcam) on ONE shared
VGG11, first one after another (one session), then from 4 threads at once (sessions side by
side). After the warm-up the process's held memory must grow < 100 MB, and no hook, training
mode or requires_grad may be left on the shared model after any iteration.

benchmarks/soak.py does the full 200 per phase on VGG16 (and optionally the Grad-CAM page
through AppTest); here 40 per phase on VGG11 keep the test near a minute and a half."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.soak import GROWTH_LIMIT_MB, leftover_hooks, line, run_soak  # noqa: E402

ITERATIONS = 40


@pytest.fixture(scope="module")
def soak():
    s = run_soak("vgg11", iterations=ITERATIONS, warmup=10, workers=4, quiet=True)
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
