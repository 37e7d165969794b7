"""Links that open the same view in the app (ui.link_param; vggviz.links alone: tests/unit/test_links.py): values are checked before they
reach a widget, a bad one falls back with one line, and the view is written back to the URL."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.filterwarnings("ignore")


def _open(root, params: dict, page: str):
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_a_link_opens_the_same_view(root):
    at = _open(root, {"variant": "vgg16_mini", "sample": "shapes star", "layer": "relu3_1", "order": "max"},
               "feature_maps")
    assert at.sidebar.selectbox(key="vggviz_variant").value == "vgg16_mini"
    assert at.sidebar.selectbox(key="vggviz_sample").value == "Shapes star"
    assert at.selectbox(key="fm_layer").value == "relu3_1" and at.radio(key="fm_order").value == "max"
    assert not at.info
    q = dict(at.query_params)
    assert {k: (v[0] if isinstance(v, list) else v) for k, v in q.items() if k in ("variant", "sample", "layer")} == \
        {"variant": "vgg16_mini", "sample": "shapes star", "layer": "relu3_1"}


def test_a_bad_link_value_falls_back_with_a_note(root):
    at = _open(root, {"variant": "vgg11_mini", "sample": "Shapes star", "layer": "conv9_9"}, "feature_maps")
    assert at.selectbox(key="fm_layer").value == "relu1_1"                  # A's default: its first ReLU
    assert any("conv9_9" in i.value and "default" in i.value for i in at.info)


def test_unit_and_gradcam_controls_from_a_link(root):
    at = _open(root, {"variant": "vgg16_mini", "sample": "shapes star", "layer": "relu4_2", "channel": "7",
                      "row": "3", "col": "5"}, "unit")
    assert (at.selectbox(key="unit_layer").value, at.number_input(key="unit_channel").value,
            at.number_input(key="unit_row").value, at.number_input(key="unit_col").value) == ("relu4_2", 7, 3, 5)
    at = _open(root, {"variant": "vgg16_mini", "sample": "shapes star", "target": "4", "opacity": "0.7",
                      "cmap": "magma"}, "gradcam")
    assert at.selectbox(key="gc_target").value == 4 and at.slider(key="gc_alpha").value == 0.7
    assert at.selectbox(key="gc_cmap").value == "magma"
    at = _open(root, {"n": "4", "k": "5", "c": "32", "row": "99"}, "receptive_field")
    assert (at.slider(key="rf_layers").value, at.select_slider(key="rf_kernel").value,
            at.select_slider(key="rf_channels").value) == (4, 5, 32)


def test_next_step_walks_the_lesson(root):
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.run()
    nxt = at.button(key="vggviz_next_step")
    assert nxt.label.endswith("Architecture →")
    nxt.click().run()
    assert not at.exception and at.title[0].value.startswith("Architecture")
    assert at.button(key="vggviz_next_step").label.endswith("Compare depths →")


def test_presenter_view_from_a_link_and_back(root):
    at = _open(root, {"present": "1", "variant": "vgg11"}, "architecture")
    assert at.sidebar.toggle(key="vggviz_present").value is True
    assert dict(at.query_params).get("present") in ("1", ["1"])
    at.button(key="vggviz_leave_present").click().run()
    assert at.sidebar.toggle(key="vggviz_present").value is False
    assert "present" not in dict(at.query_params)
    assert not at.exception


def test_a_page_waiting_for_an_image_still_has_its_footer(root):
    """A page that ends early (no image yet) still draws the share link, the next step and
    writes its view into the URL (it once stopped before them)."""
    at = _open(root, {"variant": "vgg11_mini", "layer": "conv2_1"}, "filters")
    assert "vggviz_image" not in at.session_state or at.session_state["vggviz_image"] is None, \
        "no image should be picked without a sample or an upload: this test needs a page waiting for one"
    assert at.button(key="vggviz_next_step").label.endswith("Grad-CAM →")
    assert any(e.label == "🔗 Share this view" for e in at.sidebar.expander)
    assert dict(at.query_params).get("variant") in ("vgg11_mini", ["vgg11_mini"])


def test_filters_fully_conv_and_forward_pass_controls_from_a_link(root):
    base = {"variant": "vgg11_mini", "sample": "shapes star"}
    at = _open(root, {**base, "layer": "conv3_1"}, "filters")
    assert at.selectbox(key="flt_layer").value == "conv3_1"
    at = _open(root, {**base, "size": "128", "averaging": "positions", "flip": "1"}, "fully_conv")
    assert (at.radio(key="fc_size").value, at.radio(key="fc_averaging").value, at.toggle(key="fc_flip").value) \
        == ("128", "positions", True)
    q = {k: (v[0] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
    assert (q.get("size"), q.get("averaging"), q.get("flip")) == ("128", "positions", "1")
    at = _open(root, {**base, "seed": "42"}, "forward_pass")
    assert at.number_input(key="fp_jitter_seed").value == 42
    at = _open(root, {**base, "seed": "123456"}, "forward_pass")
    assert at.number_input(key="fp_jitter_seed").value == 0 and any("123456" in i.value for i in at.info)
