"""The paper's six configurations as one table, and one builder.

The eight variants torchvision ships (A, B, D, E with and without batch norm) are
torchvision's own models; A-LRN and C are built from the same table with torchvision's
``VGG`` class, so every variant has the same module layout (``features``, ``avgpool``,
``classifier``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import torch
from torch import nn
from torchvision import models
from torchvision.models import vgg as tv_vgg

__all__ = [
    "CONFIGS",
    "VARIANTS",
    "VariantInfo",
    "variant_info",
    "make_features",
    "build",
    "UnknownVariant",
]

# Paper (Simonyan & Zisserman 2015, Table 1). An int is a 3×3 conv with that many output
# channels, (C, 1) a 1×1 conv, "M" a 2×2 max-pool (stride 2), "LRN" local response normalisation.
Item = Union[int, tuple[int, int], str]
CONFIGS: dict[str, list[Item]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "A-LRN": [64, "LRN", "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "C": [64, 64, "M", 128, 128, "M", 256, 256, (256, 1), "M", 512, 512, (512, 1), "M",
          512, 512, (512, 1), "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}

# AlexNet's LRN parameters, which the paper's A-LRN uses.
LRN_PARAMS = dict(size=5, alpha=1e-4, beta=0.75, k=2.0)


@dataclass(frozen=True)
class VariantInfo:
    name: str            # torchvision-style name, e.g. "vgg16_bn"
    config: str          # paper configuration, e.g. "D"
    batch_norm: bool
    torchvision: bool    # True when torchvision ships builder and ImageNet weights

    @property
    def paper_name(self) -> str:
        return f"{self.config}{' + BN' if self.batch_norm else ''}"

    @property
    def label(self) -> str:
        """What the sidebar shows: ``VGG16 (D)``, ``VGG16-BN (D + BN)``."""
        depth = self.weight_layers
        extra = {"vgg11_lrn": "-LRN", "vgg16_c": "-C"}.get(self.name, "")
        bn = "-BN" if self.batch_norm else ""
        return f"VGG{depth}{extra}{bn} ({self.paper_name})"

    @property
    def weight_layers(self) -> int:
        """Depth as the paper counts it: conv + FC layers with weights."""
        return sum(1 for i in CONFIGS[self.config] if i not in ("M", "LRN")) + 3

    @property
    def weights_enum(self):
        """torchvision's weights enum for this variant's ImageNet weights, or None."""
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
    ]
}


class UnknownVariant(ValueError):
    pass


def variant_info(name: str) -> VariantInfo:
    try:
        return VARIANTS[name]
    except KeyError:
        raise UnknownVariant(
            f"unknown variant {name!r}; choose one of: {', '.join(VARIANTS)}"
        ) from None


def make_features(config: list[Item], batch_norm: bool = False) -> nn.Sequential:
    """torchvision's ``make_layers`` extended with 1×1 convs and LRN (configs C and A-LRN)."""
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


def build(name: str, *, device: str | torch.device = "cpu", seed: int | None = 0) -> nn.Module:
    """Build variant ``name`` with its random initialisation, in eval mode.

    ``seed`` makes the initialisation repeatable without touching the global RNG.
    On ``device="meta"`` no memory is allocated (used for shapes and FLOP counts).
    """
    info = variant_info(name)
    device = torch.device(device)

    def _make() -> nn.Module:
        with device:
            if info.torchvision:
                return models.get_model(name, weights=None)
            return tv_vgg.VGG(make_features(CONFIGS[info.config], info.batch_norm))

    if device.type == "meta" or seed is None:
        model = _make()
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = _make()
    return model.eval()
