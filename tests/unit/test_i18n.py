"""vggviz.i18n: the language is per thread (per session) and falls back to English, the
pseudo-locale marks every message, messages made before their reader is known are translated
when shown; and the test helper that finds English prose left out of the catalogues."""

from __future__ import annotations

import pytest
from support import untranslated

from vggviz import i18n
from vggviz.i18n import N_, _


@pytest.fixture(autouse=True)
def pseudo_locale(monkeypatch):
    """The pseudo-locale is offered only when tests ask for it."""
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")


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


def test_library_messages_are_shown_in_the_readers_language():
    """Errors and notes made before their reader is known (shared caches, worker threads) are
    Texts: English as data, translated when shown."""
    from vggviz.data.images import ImageError, load_image
    from vggviz.model.weights import load_model

    with pytest.raises(ImageError) as e:
        load_image(b"", "x.png")
    assert "is empty (0 bytes)" in e.value.args[0]
    with i18n.using("zh"):
        assert "是空的" in str(e.value) and "“x.png”" in str(e.value)
    m = load_model("vgg16_mini", "random", "cpu")
    assert not m.note
    with i18n.using("zh"):
        assert _("star") == "星形" and _("Weights") == "权重"


def test_a_training_error_made_in_english_is_shown_in_the_readers_language():
    from vggviz.lab.training import localise_error

    made = "vgg19_mini diverged (the loss became NaN) in epoch 3; lower the learning rate"
    assert localise_error(made) == made
    with i18n.using("zh"):
        said = localise_error(made)
        assert "vgg19_mini" in said and "3" in said and said != made
        assert localise_error("something nobody translated") == "something nobody translated"
    with i18n.using(i18n.PSEUDO):
        assert localise_error("epochs must be at least 1, got 0") == "⟦epochs must be at least 1, got 0⟧"
