"""The "What a channel wants to see" page (AppTest) on the trained mini VGG16: the top patches
are the channel's strongest images, in order, with their values; Visualise paints an image
whose value beats noise, a gallery paints one image per channel; random weights say what the
pictures cannot mean."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from vggviz.explain.top_patches import image_set, index_layer

pytestmark = pytest.mark.filterwarnings("ignore")


def _open(root, variant="vgg16_mini", weights=None):
    app = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    app.session_state["vggviz_variant"] = variant
    if weights:
        app.session_state["vggviz_weights"] = weights
    app.run()
    app.switch_page("pages/channel.py").run()
    assert not app.exception, app.exception
    return app


@pytest.fixture(scope="module")
def at(root):
    return _open(root)


def test_top_patches_are_the_channels_strongest_images(at, vgg16_mini):
    assert not at.error, [e.value for e in at.error]
    layer, ch = at.selectbox(key="ch_layer").value, int(at.number_input(key="ch_channel").value)
    assert layer == "relu4_3"
    assert ch == int(index_layer(vgg16_mini, layer, image_set(vgg16_mini)).ranking()[0])   # the most excitable
    idx = index_layer(vgg16_mini, layer, image_set(vgg16_mini))
    best = np.sort(idx.values[:, ch])[::-1][:12]
    shown = [float(c.split(" · ")[0]) for c in _captions(at) if " · " in c]
    assert len(shown) == 12                        # in four columns: compare as sorted values
    np.testing.assert_allclose(sorted(shown, reverse=True), best, rtol=2e-3)


def _captions(at) -> list[str]:
    out = []
    for el in at.get("image"):
        for img in el.proto.imgs:
            out.append(img.caption)
    return out


def test_visualise_paints_an_image_above_noise(at):
    at.selectbox(key="ch_layer").set_value("relu3_1").run()
    at.number_input(key="ch_channel").set_value(26).run()      # a channel the trained mini VGG16 paints well
    at.button(key="ch_go").click().run()
    assert not at.exception and not at.error
    m = next(m for m in at.metric if m.label == "Value on this image")
    assert "× noise" in m.delta and float(m.delta.split("×")[0]) > 5
    assert any(d.label.startswith("⬇️ Download") for d in at.get("download_button"))


def test_a_gallery_paints_one_image_per_channel(at):
    at.radio(key="ch_mode").set_value("a gallery of channels").run()
    at.select_slider(key="ch_steps_True_64").set_value(32).run()
    at.select_slider(key="ch_n").set_value(4).run()
    at.button(key="ch_go").click().run()
    assert not at.exception and not at.error
    caps = [c for c in _captions(at) if c.split(":")[0].isdigit()]
    assert [int(c.split(":")[0]) for c in caps] == [26, 27, 28, 29]       # from the channel chosen above


def test_random_weights_say_what_the_pictures_cannot_mean(root):
    app = _open(root, "vgg11_mini", "random")
    # said once, in the one untrained-weights warning above the page (with what it means here)
    assert any("random weights" in w.value.lower() and "nothing here was learned" in w.value
               for w in app.warning), [w.value for w in app.warning]
