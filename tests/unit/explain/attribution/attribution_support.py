"""Helpers shared by the tests of vggviz/explain/attribution (tests/unit/attribution/test_*.py): small
VGG-layout nets with known answers and checks of the model's state."""

from __future__ import annotations

import contextlib
import copy

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models.vgg import VGG
from torchvision.transforms._presets import ImageClassification

from vggviz.explain import attribution as A
from vggviz.inference.analysis import analyze
from vggviz.model.variants import make_features
from vggviz.model.weights import LoadedModel

HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")
SIZE, SQ = 48, 8


class TinyLoaded(LoadedModel):
    """A LoadedModel around a small VGG-layout net: its own classes and input size."""

    names: tuple[str, ...] = ("noise", "square")
    size: int = 48
    mean: tuple[float, ...] = (0.485, 0.456, 0.406)
    std: tuple[float, ...] = (0.229, 0.224, 0.225)

    @property
    def categories(self) -> list[str]:
        return list(self.names)

    @property
    def input_size(self) -> int:
        return self.size

    @property
    def transforms(self):
        return ImageClassification(crop_size=self.size, resize_size=self.size, mean=self.mean, std=self.std)


def tiny_loaded(model: nn.Module, cls=TinyLoaded) -> TinyLoaded:
    for p in model.parameters():
        p.requires_grad_(False)
    return cls(variant="vgg11", model=model.eval(), requested="random", source="trained-in-test",
               device=torch.device("cpu"))


def hooks_left(model: nn.Module) -> list[str]:
    return [f"{type(m).__name__}.{d}" for m in model.modules() for d in HOOK_DICTS if getattr(m, d)]


def state_of(model: nn.Module):
    return ([m.training for m in model.modules()], [p.requires_grad for p in model.parameters()],
            [m.inplace for m in model.modules() if isinstance(m, nn.ReLU)])


class Pixels(TinyLoaded):
    names = ("a", "b")
    size = 4
    mean = (0.0, 0.0, 0.0)
    std = (1.0, 1.0, 1.0)


def hand_model() -> nn.Module:
    """conv1_1: two 1×1 filters reading the red channel (×1, ×2) → ReLU → global average →
    fc6 with V = [[3, 1], [1, -1]]. For a positive image r: class a scores 5·mean(r)."""
    conv = nn.Conv2d(3, 2, 1)
    lin = nn.Linear(2, 2)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 0] = 1.0
        conv.weight[1, 0] = 2.0
        conv.bias.zero_()
        lin.weight.copy_(torch.tensor([[3.0, 1.0], [1.0, -1.0]]))
        lin.bias.zero_()
    m = VGG(nn.Sequential(conv, nn.ReLU(inplace=True)), num_classes=2, init_weights=False)
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.classifier = nn.Sequential(lin)
    return m


def square_images(n: int, rng: np.random.Generator, with_square: np.ndarray):
    """Noise images (uint8, N×H×W×3); where with_square, a bright SQ×SQ square at a random place."""
    imgs = np.clip(rng.normal(110, 45, size=(n, SIZE, SIZE, 3)), 0, 255)
    boxes = []
    for i in range(n):
        if with_square[i]:
            x, y = rng.integers(0, SIZE - SQ + 1, size=2)
            imgs[i, y:y + SQ, x:x + SQ] = rng.uniform(235, 255)
            boxes.append((int(x), int(y), int(x) + SQ, int(y) + SQ))
        else:
            boxes.append(None)
    return imgs.astype(np.uint8), boxes


@contextlib.contextmanager
def one_thread():
    """Tiny tensors: one intra-op thread is several times faster than two on a busy machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


def train_square_net() -> tuple[TinyLoaded, TinyLoaded]:
    """A [16, M, 32, M, 64, M] VGG + global average pool + one FC layer, trained to tell
    noise with a bright square from noise alone (and its untrained copy, as a control)."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    model = VGG(make_features([16, "M", 32, "M", 64, "M"]), num_classes=2, init_weights=True)
    model.avgpool = nn.AdaptiveAvgPool2d(1)
    model.classifier = nn.Sequential(nn.Linear(64, 2))
    untrained = copy.deepcopy(model)
    tf = TinyLoaded.transforms.fget(TinyLoaded)   # the same normalisation analyze() applies
    mean, std = torch.tensor(tf.mean)[:, None, None], torch.tensor(tf.std)[:, None, None]
    labels = rng.integers(0, 2, size=1024)
    imgs, _ = square_images(len(labels), rng, labels.astype(bool))
    x = (torch.from_numpy(imgs).permute(0, 3, 1, 2).float() / 255 - mean) / std
    y = torch.from_numpy(labels)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for _epoch in range(2):
            perm = torch.randperm(len(y))
            for i in range(0, len(y), 64):
                idx = perm[i:i + 64]
                loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
    return tiny_loaded(model), tiny_loaded(untrained)


def square_hits(loaded, imgs, boxes, target=1):
    """How many maps peak inside the square's box, and how many images are called "square"."""
    hits, said_square = 0, 0
    with one_thread():
        for img, (left, t, r, b) in zip(imgs, boxes, strict=True):
            res = analyze(loaded, Image.fromarray(img))
            said_square += res.top[0].label == "square"
            cam = A.gradcam(loaded, res, None, target=target)
            heat = cam.image_map(res.preprocessed.crop_box, (SIZE, SIZE))
            y, x = np.unravel_index(np.argmax(heat), heat.shape)
            hits += left <= x < r and t <= y < b
    return hits, said_square


def reference_model(loaded):
    """The same weights with out-of-place ReLUs, for captum on the whole model."""
    ref = copy.deepcopy(loaded.model).eval()
    for m in ref.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    return ref
