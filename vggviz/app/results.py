"""Results computed once for every session: the analysis of an image (through the scheduler),
Grad-CAM and the other maps, occlusion, depth comparisons, one unit's ERF, channel indexes and
feature visualisations, the trust checks. One cache layer: :class:`vggviz.serving.cache.SharedResults`."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import streamlit as st

from vggviz.app.flow import end_page, show_error
from vggviz.app.inputs import current_image
from vggviz.app.models import _ensure_imagenet, _peek_cached_model, current_model, untrained_weights
from vggviz.app.session import Selection, selection
from vggviz.i18n import N_, _
from vggviz.model.variants import VARIANTS
from vggviz.model.weights import (
    LoadedModel,
    load_model,
)
from vggviz.serving import jobs
from vggviz.serving.cache import SharedResults

if TYPE_CHECKING:
    from vggviz.data.images import LoadedImage
    from vggviz.inference.analysis import Analysis

__all__ = ["ANALYSIS_CACHE_ENTRIES", "ANALYSIS_TTL_S", "BY_VARIANT_CACHE_ENTRIES", "CHANNEL_INDEX_ENTRIES", "FEATVIS_ENTRIES", "GRADCAM_CACHE_ENTRIES", "LATER_DONE_KEYS", "OCCLUSION_CACHE_ENTRIES", "PICK_IMAGE", "TRUST_CACHE_ENTRIES", "UNIT_GOTO", "current_analysis", "current_channel_index", "current_compare_methods", "current_curves", "current_depth_deletion", "current_depth_sweep", "current_featvis", "current_gradcam", "current_gradcam_by_variant", "current_occlusion", "current_randomisation", "current_unit_erf", "open_unit", "require_analysis"]


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
    scheduler (:mod:`vggviz.serving.scheduler`): a student whose pass is queued sees their place. On
    CUDA, passes of one model that arrive together share one batched pass (micro-batching)."""
    from vggviz.inference.analysis import analyze, analyze_batch
    from vggviz.serving.scheduler import Batch, microbatch_for, scheduler

    key = (variant, requested, source, device, digest)
    hit = _analyses().get(key)
    if hit is not None:
        return hit
    batch = None
    if microbatch_for(str(loaded.device)):
        batch = Batch(group=(variant, requested, source, str(loaded.device), id(loaded.model)),
                      item=(image, digest),
                      run_many=lambda items: analyze_batch(loaded, [im for im, _d in items], topk=5,
                                                           digests=[d for _im, d in items]))
    res = scheduler().run(key, lambda: analyze(loaded, image, topk=5, digest=digest), on_wait, batch=batch)
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


PICK_IMAGE = N_("⬅️ Pick a sample image, upload a photo or take one with the camera in the sidebar.")


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




# --------------------------------------------------------------------------- Grad-CAM

GRADCAM_CACHE_ENTRIES = 128       # a GradCam is ~0.2 MB (the 224×224 crop map); sweeps ×5
BY_VARIANT_CACHE_ENTRIES = 8
_by_variant_lock = threading.Lock()  # one depth comparison at a time in the process: ≤ 1 extra model alive
_by_variant_results: dict[tuple, list[dict]] = {}


def _shared(entries: int, key_args: int):
    """Keep a function's results for every session in its own :class:`SharedResults`, keyed by
    its first ``key_args`` arguments (the model key, the image digest and the choices; the
    model and analysis objects that follow are not part of the key). ``fn.clear()`` empties it."""
    def wrap(fn):
        store = SharedResults(entries, ANALYSIS_TTL_S)

        @functools.wraps(fn)
        def cached(*args):
            return store.get_or_compute(args[:key_args], lambda: fn(*args))

        cached.clear = store.clear
        return cached
    return wrap


def _model_key(loaded: LoadedModel) -> tuple[str, str, str, str]:
    return loaded.variant, loaded.requested, loaded.source, str(loaded.device)


@_shared(GRADCAM_CACHE_ENTRIES, key_args=4)
def _cached_gradcam(model_key: tuple, digest: str, layer: str, target: int, _loaded: LoadedModel, _analysis):
    from vggviz.explain import attribution

    return attribution.gradcam(_loaded, _analysis, layer, target)


@_shared(GRADCAM_CACHE_ENTRIES, key_args=3)
def _cached_depth_sweep(model_key: tuple, digest: str, target: int, _loaded: LoadedModel, _analysis):
    from vggviz.explain import attribution

    return attribution.depth_sweep(_loaded, _analysis, target)


@_shared(GRADCAM_CACHE_ENTRIES, key_args=5)
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




# --------------------------------------------------------------------------- one unit

@_shared(GRADCAM_CACHE_ENTRIES, key_args=6)
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
