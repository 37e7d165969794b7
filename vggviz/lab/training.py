"""Training the mini VGGs on shapes: the lab's recipe, one loop and the initialisations.

:func:`train` runs the lab's recipe (:class:`vggviz.lab.recipe.Recipe`) on images of
:mod:`vggviz.data.shapes`: the paper's optimiser (Sect. 3.1: SGD with momentum 0.9, weight decay
5·10⁻⁴, random horizontal flips, optional scale jittering; dropout on fc6/fc7 as the recipe says,
none by default) under a fixed budget of steps (``epochs`` passes
over ``train_size`` images), with a learning rate that warms up linearly over the first
``warmup`` share of the steps and then decays to zero on a half cosine. Every run ends annealed,
so runs of different configurations compare by their final models, not by a lucky epoch. It
reports each step through ``on_progress`` and stops between batches when ``should_stop()``
says so. It returns a :class:`TrainResult`: per-epoch loss and held-out accuracy, the gradient
norm of every layer over the first steps, and the final weights (CPU, in memory).

Initialisations (``Recipe.init``): ``he`` (torchvision's: Kaiming-normal convs, Kaiming fc6/fc7,
N(0, 0.01) fc8), ``glorot`` (Glorot-normal everywhere, the remedy the paper's authors found
after submission), ``gaussian`` (the paper's: every weight N(0, 0.01), biases 0), ``from-a``
(the paper's for its deeper nets: ``gaussian``, then the first four conv layers and the three
FC layers copied from the bundled trained A, see :data:`FROM_A_LAYERS`), ``from-d`` (E, or any
net holding D's layers, started as a deepened trained D). ``Recipe.bn`` trains the batch-norm
version of the configuration (every configuration has one here, registered as a ``_bn``
variant or not).

Every run uses the same training and held-out images (``DATA_SEED``, ``VAL_SEED``), so runs
with different configurations compare on equal terms; ``Recipe.seed`` sets the initialisation,
the order of the batches, the flips and the dropout masks: two runs with the same seed see the
same batches in the same order (paired seeds).

Example::

    from vggviz.lab.training import Recipe, train
    res = train("vgg11_mini", Recipe(epochs=1))
    res.final_accuracy, res.params

The recipe itself, its schedule and its errors are :mod:`vggviz.lab.recipe`; the experiments
that compare recipes are :mod:`vggviz.lab.experiments`.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import nn

from vggviz.data import shapes
from vggviz.i18n import _
from vggviz.lab.recipe import (
    _DIVERGED,
    _LAYERS_DIFFER,
    _MINI_ONLY,
    _NO_CHECKPOINT,
    INITS,
    Recipe,
    TrainingError,
    localise_error,
    lr_at,
)
from vggviz.model.layers import named_layers
from vggviz.model.variants import VARIANTS, _mini_vgg, build, canonical, variant_info

__all__ = [
    "Recipe",
    "EpochRecord",
    "Progress",
    "TrainResult",
    "Cancelled",
    "TrainingError",
    "INITS",
    "FROM_A_LAYERS",
    "DATA_SEED",
    "VAL_SEED",
    "train",
    "init_from_a",
    "gaussian_init",
    "glorot_init",
    "evaluate",
    "dataset",
    "build_model",
    "lr_at",
    "checkpoint_bytes",
    "localise_error",
]

# The paper (Sect. 3.1): "we initialised the first four convolutional layers and the last three
# fully-connected layers with the layers of net A (the intermediate layers were initialised
# randomly)". A's first four convs are conv1_1, conv2_1, conv3_1, conv3_2; the deeper nets have
# layers of exactly those names and shapes.
FROM_A_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv3_2", "fc6", "fc7", "fc8")
DATA_SEED = 0           # the training images
VAL_SEED = 1            # the held-out images (tests use yet other seeds)
GRAD_STEPS = 10         # gradient norms are recorded for this many first steps


class Cancelled(Exception):
    """Raised inside :func:`train` when ``should_stop()`` said so."""


@dataclass(frozen=True)
class EpochRecord:
    epoch: int
    train_loss: float
    val_accuracy: float
    seconds: float
    lr: float

    def to_json(self) -> dict:
        return {"epoch": self.epoch, "train_loss": round(self.train_loss, 6),
                "val_accuracy": round(self.val_accuracy, 6), "seconds": round(self.seconds, 3),
                "lr": self.lr}


@dataclass(frozen=True)
class Progress:
    """Where a run is: what a progress bar and live curves need."""

    variant: str
    epoch: int                  # 1-based, the epoch under way
    epochs: int
    batch: int                  # batches done in this epoch
    batches: int
    loss: float                 # running mean training loss of this epoch
    records: tuple[EpochRecord, ...] = ()

    @property
    def fraction(self) -> float:
        return min(1.0, ((self.epoch - 1) + self.batch / max(self.batches, 1)) / max(self.epochs, 1))


@dataclass
class TrainResult:
    variant: str                 # the variant trained (its ``_bn`` name when ``recipe.bn`` made one)
    recipe: Recipe
    device: str
    params: int
    classes: list[str]
    epochs: list[EpochRecord]
    grad_norms: list[dict[str, float]]      # first GRAD_STEPS steps: layer → ‖∂loss/∂W‖
    state_dict: dict[str, torch.Tensor] = field(repr=False)    # the final (annealed) weights
    seconds: float = 0.0
    copied_from_a: tuple[str, ...] = ()

    @property
    def final_accuracy(self) -> float:
        """Held-out accuracy of the final, annealed weights (the ones kept)."""
        return self.epochs[-1].val_accuracy if self.epochs else 0.0

    val_accuracy = final_accuracy

    def to_json(self) -> dict:
        """The CLI's contract: ``{"variant", "params", "classes", "epochs": […], "final_accuracy"}``
        and more; ``final_accuracy`` is in percent (as in an experiment's JSON), ``val_accuracy``
        the same number as a fraction."""
        return {"variant": self.variant, "params": self.params, "classes": list(self.classes),
                "epochs": [e.to_json() for e in self.epochs],
                "final_accuracy": percent(self.final_accuracy), "val_accuracy": round(self.final_accuracy, 6),
                "device": self.device, "seconds": round(self.seconds, 3), "recipe": self.recipe.to_json(),
                "copied_from_a": list(self.copied_from_a)}


def percent(fraction: float) -> float:
    """An accuracy in percent as the JSON outputs write it (4 decimals: exact for held-out sets
    of up to 10,000 images)."""
    return round(100 * fraction, 4)


def checkpoint(result: TrainResult) -> dict:
    """What a trained model is saved as: loads with ``weights_only=True`` and with ``--weights``."""
    return {"state_dict": result.state_dict, "classes": list(result.classes), "variant": result.variant,
            "recipe": result.recipe.to_json(), "val_accuracy": float(result.val_accuracy)}


def checkpoint_bytes(result: TrainResult) -> bytes:
    """:func:`checkpoint` as the bytes of a ``.pth`` file (for downloads)."""
    buf = io.BytesIO()
    torch.save(checkpoint(result), buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- data

_PRELOADED: dict[tuple[int, int], tuple[torch.Tensor, torch.Tensor]] = {}


def preload(seed: int, count: int, images: torch.Tensor, labels: torch.Tensor) -> None:
    """Give :func:`dataset` the images of ``(seed, count)`` made elsewhere (a worker process
    gets them from its parent instead of drawing them again); they must be exactly
    ``shapes.batch(seed, 0, count)``."""
    _PRELOADED[(int(seed), int(count))] = (images, labels)


def dataset(seed: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` shapes images of ``seed`` as uint8 (N, 3, 64, 64) and int64 labels (cached)."""
    return _PRELOADED.get((int(seed), int(count))) or _dataset(int(seed), int(count))


@lru_cache(maxsize=3)
def _dataset(seed: int, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    return shapes.batch(seed, 0, count)


def _normalise(x: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(shapes.MEAN, device=x.device).view(1, 3, 1, 1)
    std = torch.tensor(shapes.STD, device=x.device).view(1, 3, 1, 1)
    return (x.float() / 255 - mean) / std


def _jitter(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    """The paper's scale jittering, at this scale: rescale the batch by s ∈ [1, 1.5] and take a
    random 64×64 crop (the paper: S ∈ [256, 512], crop 224)."""
    s = 1 + 0.5 * float(torch.rand((), generator=g))
    side = int(round(shapes.IMAGE_SIZE * s))
    if side == shapes.IMAGE_SIZE:
        return x
    x = F.interpolate(x, size=(side, side), mode="bilinear", align_corners=False)
    top, left = (int(v) for v in torch.randint(0, side - shapes.IMAGE_SIZE + 1, (2,), generator=g))
    return x[:, :, top: top + shapes.IMAGE_SIZE, left: left + shapes.IMAGE_SIZE]


# --------------------------------------------------------------------------- initialisation

def gaussian_init(model: nn.Module, std: float = 0.01) -> None:
    """The paper's initialisation: every conv and linear weight N(0, std²), biases 0."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.normal_(m.weight, 0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def glorot_init(model: nn.Module) -> None:
    """Glorot (Xavier) normal initialisation of every conv and linear weight, biases 0: the
    initialisation the paper's authors found, after submission, to train deep nets without
    pre-training (Sect. 3.1, footnote)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_normal_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def init_from_a(model: nn.Module, a_model: nn.Module, names=FROM_A_LAYERS) -> tuple[str, ...]:
    """Copy the layers ``names`` (paper names) of a trained A into ``model`` (same names and
    shapes); returns the names copied. A classifier of fewer classes (a checkpoint of an
    earlier shapes world, whose classes come first in today's) gives its rows to the same
    classes; the other rows keep their initialisation. Raises TrainingError when a shape differs
    otherwise."""
    ours = {l.name: l.module for l in named_layers(model)}
    theirs = {l.name: l.module for l in named_layers(a_model)}
    with torch.no_grad():
        for name in names:
            dst, src = ours.get(name), theirs.get(name)
            if dst is None or src is None:
                raise TrainingError(_(_LAYERS_DIFFER).format(name=name))
            rows = src.weight.shape[0]
            if dst.weight.shape[1:] != src.weight.shape[1:] or rows > dst.weight.shape[0] or \
                    (rows < dst.weight.shape[0] and not isinstance(dst, nn.Linear)):
                raise TrainingError(_(_LAYERS_DIFFER).format(name=name))
            dst.weight[:rows].copy_(src.weight)
            dst.bias[:rows].copy_(src.bias)
    return tuple(names)


def _trained(variant: str = "vgg11_mini") -> nn.Module:
    from vggviz.model.weights import load_model

    loaded = load_model(variant, "shapes", "cpu")
    if not loaded.trained:
        raise TrainingError(_(_NO_CHECKPOINT).format(variant=variant))
    return loaded.model


def _trained_a() -> nn.Module:
    return _trained("vgg11_mini")


# --------------------------------------------------------------------------- the loop

def _layer_params(model: nn.Module) -> list[tuple[str, nn.Parameter]]:
    return [(l.name, l.module.weight) for l in named_layers(model) if l.kind in ("conv", "fc")]


@torch.no_grad()
def evaluate(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: str | torch.device = "cpu",
             batch_size: int = 250) -> float:
    """Accuracy of ``model`` (eval mode for the call, restored after) on uint8 images."""
    was = model.training
    model.eval()
    try:
        right = 0
        for i in range(0, len(images), batch_size):
            x = _normalise(images[i: i + batch_size].to(device))
            right += int((model(x).argmax(1).cpu() == labels[i: i + batch_size]).sum())
        return right / max(len(images), 1)
    finally:
        model.train(was)


def build_model(variant: str, recipe: Recipe, device: str | torch.device = "cpu",
                a_model: nn.Module | None = None) -> tuple[str, nn.Module, tuple[str, ...]]:
    """The model a run of ``recipe`` starts from: ``(name, model, layers copied from a trained
    net)``. ``recipe.bn`` gives the batch-norm version of the configuration (its registered
    ``_bn`` variant where one exists, named so; otherwise the same configuration built with batch
    norm, named ``<variant>+bn``). Seeded by ``recipe.seed`` without touching the global RNG."""
    info = variant_info(canonical(variant))
    if not info.mini:
        raise TrainingError(_(_MINI_ONLY).format(variant=variant, mini=variant.split("_")[0] + "_mini"))
    name = info.name
    if recipe.bn and not info.batch_norm:
        registered = name.replace("_mini", "_bn_mini")
        if registered in VARIANTS:
            name, info = registered, VARIANTS[registered]
        else:
            info = dataclasses.replace(info, batch_norm=True)
            name = f"{info.name}+bn"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(recipe.seed)
        model = _mini_vgg(info, None) if name.endswith("+bn") else build(name, seed=None)
        if recipe.init in ("gaussian", "from-a"):
            gaussian_init(model)
        elif recipe.init == "glorot":
            glorot_init(model)
    model = model.to(device, memory_format=torch.channels_last)
    copied: tuple[str, ...] = ()
    if recipe.init == "from-a":
        copied = init_from_a(model, (a_model or _trained_a()).to(device))
    elif recipe.init == "from-d":
        d = (a_model or _trained("vgg16_mini")).to(device)
        copied = init_from_a(model, d, tuple(l.name for l in named_layers(d) if l.kind in ("conv", "fc")))
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = recipe.dropout
    return name, model, copied


def train(
    variant: str,
    recipe: Recipe = Recipe(),
    device: str | torch.device = "cpu",
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    between_batches: Callable[[], None] | None = None,
    a_model: nn.Module | None = None,
) -> TrainResult:
    """Train mini ``variant`` on shapes with ``recipe``; see the module's docstring.

    ``between_batches()`` is called before every batch (the worker pool pauses training there
    while other users' forward passes run). Raises :class:`Cancelled` when ``should_stop()``
    turns true, :class:`TrainingError` for a request that cannot be trained.
    """
    variant_info(canonical(variant))            # an unknown name: UnknownVariantError
    recipe.check()
    dev = torch.device(device)
    t_start = time.perf_counter()
    name, model, copied = build_model(variant, recipe, dev, a_model)

    x_train, y_train = dataset(DATA_SEED, recipe.train_size)
    x_val, y_val = dataset(VAL_SEED, recipe.val_size)
    if recipe.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr_at(recipe, 0), betas=(recipe.momentum, 0.999),
                               weight_decay=recipe.weight_decay)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr_at(recipe, 0), momentum=recipe.momentum,
                              weight_decay=recipe.weight_decay)
    g = torch.Generator().manual_seed(recipe.seed)
    tracked = _layer_params(model)
    grad_norms: list[dict[str, float]] = []
    records: list[EpochRecord] = []
    n_batches = recipe.batches
    step = 0

    # Dropout draws from torch's global generator: seed it for the run (and restore it after), so
    # the same request gives the same run. (Two runs at once in one process share that generator.)
    with torch.random.fork_rng(devices=[dev] if dev.type == "cuda" else []):
        torch.manual_seed(recipe.seed)
        for epoch in range(1, recipe.epochs + 1):
            t0 = time.perf_counter()
            model.train()
            order = torch.randperm(len(x_train), generator=g)
            total, seen = 0.0, 0
            for b in range(n_batches):
                if between_batches is not None:
                    between_batches()
                if should_stop is not None and should_stop():
                    raise Cancelled(f"{variant}: cancelled in epoch {epoch}")
                idx = order[b * recipe.batch_size: (b + 1) * recipe.batch_size]
                x = _normalise(x_train[idx].to(dev))
                flip = torch.rand(len(idx), generator=g) < 0.5      # the paper's random horizontal flips
                x = torch.where(flip.to(dev).view(-1, 1, 1, 1), x.flip(3), x)
                if recipe.scale_jitter:
                    x = _jitter(x, g)
                x = x.contiguous(memory_format=torch.channels_last)
                y = y_train[idx].to(dev)
                for group in opt.param_groups:
                    group["lr"] = lr_at(recipe, step)
                loss = F.cross_entropy(model(x), y)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                if len(grad_norms) < GRAD_STEPS:
                    grad_norms.append({n: float(p.grad.norm()) for n, p in tracked})
                opt.step()
                step += 1
                lv = float(loss.detach())
                if lv != lv:      # NaN: the run diverged; say so rather than train on
                    raise TrainingError(_(_DIVERGED).format(variant=variant, epoch=epoch))
                total += lv * len(idx)
                seen += len(idx)
                if on_progress is not None:
                    on_progress(Progress(name, epoch, recipe.epochs, b + 1, n_batches, total / seen, tuple(records)))
            n_val = recipe.curve_size if recipe.curve_size and epoch < recipe.epochs else len(x_val)
            acc = evaluate(model, x_val[:n_val], y_val[:n_val], dev)
            records.append(EpochRecord(epoch, total / max(seen, 1), acc, time.perf_counter() - t0,
                                       opt.param_groups[0]["lr"]))
            if on_progress is not None:
                on_progress(Progress(name, epoch, recipe.epochs, n_batches, n_batches, total / max(seen, 1),
                                     tuple(records)))
    model.eval()
    from vggviz.data.shapes import CLASSES

    return TrainResult(
        variant=name, recipe=recipe, device=str(dev),
        params=sum(p.numel() for p in model.parameters()), classes=list(CLASSES),
        epochs=records, grad_norms=grad_norms,
        state_dict={k: v.detach().cpu().clone() for k, v in model.state_dict().items()},
        seconds=time.perf_counter() - t_start, copied_from_a=copied,
    )
