"""Teach a frozen VGG new classes: its features of a chosen layer, a new last layer trained on
them, the new classes' probabilities, Grad-CAM for a new class and a 2-D PCA of the examples.

Transfer learning as the tutorials do it (cats vs dogs on a frozen VGG16): every image goes
through the frozen network once, up to ``pool5`` (flattened), ``fc6`` or ``fc7`` (both taken
after their ReLU, as Keras's ``fc1``/``fc2``); a logistic regression (one ``nn.Linear`` with
softmax) is trained on those vectors. The shared model is only *walked*
(:func:`vggviz.layers.walk` under ``torch.inference_mode``): no hooks, no change of mode or
``requires_grad``. Grad-CAM for a new class composes the student's head after the frozen layers
in a :class:`vggviz.attribution.Chain` (its own non-in-place ReLUs, no hooks) and takes the
gradient with ``torch.autograd.grad``.

Example::

    from vggviz import shapes, transfer
    from vggviz.weights import load_model
    loaded = load_model("vgg16_mini", "shapes", "cpu")
    imgs = {c: [shapes.draw_plain(c)] * 3 for c in ("circle", "square")}
    head = transfer.fit(loaded, {c: transfer.features(loaded, v)["fc7"] for c, v in imgs.items()}, "fc7")
    transfer.predict(loaded, head, transfer.features(loaded, [shapes.draw_plain("circle")]))
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .analysis import preprocess
from .attribution import Chain, GradCam, default_layer
from .layers import UnknownLayer, named_layers, walk
from .weights import LoadedModel

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
    "probs_figure",
    "gradcam",
    "shape_images",
    "head_bytes",
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


class TransferError(ValueError):
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
        raise UnknownLayer(f"unknown feature layer {layer!r}; choose one of: {', '.join(FEATURE_LAYERS)}")
    return layer


def features(loaded: LoadedModel, images: Sequence, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Each image's pool5 (flattened), fc6 and fc7 features (after ReLU) from ONE forward pass
    per image (batched), as ``{layer: (N, D) float32}``. ``images``: PIL images or
    :class:`vggviz.images.LoadedImage`. The shared model is walked, never hooked or changed."""
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


def features_from_analysis(loaded: LoadedModel, analysis) -> dict[str, np.ndarray]:
    """The same features for an image already analysed (:mod:`vggviz.analysis` keeps avgpool as
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


def _stack(per_class: Mapping[str, np.ndarray]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    classes = tuple(per_class)
    if len(classes) < MIN_CLASSES:
        raise TransferError(f"give at least {MIN_CLASSES} classes (got {len(classes)})")
    if len(classes) > MAX_CLASSES:
        raise TransferError(f"give at most {MAX_CLASSES} classes (got {len(classes)})")
    for c in classes:
        if len(per_class[c]) == 0:
            raise TransferError(f"class {c!r} has no images")
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
        w, b, _ = _train(x[~test], y[~test], len(classes), epochs)
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
    u, s, _ = np.linalg.svd(c, full_matrices=False)
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
    fig.update_layout(title=f"{layer} features of your examples, first two principal components",
                      xaxis_title=f"PC1 ({100 * share[0]:.0f}% of variance)",
                      yaxis_title=f"PC2 ({100 * share[1]:.0f}% of variance)", height=420)
    return fig


def probs_figure(classes: Sequence[str], probs: np.ndarray):
    """A horizontal bar chart of the new classes' probabilities."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[float(p) for p in probs], y=list(classes), orientation="h",
                           text=[f"{100 * float(p):.1f}%" for p in probs], textposition="auto"))
    fig.update_layout(xaxis=dict(range=[0, 1], title="probability"), yaxis=dict(autorange="reversed"),
                      height=80 + 40 * len(classes), margin=dict(l=10, r=10, t=10, b=10))
    return fig


def gradcam(loaded: LoadedModel, head: Head, analysis, target: int, layer: str | None = None) -> GradCam:
    """Grad-CAM of the student's class ``target`` at ``layer`` (default: the Grad-CAM page's
    default, the last conv with a map ≥ 8×8) for an analysed image: the frozen network after
    ``layer`` up to the feature layer, then the head, through a private :class:`Chain` (own
    ReLUs, no hooks); the gradient by ``torch.autograd.grad``. The shared model is unchanged."""
    if not 0 <= int(target) < len(head.classes):
        raise TransferError(f"target must be a class index from 0 to {len(head.classes) - 1}")
    layers = named_layers(loaded.model)
    name = layer or default_layer(loaded)
    lay = next((l for l in layers if l.name == name), None)
    if lay is None or lay.block > 5:
        raise UnknownLayer(f"layer {name!r} has no spatial map for Grad-CAM")
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
    raw = F.relu((g.mean(dim=(2, 3), keepdim=True) * act.detach()).sum(1))[0].float()
    peak = float(raw.max()) if raw.numel() else 0.0
    layer_map = raw / peak if peak > 0 else torch.zeros_like(raw)
    size = tuple(analysis.preprocessed.tensor.shape[-2:])
    crop = F.interpolate(layer_map[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]
    return GradCam(layer=lay.name, target=int(target), label=head.classes[int(target)], prob=prob,
                   layer_map=layer_map.cpu().numpy().astype(np.float32),
                   crop_map=crop.clamp(0, 1).cpu().numpy().astype(np.float32), raw_max=peak)


def shape_images(shape: str, count: int, seed: int = 1, start: int = 0) -> list[Image.Image]:
    """``count`` generated images of one shape class (:func:`vggviz.shapes.sample`, seed
    ``seed``, scanning indices from ``start``): the shapes family's stand-in for uploads."""
    from .shapes import CLASSES, sample

    if shape not in CLASSES:
        raise TransferError(f"unknown shape {shape!r}; choose one of: {', '.join(CLASSES)}")
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


def model_checkpoint(loaded: LoadedModel, head: Head) -> bytes | None:
    """For a head trained on fc7 (relu7's output, exactly what fc8 reads): the whole network
    with the head in fc8's place, as a ``{"state_dict", "classes"}`` checkpoint that opens again
    in the app (a teacher's weights folder) and the CLI (``--weights FILE``) with the new class
    names. None for pool5 or fc6 heads, which do not fit VGG's own layers."""
    if head.layer != "fc7":
        return None
    state = {k: v.detach().cpu().clone() for k, v in loaded.model.state_dict().items()}
    w = state["classifier.6.weight"]
    if w.shape[1] != head.weight.shape[1]:
        raise TransferError(f"the head reads {head.weight.shape[1]} features, fc8 reads {w.shape[1]}")
    state["classifier.6.weight"] = torch.from_numpy(head.weight.copy()).to(w.dtype)
    state["classifier.6.bias"] = torch.from_numpy(head.bias.copy()).to(w.dtype)
    buf = io.BytesIO()
    torch.save({"state_dict": state, "classes": list(head.classes)}, buf)
    return buf.getvalue()


def as_image(pil: Image.Image, name: str = "generated"):
    """A generated or bundled PIL image as a :class:`vggviz.images.LoadedImage` (with a digest
    of its pixels), so it can go wherever an upload goes."""
    from .analysis import _image_digest
    from .images import LoadedImage

    pil = pil.convert("RGB")
    return LoadedImage(image=pil, digest=_image_digest(pil), name=name, format="PNG",
                       original_size=pil.size, notes=())
