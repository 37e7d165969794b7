"""One forward pass per image: the preprocessing stages, the top-k classes and every feature map.

:func:`analyze` runs the model once with :func:`vggviz.model.layers.walk`, which calls the modules
in order and hands each output over, so nothing on the shared model is hooked or changed:
concurrent analyses of different images on one model are safe without its lock. The result
is plain CPU data (numpy arrays, PIL images) that pages cache per (variant, weights, image)
and re-render from without running the network again.

VGG's ReLUs are in-place: the conv (or batch-norm) output is overwritten by its ReLU a moment
later. So the pre-activation is copied as it appears and ``reluX_Y`` is derived from it on
demand (``max(pre, 0)``), which halves what is kept. Blocks 1–3 (≈13 M values for VGG16) are
kept as float16, enough for pictures; blocks 4–5 and avgpool stay float32 for Grad-CAM. The
mini family's maps (64 px, ~0.3 M values) are all kept as float32.

Example::

    from vggviz.data.images import load_image_file
    from vggviz.model.weights import load_model
    res = analyze(load_model("vgg16", "random", "cpu"), load_image_file("assets/samples/cat.jpg"))
    res.top[0].label, res.activation("relu1_2").shape   # (…, (64, 224, 224))
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image

from vggviz.i18n import _
from vggviz.model.layers import Layer, named_layers, walk
from vggviz.model.weights import LoadedModel

__all__ = [
    "Prediction",
    "Preprocessed",
    "Analysis",
    "preprocess",
    "analyze",
    "analyze_batch",
    "predict",
    "conv_weights",
    "FLOAT16_BLOCKS",
    "NORMALISED_RANGE",
]

FLOAT16_BLOCKS = (1, 2, 3)     # blocks kept as float16; deeper ones (and avgpool) as float32
HALF_FROM_SIZE = 128           # ... for inputs this large or larger (not the mini family's 64 px)
NORMALISED_RANGE = 2.75        # the "normalised" stage shows [-R, R] std units as black..white


@dataclass(frozen=True)
class Prediction:
    index: int          # class index: 0..999 for ImageNet, 0..7 for the mini family's shapes
    label: str          # torchvision's category name
    prob: float         # softmax probability, 0..1


@dataclass(frozen=True, eq=False)
class Preprocessed:
    """The weights' own preprocessing, step by step, as the model sees it."""

    stages: dict[str, Image.Image]          # original, resized, cropped, normalised (a rendering)
    tensor: torch.Tensor                    # (1, 3, S, S) float32 on the CPU
    crop_box: tuple[int, int, int, int]     # (left, top, right, bottom) in ORIGINAL pixels


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything one forward pass of one image yields; read-only CPU arrays."""

    variant: str
    source: str
    device: str
    digest: str
    top: list[Prediction]
    probs: np.ndarray                   # (classes,) float32: 1000 for ImageNet, 8 for shapes
    seconds: float                      # the forward pass (with capture), not preprocessing
    preprocessed: Preprocessed
    acts: dict[str, np.ndarray]         # spatial layer -> (C, H, W); no ReLUs (derived)
    batch: int = 1                      # images in the pass this one came from (micro-batching)
    copy_seconds: float = 0.0           # copying the kept maps to the CPU after the pass
    _order: tuple[str, ...] = field(default=(), repr=False)
    _relu_of: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict = field(default_factory=dict, repr=False)   # derived summaries, computed once
    _cpu: dict = field(default_factory=dict, repr=False)    # the same memory as ``acts``, as tensors

    def layer_names(self) -> list[str]:
        """Every spatial layer (conv, bn, relu, lrn, pool, avgpool) in forward order."""
        return list(self._order)

    def activation(self, name: str) -> np.ndarray:
        """The (C, H, W) output of spatial layer ``name`` as float32. A ReLU is derived from
        the stored pre-activation (``max(pre, 0)``). Stored float32 maps come back as they are
        (read-only, no copy); float16 ones and ReLUs as fresh arrays. KeyError for unknown names."""
        key = self._relu_of.get(name, name)
        if key not in self.acts:
            raise KeyError(_("no spatial layer {name} in {variant}; choose one of: {choices}").format(
                name=repr(name), variant=self.variant, choices=", ".join(self._order)))
        stored = self.acts[key]
        relu = key != name
        if not relu and stored.dtype == np.float32:
            return stored
        t = self._cpu.get(key)
        # torch converts float16 with F16C, several times faster than numpy's astype
        out = t.to(torch.float32, copy=True) if t is not None else torch.from_numpy(stored.astype(np.float32))
        if relu:
            out.clamp_(min=0)
        return out.numpy()

    def layer_stats(self) -> list[dict]:
        """Per layer as the next layer receives it (each ReLU, LRN, pool and avgpool output;
        conv/bn outputs are represented by their ReLU): ``name, channels, height, width,
        mean, max, active`` (fraction of units > 0). Computed once, then memoised."""
        stats = self._memo.get("layer_stats")
        if stats is None:
            stats = []
            for name in self._order:
                if name.startswith(("conv", "bn")):
                    continue
                a = self.activation(name)
                c, h, w = a.shape
                stats.append({"name": name, "channels": c, "height": h, "width": w,
                              "mean": float(a.mean(dtype=np.float64)), "max": float(a.max()),
                              "active": float(np.count_nonzero(a > 0) / a.size)})
            self._memo["layer_stats"] = stats      # idempotent: a race only computes it twice
        return [dict(s) for s in stats]


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _render_normalised(t: torch.Tensor) -> Image.Image:
    """A viewable picture of the normalised (C, H, W) tensor: each channel's value in std units,
    -R..R mapped to 0..255, so the ImageNet mean shows as mid-grey. (numpy: a few small
    single-threaded steps, no thread-pool wake-ups.)"""
    v = np.clip(t.numpy().transpose(1, 2, 0), -NORMALISED_RANGE, NORMALISED_RANGE)
    v = (v + NORMALISED_RANGE) * (255 / (2 * NORMALISED_RANGE)) + 0.5
    return Image.fromarray(v.astype(np.uint8), "RGB")


def preprocess(loaded: LoadedModel, image: Image.Image) -> Preprocessed:
    """Apply the weights' own transforms (torchvision's ``ImageClassification``: resize the
    short side, centre crop, scale to [0, 1], subtract mean, divide by std) step by step with
    its own attributes, keeping each stage for display. ``tensor`` equals
    ``loaded.transforms(image).unsqueeze(0)``."""
    t = loaded.transforms
    original = image if image.mode == "RGB" else image.convert("RGB")
    resized = TF.resize(original, t.resize_size, interpolation=t.interpolation, antialias=t.antialias)
    crop_h = crop_w = t.crop_size[0]
    if len(t.crop_size) > 1:
        crop_h, crop_w = t.crop_size[0], t.crop_size[1]
    cropped = TF.center_crop(resized, [crop_h, crop_w])
    x = TF.convert_image_dtype(TF.pil_to_tensor(cropped), torch.float)
    x = TF.normalize(x, mean=t.mean, std=t.std)

    # The crop as torchvision's center_crop computes it, mapped back to the original pixels.
    rw, rh = resized.size
    left, top = int(round((rw - crop_w) / 2.0)), int(round((rh - crop_h) / 2.0))
    sx, sy = original.width / rw, original.height / rh
    box = (
        max(0, int(round(left * sx))),
        max(0, int(round(top * sy))),
        min(original.width, int(round((left + crop_w) * sx))),
        min(original.height, int(round((top + crop_h) * sy))),
    )
    stages = {"original": original, "resized": resized, "cropped": cropped,
              "normalised": _render_normalised(x)}
    return Preprocessed(stages=stages, tensor=x.unsqueeze(0).contiguous(), crop_box=box)


def _image_digest(image: Image.Image) -> str:
    h = hashlib.sha256()
    h.update(f"{image.mode}:{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _keep(layer: Layer, out: torch.Tensor, copy: bool = True, half: bool = True) -> torch.Tensor:
    """``out`` (the whole batch) as float16 for the early blocks when ``half`` (a converted
    copy) and float32 otherwise: copied when ``copy`` (the next layer works in place, like
    VGG's ReLUs, and would overwrite it), else kept as it is (nothing writes to it again)."""
    if half and layer.block in FLOAT16_BLOCKS:
        return out.to(torch.float16, copy=True)
    return out.to(torch.float32, copy=copy)


def _overwritten(layers: list[Layer]) -> set[int]:
    """Indices of layers whose output the next layer modifies in place (``inplace=True``)."""
    return {a.index for a, b in zip(layers, layers[1:]) if getattr(b.module, "inplace", False)}


def _plan(layers: list[Layer]) -> tuple[tuple[str, ...], dict[str, str]]:
    """Spatial layers in order, and each spatial ReLU's pre-activation layer."""
    order, relu_of, prev = [], {}, None
    for layer in layers:
        if not layer.spatial:
            continue
        order.append(layer.name)
        if layer.kind == "relu":
            relu_of[layer.name] = prev
        prev = layer.name
    return tuple(order), relu_of


def analyze(
    loaded: LoadedModel,
    image,
    topk: int = 5,
    digest: str | None = None,
) -> Analysis:
    """Preprocess ``image`` (a :class:`vggviz.data.images.LoadedImage` or a PIL image), run one
    forward pass on ``loaded.device`` and return the top-``topk`` classes, all probabilities
    and every spatial layer's output as read-only CPU numpy arrays.

    No hooks, no change to the shared model (mode, ``requires_grad``): safe to call from
    many threads at once.
    """
    return analyze_batch(loaded, [image], topk=topk, digests=[digest])[0]


def analyze_batch(
    loaded: LoadedModel,
    images: list,
    topk: int = 5,
    digests: list[str | None] | None = None,
) -> list[Analysis]:
    """:func:`analyze` for several images in one forward pass (micro-batching: on a GPU one
    pass of N images costs far less than N passes). Each image's :class:`Analysis` holds only
    its own maps and classes, in the order given; ``seconds`` is the whole pass's, ``batch``
    its size."""
    if not images:
        return []
    pils = []
    for image in images:
        pil = getattr(image, "image", image)
        if not isinstance(pil, Image.Image):
            raise TypeError(f"analyze expects a LoadedImage or a PIL image, got {type(image).__name__}")
        pils.append(pil)
    digests = list(digests or [None] * len(pils))
    digests = [d or getattr(im, "digest", None) or _image_digest(p) for d, im, p in zip(digests, images, pils,
                                                                                       strict=True)]
    pres = [preprocess(loaded, p) for p in pils]
    n = len(pres)
    model, device = loaded.model, loaded.device
    layers = named_layers(model)
    order, relu_of = _plan(layers)
    kept: dict[str, torch.Tensor] = {}
    overwritten = _overwritten(layers)
    # float16 only where it saves real memory: the mini family's maps (64 px) stay float32, so
    # the unit inspector's sums agree with them exactly.
    half = getattr(loaded, "input_size", 224) >= HALF_FROM_SIZE

    def on_output(layer: Layer, out: torch.Tensor) -> None:
        if layer.spatial and layer.kind != "relu":
            kept[layer.name] = _keep(layer, out, copy=layer.index in overwritten, half=half)  # noqa: F821 (ruff misreads the closure)

    cuda = device.type == "cuda"
    with torch.inference_mode():
        x = pres[0].tensor if n == 1 else torch.cat([p.tensor for p in pres])
        x = x.to(device, non_blocking=cuda)
        if cuda:
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        logits = walk(model, x, on_output, layers=layers)
        if cuda:
            torch.cuda.synchronize(device)
        seconds = time.perf_counter() - t0
        probs_t = torch.softmax(logits.float(), dim=1).cpu()
        t1 = time.perf_counter()
        batch_cpu = {name: t.cpu() for name, t in kept.items()}
        copy_seconds = time.perf_counter() - t1
    del kept

    cats = loaded.categories
    out = []
    for i in range(n):
        # One image's maps: a view of the pass's tensor when alone, its own copy in a batch
        # (so a cached analysis does not hold its neighbours' maps alive).
        cpu = {name: (t[0] if n == 1 else t[i].clone()) for name, t in batch_cpu.items()}
        acts = {name: _readonly(t.numpy()) for name, t in cpu.items()}
        probs = _readonly(probs_t[i].numpy().astype(np.float32, copy=n > 1))
        k = max(1, min(int(topk), probs.shape[0]))
        idx = np.argsort(-probs, kind="stable")[:k]
        top = [Prediction(int(j), cats[j] if j < len(cats) else str(int(j)), float(probs[j])) for j in idx]
        out.append(Analysis(
            variant=loaded.variant, source=loaded.source, device=str(device), digest=digests[i],
            top=top, probs=probs, seconds=seconds, preprocessed=pres[i], acts=acts, batch=n,
            copy_seconds=copy_seconds, _order=order, _relu_of=relu_of, _cpu=cpu,
        ))
    return out


def predict(loaded: LoadedModel, image, topk: int = 5) -> list[Prediction]:
    """Just the top-``topk`` classes (the CLI's ``predict``); one :func:`analyze` pass."""
    return analyze(loaded, image, topk=topk).top


def conv_weights(loaded: LoadedModel) -> dict[str, np.ndarray]:
    """Each conv layer's weight (O, I, k, k) as a read-only float32 CPU array, by paper name.
    On the CPU these are views of the parameters (no copy)."""
    out = {}
    for layer in named_layers(loaded.model):
        if layer.kind == "conv":
            w = layer.module.weight.detach()
            a = w.cpu().float().numpy() if w.device.type != "cpu" or w.dtype != torch.float32 else w.numpy()
            out[layer.name] = _readonly(a.view())
    return out
