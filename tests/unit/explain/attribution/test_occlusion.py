"""vggviz.explain.attribution.occlusion: the occlusion map hand-computed and equal to captum's Occlusion,
finding the square, on a mini model, and bad patch/stride/baseline refused."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from attribution_support import Pixels, hand_model, hooks_left, one_thread, square_images, state_of, tiny_loaded
from PIL import Image
from torch import nn

from vggviz.data.images import load_image_file, sample_images
from vggviz.explain import attribution as A
from vggviz.inference.analysis import analyze


def test_occlusion_map_hand_computed():
    """score = Σ of channel 0 over the top-left 2×2 of a 4×4 image of ones; a 2×2 grey patch
    at stride 1 (3×3 positions). The patch at (i, j) hides a_i·a_j of those four pixels,
    a = [2, 1, 0]; pixel (r, c) averages the patches covering it: b_r·b_c, b = [2, 1.5, .5, 0]."""
    def score(x):
        return x[:, 0, :2, :2].sum(dim=(1, 2))[:, None]

    calls = []
    m, base = A.occlusion_map(score, torch.ones(1, 3, 4, 4), 0, patch=2, stride=1, batch=3,
                              progress=lambda d, t: calls.append((d, t)))
    expected = np.array([[4, 3, 1, 0],
                         [3, 2.25, 0.75, 0],
                         [1, 0.75, 0.25, 0],
                         [0, 0, 0, 0]], np.float32)
    assert m.dtype == np.float32 and base == 4.0
    np.testing.assert_array_equal(m, expected)
    assert calls == [(0, 10), (3, 10), (6, 10), (9, 10), (10, 10)]     # 9 positions + the unoccluded image
    # a stride that does not divide: 5 px, patch 2, stride 2 → starts 0, 2, 4 (the last one 1 px wide)
    m, _ = A.occlusion_map(lambda x: x[:, 0, 4:, 4:].sum(dim=(1, 2))[:, None], torch.ones(1, 1, 5, 5), 0,
                           patch=2, stride=2, batch=100)
    expected = np.zeros((5, 5), np.float32)
    expected[4, 4] = 1.0          # only the corner patch hides pixel (4, 4), and only that patch covers it
    np.testing.assert_array_equal(m, expected)
    # a score that hiding RAISES: the map is negative (signed); a per-channel baseline (channel 0: −1)
    m, base = A.occlusion_map(lambda x: -x[:, 0, :2, :2].sum(dim=(1, 2))[:, None], torch.zeros(1, 3, 4, 4), 0,
                              patch=4, stride=4, baseline=torch.tensor([-1.0, 5.0, 5.0]))
    assert base == 0.0
    np.testing.assert_array_equal(m, np.full((4, 4), -4.0, np.float32))


@pytest.mark.parametrize("patch,stride", [(2, 2), (3, 2), (4, 3), (11, 5), (1, 1)])
def test_occlusion_map_equals_captum(patch, stride):
    from captum.attr import Occlusion

    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 9 * 9, 3)).eval()
    x = torch.randn(1, 3, 11, 11)
    with torch.no_grad():
        m, _ = A.occlusion_map(net, x, 1, patch, stride, baseline=0.0, batch=7)
        ref = Occlusion(net).attribute(x, sliding_window_shapes=(3, patch, patch), strides=(3, stride, stride),
                                       baselines=0.0, target=1)
    np.testing.assert_allclose(m, ref[0, 0].numpy(), atol=1e-5)


def test_occlusion_of_the_hand_model():
    """Through the model API: class a's logit is 5·mean(r), so a 2×2 patch of the mean colour
    (here 0) at stride 2 drops it by 5·Σ_block r / 16 over each block; class b's logit is
    −mean(r): hiding raises it, the signed map is the negative and the display map is zero."""
    loaded = tiny_loaded(hand_model(), Pixels)
    red = np.arange(10, 170, 10, dtype=np.uint8).reshape(4, 4)
    pix = np.zeros((4, 4, 3), np.uint8)
    pix[..., 0] = red
    res = analyze(loaded, Image.fromarray(pix))
    r = red.astype(np.float64) / 255
    blocks = r.reshape(2, 2, 2, 2).sum(axis=(1, 3))                 # Σ r over each 2×2 block
    per_pixel = np.kron(blocks, np.ones((2, 2)))
    o = A.occlusion(loaded, res, target=0, patch=2, stride=2)
    assert (o.target, o.label, o.patch, o.stride, o.passes, o.baseline) == (0, "a", 2, 2, 5, "mean")
    assert o.score == pytest.approx(5 * r.mean(), rel=1e-5)
    np.testing.assert_allclose(o.raw, 5 * per_pixel / 16, rtol=1e-5)
    np.testing.assert_allclose(o.crop_map, per_pixel / per_pixel.max(), rtol=1e-5)
    b = A.occlusion(loaded, res, target=1, patch=2, stride=2)
    np.testing.assert_allclose(b.raw, -per_pixel / 16, rtol=1e-5)
    assert b.raw_max < 0 and not b.crop_map.any()


def test_occlusion_finds_the_square(square_net):
    loaded, _ = square_net
    rng = np.random.default_rng(5)
    imgs, boxes = square_images(3, rng, np.ones(3, bool))
    with one_thread():
        for img, (left, t, r, b) in zip(imgs, boxes, strict=True):
            o = A.occlusion(loaded, analyze(loaded, Image.fromarray(img)), target=1, patch=8, stride=4)
            y, x = np.unravel_index(np.argmax(o.raw), o.raw.shape)
            assert left - 4 <= x < r + 4 and t - 4 <= y < b + 4


def test_occlusion_on_a_mini_model(vgg16_mini):
    from captum.attr import Occlusion

    loaded = vgg16_mini
    res = analyze(loaded, load_image_file(sample_images()["Cat"]))
    before = state_of(loaded.model)
    assert A.occlusion_defaults(64) == (9, 4) and A.occlusion_defaults(224) == (32, 16)
    calls = []

    def progress(done, total):
        assert not loaded.lock._is_owned()       # the lock is held per batch, not between batches
        calls.append((done, total))

    o = A.occlusion(loaded, res, progress=progress)
    assert (o.patch, o.stride, o.target) == (9, 4, res.top[0].index)
    total = A.occlusion_passes(64, 9, 4)
    assert total == 15 * 15 + 1 == o.passes
    assert calls[0] == (0, total) and calls[-1] == (total, total) and len(calls) == 1 + -(-total // 16)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert o.raw.shape == o.crop_map.shape == (64, 64) and o.raw.dtype == o.crop_map.dtype == np.float32
    assert np.isfinite(o.raw).all() and 0 <= o.crop_map.min() and o.crop_map.max() == 1.0
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)
    # the same as captum's Occlusion on the whole model (float32 batches of another size)
    x = res.preprocessed.tensor
    ref = Occlusion(loaded.model).attribute(x, sliding_window_shapes=(3, 16, 16), strides=(3, 8, 8),
                                            baselines=0.0, target=2, perturbations_per_eval=5)
    o2 = A.occlusion(loaded, res, target=2, patch=16, stride=8, batch=32)
    np.testing.assert_allclose(o2.raw, ref[0, 0].numpy(), atol=1e-3 * max(1.0, float(ref.abs().max())))
    # in compare_methods, with its progress
    calls.clear()
    maps = A.compare_methods(loaded, res, target=2, occlusion=(16, 8), progress=progress)
    assert list(maps) == ["Grad-CAM", "Guided Grad-CAM", "Saliency", "Occlusion"]
    np.testing.assert_allclose(maps["Occlusion"], o2.crop_map, atol=1e-5)
    assert calls[-1] == (50, 50) and "Occlusion" in A.METHOD_NOTES
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)


def test_occlusion_bad_patch_stride_or_baseline():
    loaded = tiny_loaded(hand_model(), Pixels)
    res = analyze(loaded, Image.new("RGB", (4, 4), (100, 0, 0)))
    for kw, match in [
        ({"patch": 0}, "patch must be a whole number of pixels from 1 to 4, got 0"),
        ({"patch": 5}, "from 1 to 4, got 5"),
        ({"patch": 2.5}, "got 2.5"),
        ({"patch": True}, "got True"),
        ({"patch": 2, "stride": 0}, "stride must be a whole number of pixels from 1 to the patch size \\(2\\), got 0"),
        ({"patch": 2, "stride": 3}, "patch size \\(2\\), got 3"),
        ({"patch": 2, "stride": "1"}, "got '1'"),
        ({"baseline": "blue"}, "baseline must be one of mean, black, got 'blue'"),
    ]:
        with pytest.raises(ValueError, match=match) as e:
            A.occlusion(loaded, res, **kw)
        assert "\n" not in str(e.value), kw
    with pytest.raises(ValueError, match="from 1 to the patch size"):
        A.occlusion_passes(224, 8, 9)
    with pytest.raises(A.UnknownTargetError):
        A.occlusion(loaded, res, target=2)
