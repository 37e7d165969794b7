"""The paper's six configurations as one table, and one builder.

The eight variants torchvision ships (A, B, D, E with and without batch norm) are
torchvision's own models; A-LRN and C are built from the same table with torchvision's
``VGG`` class, so every variant has the same module layout (``features``, ``avgpool``,
``classifier``).

The *mini* family (``vgg11_mini`` … ``vgg19_mini``, their ``_bn`` versions, and the lab's
A-LRN, C, B-5×5 and D-7×7) is the same table at teaching scale: every width divided by 8
(8 → 16 → 32 → 64 → 64), a 2×2 avgpool grid, FC layers of 256 and 8 outputs (the shapes of
:mod:`vggviz.data.shapes`), for 64×64 inputs. Same builder, same ``VGG`` class, same layer names.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torchvision import models
from torchvision.models import vgg as tv_vgg

from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text, _

__all__ = [
    "CONFIGS",
    "MINI_WIDTH_DIVISOR",
    "MINI_FC",
    "MINI_POOL_GRID",
    "mini_config",
    "VARIANTS",
    "VariantInfo",
    "variant_info",
    "make_features",
    "build",
    "UnknownVariantError",
    "FULL_VARIANTS",
    "MINI_VARIANTS",
    "canonical",
    "init_like_torchvision",
    "LRN_PARAMS",
    "lrn_note",
    "ReferenceInfo",
    "REFERENCE_MODELS",
    "model_info",
]

# Paper (Simonyan & Zisserman 2015, Table 1). An int is a 3×3 conv with that many output
# channels, (C, 1) a 1×1 conv, "M" a 2×2 max-pool (stride 2), "LRN" local response normalisation.
Item = int | tuple[int, int] | str
CONFIGS: dict[str, list[Item]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "A-LRN": [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M", 512, 512, (512, 1), "M",
          512, 512, (512, 1), "M"],
    # The paper's own ablation (Sect. 4.1): B with each pair of 3×3 convs replaced by one 5×5.
    "B-5x5": [(64, 5), "M", (128, 5), "M", (256, 5), "M", (512, 5), "M", (512, 5), "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
    # D with each stack replaced by the one conv of the same receptive field: pairs → 5×5,
    # triples → 7×7 (a lab experiment; not in the paper).
    "D-7x7": [(64, 5), "M", (128, 5), "M", (256, 7), "M", (512, 7), "M", (512, 7), "M"],
}

MINI_WIDTH_DIVISOR = 8      # 64 → 8, 128 → 16, 256 → 32, 512 → 64
MINI_FC = 256               # fc6/fc7 width (4096 in the paper)
MINI_POOL_GRID = 2          # pool5 is 2×2 at 64 px (7×7 at 224)
MINI_INPUT = 64

# AlexNet's LRN parameters, which the paper's A-LRN uses, in PyTorch's (= Caffe's) convention:
# nn.LocalResponseNorm computes b = a / (k + alpha/n · Σ a²)^beta over n = size neighbouring
# channels, dividing alpha by the window size; AlexNet's paper writes b = a / (k + alpha · Σ a²)^beta.
# The VGG authors' implementation was derived from Caffe (the paper, Sect. 3.3), whose LRN layer
# divides alpha by the window size: so A-LRN uses alpha = 1e-4 in this convention, i.e. an
# effective alpha of 2e-5 in AlexNet's formula. (To
# follow AlexNet's formula literally one would pass alpha = 5e-4 to nn.LocalResponseNorm.)
LRN_PARAMS = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)


def lrn_note() -> str:
    """Which LRN formula A-LRN uses, with its parameters (read from :data:`LRN_PARAMS`)."""
    n, a, b, k = (LRN_PARAMS[x] for x in ("size", "alpha", "beta", "k"))
    return _("A-LRN's LRN: n = {n} channels, α = {a}, β = {b}, k = {k} (AlexNet's values), in "
             "PyTorch's convention b = a / (k + α/n · Σ a²)^β, which divides α by the window "
             "size as Caffe does; AlexNet's paper writes α · Σ a², so the same α here is α/n = "
             "{a_n} in AlexNet's formula. We follow Caffe because the VGG authors built on "
             "Caffe (the paper, Sect. 3.3); AlexNet's formula literally would be α = {a_n_times} here.").format(
        n=n, a=f"{a:g}", b=f"{b:g}", k=f"{k:g}", a_n=f"{a / n:g}", a_n_times=f"{a * n:g}")


def mini_config(config: list[Item]) -> list[Item]:
    """A configuration at teaching scale: every width divided by :data:`MINI_WIDTH_DIVISOR`."""
    out: list[Item] = []
    for item in config:
        if isinstance(item, int):
            out.append(item // MINI_WIDTH_DIVISOR)
        elif isinstance(item, tuple):
            out.append((item[0] // MINI_WIDTH_DIVISOR, item[1]))
        else:
            out.append(item)
    return out


_EXTRA = {"A-LRN": "-LRN", "C": "-C", "B-5x5": "-5×5", "D-7x7": "-7×7"}


@dataclass(frozen=True)
class VariantInfo:
    name: str            # torchvision-style name, e.g. "vgg16_bn", "vgg16_mini"
    config: str          # paper configuration, e.g. "D"
    batch_norm: bool
    torchvision: bool    # True when torchvision ships builder and ImageNet weights
    mini: bool = False   # the teaching-scale family trained on shapes (64×64 input)

    @property
    def paper_name(self) -> str:
        return f"{self.config}{' + BN' if self.batch_norm else ''}"

    @property
    def label(self) -> str:
        """What the sidebar shows: ``VGG16 (D)``, ``VGG16-BN (D + BN)``, ``mini VGG16 (D)``."""
        depth = self.weight_layers
        if self.config in ("B-5x5", "D-7x7"):      # the lab's kernel variants: named after their source
            return f"{'mini ' if self.mini else ''}{self.config.replace('x', '×')} ({depth} weight layers)"
        extra = _EXTRA.get(self.config, "")
        bn = "-BN" if self.batch_norm else ""
        return f"{'mini ' if self.mini else ''}VGG{depth}{extra}{bn} ({self.paper_name})"

    @property
    def weight_layers(self) -> int:
        """Depth as the paper counts it: conv + FC layers with weights."""
        return sum(1 for i in CONFIGS[self.config] if i not in ("M", "LRN")) + 3

    @property
    def layer_config(self) -> list[Item]:
        """The configuration this variant is built from (widths ÷ 8 for the mini family)."""
        return mini_config(CONFIGS[self.config]) if self.mini else list(CONFIGS[self.config])

    @property
    def input_size(self) -> int:
        """The image side the variant was made for: 224, or 64 for the mini family."""
        return MINI_INPUT if self.mini else 224

    @property
    def pool_grid(self) -> int:
        """Side of the avgpool output that fc6 reads (7, or 2 for the mini family)."""
        return MINI_POOL_GRID if self.mini else 7

    @property
    def weights_enum(self):
        """Torchvision's weights enum for this variant's ImageNet weights, or None."""
        if not self.torchvision:
            return None
        return models.get_model_weights(self.name).IMAGENET1K_V1


VARIANTS: dict[str, VariantInfo] = {
    v.name: v
    for v in [
        VariantInfo("vgg11", "A", False, True),
        VariantInfo("vgg11_bn", "A", True, True),
        VariantInfo("vgg11_lrn", "A-LRN", False, False),
        VariantInfo("vgg13", "B", False, True),
        VariantInfo("vgg13_bn", "B", True, True),
        VariantInfo("vgg16_c", "C", False, False),
        VariantInfo("vgg16", "D", False, True),
        VariantInfo("vgg16_bn", "D", True, True),
        VariantInfo("vgg19", "E", False, True),
        VariantInfo("vgg19_bn", "E", True, True),
        # The teaching-scale family (trained on shapes; bundled weights for A, B, D, E).
        VariantInfo("vgg11_mini", "A", False, False, True),
        VariantInfo("vgg11_bn_mini", "A", True, False, True),
        VariantInfo("vgg11_lrn_mini", "A-LRN", False, False, True),
        VariantInfo("vgg13_mini", "B", False, False, True),
        VariantInfo("vgg13_bn_mini", "B", True, False, True),
        VariantInfo("vgg13_5x5_mini", "B-5x5", False, False, True),
        VariantInfo("vgg16_c_mini", "C", False, False, True),
        VariantInfo("vgg16_mini", "D", False, False, True),
        VariantInfo("vgg16_bn_mini", "D", True, False, True),
        VariantInfo("vgg16_7x7_mini", "D-7x7", False, False, True),
        VariantInfo("vgg19_mini", "E", False, False, True),
        VariantInfo("vgg19_bn_mini", "E", True, False, True),
    ]
}
FULL_VARIANTS = [v for v, i in VARIANTS.items() if not i.mini]


@dataclass(frozen=True)
class ReferenceInfo:
    """A comparison model that is not a VGG variant (AlexNet): torchvision's builder, weights
    and metadata. :func:`summarize` and the Architecture and Compare pages accept it; the
    sidebar, the weights loader and the image pages do not (they are built around VGG's
    layout: ``variant_info`` raises :class:`UnknownVariantError` for it)."""

    name: str            # torchvision's builder name, e.g. "alexnet"
    label: str
    weight_layers: int
    min_input_size: int  # the smallest square input that leaves pool5 at least 1×1
    pool_grid: int       # side of the avgpool output that fc6 reads
    citation: str
    input_size: int = 224
    mini: bool = False
    torchvision: bool = True
    batch_norm: bool = False

    @property
    def weights_enum(self):
        """Torchvision's weights enum for its ImageNet weights."""
        return models.get_model_weights(self.name).IMAGENET1K_V1


