"""The fully-convolutional VGG: dense and multi-scale evaluation (the paper's section 3.2).

At test time the paper turns the three fully connected layers into convolutions: fc6
becomes a 7×7 convolution over pool5 (512 channels, no padding), fc7 and fc8 become 1×1
convolutions. The weights are the same numbers, only viewed differently — here literally:
the convolution weights are *views* of the linear layers' storage, so the conversion
allocates nothing and cannot drift from the original.

The converted network accepts any image of at least 224×224 and returns a map of class
scores: pool5 is the input divided by 32 (rounded down), the 7×7 convolution takes 6 off
each side, so an S×S input gives a (⌊S/32⌋ − 6)² map — 1×1 at 224, 2×2 at 256, 6×6 at 384,
10×10 at 512. The paper averages that map spatially to get one prediction per scale, and
averages the class posteriors of several scales (256, 384, 512) for its multi-scale result.

The paper's test protocol (Sect. 3.2 and 4.2–4.3), all here:

* **test scales Q**: for a model trained at a fixed scale S, Q = {S − 32, S, S + 32}
  (:func:`fixed_scales`); for a scale-jittered one (S ∈ [256, 512]), Q = {256, 384, 512};
* **spatial averaging**: the paper averages the class-*score* map ("sum-pooled") and then takes
  the soft-max (``pooled_probs``); :func:`dense_scores` also gives the soft-max at each position
  averaged over the map (``mean_probs``). Sum-pooling proper (no division) would multiply the
  scores by the number of positions: the same ranking, a sharper soft-max;
* **horizontal flip**: the soft-max of the image and of its mirror image averaged (``flip=True``);
* **multi-crop** (:func:`multi_crop`): a regular grid of crops at the network's own input size,
  each through the original network, posteriors averaged (the paper: a 5×5 grid and 2 flips,
  50 crops per scale), and multi-crop combined with dense by averaging the two posteriors.

Longer than 400 lines on purpose: the paper's test protocol end to end (FC→conv, dense maps,
scales, flips, multi-crop); the steps share one set of shapes and checks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from vggviz.errors import VggvizError
from vggviz.i18n import _

if TYPE_CHECKING:
    from vggviz.model.weights import LoadedModel

__all__ = [
    "MIN_DENSE_SIZE",
    "pool_grid",
    "min_size",
    "scales_for",
    "MAX_DENSE_SIZE",
    "STRIDE",
    "DenseSizeError",
    "FullyConvVGG",
    "to_fully_conv",
    "ClassifierRow",
    "classifier_shapes",
    "score_map_size",
    "map_geometry",
    "dense_input",
    "resized_image",
    "combine",
    "DenseResult",
    "MultiScaleResult",
    "dense_scores",
    "multi_scale",
    "PAPER_SCALES",
    "fixed_scales",
    "POSITIONS",
    "POOLED",
    "MultiCropResult",
    "multi_crop",
    "crop_boxes",
    "average_posteriors",
    "pixels_per_crop",
]

MIN_DENSE_SIZE = 224        # fc6 is 7×7 over pool5 = input / 32 (the mini family: 2×2, so 64)
MAX_DENSE_SIZE = 1024       # shorter side; a VGG16 pass at 1024×2048 is ~40× one at 224
STRIDE = 32                 # five 2×2 max-pools
PAPER_SCALES = (256, 384, 512)
POSITIONS = "positions"     # soft-max at each position, averaged over the map
POOLED = "pooled"           # class scores averaged over the map (the paper's sum-pooling), then soft-max


class DenseSizeError(VggvizError):
    """A size the converted network cannot take; the message is one line for the user."""


class FullyConvVGG(nn.Module):
    """``features`` (the original module, shared) followed by fc6/fc7/fc8 as convolutions
    whose parameters are views of the original linear layers' parameters."""

    def __init__(self, features: nn.Module, classifier: nn.Sequential) -> None:
        super().__init__()
        self.features = features
        self.classifier = classifier

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def _conv_from_linear(fc: nn.Linear, in_channels: int, kernel: int) -> nn.Conv2d:
    """A ``kernel``×``kernel`` convolution computing ``fc`` at every position, sharing its storage.

    Built on the meta device first so that fc6's 411 MB weight is never allocated twice.
    """
    out = fc.out_features
    if fc.in_features != in_channels * kernel * kernel:
        raise ValueError(f"a Linear with {fc.in_features} inputs is not a {in_channels}×{kernel}×{kernel} convolution")
    conv = nn.Conv2d(in_channels, out, kernel, bias=fc.bias is not None, device="meta")
    # Linear flattens pool5 as (C, H, W): exactly the order of a conv weight's last three dims.
    conv.weight = nn.Parameter(fc.weight.detach().view(out, in_channels, kernel, kernel),
                               requires_grad=fc.weight.requires_grad)
    if fc.bias is not None:
        conv.bias = nn.Parameter(fc.bias.detach(), requires_grad=fc.bias.requires_grad)
    return conv


