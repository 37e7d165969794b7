"""The page flow: the navigation built from :mod:`vggviz.registry`, the guard that keeps every
page inside the entry point, ending a page early, one-line errors, the presenter view and the
lesson's next step."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from vggviz.i18n import Text, _

if TYPE_CHECKING:
    pass

__all__ = ["PRESENTER_CSS", "PageEnd", "end_page", "navigation", "page_guard", "presenter_and_next", "running_page", "show_error"]


# The presenter view's stylesheet: a constant (no user data is ever put into it), the app's only
# raw HTML (tests/unit/test_security.py allows exactly this).
PRESENTER_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"] {display: none !important;}
[data-testid="stMainBlockContainer"] {max-width: 100% !important; padding: 1rem 2.5rem !important; zoom: 1.3;}
</style>"""

def navigation(root: Path) -> tuple[Any, dict[str, Any]]:
    """``st.navigation`` over :data:`vggviz.registry.PAGES` (files under ``root``), every page
    listed by section. Returns the navigation and url path → ``st.Page`` (``start`` for the
    start page; ``/home``, its file's name, is a hidden page that opens it)."""
    from vggviz import registry

    pages: dict[str, Any] = {}
    for spec in registry.PAGES:
        pages[spec.url_path] = st.Page(root / spec.script, title=_(spec.title), icon=spec.icon,
                                       url_path=spec.url_path, default=spec.url_path == registry.START)

    def home_alias() -> None:
        st.switch_page(pages[registry.START])

    alias = st.Page(home_alias, title=_("Start here"), url_path=registry.HOME_ALIAS, visibility="hidden")
    sections: dict[str, list] = {_(s): [] for s in registry.SECTIONS}
    for spec in registry.PAGES:
        sections[_(spec.section)].append(pages[spec.url_path])
    sections[_(registry.SECTIONS[0])].append(alias)
    # Every page listed (expanded): the lesson has more than ten.
    return st.navigation(sections, expanded=True), pages


def presenter_and_next(url_path: str, pages: dict) -> None:
    """The presenter view (its stylesheet and a way back) and the lesson's "next step" button.
    ``pages``: url path → st.Page (:func:`navigation`)."""
    from vggviz import registry

    ss = st.session_state
    if ss.get("vggviz_present"):
        st.html(PRESENTER_CSS)

        def leave():
            ss["vggviz_present"] = False

        st.button(_("⬅️ Leave presenter view (show the sidebar)"), key="vggviz_leave_present", on_click=leave)
    here = registry.by_url(url_path or registry.START)
    order = registry.lesson()
    if here is not None and order.index(here.url_path) + 1 < len(order):
        nxt = pages.get(order[order.index(here.url_path) + 1])
        if nxt is not None:
            st.divider()
            if st.button(_("Next step: {icon} {title} →").format(icon=nxt.icon, title=nxt.title),
                         key="vggviz_next_step", type="secondary"):
                st.switch_page(nxt)




_ENTRY = threading.local()      # .active: the entry point's navigation is running a page in this thread


@contextlib.contextmanager
def running_page():
    """The entry point runs the chosen page inside this (``with ui.running_page(): nav.run()``),
    so that :func:`page_guard` can tell a page run by the app's navigation from a page file run
    by Streamlit on its own."""
    _ENTRY.active = True
    try:
        yield
    finally:
        _ENTRY.active = False


def page_guard() -> None:
    """First statement of every page: hand a page file that Streamlit runs on its own over to the
    entry point (navigation, sidebar, banner, footer).

    Why: with a ``pages/`` folder beside the entry point, Streamlit starts a fresh server in its
    old "pages directory" mode (``PagesManager.uses_pages_directory``, a class attribute set
    from the folder's existence when the first session starts). In that mode each script run
    that *starts* before any ``st.navigation`` call has turned the mode off runs
    ``_mpa_v1``: it builds a navigation from the folder's file names and runs the requested
    page file directly, skipping ``streamlit_app.py``. After a restart, every student's tab
    reconnects at once, so several such runs start together.

    What: the entry point marks its own page runs (:func:`running_page`, a thread-local: each
    session's script runs in its own thread). A page run without that mark turns the mode off
    (as ``st.navigation`` does) and reruns the session. The rerun keeps the page (``_mpa_v1``
    hashes a page's file name as ``st.Page`` hashes its ``url_path``, and every page's
    ``url_path`` is its file name: :mod:`vggviz.registry`) and the query string, so the entry
    point opens the same view. The check runs on every page run, not once per process, so runs
    that started in the old mode before another session turned it off are handed over too.
    Outside a script run (the CLI, unit tests) it does nothing.

    ``tests/app/test_ui.py`` fails if a Streamlit upgrade changes the behaviour worked around;
    ``tests/browser/test_restart.py`` opens many deep links on a fresh server at once.
    """
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if getattr(_ENTRY, "active", False) or get_script_run_ctx() is None:
        return
    PagesManager.uses_pages_directory = False
    st.rerun()


def _reason(e: BaseException) -> str:
    """An exception's one-line message, as a :class:`Text` when it was raised as one (so that
    it is shown in each reader's language)."""
    return e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Text) else str(e)


def show_error(err: BaseException | str) -> None:
    """One line for the user; never a traceback."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    st.error(text)


class PageEnd(StopException):
    """Raised by :func:`end_page`; the entry point catches it after ``nav.run()``. A
    :class:`StopException` (what ``st.stop()`` raises), so that should one ever escape a page,
    Streamlit ends that run quietly instead of losing the session's script thread."""


def end_page() -> None:
    """End the page here (instead of ``st.stop()``, which would also stop the entry point's
    footer: the lesson's next step, the share link and the URL of this view)."""
    raise PageEnd
