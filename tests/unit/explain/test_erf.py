"""The effective receptive field: exact on a net whose answer is known by hand, zero outside
the theoretical box on a real VGG, centred, and leaving the shared model exactly as it was."""

from __future__ import annotations

import copy
import threading

import numpy as np
import pytest
import torch
from torch import nn

from vggviz.explain.erf import (
    NotSpatialError,
    box_mask,
    effective_rf,
    effective_rf_noise,
    erf_radius,
    unit_field,
    variant_unit_field,
)
from vggviz.model.receptive_field import path_counts
from vggviz.model.summary import summarize
from vggviz.model.variants import make_features
from vggviz.model.weights import LoadedModel


class TinyVGG(nn.Module):
    """torchvision's VGG layout (features, avgpool, classifier) at toy size."""

    def __init__(self, features: nn.Sequential, channels: int) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(nn.Linear(channels * 49, 10))


def tiny(config, batch_norm=False, seed=0, frozen=True) -> LoadedModel:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        features = make_features(config, batch_norm)
    last = [c for c in config if isinstance(c, int)][-1]
    model = TinyVGG(features, last).eval()
    if frozen:
        for p in model.parameters():
            p.requires_grad_(False)
    return LoadedModel(variant="vgg11", model=model, requested="random", source="random",
                       device=torch.device("cpu"))


def hooks(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               + len(getattr(m, "_backward_pre_hooks", {})) for m in model.modules())


def test_equal_weights_give_exactly_the_path_counts():
    """Three 3×3 convs with equal positive weights and a positive input: every ReLU passes,
    so ∂unit/∂pixel = (product of the weights) × (number of paths) — the explorer's grid."""
    loaded = tiny([4, 4, 4])
    for m in loaded.model.features:
        if isinstance(m, nn.Conv2d):
            m.weight.fill_(1.0 / (9 * m.in_channels))
            m.bias.zero_()
    x = torch.ones(1, 3, 33, 33)
    erf = effective_rf(loaded, x, "relu1_3", 16, 16)
    box = unit_field(loaded.model, "relu1_3", 16, 16)
    assert box == (13.0, 13.0, 20.0, 20.0)                       # 7×7, centred on pixel 16
    expected = np.zeros((33, 33))
    expected[13:20, 13:20] = path_counts(3, 3) / 49.0
    np.testing.assert_allclose(erf, expected, atol=1e-6)
    assert np.unravel_index(erf.argmax(), erf.shape) == (16, 16)


def test_in_place_relus_give_the_same_input_gradient():
    loaded = tiny([8, "M", 8, 8], seed=3)
    other = copy.deepcopy(loaded.model)
    for m in other.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    loaded2 = LoadedModel(variant="vgg11", model=other, requested="random", source="random",
                          device=torch.device("cpu"))
    x = torch.randn(1, 3, 40, 40, generator=torch.Generator().manual_seed(1))
    for layer, (y, xx) in [("relu2_2", (10, 9)), ("conv2_2", (0, 0)), ("pool1", (5, 7))]:
        a = effective_rf(loaded, x, layer, y, xx)
        b = effective_rf(loaded2, x, layer, y, xx)
        assert a.max() == pytest.approx(1.0)
        np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("layer,unit", [
    ("conv2_1", (56, 56)), ("conv2_1", (0, 0)), ("conv2_1", (111, 40)),   # truncated at conv2_1
    ("relu3_2", (20, 9)), ("pool5", (3, 3)), ("pool5", (0, 6)),
])
def test_vgg11_erf_is_zero_outside_the_theoretical_box(vgg11, layer, unit):
    x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    erf = effective_rf(vgg11, x, layer, *unit)
    assert erf.shape == (224, 224) and erf.dtype == np.float32
    assert erf.min() >= 0 and erf.max() == pytest.approx(1.0)
    box = unit_field(vgg11.model, layer, *unit)
    assert box == variant_unit_field("vgg11", layer, *unit)
    rf = summarize("vgg11", 224).row(layer).rf
    assert box[2] - box[0] == box[3] - box[1] == rf
    inside = box_mask(box, 224)
    assert not erf[~inside].any(), "gradient leaked outside the theoretical receptive field"
    assert (erf[inside] > 0).mean() > 0.5                         # and it fills most of the box


