"""The Train page in the real app (AppTest), end to end on a tiny budget: start a run, poll
until it is done, see the result, its curves and the .pth download, and open it in the other
pages (the sidebar then selects weights trained:ID); bad input gets one line."""

from __future__ import annotations

import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

from vggviz.serving import jobs

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


def test_a_tiny_run_from_start_to_the_other_pages(root):
    at = tiny(train_page(root), seed=4242)
    # the experiments show the paper's claim beside the question
    assert any("The paper" in i.value for i in at.info)
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
    assert at.session_state["vggviz_variant"] == "vgg11_mini"
    assert at.session_state["vggviz_weights"] == job.source == f"trained:{job.id}"
    assert at.title[0].value.startswith("Forward pass")
    assert at.sidebar.radio(key="vggviz_weights").value == job.source
    from vggviz.model.weights import load_model
    loaded = load_model("vgg11_mini", job.source, "cpu")
    assert torch.equal(loaded.model.state_dict()["features.0.weight"], job.result.state_dict["features.0.weight"])


def test_cancel_and_bad_input_on_the_page(root):
    at = train_page(root)
    at.multiselect(key="tr_variants").set_value([])
    at.button(key="tr_train").click().run()
    assert not at.exception and [e.value for e in at.error] == ["pick at least one configuration"]
    at.multiselect(key="tr_variants").set_value(["vgg11_lrn_mini"])
    at.checkbox(key="tr_bn").check()
    at.button(key="tr_train").click().run()
    assert not at.exception and len(at.error) == 1 and "no batch-norm version" in at.error[0].value
    # a long run (full budget), then cancelled from the page before it finishes
    at.checkbox(key="tr_bn").uncheck()
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
    curves = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]
    assert curves["xaxis"]["title"]["text"] == "轮次"
    assert {a["text"] for a in curves["annotations"]} >= {"训练损失", "验证准确率（%）"}
