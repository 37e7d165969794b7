"""Teach a frozen VGG new classes: its features of a chosen layer, a new last layer trained on
them, the new classes' probabilities, Grad-CAM for a new class and a 2-D PCA of the examples.

Transfer learning as the tutorials do it (cats vs dogs on a frozen VGG16): every image goes
through the frozen network once, up to ``pool5`` (flattened), ``fc6`` or ``fc7`` (both taken
after their ReLU, as Keras's ``fc1``/``fc2``); a logistic regression (one ``nn.Linear`` with
softmax) is trained on those vectors. The shared model is only *walked*
(:func:`vggviz.model.layers.walk` under ``torch.inference_mode``): no hooks, no change of mode or
``requires_grad``. Grad-CAM for a new class composes the student's head after the frozen layers
in a :class:`vggviz.explain.attribution.Chain` (its own non-in-place ReLUs, no hooks) and takes the
gradient with ``torch.autograd.grad``.

Example::

    from vggviz.data import shapes
    from vggviz.lab import transfer
    from vggviz.model.weights import load_model
    loaded = load_model("vgg16_mini", "shapes", "cpu")
    imgs = {c: [shapes.draw_plain(c)] * 3 for c in ("circle", "square")}
    head = transfer.fit(loaded, {c: transfer.features(loaded, v)["fc7"] for c, v in imgs.items()}, "fc7")
    transfer.predict(loaded, head, transfer.features(loaded, [shapes.draw_plain("circle")]))

Longer than 400 lines on purpose: features, the logistic head, its held-out estimate, fine-
tuning the last block and Grad-CAM for the new classes share the split and the head's format.
"""

from __future__ import annotations

import copy
import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from vggviz.errors import VggvizError
from vggviz.explain.attribution import Chain, GradCam, default_layer
from vggviz.explain.attribution.cam import GradCAM, normalise
from vggviz.i18n import _
from vggviz.inference.analysis import preprocess
from vggviz.model.layers import LAST_BLOCK_INPUT, UnknownLayerError, named_layers, walk
from vggviz.model.weights import LoadedModel

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = [
    "FEATURE_LAYERS",
    "DEFAULT_LAYER",
    "MIN_CLASSES",
    "MAX_CLASSES",
    "MAX_PER_CLASS",
    "TransferError",
    "Head",
    "features",
    "features_from_analysis",
    "fit",
    "cross_val_accuracy",
    "predict",
    "pca_2d",
    "pca_figure",
    "gradcam",
    "shape_images",
    "head_bytes",
    "model_checkpoint",
    "as_image",
    "FineTuned",
    "finetune",
    "finetuned_predict",
    "finetuned_predict_from_analysis",
    "holdout_mask",
]

FEATURE_LAYERS = ("pool5", "fc6", "fc7")
DEFAULT_LAYER = "fc7"
MIN_CLASSES, MAX_CLASSES = 2, 5
MAX_PER_CLASS = 30
EPOCHS = 200                 # full-batch steps; ≤ 150 examples, so a second or less on a CPU
LR = 0.05
WEIGHT_DECAY = 1e-3
BATCH = 16                   # images per forward pass when extracting features

# Fine-tuning the last block (conv5_x) together with the head: the budget. On 2 CPU cores the
# mini family runs an epoch of 100 images in well under a second; a full-size VGG16 about 0.2 s
# per image and epoch (conv5 at 14×14×512), so the time bound is what stops it there.
FINETUNE_EPOCHS = 10         # default epochs (the page offers 1 to FINETUNE_MAX_EPOCHS)
FINETUNE_MAX_EPOCHS = 30
FINETUNE_SECONDS = 60.0      # default time bound; the loop stops after the step that passes it
FINETUNE_MAX_SECONDS = 120.0
FINETUNE_LR = 1e-4           # SGD with momentum 0.9 for conv5 (the tutorials' "very slow" rate)
FINETUNE_HEAD_LR = 1e-2      # the head (on standardised features) may move faster
FINETUNE_BATCH = 16
CLIP = 5.0                   # gradient-norm clip: random weights give wild first gradients
HOLDOUT_EVERY = 5            # every fifth image of a class (the 2nd, 7th, 12th, …) is held out

# The module each feature layer is read after: pool5 → avgpool (flattened), fc6 → relu6, fc7 → relu7.
_READ_AT = {"pool5": "avgpool", "fc6": "relu6", "fc7": "relu7"}