# AlexNet as torchvision builds it (the single-GPU "one weird trick" variant: 64, 192, 384, 256,
# 256 channels; 11×11 stride-4 conv1 with padding 2; overlapping 3×3 stride-2 max-pools; no LRN).
# Smallest input: pool5 ≥ 1 needs conv5 ≥ 3 → pool2 input ≥ 7 → pool1 output ≥ 7 → conv1 output
# ≥ 15 → (15 − 1)·4 + 11 − 2·2 = 63 px.
REFERENCE_MODELS: dict[str, ReferenceInfo] = {
    "alexnet": ReferenceInfo("alexnet", "AlexNet (Krizhevsky et al. 2012)", 8, 63, 6,
                             "Krizhevsky, Sutskever & Hinton, ImageNet Classification with Deep "
                             "Convolutional Neural Networks, NeurIPS 2012"),
}


def model_info(name: str) -> VariantInfo | ReferenceInfo:
    """A VGG variant's :class:`VariantInfo`, or a reference model's :class:`ReferenceInfo`."""
    if name in REFERENCE_MODELS:
        return REFERENCE_MODELS[name]
    try:
        return VARIANTS[canonical(name)]
    except KeyError:
        raise UnknownVariantError(Text(
            N_("unknown variant {name}; choose one of: {variants}, or the reference models {references}")
            if len(REFERENCE_MODELS) > 1 else
            N_("unknown variant {name}; choose one of: {variants}, or the reference model {references}"),
            name=repr(name), variants=", ".join(VARIANTS), references=", ".join(REFERENCE_MODELS),
        )) from None
