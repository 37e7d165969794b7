"""Transfer learning's frozen half: each image's pool5, fc6 and fc7 features from one walk of the
shared model, a new last layer (a logistic regression) trained on them, its held-out accuracy, the
new classes' probabilities, a 2-D PCA of the examples, the checkpoints and the generated examples."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image

from vggviz.errors import VggvizError
from vggviz.i18n import _
from vggviz.inference.analysis import preprocess
from vggviz.model.layers import UnknownLayerError, named_layers, walk
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
    "shape_images",
    "head_bytes",
    "model_checkpoint",
    "as_image",
]

FEATURE_LAYERS = ("pool5", "fc6", "fc7")
DEFAULT_LAYER = "fc7"
MIN_CLASSES, MAX_CLASSES = 2, 5
MAX_PER_CLASS = 30
EPOCHS = 200                 # full-batch steps; ≤ 150 examples, so a second or less on a CPU
LR = 0.05
WEIGHT_DECAY = 1e-3
BATCH = 16                   # images per forward pass when extracting features

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