def pool_grid(model: nn.Module) -> int:
    """The side of the avgpool grid fc6 reads: 7 for VGG at 224, 2 for the mini family at 64.
    fc6 becomes a convolution of this size."""
    out = getattr(model.avgpool, "output_size", 7)
    return int(out[0] if isinstance(out, (tuple, list)) else out)


def min_size(grid: int = 7) -> int:
    """The smallest input the fully-convolutional network takes: pool5 must be grid × grid."""
    return STRIDE * grid


def scales_for(grid: int = 7) -> tuple[int, ...]:
    """The paper's test scales (256, 384, 512 for a 224 network) for a network whose fc6 reads a
    ``grid``×``grid`` pool5: the same ratios to its own input size."""
    if grid == 7:
        return PAPER_SCALES
    return tuple(round(s * min_size(grid) / MIN_DENSE_SIZE) for s in PAPER_SCALES)


def fixed_scales(S: int, grid: int = 7) -> tuple[int, ...]:
    """The paper's test scales for a model trained at the fixed scale ``S``: Q = {S − 32, S, S + 32}
    (for the mini family the 32 px step scaled like its input, 32 · 64 / 224 ≈ 9 px). Scales below
    the smallest input the network takes are left out."""
    step = STRIDE if grid == 7 else round(STRIDE * min_size(grid) / MIN_DENSE_SIZE)
    return tuple(q for q in (S - step, S, S + step) if q >= min_size(grid))


def to_fully_conv(model: nn.Module) -> FullyConvVGG:
    """Turn a torchvision-layout VGG into its fully-convolutional form (same weights, shared).

    fc6 → 7×7 conv (512 → 4096), fc7 → 1×1 conv (4096 → 4096), fc8 → 1×1 conv (4096 → classes);
    the ReLUs and dropouts stay between them (dropout is the identity in eval mode). The
    adaptive average pool is dropped: at 224 it is the identity (pool5 is already 7×7), and
    at larger sizes the 7×7 convolution slides over pool5 instead of squeezing it.
    ``features`` is the original module, not a copy; nothing on ``model`` is changed.
    """
    fcs = [m for m in model.classifier if isinstance(m, nn.Linear)]
    if len(fcs) != 3:
        raise ValueError(f"expected a VGG classifier with three Linear layers, found {len(fcs)}")
    g = pool_grid(model)
    in_channels = fcs[0].in_features // (g * g)
    kernels = {id(fcs[0]): (in_channels, g), id(fcs[1]): (fcs[1].in_features, 1),
               id(fcs[2]): (fcs[2].in_features, 1)}
    parts: list[nn.Module] = []
    for m in model.classifier:
        if isinstance(m, nn.Linear):
            parts.append(_conv_from_linear(m, *kernels[id(m)]))
        elif isinstance(m, nn.ReLU):
            parts.append(nn.ReLU(inplace=m.inplace))
        elif isinstance(m, nn.Dropout):
            parts.append(nn.Dropout(m.p))
        else:  # pragma: no cover - not in any VGG
            raise ValueError(f"unexpected {type(m).__name__} in the classifier")
    head = nn.Sequential(*parts).eval()
    net = FullyConvVGG(model.features, head)
    net.training = False           # not .eval(): that would also touch the shared features
    return net


@dataclass(frozen=True)
class ClassifierRow:
    """One classifier layer before and after the conversion."""

    name: str
    before_type: str
    before_shape: tuple[int, ...]
    after_type: str
    after_shape: tuple[int, ...]
    params_before: int
    params_after: int
    shares_storage: bool

    @property
    def params_equal(self) -> bool:
        return self.params_before == self.params_after


def _count(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters(recurse=False))


