"""The current image: a sample, an upload or a camera photo in the sidebar; the session's own
uploads; the per-session budgets (:mod:`vggviz.serving.limits`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from vggviz.app.flow import _reason
from vggviz.app.links import link_param
from vggviz.i18n import N_, Text, _

if TYPE_CHECKING:
    pass

__all__ = ["SAMPLE_NAMES", "UPLOADS_KEPT", "take_budget", "current_image", "image_picker", "session_uploads"]


def _image_is_upload() -> bool:
    img = st.session_state.get("vggviz_image")
    return img is not None and any(u.digest == img.digest for u in st.session_state.get("vggviz_uploads", []))


def current_image():
    """The image chosen in the sidebar (a :class:`vggviz.data.images.LoadedImage`) or None."""
    return st.session_state.get("vggviz_image")


def image_picker() -> None:
    """Sidebar: a sample image, an upload or the camera. The loaded image is kept in session
    state so it stays selected across pages and variants; a bad file shows one line and
    leaves the previous image in place."""
    from vggviz.data.images import SUPPORTED_TYPES, ImageError, load_image, load_image_file, sample_images

    ss = st.session_state
    samples = sample_images()
    with st.sidebar:
        st.markdown(_("### Image"))
        names = ["—"] + list(samples)
        link_param("sample", "vggviz_sample", options=list(samples), fold=True,
                   to_url=lambda v: None if v == "—" or ss.get("vggviz_last_sample") != v
                   or _image_is_upload() else v.lower())
        sample = st.selectbox(_("Sample image"), names, key="vggviz_sample", format_func=_sample_label,
                              help=_("Public-domain / CC0 photos bundled with the app (assets/samples)."))
        upload = st.file_uploader(_("…or upload your own"), type=SUPPORTED_TYPES, key="vggviz_upload")
        with st.expander(_("…or take a photo")):
            camera = st.camera_input(_("Camera"), key="vggviz_camera", label_visibility="collapsed")

        # The most recent change wins: remember what each source last gave.
        def sig(obj):
            return None if obj is None else (getattr(obj, "file_id", None) or getattr(obj, "name", None), getattr(obj, "size", None))

        for key, obj, loader in (
            ("upload", upload, lambda o: load_image(o.getvalue(), o.name)),
            ("camera", camera, lambda o: load_image(o.getvalue(), Text(N_("camera photo")))),
            ("sample", None if sample == "—" else sample, lambda s: load_image_file(samples[s])),
        ):
            s = sig(obj) if key != "sample" else obj
            if s is not None and ss.get(f"vggviz_last_{key}") != s:
                if key != "sample" and not take_budget("uploads"):
                    continue            # the previous image stays; the same file is tried again on the next run
                ss[f"vggviz_last_{key}"] = s
                try:
                    ss["vggviz_image"] = loader(obj)
                    ss.pop("vggviz_image_error", None)
                    if key != "sample":
                        _remember_upload(ss["vggviz_image"])
                except ImageError as e:
                    ss["vggviz_image_error"] = _reason(e)       # shown in the language of each run
            elif s is None:
                ss.pop(f"vggviz_last_{key}", None)
        if ss.get("vggviz_image_error"):
            st.error(ss["vggviz_image_error"])
        img = ss.get("vggviz_image")
        if img is not None:
            st.image(img.image, caption=None, width="stretch")
            st.caption(_("{w}×{h} px · {format}").format(w=img.original_size[0], h=img.original_size[1],
                                                         format=img.format))
            st.text(img.name)
            for n in img.notes:
                st.caption(f"ℹ️ {n}")       # a note is a Text: shown in this run's language


# The bundled samples' names (assets/samples), for the catalogue: the names stay the data (the
# selectbox's values, ``?sample=``); the sidebar shows them translated.
SAMPLE_NAMES = (N_("Astronaut"), N_("Cat"), N_("Coffee"), N_("Rocket"), N_("Shapes canvas"), N_("Shapes cross"),
                N_("Shapes ring"), N_("Shapes star"), N_("Shapes triangle"))


def _sample_label(name: str) -> str:
    return _(name) if name in SAMPLE_NAMES else name


def take_budget(kind: str) -> bool:
    """Count one ``kind`` request (:mod:`vggviz.serving.limits`) against this session's budget; over
    it, show the polite one-line message and return False."""
    from vggviz.serving import limits

    windows = st.session_state.setdefault("vggviz_limits", {})
    if kind not in windows or windows[kind].limit != limits.limit(kind):
        windows[kind] = limits.SlidingWindow(limits.limit(kind))
    wait = windows[kind].take()
    if wait:
        st.warning(limits.message(kind, wait))
        return False
    return True


UPLOADS_KEPT = 12                # the session's own images, for "What a channel wants to see"


def _remember_upload(img) -> None:
    kept = [i for i in st.session_state.get("vggviz_uploads", []) if i.digest != img.digest]
    st.session_state["vggviz_uploads"] = (kept + [img])[-UPLOADS_KEPT:]


def session_uploads() -> list:
    """The images this session uploaded or photographed (newest last, at most UPLOADS_KEPT);
    they stay in this session: never in links, never shown to other sessions."""
    return list(st.session_state.get("vggviz_uploads", []))
