"""The session's choices: language, variant, weights and device in the sidebar, kept for every page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st
import torch

from vggviz.app.links import _URL_NOW, _begin_links, flag, link_param
from vggviz.i18n import N_, _
from vggviz.model.variants import FULL_VARIANTS, MINI_VARIANTS, VARIANTS
from vggviz.model.weights import (
    default_source,
    local_weight_files,
    resolve_device,
    trained_models,
)

if TYPE_CHECKING:
    pass

__all__ = ["Selection", "choose_language", "keep_choice", "selection", "sidebar"]


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
        link_param("predict", "vggviz_predict", options=[True, False], cast=flag,
                   to_url=lambda v: "1" if v else None)
        st.toggle(_("Predict first"), key="vggviz_predict",
                  help=_("Each page asks a question before its key figure and shows the figure once it is "
                         "answered. In the presenter view: the class's answers, then the reveal. Kept in the link."))
    sel = Selection(variant=variant, weights=weights, device=device)
    st.session_state[_SEL_KEY] = sel
    return sel


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
