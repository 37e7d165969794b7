"""Models shared by every session (a bounded cache), the ImageNet download with its progress,
and what the page says about the weights in use."""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from typing import TYPE_CHECKING

import streamlit as st

from vggviz.app.flow import _reason
from vggviz.app.session import Selection, selection
from vggviz.i18n import N_, Text, _
from vggviz.model.variants import VARIANTS, variant_info
from vggviz.model.weights import (
    LoadedModel,
    WeightsError,
    bundled_path,
    cached_path,
    fetch_imagenet,
    load_model,
)

if TYPE_CHECKING:
    pass

__all__ = ["FAILED_RETRY_S", "MODEL_CACHE_ENTRIES", "current_conv_weights", "current_model", "page_banner", "untrained_weights", "weights_status"]


MODEL_CACHE_ENTRIES = 3          # VGG weights are ~0.5 GB each: keep a few, not all ten
FAILED_RETRY_S = 600             # after a failed download, do not try again for this long
_failed: dict[str, tuple[float, str]] = {}
_failed_lock = threading.Lock()
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


@st.cache_resource(max_entries=MODEL_CACHE_ENTRIES, show_spinner=False)
def _cached_conv_weights(variant: str, requested: str, source: str, device: str, _loaded: LoadedModel):
    from vggviz.inference.analysis import conv_weights

    return conv_weights(_loaded)


def current_conv_weights(loaded: LoadedModel) -> dict:
    """Every conv layer's weight as a read-only CPU float32 array, by paper name (cached, so a
    GPU model's weights are copied to the CPU once)."""
    return _cached_conv_weights(loaded.variant, loaded.requested, loaded.source, str(loaded.device), loaded)


def _peek_cached_model(variant: str, source: str, device: str) -> LoadedModel | None:
    """The model the bounded model cache holds for these arguments, or None; loads and
    evicts nothing."""
    return _loaded_models.get((variant, source, device))
