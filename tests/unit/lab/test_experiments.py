"""The lab's experiments: arms and comparisons as data, the paper's effects read from
vggviz.paper, the JSON a run returns, bad input, and `reproduce` giving the same accuracy again
(bit-identical on a CPU) on a tiny budget."""

from __future__ import annotations

import dataclasses
import json
import os
import shlex
import subprocess
import sys

import pytest
from support import ROOT

from vggviz.lab import experiments as ex
from vggviz.lab import paper
from vggviz.lab.experiments import BUDGET, EXPERIMENTS, ExperimentError, budget_for, paper_effect, summarise
from vggviz.lab.training import Recipe
from vggviz.model.variants import VARIANTS

TINY = Recipe(epochs=1, batch_size=8, train_size=160, val_size=16)          # 20 steps


def test_every_arm_is_a_mini_variant_with_bn_and_he_except_in_init():
    assert list(EXPERIMENTS) == ["depth", "kernel", "init", "c_lrn"]
    for exp in EXPERIMENTS.values():
        labels = [a.label for a in exp.arms]
        assert len(set(labels)) == len(labels)
        assert all(VARIANTS[a.variant].mini and not VARIANTS[a.variant].batch_norm for a in exp.arms)
        assert {c.better for c in exp.comparisons} | {c.worse for c in exp.comparisons} <= set(labels)
        if exp.key == "init":
            assert {a.init for a in exp.arms} == {"gaussian", "he", "glorot", "from-a"}
            assert not any(a.bn for a in exp.arms)
        else:
            assert all(a.bn and a.init == "he" for a in exp.arms)
    assert [a.config for a in EXPERIMENTS["kernel"].arms] == ["B", "B-5x5", "D", "D-7x7"]
    assert {a.config for a in EXPERIMENTS["c_lrn"].arms} == {"A", "A-LRN", "B", "C", "D"}


def test_arms_of_one_seed_share_the_budget_and_order():
    a, b = (budget_for(arm, 3) for arm in EXPERIMENTS["depth"].arms[:2])
    assert a == b and a.seed == 3 and a.bn
    for f in ex.BUDGET_FIELDS:
        assert getattr(a, f) == getattr(BUDGET, f)


def test_the_papers_effects_come_from_vggviz_paper():
    depth = EXPERIMENTS["depth"]
    b_a = paper_effect(depth, depth.comparisons[0])
    assert b_a["effect"] == pytest.approx(paper.lookup("A").top1 - paper.lookup("B").top1)
    assert b_a["kind"] == "table3" and b_a["epochs"] == paper.TRAINING_EPOCHS
    d_e = paper_effect(depth, depth.comparisons[3])               # D better than E in the paper
    assert d_e["effect"] == pytest.approx(paper.lookup("E").top1 - paper.lookup("D").top1) and d_e["effect"] > 0
    kernel = EXPERIMENTS["kernel"]
    assert paper_effect(kernel, kernel.comparisons[0])["effect"] == paper.SHALLOW_5X5_GAP
    assert paper_effect(kernel, kernel.comparisons[1])["effect"] is None
    assert all(paper_effect(EXPERIMENTS["init"], c)["effect"] is None for c in EXPERIMENTS["init"].comparisons)
    # the paper's better arm is the one with the lower Table 3 error, in every comparison with a row
    for exp in EXPERIMENTS.values():
        for c in exp.comparisons:
            e = paper_effect(exp, c)["effect"]
            assert e is None or e > 0, (exp.key, c)


def _fake_done(exp, seeds, accs):
    """Records for ``exp``'s arms: ``accs[label][i]`` is seed i's final accuracy."""
    return {(arm.variant, budget_for(arm, s, TINY)): {"seed": s, "final_accuracy": accs[arm.label][i],
                                                        "curve": [10.0, accs[arm.label][i]], "loss": [2.0, 1.0],
                                                        "seconds": 1.0, "params": 100}
            for arm in exp.arms for i, s in enumerate(seeds)}


def test_summary_from_made_up_records():
    exp = EXPERIMENTS["kernel"]
    accs = {"B: pairs of 3×3": [80, 82, 81], "B-5×5: one 5×5 each": [78, 79, 79],
            "D: 3×3 stacks": [70, 75, 80], "D-7×7: one 5×5/7×7 each": [72, 74, 81]}
    out = summarise(exp, [0, 1, 2], _fake_done(exp, [0, 1, 2], accs), TINY, "cpu", 1)
    b = out["arms"][0]
    assert (b["mean"], b["sd"]) == (81.0, 1.0) and b["macs"] > 0 and b["init"] == "he" and b["bn"]
    first, second = out["comparisons"]
    # diffs 2, 3, 2 → mean 7/3, half-width 4.302653 · sqrt(1/3)/sqrt(3) = 1.4342
    assert first["mean_diff"] == pytest.approx(2.3333, abs=1e-4) and first["wins"] == 3
    assert first["ci95"] == pytest.approx([0.8991, 3.7676], abs=1e-3) and first["verdict"] == "reproduced"
    assert second["verdict"] == "not resolved" and second["wins"] == 1
    assert out["budget"]["steps"] == 20 and out["seeds"] == [0, 1, 2]


@pytest.mark.parametrize("call, phrase", [
    (lambda: ex.run("width", 1, budget=TINY), "unknown experiment"),
    (lambda: ex.run("depth", 0, budget=TINY), "at least 1"),
    (lambda: ex.run("depth", 1, budget=dataclasses.replace(TINY, train_size=80)), "too small"),
])
def test_bad_requests_say_what_is_wrong(call, phrase):
    with pytest.raises(ExperimentError, match=phrase):
        call()


@pytest.mark.slow
def test_reproduce_gives_the_same_final_accuracy_on_a_cpu():
    """A whole (tiny) experiment, then one arm-seed retrained by its `reproduce` command in a
    fresh process: the same final accuracy, to the last digit."""
    out = ex.run("depth", 2, device="cpu", budget=TINY, threads=1)
    assert [len(a["seeds"]) for a in out["arms"]] == [2, 2, 2, 2]
    arm = out["arms"][1]
    cmd = shlex.split(arm["reproduce"].format(seed=1))
    assert cmd[:3] == ["python", "-m", "vggviz"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, *cmd[1:]], capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["final_accuracy"] == arm["seeds"][1]["final_accuracy"]


@pytest.mark.parametrize("key", list(EXPERIMENTS))
def test_shipped_references_are_full_budget_with_five_seeds(key):
    ref = ex.reference(key)
    assert ref is not None, f"assets/experiments/{key}.json is missing"
    assert ref["experiment"] == key and len(ref["seeds"]) >= 5
    assert {f: ref["budget"][f] for f in ex.BUDGET_FIELDS} == {f: getattr(BUDGET, f) for f in ex.BUDGET_FIELDS}
    assert [a["label"] for a in ref["arms"]] == [a.label for a in EXPERIMENTS[key].arms]
    for c in ref["comparisons"]:       # every verdict follows from its interval
        lo, hi = c["ci95"]
        assert c["verdict"] == ("reproduced" if lo > 0 else "reversed" if hi < 0 else "not resolved")
