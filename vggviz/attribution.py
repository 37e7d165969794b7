"""Grad-CAM that can be trusted, and the methods it is usually compared with.

Grad-CAM (Selvaraju et al. 2017) for class *c* at layer *L* with output *A* (C×h×w):
``α_k = mean_ij ∂y_c/∂A_k[i,j]`` and ``map = ReLU(Σ_k α_k A_k)``, where ``y_c`` is the class
score before the softmax. Only the part of the network *after* L matters for the gradient, and
:func:`vggviz.analysis.analyze` has already computed A. So :func:`gradcam` does not run the
network again: it builds the *tail* after L (a :class:`Chain` that shares the model's modules,
with fresh non-in-place ReLUs and an ``entry`` Identity in front), and runs captum's
``LayerGradCam(tail, tail.entry)`` on the cached activation. For conv5_3 the tail is one ReLU,
two pools and the classifier: a few per cent of a forward pass.

Two details make the map trustworthy rather than approximately right:

* The analysis keeps blocks 1–3 as float16 (enough for pictures). Grad-CAM there starts from
  an exact float32 activation instead, recomputed from the preprocessed input without
  gradients (the head only; blocks 4–5 are float32 in the cache and used as they are).
* Nothing on the shared model is hooked or changed. captum's hooks go on the chain's own
  Identity and ReLU modules, which exist for one call. Hooking the shared model's ReLUs (what
  ``GuidedBackprop(model)`` does) would break every *concurrent* analysis of another session,
  because :func:`vggviz.analysis.analyze` walks the model without its lock and captum's
  forward-pre-hook calls ``register_hook`` on tensors that do not require grad.

Pixel-level methods (Guided Grad-CAM, saliency, integrated gradients) need the whole network:
they run on ``Chain(layers, 0)`` inside :func:`attribution_mode`, which holds the model's lock
and restores mode, ``requires_grad`` and ReLU flags and removes any hook left behind.

Example::

    from vggviz.analysis import analyze
    res = analyze(loaded, image)
    cam = gradcam(loaded, res, "conv5_3")                   # top-1 class
    heat = cam.image_map(res.preprocessed.crop_box, image.image.size)
    overlay(image.image, heat, alpha=0.5, crop_box=res.preprocessed.crop_box).save("cam.png")
"""

from __future__ import annotations

import contextlib
import gc
import time
import warnings
from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw
from torch import nn

from .layers import Layer, UnknownLayer, block_ends, find_layer, named_layers, walk
from .weights import LoadedModel

__all__ = [
    "GradCam",
    "Chain",
    "gradcam",
    "gradcam_layers",
    "default_layer",
    "depth_sweep",
    "overlay",
    "COLORMAPS",
    "compare_methods",
    "METHOD_NOTES",
    "OcclusionMap",
    "occlusion",
    "occlusion_map",
    "occlusion_defaults",
    "occlusion_passes",
    "compare_variants",
    "attribution_mode",
    "UnknownTarget",
]

GRADCAM_KINDS = ("conv", "relu", "pool")
COLORMAPS = ("jet", "turbo", "inferno", "viridis", "magma", "gray")
PIXEL_CLIP_PERCENTILE = 99.5     # pixel-level maps: scale so this percentile is 1 (a few spikes would hide the rest)

METHOD_NOTES = {
    "Grad-CAM": "Where, at the chosen layer, evidence for the class sits: channel activations "
                "weighted by their average gradient. Coarse (14×14 at conv5_3 for a 224 px input; "
                "8×8 at conv4_3 for the mini family's 64 px) but class-discriminative.",
    "Guided Grad-CAM": "Guided backpropagation (gradients with negative values stopped at every "
                       "ReLU) multiplied by the Grad-CAM map: pixel-sharp edges, restricted to "
                       "where Grad-CAM looks. Guided backprop alone looks almost the same for every "
                       "class; the Grad-CAM factor is what makes it class-specific.",
    "Saliency": "|∂score/∂pixel|, the plain gradient (Simonyan et al. 2014): which pixels would "
                "change the score most if nudged. Noisy and fine-grained.",
    "Integrated Gradients": "Gradients averaged along a straight path from a baseline (the mean "
                            "colour) to the image, times the difference: the attributions add up to "
                            "the score difference. Costs one forward and backward pass per step.",
    "Occlusion": "How much the class score (the logit) drops when a mean-colour (grey) square hides "
                 "each place (Zeiler & Fergus 2014), averaged over the squares covering each pixel: a "
                 "direct test, no gradients. The grey square is itself unlike any training image (the "
                 "drop can come from the square, not from what it hides), one square hides only one "
                 "part of a redundant object, and the map is no finer than the stride.",
}


