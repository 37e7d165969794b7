"""Every page with the mini family (AppTest): it runs, uses the trained shapes weights, and
shows the mini's own numbers (64 px, its checkpoint's classes, 2×2 fc6), not ImageNet's."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from vggviz.app import results

# The least held-out accuracy the bundled mini VGG16 must have on today's shapes world.
BUNDLED_D_FLOOR = 85

pytestmark = pytest.mark.filterwarnings("ignore")


def bundled_classes() -> int:
    """How many classes the bundled mini VGG16 knows (its checkpoint's own names)."""
    from vggviz.model.weights import load_model

    return len(load_model("vgg16_mini", "shapes", "cpu").categories)


@pytest.fixture(scope="module")
def at(root):
    results._cached_analysis.clear()
    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    app.session_state["vggviz_variant"] = "vgg16_mini"
    app.run()
    assert not app.exception
    app.sidebar.selectbox(key="vggviz_sample").set_value("Shapes star").run()
    assert not app.exception
    return app


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def text(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def test_sidebar_picks_the_trained_shapes_weights(at):
    assert at.sidebar.radio(key="vggviz_weights").value == "shapes"
    assert not at.warning                       # trained: no "untrained" banner
    assert "trained on shapes" in at.sidebar.selectbox(key="vggviz_variant").format_func("vgg16_mini")


def test_switching_family_switches_weights(root):
    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    app.run()
    assert app.sidebar.radio(key="vggviz_weights").value == "random"       # tests: VGGVIZ_WEIGHTS=random
    app.sidebar.selectbox(key="vggviz_variant").set_value("vgg11_mini").run()
    assert app.sidebar.radio(key="vggviz_weights").value == "shapes"
    app.sidebar.selectbox(key="vggviz_variant").set_value("vgg11").run()
    assert app.sidebar.radio(key="vggviz_weights").value == "random"
    assert not app.exception


def test_forward_pass_shows_the_minis_preprocessing_and_shape_classes(at):
    go(at, "forward_pass")
    t = text(at)
    assert "short side to 64" in t and "centre 64×64" in t and "the shapes dataset's mean" in t
    assert any(f"of its {bundled_classes()} classes" in h.value for h in at.header)
    assert "S between 64 and 96" in t and "the mini family's trainer" in t      # its own jitter range
    top1 = next(m for m in at.metric if m.label == "Top-1")
    assert top1.help == "star" and float(top1.value.rstrip("%")) > 90


def test_feature_maps_filters_gradcam(at):
    go(at, "feature_maps")
    assert "of the 64 px input" in text(at)
    go(at, "filters")                              # conv1_2 has only 8 output channels
    assert at.selectbox(key="flt_layer").value == "conv1_2"
    go(at, "gradcam")
    assert len(at.selectbox(key="gc_target").options) == bundled_classes()
    assert at.selectbox(key="gc_layer").value == "conv4_3"      # 8×8 at 64 px


def test_fully_conv_on_a_canvas_of_shapes(at):
    go(at, "fully_conv")
    t = text(at)
    assert "2×2 convolution" in t and "at least 64×64" in t
    at.toggle(key="fc_canvas").set_value(True).run()
    assert not at.exception
    assert "Where the shapes really are" in text(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Class-score map"] == "7×7"       # 256 px: 256/32 − 1
    assert metrics["Input fed to the network"] == "256×256 px"


def test_fully_conv_protocol_options(at):
    """The paper's test protocol on the page: fixed-S scales, flip averaging, the two spatial
    averagings side by side, multi-crop and dense with their cost."""
    go(at, "fully_conv")
    at.toggle(key="fc_canvas").set_value(True).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert [c for c in table.columns if c.endswith("map)")][0].startswith("73 px")   # jittered: 73, 110, 146
    assert "the other averaging" in table.columns
    at.radio(key="fc_protocol_scales").set_value("S73").run()          # fixed S = 73: {64, 73, 82}
    at.toggle(key="fc_flip").set_value(True).run()
    at.radio(key="fc_averaging").set_value("pooled").run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert [c.split(" ")[0] for c in table.columns if c.endswith("map)")] == ["64", "73", "82"]
    assert "sum-pooled" in text(at)
    at.select_slider(key="fc_crops").set_value(2).run()
    assert not at.exception
    crops = at.dataframe[-1].value
    assert list(crops["evaluation"]) == ["dense", "multi-crop (24 crops)", "multi-crop & dense"]
    cost = crops.filter(like="cost").iloc[:, 0].tolist()
    assert cost[1] == 24 and abs(cost[2] - (cost[0] + 24)) < 0.11
    # dense at 64, 73, 82 px with flips: (64² + 73² + 82²) · 2 / 64² crops' worth of pixels
    assert abs(cost[0] - 2 * (64 * 64 + 73 * 73 + 82 * 82) / 64 ** 2) < 0.06


def test_receptive_field_architecture_compare(at):
    go(at, "receptive_field")
    assert "of the 64×64 input" in text(at)
    go(at, "architecture")
    assert at.number_input(key="arch_size").value == 64
    go(at, "compare")
    assert len(at.dataframe) >= 2
    mini = at.dataframe[1].value
    assert "shapes held-out %" in mini.columns
    row = mini[mini["variant"] == "mini VGG16 (D)"].iloc[0]
    # the bundled checkpoint's own log (its score on shapes.heldout(), 5,000 images), as shipped
    from vggviz.lab.compare import bundled_accuracy

    shipped = bundled_accuracy("vgg16_mini")
    assert shipped is not None and float(row["shapes held-out %"]) == pytest.approx(shipped, abs=0.05)      # shown to one decimal
    assert shipped >= BUNDLED_D_FLOOR
    bn = mini[mini["variant"] == "mini VGG16-BN (D + BN)"].iloc[0]
    assert float(bn["shapes held-out %"]) == pytest.approx(bundled_accuracy("vgg16_bn_mini"), abs=0.05)
    from vggviz.model.variants import VARIANTS

    # no checkpoint ships for the lab's own variants: a dash, never None
    assert (mini[mini["variant"] == VARIANTS["vgg16_c_mini"].label]["shapes held-out %"].str.startswith("—")).all()
