"""The app's side of links: each control's query-string parameter applied to its widget, and the
view written back to the address bar and the share box (the parsing is :mod:`vggviz.links`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from vggviz.i18n import _

if TYPE_CHECKING:
    pass

__all__ = ["flag", "link_param", "link_params", "share_link"]



_URL_IN = "_vggviz_url_in"       # the query string the session arrived with (its first run)
_URL_DONE = "_vggviz_url_done"   # link parameters already applied to their widgets
_URL_NOW = "_vggviz_url_now"     # name → (widget key, to-text) of the controls drawn in this run


def _begin_links() -> None:
    ss = st.session_state
    if _URL_IN not in ss:
        ss[_URL_IN] = {k: st.query_params.get(k) for k in st.query_params}
        ss[_URL_DONE] = set()
    ss[_URL_NOW] = {}


def link_param(name: str, key: str, *, options=None, lo=None, hi=None, cast=str, fold: bool = False,
               to_url=str) -> None:
    """Tie the control with widget ``key`` to ``?name=`` in the URL. Call it just before the
    widget: the first time a session opens a link with ``name``, its value (checked by
    :func:`vggviz.links.parse` against ``options`` or ``lo … hi``) becomes the widget's; a
    value the view cannot take shows one line and leaves the default. After the page has run,
    :func:`share_link` writes every such control's value back to the URL (``to_url(value)``;
    None leaves it out)."""
    from vggviz import links

    ss = st.session_state
    if _URL_NOW not in ss:
        _begin_links()
    raw = ss.get(_URL_IN, {}).get(name)
    if raw is not None and name not in ss[_URL_DONE]:
        ss[_URL_DONE].add(name)
        try:
            ss[key] = links.parse(name, raw, options=options, lo=lo, hi=hi, cast=cast, fold=fold)
        except links.LinkError as e:
            st.info(_("ℹ️ {reason}; the default is shown instead.").format(reason=_capitalised(str(e))))
    ss[_URL_NOW][name] = (key, to_url)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def link_params() -> dict[str, str]:
    """The query string of the view as it is now (every control tied by :func:`link_param`)."""
    ss = st.session_state
    out = {}
    for name, (key, to_url) in ss.get(_URL_NOW, {}).items():
        if ss.get(key) is not None:
            text = to_url(ss[key])
            if text is not None:
                out[name] = str(text)
    return out


def share_link(url_path: str, pages: list[str]) -> str:
    """Write the view into the address bar and draw the sidebar's "Share this view" box: the
    link (with a copy button), its QR code for a projector, and a word on uploads."""
    from vggviz.links import qr_png, share_url

    params = link_params()
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
    try:
        here = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser context (AppTest)
        here = ""
    url = share_url(here, url_path, params, pages)
    with st.sidebar.expander(_("🔗 Share this view")):
        st.code(url, language=None, wrap_lines=True)
        st.caption(_("Copy the link (the icon at its right), or show the QR code on the projector: "
                     "it opens this page with the same network, weights, sample and settings."))
        st.image(qr_png(url), width=180)
        img = st.session_state.get("vggviz_image")
        if img is not None and "sample" not in params:
            st.caption(_("Your uploaded image is not in the link: uploads stay private to you."))
    return url


def flag(text: str) -> bool:
    """A link's on/off value (1/0, true/false, yes/no, on/off)."""
    t = text.strip().lower()
    if t in ("1", "true", "yes", "on"):
        return True
    if t in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)
