"""The Draw page (AppTest): the canvas's drawing (put into the component's state as the browser
sends it) through the model, the first metric "Top-1", the top-5, the input as the network sees
it, Grad-CAM and feature-map strips; an empty canvas and a dot get one line; Clear; "Open in the
other pages"; random weights said plainly; the camera tab off unless VGGVIZ_CAMERA=1. The drawing
with the mouse in Chromium: tests/browser/test_draw.py."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from vggviz import i18n
from vggviz.app import results
from vggviz.data import shapes

pytestmark = pytest.mark.filterwarnings("ignore")
SIDE = 320


def canvas_state(label: str | None = None, dot: bool = False) -> dict:
    """What the canvas component sends: the Fabric.js objects and the canvas as a PNG data URL
    (strokes on the white background)."""
    if dot:
        pic = Image.new("RGBA", (SIDE, SIDE), "white")
        pic.paste((0, 0, 0, 255), (150, 150, 158, 158))
    elif label is None:
        pic = Image.new("RGBA", (SIDE, SIDE), "white")
    else:
        pic = shapes.draw_plain(label, size=SIDE).convert("RGBA")
    buf = io.BytesIO()
    pic.save(buf, "PNG")
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}] if label or dot else []}, "data": url}}


def draw(at: AppTest, label: str | None = None, dot: bool = False) -> AppTest:
    at.session_state[f"draw_canvas_{at.session_state['draw_round'] if 'draw_round' in at.session_state else 0}"] = \
        canvas_state(label, dot)
    at.run()
    assert not at.exception, at.exception
    return at


def open_draw(root, variant: str = "vgg16_mini", lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(root / "streamlit_app.py"), default_timeout=180)
    at.session_state["vggviz_variant"] = variant
    if lang:
        at.query_params["lang"] = lang
    at.run()
    with i18n.using(lang or "en"):
        at.switch_page("pages/draw.py").run()
    assert not at.exception, at.exception
    return at


def image_captions(at: AppTest) -> list[str]:
    return [img.caption for el in at.get("image") for img in el.proto.imgs if img.caption]     # (the sidebar's has none)


@pytest.fixture()
def mini(root):
    return open_draw(root)


def test_an_empty_canvas_asks_for_a_drawing_and_shows_no_answer(mini):
    assert "Draw something first: the canvas is empty." in [i.value for i in mini.info]
    assert not mini.metric and not mini.error
    assert mini.title[0].value == "Draw a shape"
    assert draw(mini, None).metric == []                      # a white canvas sent back: still empty


def test_a_drawing_gets_top1_first_then_top5_input_gradcam_and_maps(mini):
    at = draw(mini, "square")
    assert at.metric[0].label == "Top-1"
    assert at.metric[0].value in shapes.CLASSES
    assert not at.error and not at.warning                    # bundled trained weights: no banner
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and '"orientation":"h"' in charts[0].proto.spec.replace(" ", "")
    captions = image_captions(at)
    assert any("What the network is given: 64×64 px" in c for c in captions)
    assert any(c.startswith("Grad-CAM of ") and "conv4_3" in c for c in captions)
    assert at.multiselect(key="draw_layers").value == ["relu1_2", "relu4_3"]
    assert any(c.startswith("relu1_2: channels ") for c in captions) and any(c.startswith("relu4_3: channels ") for c in captions)
    assert len(captions) == 4                                  # the input, Grad-CAM, two strips


def test_chosen_layers_survive_a_change_of_variant_where_they_exist(mini):
    at = draw(mini, "square")
    at.multiselect(key="draw_layers").set_value(["relu1_2", "relu3_3", "pool5"]).run()
    assert not at.exception
    assert sum(c.startswith(("relu1_2:", "relu3_3:", "pool5:")) for c in image_captions(at)) == 3
    at.sidebar.selectbox(key="vggviz_variant").set_value("vgg11_mini").run()    # no relu1_2, no relu3_3 in A
    draw(at, "square")
    assert not at.exception
    assert at.multiselect(key="draw_layers").value == ["pool5"]


def test_the_answer_follows_the_drawing(mini):
    """Two different drawings give two different answers (plain filled shapes, which the bundled
    mini VGG16 names right), and the same drawing is not run again on a rerun."""
    first = draw(mini, "circle").metric[0].value
    again = mini.run()
    assert again.metric[0].value == first
    second = draw(mini, "cross").metric[0].value
    assert (first, second) == ("circle", "cross")


def test_a_dot_gets_one_line(mini):
    at = draw(mini, dot=True)
    infos = [i.value for i in at.info]
    assert any(i.startswith("That is only a dot") for i in infos)
    assert not at.metric and not at.exception


def test_clear_gives_an_empty_canvas(mini):
    draw(mini, "star")
    assert mini.metric
    mini.button(key="draw_clear").click().run()
    assert mini.session_state["draw_round"] == 1
    assert not mini.metric                                     # the new canvas (key draw_canvas_1) is empty
    assert "Draw something first: the canvas is empty." in [i.value for i in mini.info]


def test_the_drawing_stays_in_the_session_until_opened_in_the_other_pages(mini):
    before = dict(results._analyses()._items)
    at = draw(mini, "triangle")
    assert dict(results._analyses()._items).keys() == before.keys()     # nothing in the server-wide caches
    digest = at.session_state["draw_memo"][3].digest
    at.button(key="draw_open").click().run()
    assert not at.exception
    img = at.session_state["vggviz_image"]
    assert img.digest == digest and img.name == "drawing"
    assert any(u.digest == digest for u in at.session_state["vggviz_uploads"])
    assert "The drawing is now the image of every page." in [s.value for s in at.success]
    at.switch_page("pages/forward_pass.py").run()
    assert not at.exception
    assert any(m.label == "Top-1" for m in at.metric)                # the other pages analyse the drawing
    assert "drawing" in [t.value for t in at.sidebar.text]


def test_the_download_is_the_drawing_as_png(mini):
    at = draw(mini, "ring")
    png = at.session_state["draw_memo"][2]
    pic = Image.open(io.BytesIO(png))
    assert pic.format == "PNG" and pic.size == (256, 256)
    assert np.asarray(pic.convert("RGB"))[0, 0].tolist() == [255, 255, 255]


def test_random_weights_and_a_full_size_vgg_are_said_plainly(root):
    at = open_draw(root, "vgg11")                  # VGGVIZ_WEIGHTS=random in the tests
    draw(at, "triangle")
    assert at.metric[0].label == "Top-1"
    warnings = " ".join(w.value for w in at.warning)
    assert "random" in warnings.lower() and "With random weights the answer to your drawing is noise." in warnings
    assert any("What the network is given: 224×224 px" in c for c in image_captions(at))
    assert at.multiselect(key="draw_layers").value == ["relu1_1", "relu5_2"]


def test_the_camera_is_off_unless_the_teacher_turns_it_on(root, monkeypatch):
    """Off: one line naming the variable. On: the camera's introduction, and the page still runs
    when the WebRTC component cannot start (AppTest has no real server for it: one line; the
    component itself is tested in Chromium, tests/browser/test_draw.py)."""
    monkeypatch.delenv("VGGVIZ_CAMERA", raising=False)
    at = open_draw(root)
    assert any("VGGVIZ_CAMERA=1" in i.value for i in at.info)
    monkeypatch.setenv("VGGVIZ_CAMERA", "1")
    at.run()
    assert not at.exception
    assert not any("VGGVIZ_CAMERA=1" in i.value for i in at.info)
    assert any(m.value.startswith("Hold a drawn shape up to the camera") for m in at.markdown)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("The live camera could not start on this server:")
    assert "\n" not in errors[0]


def test_chinese_drawing_page(root):
    at = open_draw(root, lang="zh")
    with i18n.using("zh"):
        draw(at, "circle")
    assert at.title[0].value == "画一个形状"
    assert at.metric[0].label == i18n.catalogue("zh")["Top-1"]
    assert at.metric[0].value == "圆形"                       # the class, in the session's language


def test_the_page_with_a_drawing_is_in_the_catalogues(root, monkeypatch):
    """The pseudo-locale (every message ⟦wrapped⟧): nothing on the page with a drawing, the camera
    tab off and on, is English left out of the catalogues (tests/app/test_app_i18n.py renders the
    page without a drawing)."""
    from support import shown_texts, untranslated

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    for camera in ("0", "1"):
        monkeypatch.setenv("VGGVIZ_CAMERA", camera)
        at = open_draw(root, lang=i18n.PSEUDO)
        with i18n.using(i18n.PSEUDO):
            draw(at, "star")
        texts = shown_texts(at, "main") + image_captions(at)
        assert any("⟦" in t for t in texts)
        allowed = list(shapes.CLASSES) + [f"{c} ({i})" for i, c in enumerate(shapes.CLASSES)]
        bad = untranslated(texts, allowed)
        assert not bad, bad[:10]