def _describe(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        k = m.kernel_size[0]
        return f"Conv {k}×{k} ({m.in_channels}→{m.out_channels})"
    return f"Linear ({m.in_features}→{m.out_features})"


def classifier_shapes(model: nn.Module, converted: FullyConvVGG | None = None) -> list[ClassifierRow]:
    """fc6/fc7/fc8 as Linear (before) and as convolutions (after): types, weight shapes,
    parameter counts, and whether the two share storage (they do: no copy is made)."""
    converted = converted if converted is not None else to_fully_conv(model)
    before = [m for m in model.classifier if isinstance(m, nn.Linear)]
    after = [m for m in converted.classifier if isinstance(m, nn.Conv2d)]
    rows = []
    for i, (a, b) in enumerate(zip(before, after)):
        rows.append(ClassifierRow(
            name=f"fc{6 + i}",
            before_type=_describe(a),
            before_shape=tuple(a.weight.shape),
            after_type=_describe(b),
            after_shape=tuple(b.weight.shape),
            params_before=_count(a),
            params_after=_count(b),
            shares_storage=a.weight.data_ptr() == b.weight.data_ptr(),
        ))
    return rows


def score_map_size(height: int, width: int | None = None, grid: int = 7) -> tuple[int, int]:
    """Side(s) of the class-score map for an input of ``height``×``width``: ⌊side/32⌋ − (grid − 1)
    (⌊side/32⌋ − 6 for VGG at 224, ⌊side/32⌋ − 1 for the mini family)."""
    width = height if width is None else width
    return height // STRIDE - (grid - 1), width // STRIDE - (grid - 1)


def map_geometry(model: nn.Module) -> tuple[float, int, int]:
    """Where the class-score map's cells sit in the input: ``(centre of cell 0, stride, rf)``
    in input pixels, from the receptive-field arithmetic of ``features`` followed by fc6 as a
    7×7 convolution (VGG: cell 0 is centred at 112 px, cells are 32 px apart, each sees 404 px)."""
    from vggviz.explain.erf import field_steps
    from vggviz.model.receptive_field import receptive_fields

    g = pool_grid(model)
    layers = [layer.geometry() for layer, _step in field_steps(model)] + [(g, 1, 0)]
    last = receptive_fields(layers)[-1]
    return last.start, last.jump, last.rf


def _resized_size(image: Image.Image, size: int, square: bool) -> tuple[int, int]:
    """(width, height) with the shorter side ``size`` (aspect kept), or ``size``×``size``."""
    if square:
        return size, size
    w, h = image.size
    if w <= h:
        return size, max(size, round(h * size / w))
    return max(size, round(w * size / h)), size


def _check_size(size: int, grid: int = 7) -> int:
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
        raise DenseSizeError(_("the size must be a whole number of pixels, got {size}").format(size=repr(size)))
    size = int(size)
    if size < min_size(grid):
        pool5 = max(size // STRIDE, 0)
        m = min_size(grid)
        raise DenseSizeError(_(
            "{size} px is too small: this fully-convolutional VGG needs at least "
            "{m}×{m} pixels, because fc6 is a {grid}×{grid} convolution over "
            "pool5 (input ÷ 32 = {pool5}×{pool5} here, less than {grid}×{grid})"
        ).format(size=size, m=m, grid=grid, pool5=pool5))
    if size > MAX_DENSE_SIZE:
        raise DenseSizeError(_("{size} px is too large for this demo: use at most {most} px").format(
            size=size, most=MAX_DENSE_SIZE))
    return size


def _mean_std(loaded) -> tuple[list[float], list[float]]:
    t = loaded.transforms
    return list(getattr(t, "mean", (0.485, 0.456, 0.406))), list(getattr(t, "std", (0.229, 0.224, 0.225)))


def resized_image(image: Image.Image, size: int, square: bool = False, grid: int = 7) -> Image.Image:
    """The whole image (no crop) with its shorter side resized to ``size``, aspect kept, or
    squashed to ``size``×``size``: exactly what the fully-convolutional network is fed."""
    size = _check_size(size, grid)
    w, h = _resized_size(image, size, square)
    return image.convert("RGB").resize((w, h), Image.Resampling.BILINEAR)


def dense_input(loaded: LoadedModel, image: Image.Image, size: int, square: bool = False) -> torch.Tensor:
    """:func:`resized_image` normalised with the weights' mean and std: ``(1, 3, H, W)`` float32."""
    img = resized_image(image, size, square, pool_grid(loaded.model))
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    mean, std = _mean_std(loaded)
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    return x.unsqueeze(0).contiguous()


@dataclass(frozen=True)
class DenseResult:
    """One dense evaluation at one scale (plain numpy, safe to cache)."""

    size: int                           # requested shorter side (or square side)
    input_shape: tuple[int, int]        # (H, W) fed to the network
    prob_map: np.ndarray                # (classes, h, w) float16: softmax at each position
    mean_probs: np.ndarray              # (classes,) float32: prob_map averaged over the map
    pooled_probs: np.ndarray | None = None   # (classes,): softmax of the score map's spatial mean
    flip: bool = False                  # both probabilities averaged with the mirror image's

    def probs(self, averaging: str = "positions") -> np.ndarray:
        """:data:`POSITIONS`: soft-max at each position, then the mean; :data:`POOLED`: the
        class scores averaged over the map, then the soft-max (the paper's)."""
        return self.pooled_probs if averaging == POOLED else self.mean_probs

    @property
    def map_shape(self) -> tuple[int, int]:
        return tuple(self.prob_map.shape[1:])

    @property
    def top_class(self) -> int:
        return int(np.argmax(self.mean_probs))

    @property
    def score_map(self) -> np.ndarray:
        """(h, w) float32: probability of :attr:`top_class` at each position."""
        return self.class_map(self.top_class)

    def class_map(self, index: int) -> np.ndarray:
        return self.prob_map[index].astype(np.float32)

    def top(self, k: int = 5) -> list[tuple[int, float]]:
        idx = np.argsort(-self.mean_probs)[:k]
        return [(int(i), float(self.mean_probs[i])) for i in idx]


@dataclass(frozen=True)
class MultiScaleResult:
    """Dense results at several scales and their averaged class posteriors (the paper's
    multi-scale evaluation). Iterates over the per-scale results like a list."""

    results: list[DenseResult]
    mean_probs: np.ndarray = field(repr=False)

    def __iter__(self) -> Iterator[DenseResult]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __getitem__(self, i: int) -> DenseResult:
        return self.results[i]

    @property
    def top_class(self) -> int:
        return int(np.argmax(self.mean_probs))

    def top(self, k: int = 5) -> list[tuple[int, float]]:
        idx = np.argsort(-self.mean_probs)[:k]
        return [(int(i), float(self.mean_probs[i])) for i in idx]


def dense_scores(loaded: LoadedModel, image: Image.Image, size: int, square: bool = False,
                 flip: bool = False) -> DenseResult:
    """Run the fully-convolutional network on the whole image at scale ``size``.

    The shorter side is resized to ``size`` keeping the aspect ratio (the paper's isotropic
    rescaling; no crop, so the whole image is seen), unless ``square`` squashes it to
    ``size``×``size``. Sizes below :func:`min_size` (224; 64 for the mini family) raise
    :class:`DenseSizeError`. The class-score map
    is turned into probabilities at each position (softmax over classes) and averaged over
    the map into one prediction (``mean_probs``); ``pooled_probs`` averages the class scores
    over the map first and then takes the soft-max, as the paper does. With ``flip`` the image
    and its mirror image both run, and each of the two predictions is the mean of the two
    soft-maxes (the paper's flip averaging); ``prob_map`` stays the unflipped image's.
    """
    x = dense_input(loaded, image, size, square)
    if flip:
        x = torch.cat([x, torch.flip(x, dims=[3])])
    net = to_fully_conv(loaded.model)
    # No lock, as for analysis.analyze: this pass only runs the shared modules forward and
    # changes nothing on them, and no hook is ever put on a shared module (attribution's
    # hooks live on private modules), so a long pass at 512 px need not block other sessions.
    with torch.inference_mode():
        logits = net(x.to(loaded.device)).float()             # (1 or 2, classes, h, w)
        probs = F.softmax(logits, dim=1)
        mean = probs.mean(dim=(2, 3)).mean(0)
        pooled = F.softmax(logits.mean(dim=(2, 3)), dim=1).mean(0)
        prob_map = probs[0].to(torch.float16).cpu().numpy()
        mean_probs = mean.cpu().numpy().astype(np.float32)
        pooled_probs = pooled.cpu().numpy().astype(np.float32)
        del logits, probs, mean, pooled
    return DenseResult(size=int(size), input_shape=(int(x.shape[2]), int(x.shape[3])),
                       prob_map=prob_map, mean_probs=mean_probs, pooled_probs=pooled_probs,
                       flip=bool(flip))


def multi_scale(loaded: LoadedModel, image: Image.Image, sizes: Sequence[int] = PAPER_SCALES,
                square: bool = False, flip: bool = False, averaging: str = POSITIONS) -> MultiScaleResult:
    """Dense evaluation at each of ``sizes`` and the average of their class posteriors."""
    if not sizes:
        raise DenseSizeError(_("give at least one scale"))
    for s in sizes:
        _check_size(s, pool_grid(loaded.model))
    return combine([dense_scores(loaded, image, s, square, flip) for s in sizes], averaging)


def combine(results: Sequence[DenseResult], averaging: str = POSITIONS) -> MultiScaleResult:
    """Average the class posteriors of dense results at several scales (each scale's map
    already averaged spatially, by ``averaging``), as the paper's multi-scale evaluation does."""
    if not results:
        raise DenseSizeError(_("give at least one scale"))
    mean = average_posteriors([r.probs(averaging) for r in results])
    return MultiScaleResult(results=list(results), mean_probs=mean)


def average_posteriors(posteriors: Sequence[np.ndarray]) -> np.ndarray:
    """The mean of several class posteriors (scales, crops, or multi-crop and dense: the
    paper combines each by averaging soft-max outputs)."""
    return np.mean(np.stack(posteriors), axis=0).astype(np.float32)


def pixels_per_crop(grid: int = 7) -> int:
    """Pixels of one crop at the network's own input size (224², or 64² for the mini family):
    the unit in which the protocol's costs are given (the convolutions' MACs grow with pixels)."""
    return min_size(grid) ** 2


def crop_boxes(width: int, height: int, crop: int, n: int) -> list[tuple[int, int, int, int]]:
    """An n×n regular grid of ``crop``×``crop`` boxes (left, top, right, bottom) spanning the
    image from corner to corner (n = 1: the centre crop)."""
    def starts(side: int) -> list[int]:
        if n == 1:
            return [(side - crop) // 2]
        return [round(i * (side - crop) / (n - 1)) for i in range(n)]
    return [(x, y, x + crop, y + crop) for y in starts(height) for x in starts(width)]


@dataclass(frozen=True)
class MultiCropResult:
    """Multi-crop evaluation at one scale: crops of the network's own input size on a grid."""

    size: int                           # shorter side the image was resized to
    grid: int                           # n: an n×n grid of crops
    flip: bool                          # each crop also mirrored
    boxes: list[tuple[int, int, int, int]]
    mean_probs: np.ndarray              # (classes,) the crops' soft-maxes averaged

    @property
    def crops(self) -> int:
        """Forward passes: n² crops, twice with flips (the paper: 5 × 5 × 2 = 50)."""
        return len(self.boxes) * (2 if self.flip else 1)

    def top(self, k: int = 5) -> list[tuple[int, float]]:
        idx = np.argsort(-self.mean_probs)[:k]
        return [(int(i), float(self.mean_probs[i])) for i in idx]


def multi_crop(loaded: LoadedModel, image: Image.Image, size: int, grid: int = 5, flip: bool = True,
               batch: int = 10) -> MultiCropResult:
    """The paper's multi-crop evaluation at one scale: the shorter side resized to ``size``, an
    ``grid``×``grid`` grid of crops of the network's own input size (224, or 64 for the mini
    family), each (and, with ``flip``, its mirror image) through the original network; the
    soft-maxes averaged. The paper uses a 5×5 grid and flips: 50 crops per scale."""
    if not isinstance(grid, int) or not 1 <= grid <= 5:
        raise DenseSizeError(_("the crop grid must be 1 to 5 crops a side, got {grid}").format(grid=repr(grid)))
    g = pool_grid(loaded.model)
    x = dense_input(loaded, image, size)
    crop = min_size(g)
    boxes = crop_boxes(int(x.shape[3]), int(x.shape[2]), crop, grid)
    crops = torch.cat([x[:, :, t:b, l:r] for l, t, r, b in boxes])
    if flip:
        crops = torch.cat([crops, torch.flip(crops, dims=[3])])
    total = None
    with torch.inference_mode():
        for i in range(0, len(crops), batch):
            p = F.softmax(loaded.model(crops[i: i + batch].to(loaded.device)).float(), dim=1).sum(0)
            total = p if total is None else total + p
    mean = (total / len(crops)).cpu().numpy().astype(np.float32)
    return MultiCropResult(size=int(size), grid=grid, flip=bool(flip), boxes=boxes, mean_probs=mean)
