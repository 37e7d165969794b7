"""The image pages in the real app (AppTest): forward pass, feature maps, filters.

Forward passes are counted with a pre-hook on the first conv of the cached model the app
uses, so "moving a widget never runs the network again" is checked, not assumed.
"""

from __future__ import annotations

import io
from contextlib import contextmanager

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from vggviz.app import models, results
from vggviz.inference.analysis import analyze

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(autouse=True)
def fresh_analysis_cache():
    results._cached_analysis.clear()
    yield
    results._cached_analysis.clear()


@contextmanager
def count_passes(variant: str):
    """Count forward passes through the app's cached ``variant`` model (random weights, CPU)."""
    model = models._cached_model(variant, "random", "cpu").model   # the instance the app will get
    calls = []
    handle = model.features[0].register_forward_pre_hook(lambda m, i: calls.append(1))
    try:
        yield calls
    finally:
        handle.remove()
    assert not model.features[0]._forward_pre_hooks


def app(root, variant: str = "vgg11") -> AppTest:
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=120)
    at.session_state["vggviz_variant"] = variant
    at.run()
    assert not at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def pick_sample(at: AppTest, name: str) -> AppTest:
    at.sidebar.selectbox(key="vggviz_sample").set_value(name).run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def png(size=(64, 48), colour=(200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def test_forward_pass_page(root):
    at = go(app(root), "forward_pass")
    assert any("sidebar" in i.value for i in at.info)          # no image yet: a prompt
    assert not at.get("plotly_chart")
    pick_sample(at, "Cat")
    assert not errors(at)
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    spec = charts[0].proto.spec
    assert '"orientation":"h"' in spec and '"type":"bar"' in spec and "probability (%)" in spec
    assert metric(at, "Device") == "CPU"
    assert metric(at, "Forward pass").endswith(" ms")
    assert len(at.get("image")) >= 4 + 6 + 1                    # four stages, six jitter draws, the preview
    jitter = [c.value for c in at.caption if c.value.startswith("S = ")]
    assert len(jitter) == 6 and all(256 <= int(c.split(",")[0][4:]) <= 512 for c in jitter)
    at.number_input(key="fp_jitter_seed").set_value(5).run()
    assert not errors(at) and [c.value for c in at.caption if c.value.startswith("S = ")] != jitter
    # untrained weights are said plainly on the page
    assert any("random" in w.value.lower() or "untrained" in w.value.lower() for w in at.warning)


def test_one_forward_pass_per_image_whatever_the_widgets_do(root):
    with count_passes("vgg11") as calls:
        at = go(app(root), "forward_pass")
        pick_sample(at, "Cat")
        assert len(calls) == 1
        go(at, "feature_maps")
        assert at.selectbox(key="fm_layer").value == "relu1_1"  # VGG11 has no relu1_2
        assert len(at.get("image")) >= 1 and at.get("download_button")
        at.selectbox(key="fm_layer").set_value("conv4_2").run()
        at.radio(key="fm_order").set_value("mean").run()
        at.radio(key="fm_normalise").set_value("layer").run()
        at.slider(key="fm_tile_conv4_2").set_value(7).run()
        assert not at.exception and not errors(at)
        assert metric(at, "Channel") != ""
        at.radio(key="fm_order").set_value("max").run()
        at.selectbox(key="fm_layer").set_value("pool5").run()
        go(at, "filters")
        go(at, "forward_pass")
        assert len(calls) == 1
        pick_sample(at, "Coffee")
        assert len(calls) == 2
        pick_sample(at, "Cat")                                  # seen before: from the cache
        go(at, "feature_maps")
        assert len(calls) == 2
        assert not at.exception and not errors(at)


def test_channel_slider_picks_the_tile_in_the_sorted_order(root):
    at = go(app(root), "feature_maps")
    pick_sample(at, "Rocket")
    at.selectbox(key="fm_layer").set_value("relu5_2").run()
    at.radio(key="fm_order").set_value("max").run()
    at.slider(key="fm_tile_relu5_2").set_value(1).run()
    res = analyze(models._cached_model("vgg11", "random", "cpu"), at.session_state["vggviz_image"])
    acts = res.activation("relu5_2")
    strongest = int(np.argmax(acts.reshape(acts.shape[0], -1).max(1)))
    assert metric(at, "Channel") == str(strongest)


def test_vgg16_and_switching_variants_runs_each_once(root):
    with count_passes("vgg16") as calls16, count_passes("vgg11") as calls11:
        at = go(app(root, "vgg16"), "forward_pass")
        pick_sample(at, "Astronaut")
        assert not errors(at)
        assert metric(at, "Device") == "CPU"
        go(at, "feature_maps")
        assert at.selectbox(key="fm_layer").value == "relu1_2"
        at.selectbox(key="fm_layer").set_value("conv5_3").run()
        at.radio(key="fm_order").set_value("mean").run()
        assert not at.exception and not errors(at)
        at.sidebar.selectbox(key="vggviz_variant").set_value("vgg11").run()
        assert not at.exception and not errors(at)
        # conv5_3 does not exist in VGG11: the layer falls back to its default
        assert at.selectbox(key="fm_layer").value == "relu1_1"
        at.sidebar.selectbox(key="vggviz_variant").set_value("vgg16").run()
        go(at, "forward_pass")
        assert (len(calls16), len(calls11)) == (1, 1)


BAD_UPLOADS = [
    ("empty.png", b"", "empty"),
    ("notes.png", b"this is not an image, just some text\n" * 4, "not an image"),
    ("cut.png", png((200, 200))[:200], ""),
    ("tiny.png", png((16, 16)), "32"),
]


def test_bad_uploads_show_one_line_and_a_good_one_works(root):
    at = go(app(root), "forward_pass")
    for name, data, fragment in BAD_UPLOADS:
        at.sidebar.file_uploader(key="vggviz_upload").set_value((name, data, "image/png"))
        at.run()
        assert not at.exception, name
        errs = errors(at)
        assert len(errs) == 1, (name, errs)
        assert "\n" not in errs[0] and len(errs[0]) < 300, errs[0]
        assert fragment.lower() in errs[0].lower(), (name, errs[0])
        assert not at.get("plotly_chart")                       # still no image to analyse
    at.sidebar.file_uploader(key="vggviz_upload").set_value(("good.png", png((300, 200)), "image/png"))
    at.run()
    assert not at.exception and not errors(at)
    assert len(at.get("plotly_chart")) == 1
    assert metric(at, "Device") == "CPU"


def test_filters_page_needs_no_image(root):
    at = go(app(root), "filters")
    assert not errors(at)
    assert len(at.main.get("image")) == 2                            # conv1_1 patches + kernel grid
    assert at.selectbox(key="flt_layer").value == "conv2_1"
    at.selectbox(key="flt_layer").set_value("conv5_2").run()
    at.slider(key="flt_first_conv5_2").set_value(100).run()
    at.multiselect(key="flt_hist_layers").set_value(["conv1_1", "conv5_2"]).run()
    assert not at.exception and not errors(at)
    assert len(at.get("plotly_chart")) == 1 and len(at.get("download_button")) == 2
