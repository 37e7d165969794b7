"""The One-unit page (AppTest) on the trained mini VGG16: the numbers shown are the unit's
arithmetic and equal the stored activation; widgets, a step back and a request from the
Feature-maps page select units; bad input does not exist as a widget state (number inputs are
bounded), a stale unit from another layer falls back."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from vggviz.app import results, ui
from vggviz.data.images import load_image_file
from vggviz.explain.unit import unit_arithmetic
from vggviz.inference.analysis import analyze

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def at(root):
    results._cached_analysis.clear()
    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    app.session_state["vggviz_variant"] = "vgg16_mini"
    app.run()
    app.sidebar.selectbox(key="vggviz_sample").set_value("Shapes star").run()
    app.switch_page("pages/unit.py").run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(scope="module")
def res(root, vgg16_mini):
    return analyze(vgg16_mini, load_image_file(root / "assets/samples/shapes_star.png"))


def metric(at, label_start):
    return next(m for m in at.metric if m.label.startswith(label_start))


def test_page_shows_the_units_arithmetic(at, res, vgg16_mini):
    assert not at.error and not at.exception
    layer = at.selectbox(key="unit_layer").value
    ch, r, c = (at.number_input(key=k).value for k in ("unit_channel", "unit_row", "unit_col"))
    assert layer == "relu3_1"
    u = unit_arithmetic(vgg16_mini, res, layer, ch, r, c)
    assert float(metric(at, "→ ReLU").value) == pytest.approx(u.value, rel=1e-3, abs=1e-4)
    assert float(metric(at, "+ bias").value) == pytest.approx(u.bias, rel=1e-3, abs=1e-4)
    # the default channel is the one this image excites most at this layer
    acts = res.activation(layer)
    assert ch == int(acts.reshape(acts.shape[0], -1).max(axis=1).argmax())


def test_widgets_pick_a_unit_and_step_back_walks_to_the_input(at, res, vgg16_mini):
    at.selectbox(key="unit_layer").set_value("relu4_2").run()
    at.number_input(key="unit_channel").set_value(7).run()
    at.number_input(key="unit_row").set_value(3).run()
    at.number_input(key="unit_col").set_value(5).run()
    u = unit_arithmetic(vgg16_mini, res, "relu4_2", 7, 3, 5)
    assert float(metric(at, "→ ReLU").value) == pytest.approx(u.value, rel=1e-3, abs=1e-4)
    assert any("channel 7" in c.value or "(3, 5)" in c.value for c in at.markdown)
    b_layer, b_ch, b_r, b_c = u.step_back
    at.button(key="unit_back").click().run()
    assert not at.exception
    assert at.selectbox(key="unit_layer").value == b_layer == "relu4_1"
    assert (at.number_input(key="unit_channel").value, at.number_input(key="unit_row").value,
            at.number_input(key="unit_col").value) == (b_ch, b_r, b_c)


def test_a_unit_requested_by_another_page_opens(at, res, vgg16_mini):
    at.session_state[ui.UNIT_GOTO] = ("pool2", 3, 2, 9)
    at.run()
    assert at.selectbox(key="unit_layer").value == "pool2"
    u = unit_arithmetic(vgg16_mini, res, "pool2", 3, 2, 9)
    assert float(metric(at, "max = value").value) == pytest.approx(u.value, rel=1e-3, abs=1e-4)
    assert metric(at, "won by").value == f"({u.winner[1]}, {u.winner[2]})"


def test_conv1_1_shows_its_pixels_and_ends_the_walk(at):
    at.session_state[ui.UNIT_GOTO] = ("relu1_1", 0, 10, 10)
    at.run()
    assert any("walk back ends here" in c.value for c in at.caption)
    assert len(at.get("image")) >= 2          # the sidebar preview + the 3×3 pixels
