"""The Train page in the real app (AppTest), end to end on a tiny budget: an experiment's
reference result drawn the moment it is picked (verdicts from its numbers, curves, tables), a
live seed of it run beside the reference through the session's training limit, a custom run
polled until done with its curves and .pth download and opened in the other pages (the sidebar
then selects weights trained:ID); bad input gets one line."""

from __future__ import annotations

import json
import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from vggviz.lab import experiments
from vggviz.lab.experiments import EXPERIMENTS, budget_for, budget_of, summarise
from vggviz.lab.training import Recipe
from vggviz.serving import jobs

TINY = Recipe(epochs=2, batch_size=4, train_size=24, val_size=8)      # 12 steps: a quick live seed
SEEDS = [0, 1, 2, 3, 4]

pytestmark = pytest.mark.filterwarnings("ignore")


def train_page(root) -> AppTest:
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Train it yourself"
    return at


def tiny(at: AppTest, seed: int) -> AppTest:
    at.number_input(key="tr_train_size").set_value(256)
    at.number_input(key="tr_val_size").set_value(64)
    at.number_input(key="tr_epochs").set_value(1)
    at.number_input(key="tr_seed").set_value(seed)
    return at


def poll_until_done(at: AppTest, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not at.get("download_button"):
        assert time.monotonic() < deadline, "the run did not finish"
        time.sleep(0.5)
        at.run()
        assert not at.exception, at.exception


def made_up(key: str) -> dict:
    """A reference result on the tiny budget: arm i scores 60 + 5·i (+ the seed's index), so the
    later arm wins every comparison by 5·(its index gap) on every seed."""
    exp = EXPERIMENTS[key]
    done = {}
    for i, arm in enumerate(exp.arms):
        for j, s in enumerate(SEEDS):
            acc = 60.0 + 5 * i + j + (0.5 if (i + j) % 2 else 0.0)
            done[(arm.variant, budget_for(arm, s, TINY))] = {"seed": s, "final_accuracy": acc,
                                                               "curve": [acc / 2, acc], "loss": [2.0, 1.0],
                                                               "seconds": 1.0, "params": 1000 * (i + 1)}
    return summarise(exp, SEEDS, done, TINY, "cpu", 1)


@pytest.fixture
def references(tmp_path, monkeypatch):
    """Made-up reference results of the tiny budget, in a folder of their own."""
    for key in EXPERIMENTS:
        (tmp_path / f"{key}.json").write_text(json.dumps(made_up(key)), encoding="utf-8")
    monkeypatch.setattr(experiments, "REFERENCE_DIR", tmp_path)
    return tmp_path


def test_the_reference_result_is_drawn_the_moment_an_experiment_is_picked(root, references):
    at = train_page(root)
    assert at.radio(key="tr_exp").value == "depth"
    ref = experiments.reference("depth")
    said = [m.value for m in at.markdown if m.value.startswith("- **")]
    assert len(said) == len(ref["comparisons"])
    for c, line in zip(ref["comparisons"], said):           # every verdict sentence from its numbers
        assert f"{c['mean_diff']:+.2f} points" in line and f"**{c['verdict']}" in line
        assert f"{c['wins']} of {c['n']} seeds" in line and "74 epochs" in line
    # B − A: B is the later arm, 5 points ahead on every seed: reproduced; D − E: E is ahead: reversed
    assert "**reproduced" in said[0] and "**reversed" in said[3]
    assert any("What it takes" in i.value for i in at.info)          # a verdict that did not reproduce
    assert len(at.get("plotly_chart")) >= 2 and len(at.dataframe) == 2
    arms = at.dataframe[0].value
    assert list(arms["arm"]) == [a["label"] for a in ref["arms"]] and "MACs" in arms.columns
    at.radio(key="tr_exp").set_value("kernel").run()
    assert not at.exception
    assert sum(m.value.startswith("- **B: pairs of 3×3 − B-5×5") for m in at.markdown) == 1


def test_without_a_reference_the_page_says_so(root, tmp_path, monkeypatch):
    monkeypatch.setattr(experiments, "REFERENCE_DIR", tmp_path)
    at = train_page(root)
    assert any("No reference result ships" in w.value for w in at.warning)
    assert at.button(key="tr_exp_run")                                  # a live run is still possible


@pytest.mark.slow
def test_run_it_live_adds_the_class_seed_beside_the_reference(root, references):
    at = train_page(root)
    at.number_input(key="tr_live_seed").set_value(7)
    at.button(key="tr_exp_run").click().run()
    assert not at.exception and not at.error
    owner = at.session_state["vggviz_owner"]
    mine = jobs.pool().jobs_of(owner)                           # the session's own runs: they count against its limit
    ref = experiments.reference("depth")
    assert [j.variant for j in mine] == [a.variant for a in EXPERIMENTS["depth"].arms]
    assert all(j.recipe == budget_for(a, 7, budget_of(ref)) for j, a in zip(mine, EXPERIMENTS["depth"].arms))
    deadline = time.monotonic() + 900
    while any(j.live for j in mine):                            # the page polls (its heartbeat keeps the runs)
        assert time.monotonic() < deadline, "the live seed did not finish"
        time.sleep(10)
        at.run()
    at.run()
    assert not at.exception and all(j.state == "done" for j in mine)
    table = at.dataframe[-1].value
    assert list(table["your seed"]) == [f"{100 * j.result.final_accuracy:.1f} %" for j in mine]
    traces = [t for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]
    dashed = [t for t in traces if t.get("line", {}).get("dash") == "dash"]     # the live seed, over the reference
    assert len(dashed) == 4 and all("seed 7" in t["name"] for t in dashed)


def test_a_tiny_run_from_start_to_the_other_pages(root):
    at = tiny(train_page(root), seed=4242)
    # the sidebar's untrained VGG16 is not this page's business: no banner about it here
    assert not any("Random weights" in w.value for w in at.warning)
    at.button(key="tr_train").click().run()
    assert not at.exception and not at.error
    owner = at.session_state["vggviz_owner"]
    mine = jobs.pool().jobs_of(owner)
    assert len(mine) == 1 and mine[0].variant == "vgg11_mini" and mine[0].recipe.train_size == 256
    assert at.get("progress") or any("queue" in m.value for m in at.markdown)   # it shows where it is
    assert any(b.key and b.key.startswith("tr_cancel") for b in at.button)
    poll_until_done(at)
    job = mine[0]
    assert job.state == "done"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Held-out accuracy"] == f"{100 * job.result.val_accuracy:.1f} %"
    assert metrics["Parameters"] == f"{job.result.params:,}" and metrics["Training time"].endswith(" s")
    assert at.get("plotly_chart")                                             # the curves
    assert not any(b.key and b.key.startswith("tr_cancel") for b in at.button)
    dl = at.get("download_button")[0]
    assert dl.proto.label.endswith(".pth")
    # open it in the other pages: the sidebar selects trained:ID of that variant
    next(b for b in at.button if b.key and b.key.startswith("tr_open")).click().run()
    assert not at.exception, at.exception
    assert at.session_state["vggviz_variant"] == "vgg11_bn_mini"      # batch norm is the recipe's default
    assert at.session_state["vggviz_weights"] == job.source == f"trained:{job.id}"
    assert at.title[0].value.startswith("Forward pass")
    assert at.sidebar.radio(key="vggviz_weights").value == job.source
    from vggviz.model.weights import load_model
    loaded = load_model("vgg11_bn_mini", job.source, "cpu")
    assert torch.equal(loaded.model.state_dict()["features.0.weight"], job.result.state_dict["features.0.weight"])


def test_cancel_and_bad_input_on_the_page(root):
    at = train_page(root)
    at.multiselect(key="tr_variants").set_value([])
    at.button(key="tr_train").click().run()
    assert not at.exception and [e.value for e in at.error] == ["pick at least one configuration"]
    # a long run (full budget), then cancelled from the page before it finishes
    at.multiselect(key="tr_variants").set_value(["vgg13_mini"])
    at.number_input(key="tr_seed").set_value(777)
    at.button(key="tr_train").click().run()
    job = jobs.pool().jobs_of(at.session_state["vggviz_owner"])[0]
    assert job.live
    next(b for b in at.button if b.key and b.key.startswith("tr_cancel")).click().run()
    assert jobs.pool().wait(job, 60) and job.state == "cancelled"
    at.run()
    assert not at.exception and any("cancel" in m.value for m in at.markdown)


def test_the_page_in_chinese(root):
    """With ?lang=zh the title, the labels and a finished run's chart are in Chinese. (AppTest
    calls the widgets' format_func in the test's thread when it sends their values: it runs in
    the same language.)"""
    import json

    from vggviz import i18n

    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    with i18n.using("zh"):
        at.run()
        at.switch_page("pages/train.py").run()
        assert not at.exception, at.exception
        assert at.title[0].value == "亲手训练"
        assert at.number_input(key="tr_epochs").label == "轮次（epoch）"
        tiny(at, seed=4343).button(key="tr_train").click().run()
        assert not at.exception and not at.error
        poll_until_done(at)
    assert {m.label for m in at.metric} >= {"验证准确率", "训练时间", "参数量"}
    charts = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    assert charts[0]["xaxis"]["title"]["text"] == "轮次（最后一轮：退火后的最终模型）"     # the reference's curves
    curves = next(c for c in charts[2:] if c.get("xaxis", {}).get("title", {}).get("text") == "轮次")   # the run's own
    assert {a["text"] for a in curves["annotations"]} >= {"训练损失", "验证准确率（%）"}


def test_a_run_lost_in_a_restart_is_said_on_the_page(root):
    """The runs a tab follows are in its link (?runs=); a tab that comes back to a restarted
    server, whose pool never had those ids, is told they are gone, and the link forgets them."""
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    at.query_params["runs"] = "0123456789abcdef,fedcba9876543210"
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any("2 training runs this page was following are gone" in w for w in warnings), warnings
    assert at.session_state["tr_runs"] == ""
    at.run()                                       # said once: the link no longer names them
    assert not any("are gone" in w.value for w in at.warning)
