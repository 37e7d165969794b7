"""Every attribution method by name: the layer-level CAMs (:data:`CAM_METHODS`) and the
pixel-level registry (:data:`PIXEL_METHODS`), computed on the shared model for the page and the
CLI (:func:`method_map`, :func:`compare_methods`) or on a private copy for the trust checks
(:func:`private_map`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

from vggviz.explain.attribution.cam import CAM_METHODS, cam, normalise
from vggviz.explain.attribution.chain import Chain, attribution_mode, check_target
from vggviz.explain.attribution.occlusion import occlusion as run_occlusion
from vggviz.explain.attribution.occlusion import occlusion_defaults, occlusion_map, occlusion_passes
from vggviz.explain.attribution.pixel import OCCLUSION, PIXEL_METHODS, pixel_map
from vggviz.model.layers import Layer
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = ["METHODS", "METHOD_NOTES", "DEFAULT_METHODS", "uses_layer", "method_passes", "method_map",
           "compare_methods", "private_map", "resolve_method", "method_slug", "check_window"]

METHODS: tuple[str, ...] = tuple(CAM_METHODS) + tuple(PIXEL_METHODS)
METHOD_NOTES: dict[str, str] = {**{n: m.note for n, m in CAM_METHODS.items()},
                                **{n: m.note for n, m in PIXEL_METHODS.items()}}
DEFAULT_METHODS: tuple[str, ...] = tuple(n for n, m in PIXEL_METHODS.items() if m.default)


def method_slug(name: str) -> str:
    """The CLI's spelling of a method: ``grad-cam++``, ``integrated-gradients``, …"""
    return name.lower().replace(" ", "-")


def resolve_method(name: str) -> str:
    """A method's name from its name or slug (any case), or ValueError (one line)."""
    for n in METHODS:
        if name in (n, method_slug(n)) or name.lower() == n.lower():
            return n
    raise ValueError(f"unknown method {name!r}; choose one of: {', '.join(method_slug(n) for n in METHODS)}")


def uses_layer(name: str) -> bool:
    """Whether the method's map depends on the chosen layer (the CAMs, and Guided Grad-CAM)."""
    return name in CAM_METHODS or PIXEL_METHODS[name].times_cam


def method_passes(name: str, size: int, window: tuple[int, int] | None = None) -> int:
    """Passes through the whole network one map of ``name`` costs at ``size`` px (a CAM: 0, only
    the tail after the layer runs); occlusion: :func:`occlusion_passes` of ``window`` (default:
    :func:`occlusion_defaults`)."""
    if name in CAM_METHODS:
        return 0
    if name == OCCLUSION:
        return occlusion_passes(size, *(window or occlusion_defaults(size)))
    return int(PIXEL_METHODS[name].passes)


def method_map(loaded: LoadedModel, analysis: Analysis, name: str, target: int | None = None, layer: str | None = None,
               occlusion: tuple[int, int] | None = None, progress: Callable[[int, int], None] | None = None,
               ) -> np.ndarray:
    """The (S, S) float32 map in [0, 1] over the model's input crop of method ``name`` for class
    ``target`` (None: top-1), on the shared model: a CAM's ``crop_map`` at ``layer``; a gradient
    method inside :func:`attribution_mode` (the model's lock, state restored); occlusion with
    ``occlusion=(patch, stride)`` (default :func:`occlusion_defaults`), ``progress(done, total)``."""
    target = check_target(loaded, analysis, target)
    if name in CAM_METHODS:
        return cam(loaded, analysis, name, layer, target).crop_map
    method = PIXEL_METHODS[name]
    if name == OCCLUSION:
        patch, stride = occlusion or (None, None)
        return run_occlusion(loaded, analysis, target, patch, stride, progress=progress).crop_map
    grad_cam = cam(loaded, analysis, "Grad-CAM", layer, target).crop_map if method.times_cam else None
    x = analysis.preprocessed.tensor.to(loaded.device)
    with attribution_mode(loaded) as net:
        return pixel_map(method.attribute(net, x, target, grad_cam))


def compare_methods(
    loaded: LoadedModel,
    analysis: Analysis,
    target: int | None = None,
    layer: str | None = None,
    methods: Sequence[str] = DEFAULT_METHODS,
    occlusion: tuple[int, int] | bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Grad-CAM next to other methods for the same class: ``{name: (S, S) float32 map in [0, 1]}``,
    "Grad-CAM" first, then ``methods`` in the registries' order (:data:`METHODS`; default: the
    pixel methods marked ``default``, Guided Grad-CAM and Saliency), and "Occlusion" when
    ``occlusion`` is ``(patch, stride)`` or True (:func:`occlusion_defaults`), with
    ``progress(done, total)``. See :data:`METHOD_NOTES` for what each shows."""
    target = check_target(loaded, analysis, target)
    wanted = {resolve_method(m) for m in methods}
    if occlusion is not None and occlusion is not False:
        wanted.add(OCCLUSION)
    window = None if occlusion in (None, False, True) else tuple(occlusion)
    out: dict[str, np.ndarray] = {"Grad-CAM": cam(loaded, analysis, "Grad-CAM", layer, target).crop_map}
    for name in METHODS:
        if name in wanted and name not in out:
            out[name] = method_map(loaded, analysis, name, target, layer, window, progress)
    return out


def check_window(size: int) -> tuple[int, int]:
    """The randomisation check's occlusion window at ``size`` px: patch S/7 (as the default),
    stride = patch (no overlap): 7×7 positions, 50 forward passes a map."""
    patch = occlusion_defaults(size)[0]
    return patch, patch


def private_map(layers: Sequence[Layer], x: torch.Tensor, name: str, target: int, layer: Layer | None,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(the map as computed, the (S, S) map in [0, 1]) of method ``name`` on ``layers`` of a
    PRIVATE model (no lock taken: nothing shared is touched). CAMs and Guided Grad-CAM at
    ``layer``. The computed map is what the randomisation check correlates: a CAM at the
    layer's resolution, a gradient method's largest |attribution| over colour channels,
    occlusion's signed drop (:func:`check_window`)."""
    size = tuple(x.shape[-2:])
    if name in CAM_METHODS:
        (raw,) = CAM_METHODS[name].maps(layers, 0, x, target, [layer.index])
        small, crop, _peak = normalise(raw, size)
        return small, crop
    method = PIXEL_METHODS[name]
    net = Chain(layers, 0)
    if name == OCCLUSION:
        patch, stride = check_window(size[-1])

        def forward(xb: torch.Tensor) -> torch.Tensor:
            with torch.inference_mode():
                return net(xb)

        raw, _score = occlusion_map(forward, x, target, patch, stride)
        peak = float(raw.max())
        crop = np.clip(raw / peak, 0.0, 1.0).astype(np.float32) if peak > 0 else np.zeros_like(raw)
        return raw, crop
    grad_cam = private_map(layers, x, "Grad-CAM", target, layer)[1] if method.times_cam else None
    attr = method.attribute(net, x, target, grad_cam, seed)
    return attr.detach()[0].abs().amax(dim=0).float().cpu().numpy(), pixel_map(attr)

