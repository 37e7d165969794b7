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
TRANSLATED: set[str] = {"gradcam"}
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
