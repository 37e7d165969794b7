"""vggviz.registry: every page file is registered once, with its own key prefix, and the lists
generated from the registry agree with what the app and the link parser use."""

from __future__ import annotations

import re

from support import ROOT

from vggviz import registry


def test_every_page_file_is_registered_and_every_entry_has_its_file():
    files = {f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py")}
    registered = {spec.script for spec in registry.PAGES}
    assert files == registered
    assert all((ROOT / s).is_file() for s in registered)


def test_url_paths_are_file_names_so_streamlits_old_mode_hands_over_to_the_same_page():
    """ui.page_guard relies on it: a page file run by Streamlit's pages-folder mode is hashed
    by its file name, an st.Page by its url path."""
    for spec in registry.PAGES:
        if spec.url_path != registry.START:
            assert spec.script == f"pages/{spec.url_path}.py"
    assert registry.by_url(registry.HOME_ALIAS).url_path == registry.START


def test_key_prefixes_are_unique_and_every_widget_key_of_a_page_uses_its_own():
    prefixes = [spec.key_prefix for spec in registry.PAGES]
    assert len(prefixes) == len(set(prefixes))
    assert not any(a != b and b.startswith(a) for a in prefixes for b in prefixes)
    for spec in registry.PAGES:
        text = (ROOT / spec.script).read_text()
        keys = re.findall(r"\bkey=f?[\"']([A-Za-z0-9_]+)", text)
        foreign = [k for k in keys if not k.startswith(spec.key_prefix)]
        assert not foreign, f"{spec.script}: widget keys without the prefix {spec.key_prefix!r}: {foreign}"


def test_lesson_order_is_a_permutation_of_the_pages_starting_at_the_start_page():
    order = registry.lesson()
    assert sorted(order) == sorted(spec.url_path for spec in registry.PAGES)
    assert order[0] == registry.START
    assert len({spec.lesson for spec in registry.PAGES}) == len(registry.PAGES)


def test_sections_and_titles_are_translated():
    from vggviz import i18n

    i18n.set_language("zh")
    try:
        for spec in registry.PAGES:
            assert spec.title in i18n.catalogue("zh"), spec.title
            assert i18n._(spec.section) != spec.section, spec.section
    finally:
        i18n.set_language(i18n.DEFAULT)


def test_link_pages_are_the_registrys():
    assert registry.url_paths() == [s.url_path for s in registry.PAGES] + ["home"]
