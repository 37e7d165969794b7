"""Shared Streamlit helpers: the sidebar, cached models, the current image, error display.

The only module of vggviz that imports streamlit. Pages call :func:`selection`,
:func:`current_model` and :func:`current_image`; everything they show is computed by the
rest of vggviz and returned as plain data.

Longer than 400 lines on purpose: the only module that imports streamlit: caches, sidebar,
links, limits, banners and the shared results; the rule that nothing else imports streamlit
matters more than its length.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st
import torch
from streamlit.runtime.scriptrunner_utils.exceptions import StopException

from vggviz.i18n import N_, Text, _
from vggviz.model.variants import FULL_VARIANTS, MINI_VARIANTS, VARIANTS, variant_info
from vggviz.model.weights import (
    LoadedModel,
    WeightsError,
    bundled_path,
    cached_path,
    default_source,
    fetch_imagenet,
    load_model,
    local_weight_files,
    resolve_device,
    trained_models,
)
from vggviz.serving import jobs
from vggviz.serving import warmup as serving

serving.prepare()      # the libraries' half-million objects out of the per-run full GC (vggviz.serving.warmup)

if TYPE_CHECKING:
    from vggviz.data.images import LoadedImage
    from vggviz.inference.analysis import Analysis

__all__ = [
    "Selection",
    "sidebar",
    "selection",
    "current_model",
    "current_image",
    "untrained_weights",
    "weights_status",
    "page_banner",
    "page_guard",
    "running_page",
    "keep_choice",
    "image_picker",
    "show_error",
    "MODEL_CACHE_ENTRIES",
]

MODEL_CACHE_ENTRIES = 3          # VGG weights are ~0.5 GB each: keep a few, not all ten
FAILED_RETRY_S = 600             # after a failed download, do not try again for this long
_failed: dict[str, tuple[float, str]] = {}
_failed_lock = threading.Lock()
_SEL_KEY = "vggviz_selection"


@dataclass(frozen=True)
class Selection:
    variant: str
    weights: str          # imagenet | shapes | random | trained:ID | a path
    device: str           # cpu | cuda | cuda:N


def _variant_label(v: str) -> str:
    info = VARIANTS[v]
    return _("{variant} · trained on shapes, works offline").format(variant=info.label) if info.mini else info.label


_NAMED_SOURCES = ("imagenet", "random", "shapes")


def _server_default() -> str | None:
    """The weights file the server was started with (``VGGVIZ_WEIGHTS`` naming a file), or None."""
    src = default_source()
    return None if src in _NAMED_SOURCES or src.startswith(("trained:", "dir:")) else src


def _weights_options(variant: str = "vgg16") -> list[str]:
    """The weights sources the sidebar offers for ``variant``: ImageNet for the full-size
    family, the bundled shapes checkpoints and this server's trained models for the mini one;
    then the server's default file (if the teacher started it with one) and the teacher's
    weights folder (``VGGVIZ_WEIGHTS_DIR``, if set and holding ``.pth`` files). Never a path a
    student types."""
    if VARIANTS[variant].mini:
        trained = [s for s, (v, _title) in trained_models().items() if v == variant]
        base = ["shapes", "random", *trained]
    else:
        base = ["imagenet", "random"]
    return base + (["server"] if _server_default() else []) + (["dir"] if local_weight_files() else [])


_WEIGHTS_LABELS = {"imagenet": N_("ImageNet (trained)"), "shapes": N_("Trained on shapes (bundled, offline)"),
                   "random": N_("Random (untrained, seeded)"), "dir": N_("A weights file from the teacher's folder")}


def _weights_label(opt: str) -> str:
    if opt.startswith("trained:"):
        return _("Trained here: {title}").format(title=trained_models().get(opt, ("", opt))[1])
    if opt == "server":
        return _("Server default: {file}").format(file=Path(_server_default() or "").name)
    return _(_WEIGHTS_LABELS[opt]) if opt in _WEIGHTS_LABELS else opt


def _family_weights(variant: str, current: str | None) -> str:
    """``current`` if the variant's family offers it, else its counterpart (imagenet ↔ shapes)
    or the family's default."""
    options = _weights_options(variant)
    if current in options:
        return current
    if VARIANTS[variant].mini:
        return "shapes"
    d = default_source()
    d = d if d in _NAMED_SOURCES else "server"
    return d if d in options else "imagenet"


