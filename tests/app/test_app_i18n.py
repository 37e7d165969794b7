"""English and 简体中文 (vggviz.i18n): both catalogues have the same keys, every template keeps
its fields, and every page rendered under the pseudo-locale shows no English left out of the
catalogues."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from support import ROOT, shown_texts, untranslated
from vggviz import i18n
from vggviz.i18n import _, N_

pytestmark = pytest.mark.filterwarnings("ignore")
os.environ[i18n.PSEUDO_ENV] = "1"


@pytest.fixture(scope="module")
def source():
    return i18n.extract(i18n.source_files(ROOT))


def test_messages_are_plain_strings(source):
    _found, bad = source
    assert not bad, f"_()/N_() given an f-string or an expression (use a template and .format): {bad}"


def test_both_catalogues_have_the_same_keys(source):
    found, _bad = source
    zh = i18n.catalogue("zh")
    missing = sorted(set(found) - set(zh))
    stale = sorted(set(zh) - set(found))
    assert not missing, f"{len(missing)} messages have no Chinese: {[(m, found[m][0]) for m in missing[:15]]}"
    assert not stale, f"{len(stale)} Chinese messages no source uses: {stale[:15]}"


def test_translations_keep_their_fields():
    for en, zh in i18n.catalogue("zh").items():
        assert i18n.fields(en) == i18n.fields(zh), (en, zh)
        assert zh.strip(), en
        assert en.format(**{f: 1 for f in i18n.fields(en) if f}) is not None if "{}" not in en else True


def test_the_language_is_per_thread_and_falls_back():
    import threading

    with i18n.using("zh"):
        assert _("Forward pass") == "前向传播"
        seen = []
        t = threading.Thread(target=lambda: seen.append(_("Forward pass")))
        t.start()
        t.join()
        assert seen == ["Forward pass"]          # another thread (another session) is not affected
        assert _("a message nobody translated") == "a message nobody translated"
    assert _("Forward pass") == "Forward pass"
    with i18n.using("xx"):
        assert i18n.language() == "en"
    with i18n.using(i18n.PSEUDO):
        assert _("Feature maps") == "⟦Feature maps⟧" and N_("x") == "x"


def test_untranslated_finds_english_prose():
    assert untranslated(["⟦Feature maps⟧ conv2_1", "⟦Top {k}⟧", "relu5_3 · 512 × 14 × 14"]) == []
    assert untranslated(["⟦Layer⟧ and then some english"]) == ["⟦Layer⟧ and then some english"]
    assert untranslated(["tabby cat 42%"], allowed=["tabby cat"]) == []


# ---------------------------------------------------------------- every page in the pseudo-locale

# Pages whose every string is in the catalogues; a page joins when its area is translated.
TRANSLATED: set[str] = {"start", "architecture", "compare", "receptive_field", "forward_pass", "feature_maps",
                         "unit", "channel", "filters", "fully_conv", "train", "transfer", "gradcam"}
PAGES = ["start", "architecture", "compare", "receptive_field", "forward_pass", "feature_maps", "unit",
         "channel", "filters", "gradcam", "fully_conv", "train", "transfer"]


def _allowed():
    """Data, not prose: class names, sample and variant names, layer names."""
    from vggviz.images import sample_images
    from vggviz.variants import VARIANTS
    from vggviz.weights import imagenet_meta

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


def test_library_messages_are_shown_in_the_readers_language():
    """Errors and notes made before their reader is known (shared caches, worker threads) are
    Texts: English as data, translated when shown."""
    from vggviz.images import ImageError, load_image
    from vggviz.weights import load_model

    with pytest.raises(ImageError) as e:
        load_image(b"", "x.png")
    assert "is empty (0 bytes)" in e.value.args[0]
    with i18n.using("zh"):
        assert "是空的" in str(e.value) and "“x.png”" in str(e.value)
    m = load_model("vgg16_mini", "random", "cpu")
    assert not m.note
    with i18n.using("zh"):
        assert _("star") == "星形" and _("Weights") == "权重"


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


def test_the_shape_classes_are_in_the_catalogue():
    """The mini family's classes are shown with _(): every one of shapes.CLASSES has its Chinese."""
    from vggviz.shapes import CLASSES

    zh = i18n.catalogue("zh")
    assert all(c in zh and zh[c] != c for c in CLASSES), [c for c in CLASSES if c not in zh]


def test_a_training_error_made_in_english_is_shown_in_the_readers_language():
    from vggviz.training import localise_error

    made = "vgg19_mini diverged (the loss became NaN) in epoch 3; lower the learning rate"
    assert localise_error(made) == made
    with i18n.using("zh"):
        said = localise_error(made)
        assert "vgg19_mini" in said and "3" in said and said != made
        assert localise_error("something nobody translated") == "something nobody translated"
    with i18n.using(i18n.PSEUDO):
        assert localise_error("epochs must be at least 1, got 0") == "⟦epochs must be at least 1, got 0⟧"
