"""A server students cannot misuse: no server path in any widget or message, local weights
only from the teacher's folder (VGGVIZ_WEIGHTS_DIR) by name, and per-session limits on uploads,
heavy runs and training runs, as the app shows them. The library's side: tests/unit/model/test_weights.py
(the teacher's folder), test_limits.py (the sliding window), test_jobs.py (training runs per session)."""

from __future__ import annotations

import pytest
import torch
from streamlit.testing.v1 import AppTest

from vggviz.app import results
from vggviz.model.variants import build
from vggviz.model.weights import load_model, local_weight_files

pytestmark = pytest.mark.filterwarnings("ignore")

PAGES = ["home", "architecture", "compare", "receptive_field", "forward_pass", "feature_maps", "unit",
         "channel", "filters", "gradcam", "fully_conv", "transfer", "train"]


def _app(root, variant="vgg11_mini"):
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    at.session_state["vggviz_variant"] = variant
    at.run()
    assert not at.exception, at.exception
    return at


def test_no_page_has_a_text_box_for_a_server_path(root, monkeypatch):
    monkeypatch.delenv("VGGVIZ_WEIGHTS_DIR", raising=False)
    at = _app(root, "vgg11")
    for page in PAGES:
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        labels = [t.label for t in at.text_input] + [t.label for t in at.sidebar.text_input]
        assert not any("path" in (label or "").lower() or ".pth" in (label or "") for label in labels), (page, labels)
    # without a teacher's folder there is no file option at all
    assert at.sidebar.radio(key="vggviz_weights").options == ["ImageNet (trained)", "Random (untrained, seeded)"]


def test_the_teachers_folder_is_offered_by_name_and_loads(root, weights_dir):
    d, secret = weights_dir
    assert local_weight_files() == ["class-a11.pth"]                 # no .txt, no link out
    at = _app(root)
    radio = at.sidebar.radio(key="vggviz_weights")
    assert "A weights file from the teacher's folder" in radio.options
    radio.set_value("dir").run()
    box = at.sidebar.selectbox(key="vggviz_weights_file")
    assert box.options == ["class-a11.pth"] and box.value == "class-a11.pth"
    assert not at.exception and not at.error
    assert any("dir:class-a11.pth" in c.value for c in at.sidebar.caption)      # "Weights in use"
    m = load_model("vgg11_mini", "dir:class-a11.pth", "cpu")
    assert m.source == "file:class-a11.pth"
    ref = build("vgg11_mini", seed=3).state_dict()
    assert torch.equal(m.model.state_dict()["features.0.weight"], ref["features.0.weight"])


def test_heavy_runs_over_the_limit_get_a_polite_line(root, monkeypatch):
    monkeypatch.setenv("VGGVIZ_HEAVY_PER_MINUTE", "1")
    results._featvis_results.clear()
    at = _app(root, "vgg16_mini")
    at.switch_page("pages/channel.py").run()
    at.select_slider(key="ch_steps_False_64").set_value(16).run()
    at.button(key="ch_go").click().run()
    assert not at.warning or not any("please wait" in w.value for w in at.warning)
    assert any(m.label == "Value on this image" for m in at.metric)
    at.number_input(key="ch_channel").set_value(1).run()
    at.button(key="ch_go").click().run()
    assert any("please wait" in w.value and "1 heavy runs" in w.value for w in at.warning)
    assert not at.exception and not at.error


def test_uploads_over_the_limit_get_a_polite_line(monkeypatch):
    monkeypatch.setenv("VGGVIZ_UPLOADS_PER_MINUTE", "2")

    def script():
        import streamlit as st

        from vggviz.app import ui  # AppTest runs this function's source alone
        st.session_state["got"] = [ui.take_budget("uploads") for _ in range(3)]

    at = AppTest.from_function(script).run()
    assert at.session_state["got"] == [True, True, False]
    assert len(at.warning) == 1 and "2 new images in the last minute" in at.warning[0].value


def test_a_micro_batched_analysis_reaches_the_page(root, monkeypatch):
    """With micro-batching on (CUDA's default; ``VGGVIZ_MICROBATCH=1`` here) the page's
    analysis goes through one batched pass and shows its top-5 as before."""
    from vggviz.serving.scheduler import scheduler

    monkeypatch.setenv("VGGVIZ_MICROBATCH", "1")
    results._cached_analysis.clear()
    before = len(scheduler().batch_sizes)
    at = _app(root, "vgg11_mini")
    at.switch_page("pages/forward_pass.py").run()
    sample = at.sidebar.selectbox(key="vggviz_sample")
    sample.set_value(sample.options[1]).run()
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    assert scheduler().batch_sizes[before:], "the analysis did not go through a batched pass"
    assert at.get("plotly_chart"), "no top-5 chart on the Forward-pass page"