def _init_defaults() -> None:
    ss = st.session_state
    if "vggviz_variant" not in ss:
        ss["vggviz_variant"] = "vgg16"
    if "vggviz_weights" not in ss:
        src = default_source(ss["vggviz_variant"]) if ss["vggviz_variant"] in VARIANTS else default_source()
        ss["vggviz_weights"] = src if src in _NAMED_SOURCES else "server"


# --------------------------------------------------------------------------- links

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


__all__ += ["link_param", "link_params", "share_link", "navigation", "presenter_and_next", "PRESENTER_CSS"]


def choose_language() -> str:
    """The session's language, from its choice or the link's ``?lang=`` (English by default),
    set for everything this script run shows. The entry point calls it first, before any text."""
    from vggviz import i18n

    _begin_links()
    link_param("lang", "vggviz_lang", options=i18n.available_languages(), fold=True,
               to_url=lambda c: None if c == i18n.DEFAULT else c)
    ss = st.session_state
    if ss.get("vggviz_lang") not in i18n.available_languages():
        ss["vggviz_lang"] = i18n.DEFAULT
    i18n.set_language(ss["vggviz_lang"])
    return ss["vggviz_lang"]


def sidebar() -> Selection:
    """Draw the shared sidebar (language, model, weights, device) and remember the choice for
    all pages. :func:`choose_language` runs before it."""
    from vggviz import i18n

    _init_defaults()
    if _URL_NOW not in st.session_state:
        _begin_links()
    with st.sidebar:
        # Both languages' names, in their own script: a reader of either finds it.
        st.selectbox("Language · 语言", i18n.available_languages(), key="vggviz_lang",
                     format_func=lambda c: i18n.LANGUAGES.get(c, "pseudo ⟦…⟧"))
        st.markdown(_("### Network"))
        link_param("variant", "vggviz_variant", options=FULL_VARIANTS + MINI_VARIANTS, fold=True)
        variant = st.selectbox(
            _("VGG variant"),
            FULL_VARIANTS + MINI_VARIANTS,
            format_func=_variant_label,
            key="vggviz_variant",
            help=_("The paper's configurations: A = VGG11, A-LRN = VGG11 with local response "
                   "normalisation, B = VGG13, C = VGG16 with 1×1 convs, D = VGG16, E = VGG19; "
                   "BN = with batch normalisation. The **mini** family is the same table at teaching "
                   "scale (widths ÷ 8, 64×64 input), trained on shapes: no internet needed."),
        )
        if VARIANTS[variant].mini:
            from vggviz.data.shapes import CLASSES
            st.caption(_("🔷 Mini family: {classes} at 64×64 px. No internet? This family works everywhere.")
                       .format(classes=_(", ").join(_(c) for c in CLASSES)))
        ss = st.session_state
        family = "mini" if VARIANTS[variant].mini else "full"
        if ss.get("_vggviz_family", family) != family and ss.get("vggviz_weights") == "random":
            # A change of family picks the new family's own trained weights (the shapes for the
            # mini family) rather than carrying "random" over; a source only the new family has
            # (trained:ID, set by the Train page's "Open") is kept.
            ss["vggviz_weights"] = _family_weights(variant, None)
        ss["_vggviz_family"] = family
        ss["vggviz_weights"] = _family_weights(variant, ss.get("vggviz_weights"))
        from vggviz.links import LINK_WEIGHTS
        link_param("weights", "vggviz_weights", options=[o for o in _weights_options(variant) if o in LINK_WEIGHTS],
                   to_url=lambda o: o if o in LINK_WEIGHTS else None)
        choice = st.radio(
            _("Weights"), _weights_options(variant), format_func=_weights_label, key="vggviz_weights",
            help=_("ImageNet weights are downloaded once into torch's cache (TORCH_HOME). "
                   "Shapes weights ship with the app (assets/models). "
                   "Random weights are seeded, so the same every time."),
        )
        weights = choice
        if choice == "server":
            weights = _server_default() or "random"
        elif choice == "dir":
            files = local_weight_files()
            if ss.get("vggviz_weights_file") not in files:
                ss["vggviz_weights_file"] = files[0]
            name = st.selectbox(_("Weights file"), files, key="vggviz_weights_file",
                                help=_("The .pth files the teacher put in the server's weights folder."))
            weights = f"dir:{name}"
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
        default_dev = str(resolve_device("auto"))
        device = st.selectbox(
            _("Device"), devices, index=devices.index(default_dev) if default_dev in devices else 0,
            key="vggviz_device",
            help=_("The forward pass runs on the GPU when there is one."),
        )
        link_param("present", "vggviz_present", options=[True, False], cast=flag,
                   to_url=lambda v: "1" if v else None)
        st.toggle(_("Presenter view"), key="vggviz_present",
                  help=_("For a projector: hides this sidebar and enlarges the page. A button at the top "
                         "of the page brings the sidebar back. Kept in the link."))
    sel = Selection(variant=variant, weights=weights, device=device)
    st.session_state[_SEL_KEY] = sel
    return sel


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


