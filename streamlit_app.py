"""vggviz: take VGG networks apart. Run with ``streamlit run streamlit_app.py``."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import uuid
from pathlib import Path

import streamlit as st

from vggviz import registry
from vggviz.app import ui
from vggviz.i18n import _
from vggviz.serving import jobs

ui.choose_language()       # first: everything below is shown in the session's language
st.set_page_config(page_title=_("vggviz — VGG taken apart"), page_icon="🧱", layout="wide")


@st.cache_resource(scope="session", on_release=lambda owner: jobs.pool().leave(owner), show_spinner=False)
def _session_owner(owner: str) -> str:
    """Released when the session disconnects: its training runs are then withdrawn (after a
    short grace for a reconnecting browser; heartbeats catch whatever this misses)."""
    jobs.pool().touch(owner)       # (re)connected
    return owner


@st.fragment(run_every=10)
def _heartbeat(owner: str) -> None:
    """While this session has runs queued or running, tell the pool it is still here, on
    whatever page it is."""
    jobs.pool().touch(owner)


nav, pages = ui.navigation(Path(__file__).parent)
owner = st.session_state.setdefault("vggviz_owner", uuid.uuid4().hex)
_session_owner(owner)
if jobs.pool().has_live(owner):
    _heartbeat(owner)
sel = ui.sidebar()
ui.image_picker()
ui.page_banner(sel, show=nav.url_path != "train")     # Train trains its own models
try:
    with ui.running_page():
        nav.run()
except ui.PageEnd:       # the page said all it can for now (no image yet, …): the footer still runs
    pass
ui.presenter_and_next(nav.url_path, pages)
ui.share_link(nav.url_path, registry.url_paths())