MINI_VARIANTS = [v for v, i in VARIANTS.items() if i.mini]
# ``vgg16_mini_bn`` is accepted for ``vgg16_bn_mini`` (both readings of "the mini's _bn version").
_ALIASES = {v.replace("_bn_mini", "_mini_bn"): v for v in MINI_VARIANTS if "_bn_mini" in v}


class UnknownVariantError(VggvizError):
    pass


def canonical(name: str) -> str:
    """The variant's canonical name (``vgg16_mini_bn`` → ``vgg16_bn_mini``); unknown names as given."""
    return _ALIASES.get(name, name)


def variant_info(name: str) -> VariantInfo:
    try:
        return VARIANTS[canonical(name)]
    except KeyError:
        raise UnknownVariantError(Text(N_("unknown variant {name}; choose one of: {variants}"), name=repr(name),
                                  variants=", ".join(VARIANTS))) from None


def make_features(config: list[Item], batch_norm: bool = False) -> nn.Sequential:
    """Torchvision's ``make_layers`` extended with 1×1 convs and LRN (configs C and A-LRN)."""
    layers: list[nn.Module] = []
    in_channels = 3
    for item in config:
        if item == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        elif item == "LRN":
            layers.append(nn.LocalResponseNorm(**LRN_PARAMS))
        else:
            out, k = item if isinstance(item, tuple) else (item, 3)
            layers.append(nn.Conv2d(in_channels, out, kernel_size=k, padding=k // 2))
            if batch_norm:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.ReLU(inplace=True))
            in_channels = out
    return nn.Sequential(*layers)


def _mini_vgg(info: VariantInfo, num_classes: int | None) -> nn.Module:
    """Torchvision's ``VGG`` on the mini features, with its avgpool grid and classifier at
    teaching scale (2×2, FC 256), initialised as torchvision's ``VGG.__init__`` does except
    fc6/fc7 (Kaiming-normal, see below).

    The ``VGG`` shell is made on the meta device (its 4096-wide classifier would cost 0.5 GB
    and a second), then given its real children."""
    from vggviz.data.shapes import CLASSES

    classes = num_classes or len(CLASSES)
    features = make_features(info.layer_config, info.batch_norm)
    width = [m for m in features if isinstance(m, nn.Conv2d)][-1].out_channels
    with torch.device("meta"):
        model = tv_vgg.VGG(nn.Sequential(), num_classes=classes, init_weights=False)
    g = MINI_POOL_GRID
    model.features = features
    model.avgpool = nn.AdaptiveAvgPool2d((g, g))
    model.classifier = nn.Sequential(
        nn.Linear(width * g * g, MINI_FC), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(MINI_FC, MINI_FC), nn.ReLU(True), nn.Dropout(0.5),
        nn.Linear(MINI_FC, classes),
    )
    init_like_torchvision(model)
    # torchvision's N(0, 0.01) suits 4096-wide FC layers (each passes on ~0.64 of its input's
    # scale); at width 256 three of them shrink the signal and its gradient ~250-fold and
    # training stalls. Kaiming-normal keeps the scale at this width (He et al., 2015).
    # (The paper's N(0, 0.01) stays available: training.gaussian_init, init="gaussian".)
    for m in model.classifier:
        if isinstance(m, nn.Linear) and m.out_features == MINI_FC:
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
    return model


def init_like_torchvision(model: nn.Module) -> None:
    """Torchvision's VGG initialisation: Kaiming-normal convs (fan-out), unit batch norm,
    N(0, 0.01) linear layers, zero biases."""
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.BatchNorm2d):
            nn.init.constant_(m.weight, 1)
            nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0, 0.01)
            nn.init.constant_(m.bias, 0)


def build(name: str, *, device: str | torch.device = "cpu", seed: int | None = 0,
          num_classes: int | None = None) -> nn.Module:
    """Build variant ``name`` (or a reference model such as ``alexnet``, torchvision's builder)
    with its random initialisation, in eval mode.

    ``seed`` makes the initialisation repeatable without touching the global RNG.
    On ``device="meta"`` no memory is allocated (used for shapes and FLOP counts).
    ``num_classes`` sizes fc8, the classifier's last layer (default: the shapes' classes for
    the mini family, ImageNet's 1000 for the full-size variants): a fine-tuned checkpoint's own.
    """
    info = model_info(name)
    device = torch.device(device)

    def _make() -> nn.Module:
        with device:
            if info.torchvision:
                return models.get_model(info.name, weights=None, **({"num_classes": num_classes} if num_classes else {}))
            if info.mini:
                return _mini_vgg(info, num_classes)
            return tv_vgg.VGG(make_features(info.layer_config, info.batch_norm), num_classes=num_classes or 1000)

    if device.type == "meta" or seed is None:
        model = _make()
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = _make()
    return model.eval()