def selection() -> Selection:
    """The sidebar's current choice (the entry point draws the sidebar before any page)."""
    sel = st.session_state.get(_SEL_KEY)
    if sel is None:
        opt = _family_weights("vgg16", default_source())
        sel = Selection("vgg16", (_server_default() or "random") if opt == "server" else opt, str(resolve_device("auto")))
    return sel


def keep_choice(key: str, options, default) -> None:
    """Keep the widget ``key``'s value if it is still one of ``options``, else set ``default``.

    Call it just before drawing the widget whose options change (another variant has other
    layers, another image other classes): Streamlit raises on a stored value that is no longer
    an option, and a value that still is one stays chosen.
    """
    if st.session_state.get(key) not in options:
        st.session_state[key] = default


def _reason(e: BaseException) -> str:
    """An exception's one-line message, as a :class:`Text` when it was raised as one (so that
    it is shown in each reader's language)."""
    return e.args[0] if len(e.args) == 1 and isinstance(e.args[0], Text) else str(e)


def _ensure_imagenet(variant: str) -> str:
    """Download the variant's ImageNet weights with a progress bar if they are not cached.
    Returns "" on success or a one-line reason on failure (remembered for a while, for every
    session: a :class:`Text`, shown in each reader's language)."""
    info = variant_info(variant)
    if not info.torchvision:
        return Text(N_("{variant} has no published ImageNet weights, so it uses random weights"),
                    variant=info.label)
    if cached_path(variant).exists():
        return ""
    with _failed_lock:
        failed = _failed.get(variant)
    if failed and time.monotonic() - failed[0] < FAILED_RETRY_S:
        return failed[1]
    bar = st.progress(0.0, text=_("Downloading ImageNet weights for {variant}…").format(variant=info.label))

    def progress(done: int, total: int) -> None:
        frac = done / total if total else 0.0
        bar.progress(min(frac, 1.0), text=_("Downloading ImageNet weights for {variant}: {done} / {total} MB").format(
            variant=info.label, done=f"{done / 2**20:.0f}", total=f"{total / 2**20:.0f}"))

    try:
        fetch_imagenet(variant, progress)
    except WeightsError as e:
        with _failed_lock:
            _failed[variant] = (time.monotonic(), _reason(e))
        return _reason(e)
    finally:
        bar.empty()
    return ""


# The models the bounded cache below holds right now, by its arguments: a weak-value map, so
# an entry lives exactly as long as the cache (or anyone) keeps the model. Lets code that
# must not load or evict (current_gradcam_by_variant) see what is already there.
_loaded_models: weakref.WeakValueDictionary[tuple[str, str, str], LoadedModel] = weakref.WeakValueDictionary()


@st.cache_resource(max_entries=MODEL_CACHE_ENTRIES, show_spinner=False)
def _cached_model(variant: str, source: str, device: str) -> LoadedModel:
    loaded = load_model(variant, source, device)
    _loaded_models[(variant, source, device)] = loaded
    return loaded


def current_model(sel: Selection | None = None) -> LoadedModel | None:
    """The shared, cached model for the selection; None (with a message shown) when the
    weights file cannot be used. ImageNet weights that cannot be had fall back to random."""
    sel = sel or selection()
    source, note = sel.weights, ""
    if source == "imagenet":
        note = _ensure_imagenet(sel.variant)
        if note:
            source = "random"
    try:
        with st.spinner(_("Loading {variant}…").format(variant=VARIANTS[sel.variant].label)):
            loaded = _cached_model(sel.variant, source, sel.device)
    except WeightsError as e:
        st.error(f"{e}")
        return None
    if note:
        loaded = dataclasses.replace(loaded, requested="imagenet", note=Text(_USING_RANDOM, reason=note))
    return loaded


_USING_RANDOM = N_("{reason}. Using random weights instead: predictions and maps mean nothing.")


