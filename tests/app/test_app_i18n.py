"""English and 简体中文 in the app: every page rendered under the pseudo-locale shows no English
left out of the catalogues, and a link or the sidebar switches the language. The catalogues
themselves: tests/unit/test_locales.py; the language machinery: tests/unit/test_i18n.py."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest
from support import ROOT, shown_texts, untranslated

from vggviz import i18n

pytestmark = pytest.mark.filterwarnings("ignore")
os.environ[i18n.PSEUDO_ENV] = "1"


# ---------------------------------------------------------------- every page in the pseudo-locale

# Pages whose every string is in the catalogues; a page joins when its area is translated.
TRANSLATED: set[str] = {"start", "architecture", "compare", "receptive_field", "forward_pass", "feature_maps",
                         "unit", "channel", "filters", "fully_conv", "train", "transfer", "gradcam"}
PAGES = ["start", "architecture", "compare", "receptive_field", "forward_pass", "feature_maps", "unit",
         "channel", "filters", "gradcam", "fully_conv", "train", "transfer"]


def _allowed():
    """Data, not prose: class names, sample and variant names, layer names."""
    from vggviz.data.images import sample_images
    from vggviz.model.variants import VARIANTS
    from vggviz.model.weights import imagenet_meta

    return list(sample_images()) + [v.label for v in VARIANTS.values()] + list(imagenet_meta()["categories"])


def render(page: str, lang: str = i18n.PSEUDO, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=240)
    at.query_params.update({"lang": lang, "variant": "vgg16_mini", "sample": "shapes star", **params})
    at.run()
    if page != "start":
        # AppTest sends back each widget's label made by its format_func in *this* thread:
        # it must be the language the app showed, or it finds no such option.
        with i18n.using(lang):
            at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_is_in_the_catalogues(page):
    if page not in TRANSLATED:
        pytest.skip(f"{page}: not translated yet")
    at = render(page)
    texts = shown_texts(at, "all" if page == "start" else "main")     # the sidebar: checked on the start page
    assert any("⟦" in t for t in texts), "the pseudo-locale was not applied"
    bad = untranslated(texts, _allowed())
    assert not bad, f"{page}: {len(bad)} texts not from the catalogue: {bad[:10]}"


def test_a_link_with_lang_zh_opens_chinese():
    at = render("start", lang="zh")
    assert at.sidebar.selectbox(key="vggviz_lang").value == "zh"
    assert at.title[0].value.startswith("🧱 vggviz：") and "拆开" in at.title[0].value
    assert not at.info                                   # the link's lang was taken without a note


def test_the_sidebar_speaks_chinese_and_a_language_change_keeps_the_choices():
    at = render("start", lang="zh", variant="vgg11_mini", sample="shapes ring")
    sb = at.sidebar
    variant, sample = sb.selectbox(key="vggviz_variant"), sb.selectbox(key="vggviz_sample")
    assert variant.label == "VGG 变体" and sb.radio(key="vggviz_weights").label == "权重"
    assert sample.label == "示例图像" and "形状：圆环" in sample.options       # shown translated …
    assert variant.value == "vgg11_mini" and sample.value == "Shapes ring"  # … the values stay the data
    assert any("在形状上训练" in o for o in variant.options)
    assert any("圆形" in c.value and "月牙" in c.value for c in sb.caption)  # the mini family's classes
    assert any("lang=zh" in c.value and "variant=vgg11_mini" in c.value for c in sb.code)   # the share link
    weights = sb.radio(key="vggviz_weights").value

    shown = "zh"
    for lang, label in (("en", "VGG variant"), ("zh", "VGG 变体")):
        # The browser sends back the labels it showed (AppTest formats them in this thread's
        # language): the labels of the language being left. Streamlit decodes them with the
        # previous run's labels (before the script runs), so the values survive new labels.
        with i18n.using(shown):
            at.sidebar.selectbox(key="vggviz_lang").set_value(lang).run()
        shown = lang
        assert not at.exception, at.exception
        sb = at.sidebar
        assert sb.selectbox(key="vggviz_variant").label == label
        assert sb.selectbox(key="vggviz_variant").value == "vgg11_mini"
        assert sb.selectbox(key="vggviz_sample").value == "Shapes ring"
        assert sb.radio(key="vggviz_weights").value == weights
        assert at.session_state["vggviz_image"].name == "shapes_ring.png"
        q = {k: (v[0] if isinstance(v, list) else v) for k, v in dict(at.query_params).items()}
        assert q.get("lang") == (None if lang == "en" else "zh") and q.get("variant") == "vgg11_mini"
        assert q.get("sample") == "shapes ring"
        share = [c.value for c in sb.code]
        assert share and ("lang=zh" in share[0]) == (lang == "zh")


def test_feature_maps_in_chinese():
    """The Feature maps page with ?lang=zh: a Chinese title, and Chinese in its figures."""
    import json
    import re

    at = render("feature_maps", lang="zh")
    assert at.title[0].value == "特征图：每一层看到了什么"
    han = re.compile(r"[\u4e00-\u9fff]")
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert figures
    texts = []
    for fig in figures:
        lay = fig["layout"]
        texts += [a.get("text", "") for a in lay.get("annotations", [])]          # subplot titles
        texts += [(lay.get(k) or {}).get("title", {}).get("text", "") for k in lay if k.startswith(("xaxis", "yaxis"))]
    assert any(han.search(t or "") for t in texts), texts
    assert "通道" in " ".join(t for t in texts if t)