class UnknownTarget(ValueError):
    """A class index outside the model's outputs; the message is one line."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, eq=False)
class GradCam:
    """One Grad-CAM map and what it is of.

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

    def image_map(self, crop_box: Sequence[float], size: tuple[int, int]) -> np.ndarray:
        """The map in ORIGINAL image coordinates: (H, W) float32 in [0, 1] for an image of
        ``size = (W, H)`` (PIL's order), the map resized bilinearly into ``crop_box``
        ``(left, top, right, bottom)`` and zero outside it (the network never saw that part).

        Resampled in one step from ``layer_map`` with the half-pixel convention of
        ``F.interpolate(mode="bilinear")``, so for ``crop_box = (0, 0, S, S)`` and ``size = (S, S)``
        it equals ``crop_map``.
        """
        w, h = int(size[0]), int(size[1])
        left, top, right, bottom = (float(v) for v in crop_box)
        if right <= left or bottom <= top:
            raise ValueError(f"empty crop box {tuple(crop_box)}")
        return _resample_into(self.layer_map, (top, left, bottom, right), (h, w))


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


# --------------------------------------------------------------------------- the chain


class Chain(nn.Module):
    """``layers[start:]`` of a torchvision VGG as one module that *shares* the model's modules
    (no weight copies) but has its own non-in-place ``nn.ReLU()`` instances and an ``entry``
    ``nn.Identity()`` in front, so captum can hook those without touching the shared model.

    ``chain.module(name)`` is the chain's module for a layer name (a fresh ReLU for ReLUs).
    Never call ``.train()``/``.eval()`` on a chain: that would reach the shared modules.
    """

    def __init__(self, layers: Sequence[Layer], start: int = 0) -> None:
        super().__init__()
        part = list(layers[start:])
        self.entry = nn.Identity()
        self.names = [l.name for l in part]
        self.steps = nn.ModuleList(nn.ReLU() if isinstance(l.module, nn.ReLU) else l.module for l in part)
        self.flatten_at = next((i for i, l in enumerate(part) if l.path.startswith("classifier")), None)

    def module(self, name: str) -> nn.Module:
        return self.steps[self.names.index(name)]

    def own_modules(self) -> list[nn.Module]:
        """The modules that belong to this chain alone (entry and the fresh ReLUs)."""
        return [self.entry] + [m for m in self.steps if isinstance(m, nn.ReLU)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.entry(x)
        for i, m in enumerate(self.steps):
            if i == self.flatten_at and x.dim() > 2:
                x = torch.flatten(x, 1)
            x = m(x)
        return x


def _num_classes(model: nn.Module) -> int:
    linears = [m for m in model.classifier.modules() if isinstance(m, nn.Linear)]
    return linears[-1].out_features


def _label(loaded: LoadedModel, target: int) -> str:
    cats = loaded.categories
    return cats[target] if len(cats) == _num_classes(loaded.model) else f"class {target}"


def _check_target(loaded: LoadedModel, analysis, target: int | None) -> int:
    if target is None:
        return int(analysis.top[0].index)
    n = _num_classes(loaded.model)
    if isinstance(target, bool) or not 0 <= int(target) < n:
        raise UnknownTarget(f"target must be a class index from 0 to {n - 1}, got {target!r}")
    return int(target)


# --------------------------------------------------------------------------- layers


def gradcam_layers(loaded: LoadedModel) -> list[str]:
    """The layers Grad-CAM can be taken at (every conv, ReLU and pool of the features), in
    forward order. The default is :func:`default_layer`, the last conv."""
    return [l.name for l in named_layers(loaded.model) if l.block <= 5 and l.kind in GRADCAM_KINDS]


MIN_DEFAULT_SIDE = 8   # the default layer's map is at least this many cells across


def default_layer(loaded: LoadedModel) -> str:
    """The last convolution whose map is at least 8×8 at the model's input size: the last conv
    of a full-size VGG (conv5_3 for VGG16, conv5_4 for VGG19, conv5_2 for VGG11/13: 14×14 at
    224 px); for the mini family the last conv of block 4 (conv4_3 for D: 8×8 at 64 px), since
    there conv5's 4×4 cells each see the whole image."""
    side = getattr(loaded, "input_size", 224)
    convs = [l for l in named_layers(loaded.model) if l.kind == "conv"]
    fine = [l for l in convs if side // 2 ** (l.block - 1) >= MIN_DEFAULT_SIDE]
    return (fine or convs)[-1].name


def _layer(layers: list[Layer], name: str) -> Layer:
    layer = find_layer(layers, name)
    if layer.block > 5 or layer.kind not in GRADCAM_KINDS:
        choices = ", ".join(l.name for l in layers if l.block <= 5 and l.kind in GRADCAM_KINDS)
        raise UnknownLayer(f"layer {name!r} has no spatial map for Grad-CAM; choose one of: {choices}")
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


def _finish(loaded: LoadedModel, analysis, layer: str, target: int, raw: torch.Tensor) -> GradCam:
    """(h, w) raw map → normalised layer map and a map at the input crop's size."""
    raw = raw.detach().float()
    peak = float(raw.max()) if raw.numel() else 0.0
    layer_map = raw / peak if peak > 0 else torch.zeros_like(raw)
    size = tuple(analysis.preprocessed.tensor.shape[-2:])
    crop = F.interpolate(layer_map[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]
    return GradCam(
        layer=layer, target=target, label=_label(loaded, target), prob=float(analysis.probs[target]),
        layer_map=layer_map.cpu().numpy().astype(np.float32), crop_map=crop.clamp(0, 1).cpu().numpy().astype(np.float32),
        raw_max=peak,
    )


# --------------------------------------------------------------------------- Grad-CAM


def gradcam(loaded: LoadedModel, analysis, layer: str | None = None, target: int | None = None) -> GradCam:
    """Grad-CAM of class ``target`` (default: the top-1 class) at ``layer``, from the
    activation the analysis already holds: only the network after ``layer`` runs (forward
    and backward), through captum's ``LayerGradCam`` on a :class:`Chain` tail.

    The map of ``conv5_3`` is taken at the conv's output, before its ReLU (what captum gives
    for ``layer=model.features[28]``); ``relu5_3`` gives the map after it.

    Args:
        loaded: the model the analysis was made with.
        analysis: a :class:`vggviz.analysis.Analysis` of one image.
        layer: a name from :func:`gradcam_layers` (paper name or module path); None:
            :func:`default_layer` (conv5_3 for VGG16, conv4_3 for the mini VGG16).
        target: a class index of the model (0..999 for ImageNet, 0..7 for the mini family's
            shapes), or None for the top-1 class.

    Returns:
        a :class:`GradCam`.

    Example::

        cam = gradcam(loaded, analyze(loaded, image), "conv5_3", target=281)  # tabby cat
    """
    from captum.attr import LayerGradCam

    layers = named_layers(loaded.model)
    lay = _layer(layers, layer or default_layer(loaded))
    target = _check_target(loaded, analysis, target)
    act = _exact_activation(loaded, analysis, layers, lay)
    with loaded.lock:
        tail = Chain(layers, lay.index + 1)
        method = LayerGradCam(tail, tail.entry)
        try:
            attr = method.attribute(act, target=target, relu_attributions=True)
        finally:
            del method
        _assert_no_hooks(tail.own_modules())
    return _finish(loaded, analysis, lay.name, target, attr[0, 0])


def depth_sweep(loaded: LoadedModel, analysis, target: int | None = None) -> list[GradCam]:
    """Grad-CAM of ``target`` at the end of each convolutional block (the last ReLU of blocks
    1–5, :func:`vggviz.layers.block_ends`): how the map sharpens in meaning and coarsens in
    resolution with depth.

    All five come from ONE forward and backward pass starting at the first block's end
    (``torch.autograd.grad`` with respect to the five outputs), the same formula captum's
    ``LayerGradCam`` applies (tests check it equals :func:`gradcam` at each layer).
    """
    layers = named_layers(loaded.model)
    ends = block_ends(layers)
    target = _check_target(loaded, analysis, target)
    if not ends:
        return []
    first = ends[0]
    start = _exact_activation(loaded, analysis, layers, first).requires_grad_(True)
    wanted = {l.index for l in ends[1:]}
    with loaded.lock, torch.enable_grad():
        tail = Chain(layers, first.index + 1)
        kept: list[torch.Tensor] = [start]
        x = start
        for i, (name, m) in enumerate(zip(tail.names, tail.steps)):
            if i == tail.flatten_at and x.dim() > 2:
                x = torch.flatten(x, 1)
            x = m(x)
            if first.index + 1 + i in wanted:
                kept.append(x)
        score = x[:, target].sum()
        grads = torch.autograd.grad(score, kept)
    cams = []
    for lay, a, g in zip(ends, kept, grads):
        alpha = g.mean(dim=(2, 3), keepdim=True)
        raw = F.relu((alpha * a.detach()).sum(dim=1))[0]
        cams.append(_finish(loaded, analysis, lay.name, target, raw))
    return cams


# --------------------------------------------------------------------------- attribution mode


_HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


def _hook_keys(modules: Sequence[nn.Module]) -> dict[tuple[int, str], set]:
    return {(id(m), d): set(getattr(m, d, {}).keys()) for m in modules for d in _HOOK_DICTS}


def _remove_new_hooks(modules: Sequence[nn.Module], before: dict[tuple[int, str], set]) -> int:
    """Remove every hook not present in ``before``; return how many there were."""
    removed = 0
    for m in modules:
        for d in _HOOK_DICTS:
            hooks = getattr(m, d, None)
            if not hooks:
                continue
            for key in [k for k in hooks if k not in before.get((id(m), d), set())]:
                del hooks[key]
                removed += 1
            if d == "_backward_hooks" and not hooks:
                m._is_full_backward_hook = None
    return removed


def _assert_no_hooks(modules: Sequence[nn.Module]) -> None:
    left = [(type(m).__name__, d) for m in modules for d in _HOOK_DICTS if getattr(m, d, None)]
    if left:
        _remove_new_hooks(modules, {})
        raise RuntimeError(f"attribution left {len(left)} hook(s) behind (removed): {left[:3]}")


@contextlib.contextmanager
def attribution_mode(loaded: LoadedModel) -> Iterator[Chain]:
    """Hold the model's lock and yield a whole-network :class:`Chain` for gradient methods.

    The chain shares the weights but has its own non-in-place ReLUs, so captum's hooks
    (GuidedBackprop hooks every ReLU) land on the chain, never on the shared model that
    lock-free analyses of other sessions are walking. On exit, always (also after an
    exception): train/eval mode, ``requires_grad`` of every parameter and every ReLU's
    ``inplace`` flag are restored, and any hook added during the block is removed, on the
    shared model and the chain alike; hooks left behind after a block that raised nothing
    are an error (RuntimeError), since they mean an attribution object leaked them.
    """
    model = loaded.model
    with loaded.lock:
        shared = list(model.modules())
        modes = [m.training for m in shared]
        grads = [p.requires_grad for p in model.parameters()]
        relus = [(m, m.inplace) for m in shared if isinstance(m, nn.ReLU)]
        before = _hook_keys(shared)
        chain = Chain(named_layers(model), 0)
        model.eval()
        ok = False
        try:
            yield chain
            ok = True
        finally:
            for m, mode in zip(shared, modes):
                m.training = mode
            for p, g in zip(model.parameters(), grads):
                p.requires_grad_(g)
            for m, flag in relus:
                m.inplace = flag
            leaked = _remove_new_hooks(shared, before) + _remove_new_hooks(chain.own_modules(), {})
            del chain
            if leaked and ok:
                raise RuntimeError(f"{leaked} hook(s) were left on the model by an attribution method (removed)")


# --------------------------------------------------------------------------- other methods


def _leaf(x: torch.Tensor) -> torch.Tensor:
    return x.detach().clone().requires_grad_(True)


def _pixel_map(attr: torch.Tensor) -> np.ndarray:
    """(1, 3, S, S) signed attributions → (S, S) in [0, 1]: the largest |value| over the colour
    channels, scaled so the PIXEL_CLIP_PERCENTILE-th percentile is 1 (clipped above)."""
    m = attr.detach()[0].abs().amax(dim=0).float().cpu().numpy()
    scale = float(np.percentile(m, PIXEL_CLIP_PERCENTILE))
    if scale <= 0:
        scale = float(m.max())
    if scale <= 0:
        return np.zeros_like(m, dtype=np.float32)
    return np.clip(m / scale, 0.0, 1.0).astype(np.float32)


def compare_methods(
    loaded: LoadedModel,
    analysis,
    target: int | None = None,
    layer: str | None = None,
    ig_steps: int = 0,
    occlusion: tuple[int, int] | bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Grad-CAM next to pixel-level methods for the same class, each an (S, S) float32 map in
    [0, 1] over the model's input crop: "Grad-CAM", "Guided Grad-CAM" (guided backprop ×
    the bilinearly upsampled Grad-CAM, as in the Grad-CAM paper), "Saliency" (|gradient|),
    "Integrated Gradients" when ``ig_steps`` > 0 (mean-colour baseline; costs
    ``ig_steps`` forward and backward passes), and "Occlusion" when ``occlusion`` is
    ``(patch, stride)`` (or True: :func:`occlusion_defaults`), the ``crop_map`` of
    :func:`occlusion` (:func:`occlusion_passes` forward passes, reported to
    ``progress(done, total)``). See :data:`METHOD_NOTES` for what each shows.

    Pixel-level maps take the largest |attribution| over colour channels and are scaled to
    their 99.5th percentile (display choice; the Grad-CAM map is scaled to its maximum).
    """
    from captum.attr import GuidedBackprop, IntegratedGradients, Saliency

    target = _check_target(loaded, analysis, target)
    cam = gradcam(loaded, analysis, layer, target)
    x = analysis.preprocessed.tensor.to(loaded.device)
    out: dict[str, np.ndarray] = {"Grad-CAM": cam.crop_map}
    with attribution_mode(loaded) as net:
        gb = GuidedBackprop(net)
        try:
            with warnings.catch_warnings():   # "Setting backward hooks on ReLU activations": on the chain's own ReLUs
                warnings.filterwarnings("ignore", message="Setting backward hooks", category=UserWarning)
                guided = gb.attribute(_leaf(x), target=target)
        finally:
            del gb
        weight = torch.from_numpy(cam.crop_map).to(guided.device)
        out["Guided Grad-CAM"] = _pixel_map(guided * weight)
        sal = Saliency(net)
        try:
            out["Saliency"] = _pixel_map(sal.attribute(_leaf(x), target=target, abs=True))
        finally:
            del sal
        if ig_steps > 0:
            ig = IntegratedGradients(net)
            try:
                attr = ig.attribute(_leaf(x), baselines=torch.zeros_like(x), target=target,
                                    n_steps=int(ig_steps), internal_batch_size=min(int(ig_steps), 8))
            finally:
                del ig
            out["Integrated Gradients"] = _pixel_map(attr)
    if occlusion is not None and occlusion is not False:
        patch, stride = (None, None) if occlusion is True else occlusion
        run = globals()["occlusion"]          # the module function (this parameter shadows its name)
        out["Occlusion"] = run(loaded, analysis, target, patch, stride,
                               progress=progress).crop_map
    return out


# --------------------------------------------------------------------------- occlusion


OCCLUSION_BASELINES = ("mean", "black")


def occlusion_defaults(size: int) -> tuple[int, int]:
    """The default (patch, stride) for an input of ``size`` px: patch = size/7 rounded (32 px at
    224, a cell of VGG's 7×7 pool5 grid; 9 at the mini family's 64), stride = half the patch
    (16 and 4), so every pixel is covered by up to four patches."""
    patch = max(1, round(int(size) / 7))
    return patch, max(1, patch // 2)


def _starts(size: int, patch: int, stride: int) -> list[int]:
    """Where the patch starts along one axis: 0, stride, 2·stride, … until it reaches the edge;
    ceil((size − patch) / stride) + 1 positions, the last one cut off by the edge when
    ``stride`` does not divide ``size − patch`` (as captum's ``Occlusion`` does)."""
    n = -(-(size - patch) // stride) + 1
    return [i * stride for i in range(n)]


def _check_window(height: int, width: int, patch, stride) -> tuple[int, int]:
    side = min(int(height), int(width))

    def whole(v) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if not whole(patch) or not 1 <= int(patch) <= side:
        raise ValueError(f"occlusion patch must be a whole number of pixels from 1 to {side}, got {patch!r}")
    if not whole(stride) or not 1 <= int(stride) <= int(patch):
        raise ValueError(f"occlusion stride must be a whole number of pixels from 1 to the patch size "
                         f"({int(patch)}), got {stride!r}")
    return int(patch), int(stride)


def occlusion_passes(size: int, patch: int, stride: int) -> int:
    """Forward passes :func:`occlusion` makes on a ``size``×``size`` input: one per patch
    position, plus one for the unoccluded image (169 + 1 for 32/16 at 224 px)."""
    patch, stride = _check_window(size, size, patch, stride)
    return len(_starts(int(size), patch, stride)) ** 2 + 1


def occlusion_map(
    forward_fn: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    target: int,
    patch: int,
    stride: int,
    baseline: float | torch.Tensor = 0.0,
    batch: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, float]:
    """The occlusion map of ``x`` (1, C, H, W) for output column ``target`` of ``forward_fn``
    ((n, C, H, W) → (n, outputs)), and the unoccluded score.

    For each position of a ``patch``×``patch`` square (all channels, stepped by ``stride``,
    see :func:`_starts`) the square is set to ``baseline`` (a number, or a tensor that
    broadcasts to (1, C, 1, 1)) and ``drop = score(x) − score(occluded x)`` is recorded; each
    pixel gets the mean drop of the squares that cover it. This is captum's
    ``Occlusion(...).attribute(x, sliding_window_shapes=(C, patch, patch), strides=(C, stride,
    stride), baselines=baseline)`` (the tests check they agree), with the passes batched
    ``batch`` at a time (the unoccluded image goes in the first batch) and
    ``progress(done, total)`` called before the first batch and after each, counting images.

    Returns ``(map, score)``: the (H, W) float32 map, signed (negative where hiding the square
    raises the score), and the unoccluded score.
    """
    if x.dim() != 4 or x.shape[0] != 1:
        raise ValueError(f"occlusion needs one image, a (1, C, H, W) tensor; got {tuple(x.shape)}")
    if isinstance(batch, bool) or int(batch) < 1:
        raise ValueError(f"occlusion batch must be at least 1, got {batch!r}")
    height, width = int(x.shape[-2]), int(x.shape[-1])
    patch, stride = _check_window(height, width, patch, stride)
    windows = [(y, xx) for y in _starts(height, patch, stride) for xx in _starts(width, patch, stride)]
    fill = torch.as_tensor(baseline, dtype=x.dtype, device=x.device)
    fill = fill.reshape(-1, 1, 1) if fill.dim() else fill          # (C, 1, 1) or a scalar
    total = len(windows) + 1
    scores = torch.empty(total, dtype=torch.float64)
    done = 0
    if progress:
        progress(0, total)
    while done < total:
        n = min(int(batch), total - done)
        xb = x.detach().expand(n, -1, -1, -1).clone()
        for k in range(n):
            i = done + k - 1                                        # item 0 of the first batch: unoccluded
            if i >= 0:
                y, xx = windows[i]
                xb[k, :, y:y + patch, xx:xx + patch] = fill
        out = forward_fn(xb)
        scores[done:done + n] = out[:, target].detach().double().cpu()
        done += n
        if progress:
            progress(done, total)
    drops = (scores[0] - scores[1:]).numpy()
    acc = np.zeros((height, width), np.float64)
    cover = np.zeros((height, width), np.float64)
    for (y, xx), d in zip(windows, drops):
        acc[y:y + patch, xx:xx + patch] += d
        cover[y:y + patch, xx:xx + patch] += 1.0
    return (acc / cover).astype(np.float32), float(scores[0])


@dataclass(frozen=True, eq=False)
class OcclusionMap:
    """One occlusion map (:func:`occlusion`) and what it is of.

    ``raw`` is the signed (S, S) map over the input crop in logit units: the mean drop of the
    class logit over the patches covering each pixel (negative: hiding there *raises* the
    score). ``crop_map`` is what the compare grid shows, in [0, 1]: the positive part divided
    by its maximum (negatives become 0, like Grad-CAM's ReLU; all zero when no patch lowers the
    score: see ``raw_max``/``raw_min``).
    """

    target: int
    label: str
    patch: int
    stride: int
    baseline: str
    score: float                  # the unoccluded logit
    raw: np.ndarray
    crop_map: np.ndarray
    passes: int
    seconds: float

    @property
    def raw_max(self) -> float:
        return float(self.raw.max())

    @property
    def raw_min(self) -> float:
        return float(self.raw.min())


def occlusion(
    loaded: LoadedModel,
    analysis,
    target: int | None = None,
    patch: int | None = None,
    stride: int | None = None,
    baseline: str = "mean",
    batch: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> OcclusionMap:
    """Occlusion sensitivity (Zeiler & Fergus 2014) of class ``target`` (default: top-1) on the
    analysed image: :func:`occlusion_map` with the whole model as ``forward_fn``.

    The score is the class **logit** (before the softmax), as for Grad-CAM: a probability near
    1 hardly moves until the evidence is nearly gone (softmax saturates), and it also drops when
    another class merely rises; the logit measures the class's own evidence.

    ``baseline`` "mean" fills the patch with the dataset-mean colour (zero after normalisation;
    a grey), "black" with black. ``patch``/``stride`` default to :func:`occlusion_defaults`
    (32/16 at 224 px: 170 forward passes; 9/4 at the mini family's 64 px: 226). No gradients:
    each batch runs under ``torch.inference_mode`` holding the model's lock, which is released
    between batches so a long occlusion does not keep other sessions' Grad-CAM waiting; nothing
    on the model is hooked or changed.

    Raises ValueError (one line) for a patch or stride that is not a whole number with
    1 ≤ stride ≤ patch ≤ S, or an unknown baseline; :class:`UnknownTarget` for a bad class.
    """
    target = _check_target(loaded, analysis, target)
    x = analysis.preprocessed.tensor.to(loaded.device, torch.float32)
    size = int(x.shape[-1])
    d_patch, d_stride = occlusion_defaults(size)
    if patch is None:
        patch, stride = d_patch, d_stride if stride is None else stride
    elif stride is None:                      # half the given patch (a bad patch is reported below)
        stride = max(1, int(patch) // 2) if isinstance(patch, (int, np.integer)) else 1
    patch, stride = _check_window(x.shape[-2], x.shape[-1], patch, stride)
    if baseline == "mean":
        fill = torch.zeros(())
    elif baseline == "black":
        mean = torch.tensor(loaded.transforms.mean, dtype=torch.float32)
        std = torch.tensor(loaded.transforms.std, dtype=torch.float32)
        fill = -mean / std
    else:
        raise ValueError(f"occlusion baseline must be one of {', '.join(OCCLUSION_BASELINES)}, got {baseline!r}")
    model = loaded.model

    def forward(xb: torch.Tensor) -> torch.Tensor:
        with loaded.lock, torch.inference_mode():
            return model(xb)

    t0 = time.perf_counter()
    raw, score = occlusion_map(forward, x, target, patch, stride, fill.to(x.device), batch, progress)
    seconds = time.perf_counter() - t0
    peak = float(raw.max())
    crop = np.clip(raw / peak, 0.0, 1.0).astype(np.float32) if peak > 0 else np.zeros_like(raw)
    raw.setflags(write=False)
    crop.setflags(write=False)
    return OcclusionMap(target=target, label=_label(loaded, target), patch=patch, stride=stride,
                        baseline=baseline, score=score, raw=raw, crop_map=crop,
                        passes=occlusion_passes(size, patch, stride), seconds=seconds)


# --------------------------------------------------------------------------- overlay


def _lut(cmap: str) -> np.ndarray:
    """The (256, 3) uint8 lookup table, built once per name (shared with the feature maps)."""
    from .maps import colormap_lut

    return colormap_lut(cmap)


def overlay(
    image: Image.Image,
    heat: np.ndarray,
    alpha: float = 0.5,
    cmap: str = "jet",
    crop_box: Sequence[float] | None = None,
) -> Image.Image:
    """``image`` blended with ``heat`` (H, W) in [0, 1] coloured by ``cmap`` (any matplotlib
    colormap; :data:`COLORMAPS` are the ones the page offers): ``(1 - alpha) ·
    image + alpha · colour``. With ``crop_box`` (what the network saw), the part outside it
    is shown dimmed and uncoloured and the box is outlined."""
    img = np.asarray(image.convert("RGB"), dtype=np.float32)
    heat = np.asarray(heat, dtype=np.float32)
    if heat.shape != img.shape[:2]:
        raise ValueError(f"heatmap shape {heat.shape} does not match the image ({img.shape[0]}, {img.shape[1]})")
    a = float(np.clip(alpha, 0.0, 1.0))
    idx = np.clip(np.nan_to_num(heat) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    colour = _lut(cmap)[idx].astype(np.float32)
    out = (1.0 - a) * img + a * colour
    if crop_box is not None:
        l, t, r, b = (int(round(v)) for v in crop_box)
        inside = np.zeros(heat.shape, dtype=bool)
        inside[max(t, 0):max(b, 0), max(l, 0):max(r, 0)] = True
        out = np.where(inside[..., None], out, img * 0.45)
    pic = Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")
    if crop_box is not None:
        width = max(2, round(min(pic.size) / 200))
        ImageDraw.Draw(pic).rectangle([l, t, r - 1, b - 1], outline=(255, 255, 255), width=width)
    return pic


# --------------------------------------------------------------------------- compare depths


def compare_variants(
    variants: Sequence[str],
    image,
    target: int | None,
    source: str,
    device: str | torch.device = "auto",
    progress: Callable[[int, int, str], None] | None = None,
    get_model: Callable[[str], LoadedModel | None] | None = None,
) -> list[dict]:
    """Analyse ``image`` with each variant in turn and take Grad-CAM of ``target`` (None: each
    network's own top-1) at its last conv.

    Models are loaded one after another and dropped (``gc.collect()``) before the next, so at
    most one extra model is alive. ``get_model(variant)`` may hand over a model that is
    already loaded (e.g. from the app's bounded cache); it is used and not dropped.
    ``progress(done, total, variant)`` is called before each variant and once at the end.

    Returns one dict per variant: ``variant``, ``weights`` (the source used), ``note``,
    ``layer``, ``top`` (list of Prediction), ``gradcam`` (:class:`GradCam`), ``crop_box``,
    ``seconds`` (analysis + Grad-CAM, not loading).
    """
    from .analysis import analyze
    from .weights import load_model

    results = []
    n = len(variants)
    for i, variant in enumerate(variants):
        if progress:
            progress(i, n, variant)
        loaded = get_model(variant) if get_model else None
        if loaded is None:
            loaded = load_model(variant, source, device)
        t0 = time.perf_counter()
        res = analyze(loaded, image)
        layer = default_layer(loaded)
        cam = gradcam(loaded, res, layer, target)
        results.append({
            "variant": variant, "weights": loaded.source, "note": loaded.note, "layer": layer,
            "top": list(res.top), "gradcam": cam, "crop_box": res.preprocessed.crop_box,
            "seconds": time.perf_counter() - t0,
        })
        del loaded, res, cam
        gc.collect()
    if progress:
        progress(n, n, "")
    return results