def weights_status(sel: Selection | None = None) -> str:
    """Why the selection will run with untrained weights, or "" when it will not.
    May download ImageNet weights (with a progress bar) the first time."""
    sel = sel or selection()
    if sel.weights == "random":
        return _("Random weights (untrained, seeded) are selected: predictions, feature maps and "
                 "Grad-CAM of an untrained network mean nothing. Choose ImageNet weights to see what VGG learned.")
    if sel.weights == "imagenet":
        note = _ensure_imagenet(sel.variant)
        if note:
            return _(_USING_RANDOM).format(reason=note)
    if sel.weights == "shapes" and not bundled_path(sel.variant).is_file():
        return _("No trained shapes checkpoint ships for {variant}: train it on the "
                 "Train page. Using random weights instead: predictions and maps mean nothing.").format(
                     variant=VARIANTS[sel.variant].label)
    return ""


_UNTRAINED = "_vggviz_untrained"    # this run's one untrained-weights warning: its place, its parts


def page_banner(sel: Selection | None = None, show: bool = True) -> None:
    """The one untrained-weights warning: drawn by the entry point above every page.

    Says plainly when the sidebar's weights are untrained (``show=False`` on a page that uses no
    sidebar model, e.g. Train: only the sidebar's caption says it), in a place that pages add to
    with :func:`untrained_weights` (what untrained weights mean there), so a page says it once.
    """
    ss = st.session_state
    msg = weights_status(sel)
    ss[_UNTRAINED] = {"slot": st.empty() if show else None, "status": msg, "meaning": []}
    _draw_untrained(ss[_UNTRAINED])
    with st.sidebar:
        st.caption(_("Weights in use: {weights}").format(
            weights=_("**random (untrained)**") if msg else "**" + (sel or selection()).weights + "**"))


def untrained_weights(loaded: LoadedModel | None, meaning: str = "") -> None:
    """For a page that uses ``loaded``: when its weights are untrained, add ``meaning`` (what
    that means on this page) to the one warning above the page, which says so even when the
    sidebar's choice looked trained (e.g. ImageNet weights that could not be had). Trained
    weights: nothing is drawn."""
    state = st.session_state.get(_UNTRAINED)
    if state is None or loaded is None or loaded.trained:
        return
    state["status"] = state["status"] or loaded.note or _(
        "Random weights (untrained): predictions, feature maps and Grad-CAM mean nothing.")
    if meaning and meaning not in state["meaning"]:
        state["meaning"].append(meaning)
    _draw_untrained(state)


def _draw_untrained(state: dict) -> None:
    if state["slot"] is not None and state["status"]:
        state["slot"].warning(" ".join(["⚠️ " + str(state["status"]), *state["meaning"]]))


def show_error(err: BaseException | str) -> None:
    """One line for the user; never a traceback."""
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    st.error(text)


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
                if key != "sample" and not allowed("uploads"):
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


def allowed(kind: str) -> bool:
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


# --------------------------------------------------------------------------- per-image analysis

ANALYSIS_CACHE_ENTRIES = 24       # one VGG16 analysis keeps ~32 MB (blocks 1–3 as float16)
ANALYSIS_TTL_S = 3600


def _analyses():
    """The analyses kept for every session (one forward pass per model and image)."""
    global _ANALYSES
    if _ANALYSES is None:
        _ANALYSES = SharedResults(ANALYSIS_CACHE_ENTRIES, ANALYSIS_TTL_S)
    return _ANALYSES


_ANALYSES = None


def _cached_analysis(variant: str, requested: str, source: str, device: str, digest: str,
                     loaded: LoadedModel, image, on_wait=None):
    """One forward pass per (variant, weights, device, image digest), shared by every session
    (the same read-only arrays for all), run through the server's first-come-first-served
    scheduler (:mod:`vggviz.serving.scheduler`): a student whose pass is queued sees their place."""
    from vggviz.inference.analysis import analyze
    from vggviz.serving.scheduler import scheduler

    key = (variant, requested, source, device, digest)
    hit = _analyses().get(key)
    if hit is not None:
        return hit
    res = scheduler().run(key, lambda: analyze(loaded, image, topk=5, digest=digest), on_wait)
    return _analyses().put(key, res)


_cached_analysis.clear = lambda: _analyses().clear()


