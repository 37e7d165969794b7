"""vggviz: take VGG networks apart. Run with ``streamlit run streamlit_app.py``."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import uuid
from pathlib import Path

import streamlit as st

from vggviz import jobs, ui
from vggviz.i18n import _

HERE = Path(__file__).parent
ui.choose_language()       # first: everything below is shown in the session's language
st.set_page_config(page_title=_("vggviz — VGG taken apart"), page_icon="🧱", layout="wide")


def page(name: str, title: str, icon: str, **kw) -> st.Page:
    return st.Page(HERE / "pages" / f"{name}.py", title=title, icon=icon, url_path=name, **kw)


# The default page lives at "/" (Streamlit reserves its url_path but answers "Page not found"
# there), so its file's name, /home, is a hidden page that opens it.
HOME = st.Page(HERE / "pages" / "home.py", title=_("Start here"), icon="🏠", url_path="start", default=True)


def _home_alias() -> None:
    st.switch_page(HOME)


PAGES = {
    _("Start"): [HOME, st.Page(_home_alias, title=_("Start here"), url_path="home", visibility="hidden")],
    _("The architecture"): [
        page("architecture", _("Architecture"), "🧱"),
        page("compare", _("Compare depths"), "📊"),
        page("receptive_field", _("Why 3×3?"), "🔍"),
    ],
    _("An image through the network"): [
        page("forward_pass", _("Forward pass"), "➡️"),
        page("feature_maps", _("Feature maps"), "🗺️"),
        page("unit", _("One unit"), "🔬"),
        page("channel", _("What a channel wants to see"), "🎨"),
        page("filters", _("Filters"), "🎛️"),
        page("gradcam", _("Grad-CAM"), "🔥"),
        page("fully_conv", _("Fully convolutional"), "🧩"),
        page("draw", _("Draw a shape"), "✏️"),
    ],
    _("The shapes lab"): [page("train", _("Train it yourself"), "🏋️"),
                          page("transfer", _("Teach it your own classes"), "🎓")],
}


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


nav = st.navigation(PAGES, expanded=True)      # every page listed: the lesson has more than ten
owner = st.session_state.setdefault("vggviz_owner", uuid.uuid4().hex)
_session_owner(owner)
if jobs.pool().has_live(owner):
    _heartbeat(owner)
sel = ui.sidebar()
ui.image_picker()
ui.page_banner(sel, show=nav.url_path != "train")     # Train trains its own models
try:
    nav.run()
except ui.PageEnd:       # the page said all it can for now (no image yet, …): the footer still runs
    pass
ui.presenter_and_next(nav.url_path, {p.url_path: p for ps in PAGES.values() for p in ps if p.url_path != "home"}
                      | {"start": HOME})
ui.share_link(nav.url_path, [p.url_path for ps in PAGES.values() for p in ps] + ["home"])