Progress = Callable[[int, int], None]


class TransferError(VggvizError):
    """Bad input for transfer learning (too few classes, an empty class, an unknown layer)."""


@dataclass(frozen=True, eq=False)
class Head:
    """The student's new last layer: ``logits = features @ weight.T + bias`` on RAW features
    (the standardisation used in training is folded in), and how it was trained."""

    classes: tuple[str, ...]
    layer: str
    variant: str
    weight: np.ndarray           # (K, D) float32
    bias: np.ndarray             # (K,) float32
    train_accuracy: float
    losses: tuple[float, ...]    # the training loss every 10 steps
    seconds: float

    def state(self) -> dict:
        """The downloadable checkpoint: ``{"state_dict", "classes", "layer", "variant"}``."""
        return {"state_dict": {"weight": torch.from_numpy(self.weight.copy()),
                               "bias": torch.from_numpy(self.bias.copy())},
                "classes": list(self.classes), "layer": self.layer, "variant": self.variant}


def _check_layer(layer: str) -> str:
    if layer not in FEATURE_LAYERS:
        raise UnknownLayerError(_("unknown feature layer {layer!r}; choose one of: {choices}").format(
            layer=layer, choices=", ".join(FEATURE_LAYERS)))
    return layer


def features(loaded: LoadedModel, images: Sequence, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Each image's pool5 (flattened), fc6 and fc7 features (after ReLU) from ONE forward pass
    per image (batched), as ``{layer: (N, D) float32}``. ``images``: PIL images or
    :class:`vggviz.data.images.LoadedImage`. The shared model is walked, never hooked or changed."""
    layers = named_layers(loaded.model)
    index = {l.name: l.index for l in layers}
    stop = index[_READ_AT["fc7"]]
    pils = [getattr(im, "image", im) for im in images]
    out: dict[str, list[np.ndarray]] = {k: [] for k in FEATURE_LAYERS}
    wanted = {index[v]: k for k, v in _READ_AT.items()}
    for s in range(0, len(pils), BATCH):
        x = torch.cat([preprocess(loaded, p).tensor for p in pils[s: s + BATCH]]).to(loaded.device)

        def on_output(layer, t):
            if layer.index in wanted:
                out[wanted[layer.index]].append(torch.flatten(t, 1).float().cpu().numpy().copy())

        with torch.inference_mode():
            walk(loaded.model, x, on_output, stop=stop, layers=layers)
        if progress is not None:
            progress(min(s + BATCH, len(pils)), len(pils))
    if not pils:
        return {k: np.zeros((0, 0), np.float32) for k in FEATURE_LAYERS}
    return {k: np.concatenate(v) for k, v in out.items()}


def features_from_analysis(loaded: LoadedModel, analysis: Analysis) -> dict[str, np.ndarray]:
    """The same features for an image already analysed (:mod:`vggviz.inference.analysis` keeps avgpool as
    float32): only the classifier runs, no second pass through the convolutions."""
    layers = named_layers(loaded.model)
    index = {l.name: l.index for l in layers}
    pooled = torch.from_numpy(np.array(analysis.activation("avgpool"), dtype=np.float32))[None].to(loaded.device)
    got = {"pool5": torch.flatten(pooled, 1).cpu().numpy().copy()}

    def on_output(layer, t):
        for k in ("fc6", "fc7"):
            if layer.name == _READ_AT[k]:
                got[k] = t.float().cpu().numpy().copy()

    with torch.inference_mode():
        walk(loaded.model, pooled, on_output, start=index["avgpool"] + 1, stop=index["relu7"], layers=layers)
    return got


def _check_classes(per_class: Mapping[str, Sequence]) -> tuple[str, ...]:
    classes = tuple(per_class)
    if len(classes) < MIN_CLASSES:
        raise TransferError(_("give at least {k} classes (got {n})").format(k=MIN_CLASSES, n=len(classes)))
    if len(classes) > MAX_CLASSES:
        raise TransferError(_("give at most {k} classes (got {n})").format(k=MAX_CLASSES, n=len(classes)))
    for c in classes:
        if len(per_class[c]) == 0:
            raise TransferError(_("class {name!r} has no images").format(name=c))
    return classes


def _stack(per_class: Mapping[str, np.ndarray]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    classes = _check_classes(per_class)
    x = np.concatenate([np.asarray(per_class[c], np.float32) for c in classes])
    y = np.concatenate([np.full(len(per_class[c]), i, np.int64) for i, c in enumerate(classes)])
    return classes, x, y


def _train(x: np.ndarray, y: np.ndarray, k: int, epochs: int, progress=None):
    """Full-batch Adam on standardised features, from zero weights (so the same every time,
    no random numbers at all). Returns (weight, bias) on RAW features, and the loss every 10
    steps. numpy, not torch: these matrices are small, and torch's intra-op threads cost more
    than the arithmetic on a CPU shared by many sessions (15 s against 0.3 s measured for
    30 × 256 features on a busy 2-core machine)."""
    x = np.asarray(x, np.float32)
    n = len(x)
    mu, sd = x.mean(0), np.maximum(x.std(0), 1e-6)
    z = (x - mu) / sd
    onehot = np.eye(k, dtype=np.float32)[y]
    params = [np.zeros((k, x.shape[1]), np.float32), np.zeros(k, np.float32)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    losses = []
    for step in range(epochs):
        w, b = params
        logits = z @ w.T + b
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        if step % 10 == 0 or step == epochs - 1:
            loss = float(-np.mean(np.log(p[np.arange(n), y] + 1e-12)))
            losses.append(loss)
            if progress is not None:
                progress(step + 1, epochs, loss)
        g = (p - onehot) / n
        grads = [g.T @ z + WEIGHT_DECAY * w, g.sum(0)]      # weight decay as torch's Adam adds it
        for i, gr in enumerate(grads):
            m[i] = b1 * m[i] + (1 - b1) * gr
            v[i] = b2 * v[i] + (1 - b2) * gr * gr
            mh, vh = m[i] / (1 - b1 ** (step + 1)), v[i] / (1 - b2 ** (step + 1))
            params[i] = params[i] - LR * mh / (np.sqrt(vh) + eps)
    w, b = params
    w_raw = w / sd
    b_raw = b - (w_raw * mu).sum(1)
    return w_raw.astype(np.float32), b_raw.astype(np.float32), losses


def fit(loaded: LoadedModel, per_class: Mapping[str, np.ndarray], layer: str = DEFAULT_LAYER,
        epochs: int = EPOCHS, progress: Callable[[int, int, float], None] | None = None) -> Head:
    """Train a new last layer on ``per_class`` (class name → (n, D) features of ``layer``), in
    the given order. ``progress(step, steps, loss)`` is called every 10 steps."""
    _check_layer(layer)
    classes, x, y = _stack(per_class)
    t0 = time.perf_counter()
    w, b, losses = _train(x, y, len(classes), epochs, progress)
    seconds = time.perf_counter() - t0
    acc = float(np.mean(np.argmax(x @ w.T + b, 1) == y))
    return Head(classes, layer, loaded.variant, w, b, acc, tuple(losses), seconds)


def cross_val_accuracy(per_class: Mapping[str, np.ndarray], folds: int = 5, epochs: int = EPOCHS) -> float | None:
    """Held-out accuracy: each example predicted by a head trained without it (``folds``-fold,
    example i of each class in fold i mod folds). None when a class has fewer than 2 examples.
    With many feature dimensions and few examples, train accuracy is nearly always 100 %
    (even on random features); this is the number that says whether the features help."""
    classes, x, y = _stack(per_class)
    if min(len(per_class[c]) for c in classes) < 2:
        return None
    fold = np.concatenate([np.arange(len(per_class[c])) % folds for c in classes])
    right = 0
    for f in range(folds):
        test = fold == f
        if not test.any():
            continue
        w, b, _losses = _train(x[~test], y[~test], len(classes), epochs)
        right += int(np.sum(np.argmax(x[test] @ w.T + b, 1) == y[test]))
    return right / len(y)


def predict(head: Head, feats: Mapping[str, np.ndarray]) -> np.ndarray:
    """The new classes' probabilities, (N, K), from :func:`features` output."""
    x = np.asarray(feats[head.layer], np.float32)
    if x.ndim == 1:
        x = x[None]
    logits = torch.from_numpy(x @ head.weight.T + head.bias)
    return torch.softmax(logits, 1).numpy()


def pca_2d(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first two principal components of the rows of ``x`` (numpy SVD of the centred data):
    ``(N, 2)`` coordinates and the share of variance each explains."""
    x = np.asarray(x, np.float64)
    c = x - x.mean(0)
    if len(c) < 2:
        return np.zeros((len(c), 2), np.float32), np.zeros(2)
    u, s, _vt = np.linalg.svd(c, full_matrices=False)
    coords = np.zeros((len(c), 2))
    n = min(2, len(s))
    coords[:, :n] = u[:, :n] * s[:n]
    var = s ** 2
    share = np.zeros(2)
    share[:n] = var[:n] / var.sum() if var.sum() > 0 else 0
    return coords.astype(np.float32), share


def pca_figure(per_class: Mapping[str, np.ndarray], layer: str):
    """A plotly scatter of the class examples' features in their first two principal components."""
    import plotly.graph_objects as go

    classes, x, y = _stack(per_class)
    coords, share = pca_2d(x)
    fig = go.Figure()
    for i, c in enumerate(classes):
        pts = coords[y == i]
        fig.add_trace(go.Scatter(x=pts[:, 0], y=pts[:, 1], mode="markers", name=c, marker=dict(size=10)))
    fig.update_layout(title=_("{layer} features of your examples, first two principal components").format(layer=layer),
                      xaxis_title=_("PC1 ({p:.0f}% of variance)").format(p=100 * share[0]),
                      yaxis_title=_("PC2 ({p:.0f}% of variance)").format(p=100 * share[1]), height=420)
    return fig


def gradcam(loaded: LoadedModel, head: Head, analysis: Analysis, target: int, layer: str | None = None,
            tuned: FineTuned | None = None) -> GradCam:
    """Grad-CAM of the student's class ``target`` at ``layer`` (default: the Grad-CAM page's
    default, the last conv with a map ≥ 8×8) for an analysed image: the frozen network after
    ``layer`` up to the feature layer, then the head, through a private :class:`Chain` (own
    ReLUs, no hooks); the gradient by ``torch.autograd.grad``. The shared model is unchanged.
    ``tuned``: through the fine-tuned block and its head instead (``head`` is then ignored)."""
    if tuned is not None:
        return _gradcam_tuned(loaded, tuned, analysis, target, layer)
    layers, lay = _checked(loaded, head, target, layer)
    stop = next(l.index for l in layers if l.name == _READ_AT[head.layer])
    act = torch.from_numpy(np.array(analysis.activation(lay.name), dtype=np.float32))[None].to(loaded.device)
    act.requires_grad_(True)
    w = torch.from_numpy(head.weight).to(loaded.device)
    b = torch.from_numpy(head.bias).to(loaded.device)
    with loaded.lock, torch.inference_mode(False), torch.enable_grad():
        tail = Chain(layers[: stop + 1], lay.index + 1)
        feat = torch.flatten(tail(act), 1)
        logits = feat @ w.T + b
        prob = float(torch.softmax(logits.detach(), 1)[0, int(target)])
        (g,) = torch.autograd.grad(logits[0, int(target)], act)
    return _cam_result(lay, target, head.classes[int(target)], prob, g, act, analysis)


def _checked(loaded: LoadedModel, head, target: int, layer: str | None):
    """The model's layers and the Grad-CAM layer, after checking ``target`` against the head's
    classes and ``layer`` (default: the model's usual one) against the conv blocks."""
    if not 0 <= int(target) < len(head.classes):
        raise TransferError(_("target must be a class index from 0 to {last}").format(last=len(head.classes) - 1))
    layers = named_layers(loaded.model)
    name = layer or default_layer(loaded)
    lay = next((l for l in layers if l.name == name), None)
    if lay is None or not lay.in_conv_blocks:
        raise UnknownLayerError(_("layer {name!r} has no spatial map for Grad-CAM").format(name=name))
    return layers, lay


def _cam_result(lay, target: int, label: str, prob: float, g: torch.Tensor, act: torch.Tensor, analysis) -> GradCam:
    """The Grad-CAM of a new head: the same formula as the Grad-CAM page (the CAM base class)."""
    raw = GradCAM().combine(act.detach(), g)
    layer_map, crop_map, peak = normalise(raw, tuple(analysis.preprocessed.tensor.shape[-2:]))
    return GradCam(layer=lay.name, target=int(target), label=label, prob=prob,
                   layer_map=layer_map, crop_map=crop_map, raw_max=peak)


def _gradcam_tuned(loaded: LoadedModel, tuned: FineTuned, analysis, target: int, layer: str | None) -> GradCam:
    """Grad-CAM through the fine-tuned block: a layer before conv5 is read from the analysis
    (those layers are the shared model's) and goes on through the shared layers up to pool4
    (a :class:`Chain`, under the lock) and then the private tail; a layer inside the last
    block is recomputed by the private block from the analysis's pool4."""
    head = tuned.head
    layers, lay = _checked(loaded, head, target, layer)
    p4 = next(l.index for l in layers if l.name == LAST_BLOCK_INPUT)
    tail = _tail_of(loaded, tuned)

    def read(n):
        return torch.from_numpy(np.array(analysis.activation(n), dtype=np.float32))[None].to(loaded.device)

    with torch.inference_mode(False), torch.enable_grad():
        if lay.index < p4:
            act = read(lay.name).requires_grad_(True)
            with loaded.lock:
                logits = tail(Chain(layers[: p4 + 1], lay.index + 1)(act))
        else:
            if lay.index == p4:
                act = read(LAST_BLOCK_INPUT)
            else:
                with torch.no_grad():
                    act = tail.run(read(LAST_BLOCK_INPUT), until=lay.name)
            act = act.detach().requires_grad_(True)
            logits = tail.logits(tail.run(act, after=lay.name if lay.index > p4 else None))
        prob = float(torch.softmax(logits.detach(), 1)[0, int(target)])
        (g,) = torch.autograd.grad(logits[0, int(target)], act)
    return _cam_result(lay, target, head.classes[int(target)], prob, g, act, analysis)


def shape_images(shape: str, count: int, seed: int = 1, start: int = 0) -> list[Image.Image]:
    """``count`` generated images of one shape class (:func:`vggviz.data.shapes.sample`, seed
    ``seed``, scanning indices from ``start``): the shapes family's stand-in for uploads."""
    from vggviz.data.shapes import CLASSES, sample

    if shape not in CLASSES:
        raise TransferError(_("unknown shape {shape!r}; choose one of: {choices}").format(shape=shape, choices=", ".join(CLASSES)))
    want, out, i = CLASSES.index(shape), [], start
    while len(out) < count:
        img, label = sample(seed, i)
        if label == want:
            out.append(img)
        i += 1
    return out


def head_bytes(head: Head) -> bytes:
    """The head's checkpoint (:meth:`Head.state`) as ``torch.save`` bytes, for a download."""
    buf = io.BytesIO()
    torch.save(head.state(), buf)
    return buf.getvalue()


def model_checkpoint(loaded: LoadedModel, head: Head, block: Mapping[str, torch.Tensor] | None = None) -> bytes | None:
    """For a head trained on fc7 (relu7's output, exactly what fc8 reads): the whole network
    with the head in fc8's place, as a ``{"state_dict", "classes"}`` checkpoint that opens again
    in the app (a teacher's weights folder) and the CLI (``--weights FILE``) with the new class
    names. ``block``: a fine-tuned last block (:attr:`FineTuned.block`) replacing the model's.
    None for pool5 or fc6 heads, which do not fit VGG's own layers."""
    if head.layer != "fc7":
        return None
    state = {k: v.detach().cpu().clone() for k, v in loaded.model.state_dict().items()}
    for k, v in (block or {}).items():
        if k not in state or state[k].shape != v.shape:
            raise TransferError(_("the fine-tuned block does not fit {variant} ({key})").format(variant=loaded.variant, key=k))
        state[k] = v.detach().cpu().clone().to(state[k].dtype)
    w = state["classifier.6.weight"]
    if w.shape[1] != head.weight.shape[1]:
        raise TransferError(_("the head reads {n} features, fc8 reads {m}").format(n=head.weight.shape[1], m=w.shape[1]))
    state["classifier.6.weight"] = torch.from_numpy(head.weight.copy()).to(w.dtype)
    state["classifier.6.bias"] = torch.from_numpy(head.bias.copy()).to(w.dtype)
    buf = io.BytesIO()
    torch.save({"state_dict": state, "classes": list(head.classes)}, buf)
    return buf.getvalue()


def as_image(pil: Image.Image, name: str = "generated"):
    """A generated or bundled PIL image as a :class:`vggviz.data.images.LoadedImage` (with a digest
    of its pixels), so it can go wherever an upload goes."""
    from vggviz.data.images import LoadedImage
    from vggviz.inference.analysis import _image_digest

    pil = pil.convert("RGB")
    return LoadedImage(image=pil, digest=_image_digest(pil), name=name, format="PNG",
                       original_size=pil.size, notes=())


# --------------------------------------------------------------------------- fine-tuning the last block


def holdout_mask(counts: Sequence[int]) -> np.ndarray:
    """Which examples (stacked class by class, in order) are held out when fine-tuning: the
    2nd, 7th, 12th, … image of each class (index ``i % HOLDOUT_EVERY == 1``). A class with two
    images keeps one to train on and gives one to test; a class with one gives none."""
    if not counts:
        return np.zeros(0, bool)
    return np.concatenate([np.arange(int(n)) % HOLDOUT_EVERY == 1 for n in counts])


@dataclass(frozen=True, eq=False)
class FineTuned:
    """The last block (conv5_x) and a new head trained together on the training images, and
    the held-out accuracy of both it and the frozen-features head on the same split."""

    head: Head                          # the fine-tuned head, on the fine-tuned network's raw features
    block: dict[str, torch.Tensor]      # the fine-tuned block: the model's state_dict keys → CPU tensors
    heldout: float | None               # fine-tuned block + head, on the held-out images
    frozen_heldout: float | None        # a frozen-features head trained on the same images, same held-out ones
    n_train: int
    n_heldout: int
    epochs: int                         # epochs begun
    steps: int                          # optimiser steps taken
    total_steps: int                    # the steps the epoch budget allowed
    stopped_by_time: bool               # the time bound ended it before the epochs did
    seconds: float
    losses: tuple[float, ...]           # the mean training loss of each epoch

    def checkpoint(self, loaded: LoadedModel) -> bytes | None:
        """The whole network with the fine-tuned block and the head in fc8's place (fc7 only)."""
        return model_checkpoint(loaded, self.head, self.block)


class _Tail(torch.nn.Module):
    """The network after pool4 up to a feature layer, then a linear head on standardised
    features: ``head((f - mu) / sd)``. The last block's modules with weights (conv5_x, and
    batch norm in ``_bn`` variants) are PRIVATE deep copies (trainable, eval mode); pools are
    copies too; fc6/fc7 read the shared model's weights *detached* (frozen: no copy of hundreds
    of megabytes, and no gradient can reach them); ReLUs are functional, never in place;
    dropout is left out (eval). Nothing of the shared model is changed or hooked."""

    def __init__(self, loaded: LoadedModel, layer: str, mu, sd, weight, bias) -> None:
        super().__init__()
        layers = named_layers(loaded.model)
        start = next(l.index for l in layers if l.name == LAST_BLOCK_INPUT) + 1
        stop = next(l.index for l in layers if l.name == _READ_AT[layer])
        dev = loaded.device
        self.block = torch.nn.ModuleDict()
        self.steps: list[tuple[str, str, object]] = []          # (layer name, kind, what)
        self._frozen: list[tuple[torch.Tensor, torch.Tensor]] = []
        for l in layers[start: stop + 1]:
            if isinstance(l.module, torch.nn.ReLU):
                self.steps.append((l.name, "relu", None))
            elif isinstance(l.module, torch.nn.Dropout):
                continue
            elif isinstance(l.module, torch.nn.Linear):
                self._frozen.append((l.module.weight.detach(), l.module.bias.detach()))
                self.steps.append((l.name, "linear", len(self._frozen) - 1))
            else:
                key = l.path.replace(".", "_")
                mod = copy.deepcopy(l.module).to(dev).eval()
                for p in mod.parameters():
                    p.requires_grad_(True)
                self.block[key] = mod
                self.steps.append((l.name, "module", key))
        self.paths = {l.path.replace(".", "_"): l.path for l in layers[start: stop + 1]}
        self.register_buffer("mu", torch.as_tensor(np.asarray(mu, np.float32)).to(dev))
        self.register_buffer("sd", torch.as_tensor(np.asarray(sd, np.float32)).to(dev))
        self.head = torch.nn.Linear(self.mu.numel(), len(bias)).to(dev)
        with torch.no_grad():
            self.head.weight.copy_(torch.as_tensor(np.asarray(weight, np.float32)))
            self.head.bias.copy_(torch.as_tensor(np.asarray(bias, np.float32)))

    def train(self, mode: bool = True):          # the copies stay in eval mode (BN statistics, no dropout)
        return super().train(False)

    def run(self, x: torch.Tensor, after: str | None = None, until: str | None = None) -> torch.Tensor:
        """The steps after layer ``after`` (default: from conv5_1) up to ``until`` (inclusive;
        default: the feature layer), without the head."""
        names = [step[0] for step in self.steps]
        i = names.index(after) + 1 if after else 0
        j = names.index(until) + 1 if until else len(names)
        for _name, kind, what in self.steps[i:j]:
            if kind == "relu":
                x = F.relu(x)
            elif kind == "linear":
                w, b = self._frozen[what]
                x = F.linear(torch.flatten(x, 1), w, b)
            else:
                x = self.block[what](x)
        return torch.flatten(x, 1) if until is None else x

    def logits(self, feats: torch.Tensor) -> torch.Tensor:
        return self.head((feats - self.mu) / self.sd)

    def forward(self, pool4: torch.Tensor) -> torch.Tensor:
        return self.logits(self.run(pool4))

    def block_state(self) -> dict[str, torch.Tensor]:
        return {f"{self.paths[k]}.{n}": t.detach().cpu().clone()
                for k, m in self.block.items() for n, t in m.state_dict().items()}

    def raw_head(self) -> tuple[np.ndarray, np.ndarray]:
        """The head on RAW features (the standardisation folded in), as :class:`Head` keeps it."""
        w = (self.head.weight.detach() / self.sd).cpu().numpy()
        b = (self.head.bias.detach() - (self.head.weight.detach() / self.sd * self.mu).sum(1)).cpu().numpy()
        return w.astype(np.float32), b.astype(np.float32)


def _tail_of(loaded: LoadedModel, tuned: FineTuned) -> _Tail:
    d = tuned.head.weight.shape[1]
    tail = _Tail(loaded, tuned.head.layer, np.zeros(d), np.ones(d), tuned.head.weight, tuned.head.bias)
    for key, mod in tail.block.items():
        prefix = tail.paths[key] + "."
        mod.load_state_dict({k[len(prefix):]: v for k, v in tuned.block.items() if k.startswith(prefix)})
    return tail


def _pool4_and_features(loaded: LoadedModel, images: Sequence, layer: str,
                        progress: Progress | None = None) -> tuple[torch.Tensor, np.ndarray]:
    """pool4's output (on the model's device) and ``layer``'s features of every image, from one
    walk of the shared model per batch (inference mode: no hooks, no change)."""
    layers = named_layers(loaded.model)
    at = {l.name: l.index for l in layers}
    p4, read = at[LAST_BLOCK_INPUT], at[_READ_AT[layer]]
    pils = [getattr(im, "image", im) for im in images]
    pools, feats = [], []
    for s in range(0, len(pils), BATCH):
        x = torch.cat([preprocess(loaded, p).tensor for p in pils[s: s + BATCH]]).to(loaded.device)

        def on_output(lay, t):
            if lay.index == p4:
                pools.append(t.detach().float().clone())
            if lay.index == read:
                feats.append(torch.flatten(t, 1).float().cpu().numpy().copy())

        with torch.inference_mode():
            walk(loaded.model, x, on_output, stop=read, layers=layers)
        if progress is not None:
            progress(min(s + BATCH, len(pils)), len(pils))
    return torch.cat(pools).clone(), np.concatenate(feats)


def finetune(loaded: LoadedModel, images: Mapping[str, Sequence], layer: str = DEFAULT_LAYER,
             epochs: int = FINETUNE_EPOCHS, seconds: float = FINETUNE_SECONDS,
             progress: Callable[[str, int, int, float], None] | None = None, seed: int = 0) -> FineTuned:
    """Fine-tune the last block (conv5_x) together with a new head, on a private copy.

    ``images``: class name → PIL images (or LoadedImages). The images are split once
    (:func:`holdout_mask`); a frozen-features head is trained on the training part first (as the
    tutorials do, so that the first steps' large gradients do not wreck the block) and is the
    starting point of the fine-tuned head; then conv5_x and the head are trained together with
    SGD (momentum 0.9; conv5 at ``FINETUNE_LR``), in mini-batches of ``FINETUNE_BATCH`` shuffled
    with ``seed``, for ``epochs`` epochs or until ``seconds`` have passed (checked after every
    step). Both heads are scored on the same held-out images. ``progress(stage, done, total,
    loss)`` with stage "features" or "train". The shared model is only walked."""
    _check_layer(layer)
    classes = _check_classes(images)
    if not 1 <= int(epochs) <= FINETUNE_MAX_EPOCHS:
        raise TransferError(_("epochs must be 1 to {k}").format(k=FINETUNE_MAX_EPOCHS))
    if not 0 < float(seconds) <= FINETUNE_MAX_SECONDS:
        raise TransferError(_("the time limit must be more than 0 and at most {s:.0f} s").format(s=FINETUNE_MAX_SECONDS))
    t0 = time.perf_counter()
    flat = [im for c in classes for im in images[c]]
    counts = [len(images[c]) for c in classes]
    pool4, feats = _pool4_and_features(
        loaded, flat, layer, None if progress is None else lambda d, t: progress("features", d, t, 0.0))
    y = np.concatenate([np.full(n, i, np.int64) for i, n in enumerate(counts)])
    held = holdout_mask(counts)
    train = ~held
    k = len(classes)

    # The frozen-features head on the training part: the baseline, and the fine-tuned head's start.
    w0, b0, _losses = _train(feats[train], y[train], k, EPOCHS)
    frozen_heldout = float(np.mean(np.argmax(feats[held] @ w0.T + b0, 1) == y[held])) if held.any() else None
    # Standardised as the frozen head was, but with a floor on the spread: a feature that barely
    # varies over the examples (common with random weights) would otherwise turn the block's
    # small changes into huge inputs for the head.
    sd = feats[train].std(0)
    mu, sd = feats[train].mean(0), np.maximum(sd, 0.05 * float(sd.mean()) + 1e-6)
    tail = _Tail(loaded, layer, mu, sd, w0 * sd, b0 + (w0 * mu).sum(1))

    dev = loaded.device
    yt = torch.from_numpy(y).to(dev)
    train_idx = torch.from_numpy(np.flatnonzero(train))
    opt = torch.optim.SGD([{"params": list(tail.block.parameters()), "lr": FINETUNE_LR},
                           {"params": list(tail.head.parameters()), "lr": FINETUNE_HEAD_LR}], momentum=0.9)
    per_epoch = -(-len(train_idx) // FINETUNE_BATCH)
    total = per_epoch * int(epochs)
    gen = torch.Generator().manual_seed(int(seed))
    losses: list[float] = []
    steps = done_epochs = 0
    stopped = False
    with torch.inference_mode(False), torch.enable_grad():
        for _epoch in range(int(epochs)):
            done_epochs += 1
            order = train_idx[torch.randperm(len(train_idx), generator=gen)]
            epoch_loss, seen = 0.0, 0
            for s in range(0, len(order), FINETUNE_BATCH):
                idx = order[s: s + FINETUNE_BATCH].to(dev)
                loss = F.cross_entropy(tail(pool4[idx]), yt[idx])
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(tail.parameters(), CLIP)
                opt.step()
                steps += 1
                epoch_loss += float(loss.detach()) * len(idx)
                seen += len(idx)
                if progress is not None:
                    progress("train", steps, total, float(loss.detach()))
                if time.perf_counter() - t0 > seconds and steps < total:
                    stopped = True
                    break
            losses.append(epoch_loss / max(1, seen))
            if stopped:
                break
    with torch.no_grad():
        pred = tail(pool4).argmax(1).cpu().numpy()
    w, b = tail.raw_head()
    secs = time.perf_counter() - t0
    head = Head(classes, layer, loaded.variant, w, b, float(np.mean(pred[train] == y[train])),
                tuple(losses), secs)
    return FineTuned(head=head, block=tail.block_state(),
                     heldout=float(np.mean(pred[held] == y[held])) if held.any() else None,
                     frozen_heldout=frozen_heldout, n_train=int(train.sum()), n_heldout=int(held.sum()),
                     epochs=done_epochs, steps=steps, total_steps=total, stopped_by_time=stopped,
                     seconds=secs, losses=tuple(losses))


def finetuned_predict(loaded: LoadedModel, tuned: FineTuned, images: Sequence) -> np.ndarray:
    """The fine-tuned network's probabilities for new images, (N, K): the shared model up to
    pool4 (walked), then the private block and the head."""
    pool4, _feats = _pool4_and_features(loaded, images, tuned.head.layer)
    with torch.no_grad():
        return torch.softmax(_tail_of(loaded, tuned)(pool4), 1).cpu().numpy()


def finetuned_predict_from_analysis(loaded: LoadedModel, tuned: FineTuned, analysis: Analysis) -> np.ndarray:
    """The same for an image already analysed: from its cached pool4 map (kept as float32)."""
    pool4 = torch.from_numpy(np.array(analysis.activation(LAST_BLOCK_INPUT), dtype=np.float32))[None].to(loaded.device)
    with torch.no_grad():
        return torch.softmax(_tail_of(loaded, tuned)(pool4), 1).cpu().numpy()
