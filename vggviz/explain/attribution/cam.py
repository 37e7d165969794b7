"""Layer-level class activation maps: one base class, each method says how channels are weighted.

For class *c* at layer *L* with output *A* (C×h×w) and gradient *G* = ∂y_c/∂A (``y_c`` the
score before the softmax), every CAM here is ``map = ReLU(Σ_k w_k ⊙ A_k)``; the methods differ
only in the weights ``w`` (:meth:`CamMethod.weights`, as torch-cam's ``_get_weights`` and
pytorch-grad-cam's ``get_cam_weights``):

* Grad-CAM (Selvaraju et al. 2017): ``w_k = mean_ij G_k[i,j]``;
* Grad-CAM++ (Chattopadhay et al. 2018): ``w_k = Σ_ij a_k[i,j] · ReLU(G_k[i,j])`` with
  ``a = G² / (2G² + Σ_ij A_k · G³)`` (the closed form for an exponential score, as
  pytorch-grad-cam computes it).

Only the part of the network *after* L matters for G, and :func:`vggviz.inference.analysis.analyze` has
already computed A. So :func:`gradcam` does not run the network again: it builds the *tail*
after L (a :class:`~vggviz.explain.attribution.chain.Chain`) and takes ``torch.autograd.grad`` of the
score with respect to the cached activation: no hooks at all, nothing changed on the shared
model, so (like the analysis) it runs without the model's lock. For conv5_3 the tail is one ReLU,
two pools and the classifier: a few per cent of a forward pass. :func:`depth_sweep` takes the
five block ends from one backward pass through the same :meth:`CamMethod.maps`.

The analysis keeps blocks 1–3 as float16 (enough for pictures); a CAM there starts from an exact
float32 activation instead, recomputed from the preprocessed input without gradients.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F

from vggviz.explain.attribution.chain import Chain, check_target, class_label
from vggviz.i18n import N_, _
from vggviz.model.layers import Layer, UnknownLayerError, block_ends, find_layer, named_layers, walk
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = ["GradCam", "CamMethod", "GradCAM", "GradCAMPlusPlus", "CAM_METHODS", "cam", "gradcam",
           "depth_sweep", "gradcam_layers", "default_layer", "check_layer", "GRADCAM_KINDS", "place_in_image"]

GRADCAM_KINDS = ("conv", "relu", "pool")
MIN_DEFAULT_SIDE = 8   # the default layer's map is at least this many cells across


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, eq=False)
class GradCam:
    """One class activation map and what it is of (``method``: a name of :data:`CAM_METHODS`).

    ``layer_map`` is at the layer's resolution, divided by its maximum (so in [0, 1]; a map
    that is zero everywhere, i.e. no positive evidence for the class at this layer, stays
    zero: see ``raw_max``). ``crop_map`` is ``layer_map`` upsampled bilinearly to the model's
    input (the crop: 224 px, or 64 for the mini family).
    """

    layer: str
    target: int
    label: str
    prob: float
    layer_map: np.ndarray
    crop_map: np.ndarray
    raw_max: float = 0.0          # the map's maximum before normalisation (units of score × activation)
    method: str = "Grad-CAM"

    def image_map(self, crop_box: Sequence[float], size: tuple[int, int]) -> np.ndarray:
        """The map in ORIGINAL image coordinates: (H, W) float32 in [0, 1] for an image of
        ``size = (W, H)`` (PIL's order), the map resized bilinearly into ``crop_box``
        ``(left, top, right, bottom)`` and zero outside it (the network never saw that part).

        Resampled in one step from ``layer_map`` with the half-pixel convention of
        ``F.interpolate(mode="bilinear")``, so for ``crop_box = (0, 0, S, S)`` and ``size = (S, S)``
        it equals ``crop_map``.
        """
        return place_in_image(self.layer_map, crop_box, size)


def place_in_image(crop_map: np.ndarray, crop_box: Sequence[float], size: tuple[int, int]) -> np.ndarray:
    """A map over the input crop (any resolution, e.g. a pixel-level method's (S, S) map) in
    ORIGINAL image coordinates, as :meth:`GradCam.image_map` places a CAM: (H, W) float32 in
    [0, 1] for ``size = (W, H)``, resized bilinearly into ``crop_box`` and zero outside it."""
    left, top, right, bottom = (float(v) for v in crop_box)
    if right <= left or bottom <= top:
        raise ValueError(f"empty crop box {tuple(crop_box)}")
    return _resample_into(crop_map, (top, left, bottom, right), (int(size[1]), int(size[0])))


def _axis(n_out: int, start: float, stop: float, n_src: int):
    """Source indices and weights for bilinear resampling along one axis (half-pixel centres)."""
    x = np.arange(n_out, dtype=np.float64) + 0.5
    u = (x - start) / (stop - start) * n_src - 0.5
    inside = (x >= start) & (x < stop)
    u = np.clip(u, 0.0, n_src - 1)
    i0 = np.floor(u).astype(np.intp)
    i1 = np.minimum(i0 + 1, n_src - 1)
    wgt = (u - i0).astype(np.float32)
    return i0, i1, wgt, inside


def _resample_into(src: np.ndarray, box: tuple[float, float, float, float], shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resample ``src`` (h, w) into ``box`` = (top, left, bottom, right) of a zero (H, W)."""
    src = np.asarray(src, dtype=np.float32)
    top, left, bottom, right = box
    y0, y1, wy, iny = _axis(shape[0], top, bottom, src.shape[0])
    x0, x1, wx, inx = _axis(shape[1], left, right, src.shape[1])
    rows = src[y0] * (1 - wy)[:, None] + src[y1] * wy[:, None]          # (H, w)
    out = rows[:, x0] * (1 - wx)[None, :] + rows[:, x1] * wx[None, :]   # (H, W)
    out *= iny[:, None]
    out *= inx[None, :]
    return np.clip(out, 0.0, 1.0).astype(np.float32, copy=False)


def normalise(raw: torch.Tensor, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, float]:
    """(h, w) raw map → (map / its maximum, that bilinearly upsampled to ``size``, the maximum)."""
    raw = raw.detach().float()
    peak = float(raw.max()) if raw.numel() else 0.0
    small = raw / peak if peak > 0 else torch.zeros_like(raw)
    crop = F.interpolate(small[None, None], size=tuple(size), mode="bilinear", align_corners=False)[0, 0]
    return (small.cpu().numpy().astype(np.float32), crop.clamp(0, 1).cpu().numpy().astype(np.float32), peak)


# --------------------------------------------------------------------------- the methods


class CamMethod:
    """A class activation map ``ReLU(Σ_k w_k ⊙ A_k)``. Subclasses set ``name`` and ``note``
    (marked with ``N_``) and override :meth:`weights`; :meth:`maps` does the rest."""

    name: str = ""
    note: str = ""

    def weights(self, acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
        """The channel weights for activations ``acts`` and gradients ``grads`` (both (1, C, h, w)):
        a tensor that broadcasts against ``acts``, (1, C, 1, 1) for one weight per channel."""
        raise NotImplementedError

    def combine(self, acts: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
        """The (h, w) raw map."""
        return F.relu((self.weights(acts, grads) * acts).sum(dim=1))[0]

    def maps(self, layers: Sequence[Layer], start: int, x: torch.Tensor, target: int,
             at: Sequence[int]) -> list[torch.Tensor]:
        """Raw maps at the layers whose model indices are ``at`` (each ≥ ``start - 1``), from one
        forward and backward pass of ``layers[start:]`` fed with ``x`` (the output of layer
        ``start - 1``, or the image for ``start = 0``). No hooks: ``torch.autograd.grad``."""
        leaf = x.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            scores, kept = Chain(layers, start).run(leaf, at)
            grads = torch.autograd.grad(scores[:, target].sum(), kept)
        return [self.combine(a.detach(), g) for a, g in zip(kept, grads)]


class GradCAM(CamMethod):
    name = N_("Grad-CAM")
    note = N_("Where, at the chosen layer, evidence for the class sits: channel activations weighted by "
              "their average gradient. Coarse (14×14 at conv5_3 for a 224 px input; 8×8 at conv4_3 for "
              "the mini family's 64 px) but class-discriminative.")

    def weights(self, acts, grads):
        return grads.mean(dim=(2, 3), keepdim=True)


class GradCAMPlusPlus(CamMethod):
    name = N_("Grad-CAM++")
    note = N_("Grad-CAM with each position's positive gradient weighted by how much it adds on its own "
              "(Chattopadhay et al. 2018): several instances of a class, or small parts, are less often "
              "drowned by the largest one. Same cost as Grad-CAM.")
    EPS = 1e-6

    def weights(self, acts, grads):
        g2 = grads * grads
        denom = 2 * g2 + acts.sum(dim=(2, 3), keepdim=True) * g2 * grads + self.EPS
        a = torch.where(grads != 0, g2 / denom, torch.zeros_like(grads))
        return (a * F.relu(grads)).sum(dim=(2, 3), keepdim=True)


CAM_METHODS: dict[str, CamMethod] = {m.name: m for m in (GradCAM(), GradCAMPlusPlus())}


# --------------------------------------------------------------------------- layers


def gradcam_layers(loaded: LoadedModel) -> list[str]:
    """The layers a CAM can be taken at (every conv, ReLU and pool of the features), in
    forward order. The default is :func:`default_layer`, the last conv."""
    return [l.name for l in named_layers(loaded.model) if l.in_conv_blocks and l.kind in GRADCAM_KINDS]


def default_layer(loaded: LoadedModel) -> str:
    """The last convolution whose map is at least 8×8 at the model's input size: the last conv
    of a full-size VGG (conv5_3 for VGG16, conv5_4 for VGG19, conv5_2 for VGG11/13: 14×14 at
    224 px); for the mini family the last conv of block 4 (conv4_3 for D: 8×8 at 64 px), since
    there conv5's 4×4 cells each see the whole image."""
    side = getattr(loaded, "input_size", 224)
    convs = [l for l in named_layers(loaded.model) if l.kind == "conv"]
    fine = [l for l in convs if side // 2 ** (l.block - 1) >= MIN_DEFAULT_SIDE]
    return (fine or convs)[-1].name


def check_layer(layers: list[Layer], name: str) -> Layer:
    """The layer called ``name``, or :class:`UnknownLayerError` (one line) when it has no spatial map."""
    layer = find_layer(layers, name)
    if not layer.in_conv_blocks or layer.kind not in GRADCAM_KINDS:
        choices = ", ".join(l.name for l in layers if l.in_conv_blocks and l.kind in GRADCAM_KINDS)
        raise UnknownLayerError(_("layer {layer} has no spatial map for Grad-CAM; choose one of: {choices}").format(
            layer=repr(name), choices=choices))
    return layer


def _stored_dtype(analysis, layers: list[Layer], layer: Layer):
    """The dtype the analysis kept for ``layer`` (a ReLU is derived from the layer before it)."""
    name = layer.name if layer.kind != "relu" else layers[layer.index - 1].name
    arr = analysis.acts.get(name)
    return None if arr is None else arr.dtype


def _exact_activation(loaded: LoadedModel, analysis, layers: list[Layer], layer: Layer) -> torch.Tensor:
    """Layer ``layer``'s output for the analysed image as a (1, C, h, w) float32 tensor on the
    model's device: the cached array when it was kept as float32, else recomputed from the
    preprocessed input (the head only, without gradients)."""
    device = loaded.device
    if _stored_dtype(analysis, layers, layer) == np.float32:
        arr = np.array(analysis.activation(layer.name), dtype=np.float32, copy=True)
        return torch.from_numpy(arr).unsqueeze(0).to(device)
    with torch.inference_mode():
        x = analysis.preprocessed.tensor.to(device)
        out = walk(loaded.model, x, stop=layer.index, layers=layers)
    return out.clone()  # a normal tensor (inference tensors cannot enter autograd)


def _method(name: str) -> CamMethod:
    if name not in CAM_METHODS:
        raise ValueError(f"unknown CAM method {name!r}; choose one of: {', '.join(CAM_METHODS)}")
    return CAM_METHODS[name]


def _result(loaded: LoadedModel, analysis, method: str, layer: str, target: int, raw: torch.Tensor) -> GradCam:
    small, crop, peak = normalise(raw, tuple(analysis.preprocessed.tensor.shape[-2:]))
    return GradCam(layer=layer, target=target, label=class_label(loaded, target), prob=float(analysis.probs[target]),
                   layer_map=small, crop_map=crop, raw_max=peak, method=method)


# --------------------------------------------------------------------------- on the cached analysis


def cam(loaded: LoadedModel, analysis: Analysis, method: str = "Grad-CAM", layer: str | None = None,
        target: int | None = None) -> GradCam:
    """The map of CAM ``method`` (a name of :data:`CAM_METHODS`) for class ``target`` (default:
    the top-1 class) at ``layer``, from the activation the analysis already holds: only the
    network after ``layer`` runs (forward and backward), on a :class:`Chain` tail.

    The map of ``conv5_3`` is taken at the conv's output, before its ReLU (what captum gives for
    ``LayerGradCam(model, model.features[28])``); ``relu5_3`` gives the map after it.

    Args:
        loaded: the model the analysis was made with.
        analysis: a :class:`vggviz.inference.analysis.Analysis` of one image.
        method: "Grad-CAM" or "Grad-CAM++".
        layer: a name from :func:`gradcam_layers` (paper name or module path); None:
            :func:`default_layer` (conv5_3 for VGG16, conv4_3 for the mini VGG16).
        target: a class index of the model, or None for the top-1 class.

    Example::

        c = cam(loaded, analyze(loaded, image), "Grad-CAM++", "conv5_3", target=281)  # tabby cat
    """
    impl = _method(method)
    layers = named_layers(loaded.model)
    lay = check_layer(layers, layer or default_layer(loaded))
    target = check_target(loaded, analysis, target)
    act = _exact_activation(loaded, analysis, layers, lay)
    (raw,) = impl.maps(layers, lay.index + 1, act, target, [lay.index])      # no hook, no change: no lock
    return _result(loaded, analysis, method, lay.name, target, raw)


def gradcam(loaded: LoadedModel, analysis: Analysis, layer: str | None = None, target: int | None = None) -> GradCam:
    """Grad-CAM of class ``target`` (default: top-1) at ``layer``: :func:`cam` with "Grad-CAM".

    Example::

        g = gradcam(loaded, analyze(loaded, image), "conv5_3", target=281)  # tabby cat
    """
    return cam(loaded, analysis, "Grad-CAM", layer, target)


def depth_sweep(loaded: LoadedModel, analysis: Analysis, target: int | None = None, method: str = "Grad-CAM") -> list[GradCam]:
    """The map of ``method`` for ``target`` at the end of each convolutional block (the last
    ReLU of blocks 1–5, :func:`vggviz.model.layers.block_ends`): how the map sharpens in meaning and
    coarsens in resolution with depth. All five come from ONE forward and backward pass
    starting at the first block's end (:meth:`CamMethod.maps`, the same as :func:`cam`)."""
    impl = _method(method)
    layers = named_layers(loaded.model)
    ends = block_ends(layers)
    target = check_target(loaded, analysis, target)
    if not ends:
        return []
    first = ends[0]
    start = _exact_activation(loaded, analysis, layers, first)
    raws = impl.maps(layers, first.index + 1, start, target, [l.index for l in ends])
    return [_result(loaded, analysis, method, lay.name, target, raw) for lay, raw in zip(ends, raws)]
