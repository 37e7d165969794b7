"""The fully-convolutional VGG: same logits as the original for every variant, shared
storage, the score-map sizes derived from the arithmetic, sizes below 224 refused."""

from __future__ import annotations

import gc

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from vggviz.inference.dense import (
    DenseSizeError,
    classifier_shapes,
    combine,
    dense_input,
    dense_scores,
    map_geometry,
    multi_scale,
    score_map_size,
    to_fully_conv,
)
from vggviz.model.variants import build

TORCHVISION_VARIANTS = ["vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


def picture(width: int, height: int, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8), "RGB")


@pytest.mark.parametrize("variant", TORCHVISION_VARIANTS)
def test_converted_net_gives_the_same_logits_at_224(variant):
    model = build(variant)
    for p in model.parameters():
        p.requires_grad_(False)
    x = torch.randn(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    net = to_fully_conv(model)
    with torch.no_grad():
        want = model(x)
        got = net(x)
    assert got.shape == (2, 1000, 1, 1)                       # the map is 1×1 at 224
    assert want.std() > 1e-2                                  # logits that can tell a mix-up apart
    assert (got.flatten(1) - want).abs().max().item() <= 1e-4
    # the same storage, not a copy; features is the very same module
    assert net.features is model.features
    fcs = [m for m in model.classifier if isinstance(m, nn.Linear)]
    convs = [m for m in net.classifier if isinstance(m, nn.Conv2d)]
    assert [c.kernel_size for c in convs] == [(7, 7), (1, 1), (1, 1)]
    for fc, conv in zip(fcs, convs, strict=True):
        assert conv.weight.data_ptr() == fc.weight.data_ptr()
        assert conv.bias.data_ptr() == fc.bias.data_ptr()
        assert not conv.weight.requires_grad
    del model, net, want, got, fcs, convs
    gc.collect()


def test_shared_storage_follows_the_original(vgg11):
    net = to_fully_conv(vgg11.model)
    fc6 = vgg11.model.classifier[0]
    conv6 = net.classifier[0]
    assert conv6.weight.data_ptr() == fc6.weight.data_ptr()
    i = 10 * 49 + 3 * 7 + 4                                    # pool5 flattened as (C, H, W)
    old = float(fc6.weight[5, i])
    try:
        fc6.weight[5, i] = 42.0
        assert float(conv6.weight[5, 10, 3, 4]) == 42.0
    finally:
        fc6.weight[5, i] = old


def test_conversion_changes_nothing_on_the_model(vgg11):
    model = vgg11.model
    ptrs = {k: v.data_ptr() for k, v in model.state_dict().items()}
    grads = {n: p.requires_grad for n, p in model.named_parameters()}
    to_fully_conv(model)
    assert not model.training and all(not m.training for m in model.modules())
    assert {k: v.data_ptr() for k, v in model.state_dict().items()} == ptrs
    assert {n: p.requires_grad for n, p in model.named_parameters()} == grads


def test_classifier_shapes_before_and_after(vgg11):
    rows = classifier_shapes(vgg11.model)
    assert [r.name for r in rows] == ["fc6", "fc7", "fc8"]
    assert [r.before_shape for r in rows] == [(4096, 25088), (4096, 4096), (1000, 4096)]
    assert [r.after_shape for r in rows] == [(4096, 512, 7, 7), (4096, 4096, 1, 1), (1000, 4096, 1, 1)]
    assert all(r.params_equal and r.shares_storage for r in rows)
    assert rows[0].params_before == 102_764_544                  # the paper's fc6
    assert rows[0].after_type.startswith("Conv 7×7")


def test_score_map_sizes_are_derived_not_guessed():
    # pool5 = ⌊S/32⌋, then a 7×7 valid convolution: ⌊S/32⌋ − 6. At 384: 12 − 6 = 6, not 5.
    assert [score_map_size(s)[0] for s in (224, 256, 384, 512)] == [1, 2, 6, 10]
    assert score_map_size(384, 576) == (6, 12)
    assert score_map_size(255) == (1, 1)


@pytest.mark.parametrize("width,height,square,shape,map_shape", [
    (384, 384, False, (384, 384), (6, 6)),
    (600, 400, False, (384, 576), (6, 12)),
    (600, 400, True, (384, 384), (6, 6)),
])
def test_dense_map_at_384(vgg11, width, height, square, shape, map_shape):
    r = dense_scores(vgg11, picture(width, height), 384, square=square)
    assert r.input_shape == shape and r.map_shape == map_shape
    assert r.prob_map.shape == (1000, *map_shape)
    np.testing.assert_allclose(r.prob_map.astype(np.float32).sum(0), 1.0, atol=3e-3)  # softmax per cell
    np.testing.assert_allclose(r.mean_probs, r.prob_map.astype(np.float32).mean((1, 2)), atol=1e-3)
    assert r.mean_probs.sum() == pytest.approx(1.0, abs=1e-4)
    assert r.score_map.shape == map_shape
    np.testing.assert_allclose(r.score_map, r.prob_map[r.top_class].astype(np.float32))
    assert r.top_class == int(np.argmax(r.mean_probs)) == r.top(5)[0][0]


def test_dense_at_224_is_the_ordinary_prediction(vgg11):
    img = picture(224, 224, seed=2)
    r = dense_scores(vgg11, img, 224)
    assert r.map_shape == (1, 1)
    x = dense_input(vgg11, img, 224)
    with torch.no_grad():
        probs = torch.softmax(vgg11.model(x), 1)[0].numpy()
    np.testing.assert_allclose(r.mean_probs, probs, atol=1e-5)


def test_normalisation_uses_the_weights_mean_and_std(vgg11):
    x = dense_input(vgg11, Image.new("RGB", (224, 224), (255, 0, 128)), 224)
    t = vgg11.transforms
    want = [(v / 255 - m) / s for v, m, s in zip((255, 0, 128), t.mean, t.std, strict=True)]
    np.testing.assert_allclose(x[0, :, 100, 100].numpy(), want, atol=1e-5)


@pytest.mark.parametrize("size", [223, 200, 32, 0])
def test_sizes_below_224_are_refused(vgg11, size):
    with pytest.raises(DenseSizeError, match="needs at least 224×224"):
        dense_scores(vgg11, picture(300, 300), size)
    with pytest.raises(ValueError, match="needs at least 224×224"):
        multi_scale(vgg11, picture(300, 300), (256, size))


def test_multi_scale_averages_the_scales(vgg11):
    img = picture(320, 256, seed=4)
    ms = multi_scale(vgg11, img, (224, 256))
    assert [r.size for r in ms] == [224, 256] and len(ms) == 2
    assert [r.map_shape for r in ms] == [(1, 2), (2, 4)]
    np.testing.assert_allclose(ms.mean_probs, (ms[0].mean_probs + ms[1].mean_probs) / 2, atol=1e-7)
    np.testing.assert_allclose(combine(list(ms)).mean_probs, ms.mean_probs, atol=1e-7)
    assert ms.top_class == int(np.argmax(ms.mean_probs))


def test_map_geometry(vgg11):
    # cell 0 centred at pool5's first centre (16) + 3·32; fc6 sees pool5's 150 + 6·32 px
    assert map_geometry(vgg11.model) == (112.0, 32, 150 + 6 * 32)


def test_dense_passes_run_lock_free_beside_guided_gradcam(vgg11):
    """The dense pass takes no lock: it must give the single-threaded answer while other
    threads run dense passes and Guided Grad-CAM (which holds the lock and hooks a private
    chain) on the same shared model, and leave no hook behind."""
    import threading

    from vggviz.explain.attribution import compare_methods
    from vggviz.inference.analysis import analyze

    images = [Image.new("RGB", (300, 260), c) for c in ((200, 30, 30), (30, 200, 30), (30, 30, 200))]
    expected = [dense_scores(vgg11, im, 256).mean_probs for im in images]
    analysis = analyze(vgg11, images[0])
    got, errors = {}, []

    def dense(i):
        try:
            got[i] = dense_scores(vgg11, images[i % 3], 256).mean_probs
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def guided():
        try:
            compare_methods(vgg11, analysis, analysis.top[0].index)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=dense, args=(i,)) for i in range(6)] + [threading.Thread(target=guided)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for i in range(6):
        np.testing.assert_array_equal(got[i], expected[i % 3])
    for m in vgg11.model.modules():
        assert not (m._forward_hooks or m._forward_pre_hooks or m._backward_hooks or m._backward_pre_hooks)


# --------------------------------------------------------------------------- the mini family

from vggviz.data import shapes  # noqa: E402
from vggviz.inference.dense import min_size, pool_grid, scales_for  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402


@pytest.fixture(scope="module")
def mini16():
    return load_model("vgg16_mini", "shapes", "cpu")


def test_mini_fc6_is_a_2x2_convolution_and_64_px_is_the_ordinary_prediction(mini16):
    assert pool_grid(mini16.model) == 2 and min_size(2) == 64
    rows = classifier_shapes(mini16.model)
    assert rows[0].after_shape == (256, 64, 2, 2) and rows[0].shares_storage
    img, _ = shapes.sample(3, 5)
    r = dense_scores(mini16, img, 64)
    assert r.map_shape == (1, 1) == score_map_size(64, grid=2)
    with torch.no_grad():
        probs = torch.softmax(mini16.model(dense_input(mini16, img, 64)), 1)[0].numpy()
    np.testing.assert_allclose(r.mean_probs, probs, atol=1e-5)
    assert score_map_size(256, grid=2) == (7, 7) == dense_scores(mini16, picture(256, 256), 256).map_shape
    assert scales_for(2) == (73, 110, 146) and scales_for(7) == (256, 384, 512)
    with pytest.raises(DenseSizeError, match="needs at least 64×64"):
        dense_scores(mini16, img, 63)
    # a 2×2 fc6 over pool5: cell 0 centred between pool5 cells 0 and 1, at 16 + 0.5·32 px
    centre0, stride, rf = map_geometry(mini16.model)
    assert (centre0, stride) == (32.0, 32)


def test_mini_class_maps_find_the_shapes_on_a_canvas(mini16):
    """On a 256-px canvas of four shapes, each shape's class map is strongest in a cell whose
    field holds that shape (for most shapes of several canvases)."""
    hits = total = 0
    for seed in range(6):
        pic, placed = shapes.canvas(seed, 256, 4)
        r = dense_scores(mini16, pic, 256)
        centre0, stride, rf = map_geometry(mini16.model)
        for p in placed:
            m = r.class_map(shapes.CLASSES.index(p.label))
            i, j = np.unravel_index(int(m.argmax()), m.shape)
            cy, cx = centre0 + stride * i, centre0 + stride * j
            x0, y0, x1, y1 = p.box
            total += 1
            hits += (x0 - 32 <= cx <= x1 + 32) and (y0 - 32 <= cy <= y1 + 32)
    assert hits >= 0.6 * total, f"{hits}/{total}"


# --------------------------------------------------------------------------- the paper's protocol

def test_fixed_scale_test_scales_are_derived_from_S():
    from vggviz.inference.dense import fixed_scales

    assert fixed_scales(256) == (224, 256, 288) and fixed_scales(384) == (352, 384, 416)
    assert fixed_scales(300) == (268, 300, 332)
    assert fixed_scales(240) == (240, 272)                 # 208 is below 224: left out
    assert fixed_scales(73, grid=2) == (64, 73, 82)        # the mini family: a 9 px step


def test_flip_averaging_is_the_mean_of_the_two_passes(vgg11):
    img = picture(300, 256, seed=7)
    both = dense_scores(vgg11, img, 256, flip=True)
    plain = dense_scores(vgg11, img, 256)
    mirror = dense_scores(vgg11, img.transpose(Image.Transpose.FLIP_LEFT_RIGHT), 256)
    np.testing.assert_allclose(both.mean_probs, (plain.mean_probs + mirror.mean_probs) / 2, atol=1e-6)
    np.testing.assert_allclose(both.pooled_probs, (plain.pooled_probs + mirror.pooled_probs) / 2, atol=1e-6)
    assert both.flip and np.array_equal(both.prob_map, plain.prob_map)    # the map stays the image's
    assert not np.allclose(plain.mean_probs, mirror.mean_probs, atol=1e-7)   # the mirror differs


def test_pooled_averaging_is_the_softmax_of_the_mean_score(vgg11):
    """The paper's spatial averaging: class scores averaged over the map, then soft-max;
    against an explicit computation, and different from the soft-max averaged per position."""
    from vggviz.inference.dense import POOLED, POSITIONS

    img = picture(320, 256, seed=5)
    r = dense_scores(vgg11, img, 256)
    with torch.no_grad():
        logits = to_fully_conv(vgg11.model)(dense_input(vgg11, img, 256))[0]     # (classes, h, w)
    assert logits.shape[1:] == (2, 4)
    pooled = torch.softmax(logits.sum(dim=(1, 2)) / 8, 0).numpy()            # sum-pooled ÷ positions
    per_position = torch.softmax(logits, 0).mean(dim=(1, 2)).numpy()
    np.testing.assert_allclose(r.probs(POOLED), pooled, atol=1e-6)
    np.testing.assert_allclose(r.probs(POSITIONS), per_position, atol=1e-6)
    assert np.abs(pooled / per_position - 1).max() > 1e-5     # (random weights: close to uniform)
    ms = multi_scale(vgg11, img, (224, 256), averaging=POOLED)
    np.testing.assert_allclose(ms.mean_probs, (ms[0].pooled_probs + ms[1].pooled_probs) / 2, atol=1e-7)


def test_multi_crop_averages_the_crops_softmax(vgg11):
    from vggviz.inference.dense import average_posteriors, crop_boxes, multi_crop

    assert crop_boxes(300, 256, 224, 2) == [(0, 0, 224, 224), (76, 0, 300, 224), (0, 32, 224, 256), (76, 32, 300, 256)]
    assert crop_boxes(256, 256, 224, 1) == [(16, 16, 240, 240)]
    assert len(crop_boxes(512, 512, 224, 5)) == 25
    img = picture(300, 256, seed=2)
    r = multi_crop(vgg11, img, 256, grid=2, flip=True)
    assert r.crops == 8 and len(r.boxes) == 4
    x = dense_input(vgg11, img, 256)
    crops = torch.cat([x[:, :, t:b, left:rr] for left, t, rr, b in r.boxes])
    crops = torch.cat([crops, torch.flip(crops, dims=[3])])
    with torch.no_grad():
        expected = torch.softmax(vgg11.model(crops), 1).mean(0).numpy()
    np.testing.assert_allclose(r.mean_probs, expected, atol=1e-6)
    # multi-crop and dense combined: the mean of the two posteriors
    d = dense_scores(vgg11, img, 256)
    np.testing.assert_allclose(average_posteriors([r.mean_probs, d.mean_probs]),
                               (r.mean_probs + d.mean_probs) / 2, atol=1e-7)
    with pytest.raises(DenseSizeError):
        multi_crop(vgg11, img, 256, grid=6)
