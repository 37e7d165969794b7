"""vggviz/locales: the Chinese catalogue has exactly the source's messages (extracted from every
_()/N_() call), each a plain string, every translation keeping its template's fields. Every page
rendered under the pseudo-locale: tests/app/test_app_i18n.py."""

from __future__ import annotations

import pytest
from support import ROOT

from vggviz import i18n


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


def test_the_shape_classes_are_in_the_catalogue():
    """The mini family's classes are shown with _(): every one of shapes.CLASSES has its Chinese."""
    from vggviz.data.shapes import CLASSES

    zh = i18n.catalogue("zh")
    assert all(c in zh and zh[c] != c for c in CLASSES), [c for c in CLASSES if c not in zh]