def test_noise_erf_peaks_in_the_centre_and_is_smaller_than_the_field(vgg11):
    for layer, size in (("conv3_1", 96), ("pool5", 160)):
        erf = effective_rf_noise(vgg11, layer, size=size, samples=4, seed=0)
        h = summarize("vgg11", size).row(layer).out_shape[1]
        top, left, bottom, right = unit_field(vgg11.model, layer, h // 2, h // 2)
        rf = bottom - top
        cy, cx = (top + bottom) / 2 - 0.5, (left + right) / 2 - 0.5  # centre, in pixel indices
        ys, xs = np.mgrid[0:size, 0:size]
        total = erf.sum()
        assert abs((erf * ys).sum() / total - cy) < 0.05 * rf
        assert abs((erf * xs).sum() / total - cx) < 0.05 * rf
        assert erf_radius(erf, 0.5) < 0.75 * rf                  # half the mass: a smaller square
        assert not erf[~box_mask((top, left, bottom, right), size)].any()



def test_noise_erf_of_a_mini_variant_is_at_its_own_64_px():
    from vggviz.model.weights import load_model

    mini = load_model("vgg16_mini", "random", "cpu")
    erf = effective_rf_noise(mini, "conv3_3", samples=2)
    assert erf.shape == (64, 64) and erf.max() == 1.0
    assert not erf[~box_mask(unit_field(mini.model, "conv3_3", 8, 8), 64)].any()

def test_the_shared_model_is_left_as_it_was(vgg11):
    model = vgg11.model
    before = {n: (p.requires_grad, p.data_ptr(), p.grad) for n, p in model.named_parameters()}
    state = {k: v.clone() for k, v in model.state_dict().items() if k.startswith("features.0")}
    x = torch.randn(1, 3, 64, 64)
    effective_rf(vgg11, x, "conv3_1", 5, 5)
    effective_rf(vgg11, x, "conv3_1", 5, 5, channel=7)
    assert hooks(model) == 0
    assert not model.training
    after = {n: (p.requires_grad, p.data_ptr(), p.grad) for n, p in model.named_parameters()}
    assert after == before
    for k, v in state.items():
        assert torch.equal(model.state_dict()[k], v)
    assert not x.requires_grad and x.grad is None


def test_train_mode_and_batch_norm_statistics_are_restored():
    loaded = tiny([4, "M", 4], batch_norm=True, frozen=False)
    loaded.model.train()
    bn = next(m for m in loaded.model.modules() if isinstance(m, nn.BatchNorm2d))
    mean, var, seen = bn.running_mean.clone(), bn.running_var.clone(), int(bn.num_batches_tracked)
    effective_rf(loaded, torch.randn(1, 3, 32, 32), "relu2_1", 4, 4)
    assert loaded.model.training and all(m.training for m in loaded.model.modules())
    assert torch.equal(bn.running_mean, mean) and torch.equal(bn.running_var, var)
    assert int(bn.num_batches_tracked) == seen
    assert all(p.grad is None and p.requires_grad for p in loaded.model.parameters())


def test_bad_requests_are_refused_and_release_the_lock():
    loaded = tiny([4, 4])
    x = torch.randn(1, 3, 16, 16)
    with pytest.raises(ValueError, match="outside"):
        effective_rf(loaded, x, "conv1_2", 16, 0)
    with pytest.raises(ValueError, match="channel"):
        effective_rf(loaded, x, "conv1_2", 3, 3, channel=4)
    with pytest.raises(NotSpatialError):
        effective_rf(loaded, x, "fc6", 0, 0)
    with pytest.raises(ValueError, match="one image"):
        effective_rf(loaded, torch.randn(2, 3, 16, 16), "conv1_2", 3, 3)
    got = []
    t = threading.Thread(target=lambda: got.append(loaded.lock.acquire(timeout=2)))
    t.start()
    t.join()
    assert got == [True]                                        # not left held by the error


def test_crop_input_is_the_weights_preprocessing(vgg11):
    from PIL import Image

    from vggviz.explain.erf import crop_input

    img = Image.new("RGB", (300, 200), (10, 200, 30))
    crop, x = crop_input(vgg11, img)
    assert crop.size == (224, 224) and x.shape == (1, 3, 224, 224)
    assert torch.allclose(x, vgg11.transforms(img).unsqueeze(0), atol=1e-6)