def current_analysis(loaded: LoadedModel | None, image: LoadedImage):
    """The cached :class:`vggviz.inference.analysis.Analysis` of ``image`` (a LoadedImage) through
    ``loaded``; None when either is missing or the pass failed (one line shown). Moving a
    widget re-renders from this cache: the network runs once per image and model."""
    if loaded is None or image is None:
        return None
    from vggviz.serving.scheduler import Busy

    label = VARIANTS[loaded.variant].label
    status = st.empty()

    def on_wait(place: int) -> None:
        if place > 2:
            status.info(_("⏳ Waiting for the network: {n} students ahead of you (first come, first served).")
                        .format(n=place - 1))
        elif place == 2:
            status.info(_("⏳ Waiting for the network: 1 student ahead of you (first come, first served)."))
        elif place == 1:
            status.info(_("⏳ Your image is next."))
        else:
            status.empty()

    try:
        with st.spinner(_("Running the image through {variant} on {device}…").format(
                variant=label, device=loaded.device)), jobs.foreground():
            return _cached_analysis(loaded.variant, loaded.requested, loaded.source,
                                    str(loaded.device), image.digest, loaded, image, on_wait)
    except Busy as e:
        show_error(e)
        return None
    except (RuntimeError, ValueError, MemoryError) as e:   # torch errors (OOM included) are RuntimeErrors
        show_error(_("The forward pass failed: {reason}").format(reason=e))
        return None
    finally:
        status.empty()


@st.cache_resource(max_entries=MODEL_CACHE_ENTRIES, show_spinner=False)
def _cached_conv_weights(variant: str, requested: str, source: str, device: str, _loaded: LoadedModel):
    from vggviz.inference.analysis import conv_weights

    return conv_weights(_loaded)


def current_conv_weights(loaded: LoadedModel) -> dict:
    """Every conv layer's weight as a read-only CPU float32 array, by paper name (cached, so a
    GPU model's weights are copied to the CPU once)."""
    return _cached_conv_weights(loaded.variant, loaded.requested, loaded.source, str(loaded.device), loaded)


PICK_IMAGE = N_("⬅️ Pick a sample image, upload a photo or take one with the camera in the sidebar.")


class PageEnd(StopException):
    """Raised by :func:`end_page`; the entry point catches it after ``nav.run()``. A
    :class:`StopException` (what ``st.stop()`` raises), so that should one ever escape a page,
    Streamlit ends that run quietly instead of losing the session's script thread."""


def end_page() -> None:
    """End the page here (instead of ``st.stop()``, which would also stop the entry point's
    footer: the lesson's next step, the share link and the URL of this view)."""
    raise PageEnd


def require_analysis(sel: Selection | None = None):
    """What an image page needs: ``(loaded, image, analysis)`` for the selection, telling the
    untrained-weights warning (:func:`untrained_weights`) about the model; when there is no image yet, no usable model or no analysis, it shows the
    prompt or the one-line message and ends the page (:func:`end_page`)."""
    loaded = current_model(sel)
    untrained_weights(loaded)
    image = current_image()
    if image is None:
        st.info(_(PICK_IMAGE))
        end_page()
    if loaded is None:
        end_page()
    res = current_analysis(loaded, image)
    if res is None:
        end_page()
    return loaded, image, res


__all__ += ["current_analysis", "current_conv_weights", "require_analysis", "end_page", "PageEnd", "ANALYSIS_CACHE_ENTRIES"]


# --------------------------------------------------------------------------- Grad-CAM

GRADCAM_CACHE_ENTRIES = 128       # a GradCam is ~0.2 MB (the 224×224 crop map); sweeps ×5
BY_VARIANT_CACHE_ENTRIES = 8
_by_variant_lock = threading.Lock()  # one depth comparison at a time in the process: ≤ 1 extra model alive
_by_variant_results: dict[tuple, list[dict]] = {}


def _model_key(loaded: LoadedModel) -> tuple[str, str, str, str]:
    return loaded.variant, loaded.requested, loaded.source, str(loaded.device)


@st.cache_data(max_entries=GRADCAM_CACHE_ENTRIES, ttl=ANALYSIS_TTL_S, show_spinner=False)
def _cached_gradcam(model_key: tuple, digest: str, layer: str, target: int, _loaded: LoadedModel, _analysis):
    from vggviz.explain import attribution

    return attribution.gradcam(_loaded, _analysis, layer, target)


@st.cache_data(max_entries=GRADCAM_CACHE_ENTRIES, ttl=ANALYSIS_TTL_S, show_spinner=False)
def _cached_depth_sweep(model_key: tuple, digest: str, target: int, _loaded: LoadedModel, _analysis):
    from vggviz.explain import attribution

    return attribution.depth_sweep(_loaded, _analysis, target)


