"""The Train page's figures and sentences: live runs' curves, gradient norms and bars, and an
experiment's result (made-up records through vggviz.lab.experiments.summarise) drawn as curves
with a band over seeds, tables, differences and verdict sentences generated from its numbers."""

from __future__ import annotations

import pytest

from vggviz.figures.train import (
    accuracy_bars,
    arm_rows,
    chance,
    comparison_rows,
    curves,
    differences,
    experiment_curves,
    grad_norms,
    verdict_sentence,
)
from vggviz.lab import paper
from vggviz.lab.experiments import EXPERIMENTS, budget_for, summarise
from vggviz.lab.training import EpochRecord, Recipe

TINY = Recipe(epochs=2, batch_size=8, train_size=160, val_size=16)


def result(key: str, accs: dict[str, list[float]]) -> dict:
    exp = EXPERIMENTS[key]
    seeds = list(range(len(next(iter(accs.values())))))
    done = {(arm.variant, budget_for(arm, s, TINY)): {"seed": s, "final_accuracy": accs[arm.label][i],
                                                        "curve": [accs[arm.label][i] / 2, accs[arm.label][i]],
                                                        "loss": [2.0, 1.0], "seconds": 1.0, "params": 1000 + i}
            for arm in exp.arms for i, s in enumerate(seeds)}
    return summarise(exp, seeds, done, TINY, "cpu", 1)


@pytest.fixture
def kernel():
    # B beats B-5×5 on every seed (reproduced); D and D-7×7 cross (not resolved)
    return result("kernel", {"B: pairs of 3×3": [80, 82, 81], "B-5×5: one 5×5 each": [78, 79, 79],
                             "D: 3×3 stacks": [70, 75, 80], "D-7×7: one 5×5/7×7 each": [72, 74, 81]})


def test_figures_hold_the_runs():
    recs = [EpochRecord(1, 1.5, 0.4, 1.0, 0.01), EpochRecord(2, 0.9, 0.7, 1.0, 0.01)]
    fig = curves([("A", recs), ("E", recs[:1])], epochs=3)
    assert [len(t.x) for t in fig.data] == [2, 2, 1, 1] and list(fig.data[1].y) == [40.0, 70.0]
    bars = accuracy_bars([("A", 0.9), ("E", None)])
    assert list(bars.data[0].y) == [90.0, None]
    g = grad_norms([{"conv1_1": 0.1, "fc8": 2.0}, {"conv1_1": 0.0, "fc8": 1.0}])
    assert len(g.data) == 2 and list(g.data[0].x) == ["conv1_1", "fc8"] and g.data[1].y[0] > 0


def test_curves_band_over_seeds_and_the_live_seed(kernel):
    fig = experiment_curves(kernel, live={"B: pairs of 3×3": [30.0]}, live_seed=9)
    bands = [t for t in fig.data if t.fill == "toself"]
    means = [t for t in fig.data if t.mode == "lines+markers" and not (t.line and t.line.dash)]
    assert len(bands) == 4 and len(means) == 4
    # B's band: highest seed 41 → 82 %, lowest 40 → 80 % (the first epoch's curve is half the final)
    assert list(bands[0].y) == [41.0, 82.0, 80.0, 40.0] and list(means[0].y) == [40.5, 81.0]
    live = [t for t in fig.data if t.line and t.line.dash == "dash"]
    assert len(live) == 1 and list(live[0].y) == [30.0] and "9" in live[0].name
    assert any(s.y0 == pytest.approx(chance()) for s in fig.layout.shapes)


def test_tables_and_differences(kernel):
    rows = arm_rows(kernel, live={"B: pairs of 3×3": 77.5})
    assert rows[0]["final accuracy (mean ± sd)"] == "81.0 ± 1.0 %" and rows[0]["your seed"] == "77.5 %"
    assert rows[1]["your seed"] == "—" and rows[0]["seeds (lowest – highest)"] == "80.0 – 82.0 %"
    assert rows[0]["parameters"] == "1,000" and rows[0]["MACs"].endswith(" M")
    cmp = comparison_rows(kernel)
    assert cmp[0]["verdict"].endswith("reproduced") and cmp[0]["wins"] == "3 of 3"
    assert cmp[0]["95 % interval"] == "[+0.9, +3.8]" and cmp[0]["the paper (top-1 error points)"].startswith("+7.0")
    assert cmp[1]["verdict"].endswith("not resolved")
    fig = differences(kernel)
    assert [round(t.x[0], 4) for t in fig.data[:2]] == [2.3333, -0.6667]       # D − D-7×7: −2, +1, −1
    assert list(fig.data[2].x) == [paper.SHALLOW_5X5_GAP]        # the paper's own effect, one comparison has it


def test_verdict_sentences_come_from_the_numbers(kernel):
    first, second = (verdict_sentence(kernel, c) for c in kernel["comparisons"])
    assert "+2.33 points" in first and "+0.90 to +3.77" in first and "3 of 3 seeds" in first
    assert "**reproduced" in first and "+7.0 points of top-1 error" in first
    assert f"{paper.TRAINING_EPOCHS} epochs" in first and "ImageNet" in first
    assert "**not resolved" in second and "not in the paper" in second
    reversed_ = result("c_lrn", {"A": [70, 71, 72], "A-LRN": [75, 76, 77], "B": [1, 2, 3], "C (1×1)": [1, 2, 3],
                                 "D": [1, 2, 3]})
    said = verdict_sentence(reversed_, reversed_["comparisons"][0])
    assert "**reversed: A-LRN beat A" in said and "29.6" in comparison_rows(reversed_)[0]["the paper (top-1 error points)"]
    one = result("depth", {a.label: [50.0] for a in EXPERIMENTS["depth"].arms})
    assert "one seed, so no interval" in verdict_sentence(one, one["comparisons"][0])