@st.cache_data(max_entries=GRADCAM_CACHE_ENTRIES, ttl=ANALYSIS_TTL_S, show_spinner=False)
def _cached_method_map(model_key: tuple, digest: str, target: int, layer: str | None, method: str,
                       _loaded: LoadedModel, _analysis):
    from vggviz.explain import attribution

    return attribution.method_map(_loaded, _analysis, method, target, layer)


_later_lock = threading.Lock()
_later_done: dict[tuple, None] = {}       # keys of work on an analysed image already computed (insertion order)
LATER_DONE_KEYS = 4096


def _after_first_results(key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, work on an analysed image, after the class's first results: when ``key``
    was not computed before, wait while forward passes for top-5s are queued
    (:meth:`vggviz.serving.scheduler.Scheduler.yield_to_first`), saying so. A key computed before is a
    cache hit: no wait, so moving a slider stays instant."""
    from vggviz.serving.scheduler import scheduler

    with _later_lock:
        seen = key in _later_done
    if not seen:
        status = st.empty()

        def on_wait(n: int) -> None:
            status.info(_("⏳ Your classmates' first results go first: {n} still waiting for theirs.").format(n=n))

        try:
            scheduler().yield_to_first(on_wait)
        finally:
            status.empty()
    out = compute()
    with _later_lock:
        _later_done.pop(key, None)
        _later_done[key] = None
        while len(_later_done) > LATER_DONE_KEYS:
            _later_done.pop(next(iter(_later_done)))
    return out


def current_gradcam(loaded: LoadedModel, analysis: Analysis, layer: str, target: int):
    """Grad-CAM of ``target`` at ``layer`` for the analysed image, cached per (model, image
    digest, layer, target) for every session: opacity and colormap re-render from it."""
    key = (_model_key(loaded), analysis.digest, layer, int(target))
    return _after_first_results(("gradcam", *key), lambda: _cached_gradcam(*key, loaded, analysis))


def current_depth_sweep(loaded: LoadedModel, analysis: Analysis, target: int):
    """Grad-CAM at the end of each block (cached like :func:`current_gradcam`)."""
    key = (_model_key(loaded), analysis.digest, int(target))
    return _after_first_results(("sweep", *key), lambda: _cached_depth_sweep(*key, loaded, analysis))


class SharedResults:
    """Results kept for every session of the server, per key: at most ``entries`` (oldest
    dropped first), each for ``ttl`` seconds. For work with a progress bar: unlike
    ``st.cache_data``, nothing the page draws while computing is recorded and replayed on a
    later hit (Streamlit's CacheReplayClosureError). The lock guards the dict only; the work
    runs outside it, so two sessions asking for the same new key may both compute it."""

    def __init__(self, entries: int, ttl: float = ANALYSIS_TTL_S) -> None:
        self.entries, self.ttl = entries, ttl
        self._lock = threading.Lock()
        self._items: dict = {}

    def get(self, key):
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
        return None

    def put(self, key, value):
        now = time.monotonic()
        with self._lock:
            for k in [k for k, (t, _value) in self._items.items() if now - t >= self.ttl]:
                del self._items[k]
            self._items.pop(key, None)
            while len(self._items) >= self.entries:
                self._items.pop(next(iter(self._items)))
            self._items[key] = (now, value)
        return value

    def get_or_compute(self, key, compute):
        hit = self.get(key)
        return hit if hit is not None else self.put(key, compute())

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


OCCLUSION_CACHE_ENTRIES = 32      # an OcclusionMap is 2 × S² float32: 0.4 MB at 224 px


_occlusion_results = SharedResults(OCCLUSION_CACHE_ENTRIES)


def current_occlusion(loaded: LoadedModel, analysis: Analysis, target: int, patch: int, stride: int, progress=None):
    """The :class:`vggviz.explain.attribution.OcclusionMap` of ``target`` for the analysed image with
    this patch and stride, kept per (model, image digest, target, patch, stride) for every
    session (:class:`SharedResults`: a progress bar updated while computing is not replayed).
    ``progress(done, total)`` is called per batch when it is computed, not when it is kept."""
    from vggviz.explain import attribution

    key = (_model_key(loaded), analysis.digest, int(target), int(patch), int(stride))
    return _occlusion_results.get_or_compute(key, lambda: attribution.occlusion(
        loaded, analysis, int(target), int(patch), int(stride), progress=progress))


def current_compare_methods(loaded: LoadedModel, analysis: Analysis, target: int, layer: str, methods=None,
                            occlusion: tuple[int, int] | None = None, progress=None):
    """Grad-CAM and the maps of ``methods`` (names of :data:`vggviz.explain.attribution.METHODS`; None:
    its ``DEFAULT_METHODS``), each cached per (model, image digest, target, method, and the
    layer for the methods that use one); with ``occlusion=(patch, stride)`` also "Occlusion"
    (:func:`current_occlusion`, with ``progress(done, total)``). In the registries' order, as
    :func:`vggviz.explain.attribution.compare_methods` gives them."""
    from vggviz.explain import attribution

    wanted = set(attribution.DEFAULT_METHODS if methods is None else methods) | {"Grad-CAM"}
    out = {}
    for name in attribution.METHODS:
        if name == "Grad-CAM":
            out[name] = current_gradcam(loaded, analysis, layer, target).crop_map
        elif name == "Occlusion":
            if occlusion is not None:
                patch, stride = occlusion
                out[name] = current_occlusion(loaded, analysis, target, patch, stride, progress).crop_map
        elif name in wanted:
            at = layer if attribution.uses_layer(name) else None
            out[name] = _cached_method_map(_model_key(loaded), analysis.digest, int(target), at, name, loaded, analysis)
    return out


def _peek_cached_model(variant: str, source: str, device: str) -> LoadedModel | None:
    """The model the bounded model cache holds for these arguments, or None; loads and
    evicts nothing."""
    return _loaded_models.get((variant, source, device))


def current_gradcam_by_variant(image: LoadedImage, target: int, sel: Selection | None = None,
                               progress: Callable[[int, int, str], None] | None = None) -> list[dict]:
    """VGG11/13/16/19 on ``image`` (the mini family's four, with their shapes weights, when the
    selection is a mini variant): predictions and Grad-CAM of ``target`` at each last conv
    (:func:`vggviz.lab.compare.gradcam_by_variant`). Models already in the bounded model cache
    are used as they are; the others are loaded one at a time, outside that cache, and dropped
    after use. One comparison runs at a time in the process (so at most one extra model is
    alive) and results are kept per (image, target, weights, device) for every session.
    ImageNet weights that cannot be had fall back to random weights, per variant (shown in
    each result's ``weights``); a weights file or a trained:ID fits one variant only, so
    ImageNet (shapes for the mini family) is used instead."""
    from vggviz.lab import compare

    sel = sel or selection()
    if VARIANTS[sel.variant].mini:      # the mini family compares with its trained shapes weights
        weights = "random" if sel.weights == "random" else "shapes"
        variants = ("vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini")
    else:
        weights = sel.weights if sel.weights in ("imagenet", "random") else "imagenet"
        variants = ("vgg11", "vgg13", "vgg16", "vgg19")
    key = (image.digest, int(target), weights, sel.device, variants)

    def get_model(variant: str) -> LoadedModel:
        source = weights
        if source == "imagenet" and _ensure_imagenet(variant):
            source = "random"
        return _peek_cached_model(variant, source, sel.device) or load_model(variant, source, sel.device)

    with _by_variant_lock:
        if key not in _by_variant_results:
            rows = compare.gradcam_by_variant(variants, image, int(target), weights, sel.device,
                                                progress=progress, get_model=get_model)
            while len(_by_variant_results) >= BY_VARIANT_CACHE_ENTRIES:
                _by_variant_results.pop(next(iter(_by_variant_results)))
            _by_variant_results[key] = rows
        return _by_variant_results[key]


__all__ += ["current_gradcam", "current_depth_sweep", "current_compare_methods", "current_occlusion", "current_gradcam_by_variant"]


# --------------------------------------------------------------------------- one unit

@st.cache_data(max_entries=GRADCAM_CACHE_ENTRIES, ttl=ANALYSIS_TTL_S, show_spinner=False)
def _cached_unit_erf(model_key: tuple, digest: str, layer: str, channel: int, y: int, x: int,
                     _loaded: LoadedModel, _analysis):
    from vggviz.explain.erf import effective_rf

    return effective_rf(_loaded, _analysis.preprocessed.tensor, layer, y, x, channel)


def current_unit_erf(loaded: LoadedModel, analysis: Analysis, layer: str, channel: int, y: int, x: int):
    """The effective receptive field of one unit (one channel at (y, x)) on the analysed image:
    one backward pass (vggviz.explain.erf, under the model's rules), cached for every session."""
    return _cached_unit_erf(_model_key(loaded), analysis.digest, layer, int(channel), int(y), int(x),
                            loaded, analysis)


UNIT_GOTO = "unit_goto"       # session key: (layer, channel, row, col) for the One-unit page to open


def open_unit(layer: str, channel: int, row: int, col: int) -> None:
    """Ask the One-unit page to show this unit (applied before its widgets are drawn)."""
    st.session_state[UNIT_GOTO] = (layer, int(channel), int(row), int(col))


__all__ += ["current_unit_erf", "open_unit", "UNIT_GOTO"]


# --------------------------------------------------------------------------- what a channel wants to see

CHANNEL_INDEX_ENTRIES = 16
FEATVIS_ENTRIES = 64


_channel_indexes = SharedResults(CHANNEL_INDEX_ENTRIES)
_featvis_results = SharedResults(FEATVIS_ENTRIES)


def current_channel_index(loaded: LoadedModel, layer: str, uploads: list, progress=None):
    """Every channel's strongest unit on every image of the set (samples, this session's
    uploads, and held-out shapes for the mini family): :mod:`vggviz.explain.top_patches`, one index
    per (model, layer, uploads), kept for every session (uploads only under their own key).
    ``progress(done, total)`` per batch when it is computed."""
    from vggviz.explain.top_patches import image_set, index_layer

    key = (_model_key(loaded), layer, tuple(u.digest for u in uploads))
    return _channel_indexes.get_or_compute(key, lambda: index_layer(
        loaded, layer, image_set(loaded, [(u.name, u.image) for u in uploads]), progress=progress))


def current_featvis(loaded: LoadedModel, layer: str, channels, settings, unit=None, progress=None):
    """A feature visualisation (:func:`vggviz.explain.featvis.visualize`), kept per (model, layer,
    channels, settings, unit) for every session; ``progress(step, steps, preview)`` when it
    is computed."""
    from vggviz.explain.featvis import visualize

    chans = tuple(int(c) for c in channels)
    unit = None if unit is None else (int(unit[0]), int(unit[1]))
    key = (_model_key(loaded), layer, chans, settings, unit)
    return _featvis_results.get_or_compute(key, lambda: visualize(
        loaded, layer, list(chans), settings, unit=unit, progress=progress,
        preview_every=max(1, settings.steps // 16)))


__all__ += ["SharedResults", "session_uploads", "current_channel_index", "current_featvis", "allowed"]


# --------------------------------------------------------------------------- can this map be trusted?

TRUST_CACHE_ENTRIES = 32          # a check is ≤ 9 crop maps (≤ 2 MB at 224 px); curves are small
_trust_results = SharedResults(TRUST_CACHE_ENTRIES)


def current_randomisation(loaded: LoadedModel, analysis: Analysis, target: int, layer: str, method: str, progress=None):
    """:func:`vggviz.explain.trust.randomisation_check`, kept per (model, image, target, method, layer)
    for every session (:class:`SharedResults`: the progress bar is not replayed)."""
    from vggviz.explain import attribution, trust

    layer = layer if attribution.uses_layer(method) else None
    key = ("randomisation", _model_key(loaded), analysis.digest, int(target), method, layer)
    return _trust_results.get_or_compute(key, lambda: trust.randomisation_check(
        loaded, analysis, int(target), layer, method, progress=progress))


def current_curves(loaded: LoadedModel, analysis: Analysis, target: int, method: str, layer: str | None, heat,
                   steps: int, progress=None):
    """:func:`vggviz.explain.trust.deletion_insertion` of the shown map ``heat`` of ``method`` (at
    ``layer``), kept per (model, image, target, method, layer, steps) for every session."""
    from vggviz.explain import trust

    key = ("curves", _model_key(loaded), analysis.digest, int(target), method, layer, int(steps))
    return _trust_results.get_or_compute(key, lambda: trust.deletion_insertion(
        loaded, analysis, heat, int(target), int(steps), progress=progress))


def current_depth_deletion(loaded: LoadedModel, analysis: Analysis, target: int, steps: int, progress=None,
                           method: str = "Grad-CAM"):
    """:func:`vggviz.explain.trust.depth_deletion` of CAM ``method``, kept per (model, image, target, steps, method)."""
    from vggviz.explain import trust

    key = ("depth", _model_key(loaded), analysis.digest, int(target), int(steps), method)
    return _trust_results.get_or_compute(key, lambda: trust.depth_deletion(
        loaded, analysis, int(target), int(steps), progress=progress, method=method))


__all__ += ["current_randomisation", "current_curves", "current_depth_deletion"]

