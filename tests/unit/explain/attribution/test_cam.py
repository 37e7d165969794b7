"""vggviz.explain.attribution.cam: Grad-CAM and Grad-CAM++ on one base (a hand-computed map, a small VGG trained
here to find a bright square, captum's own gradients on the whole model), the depth sweep on the
same formula, the maps placed back in the image, and bad layers and targets refused."""

from __future__ import annotations

import numpy as np
import pytest
from attribution_support import Pixels, hand_model, one_thread, reference_model, square_hits, square_images, tiny_loaded
from PIL import Image

from vggviz.explain import attribution as A
from vggviz.inference.analysis import analyze
from vggviz.model.layers import UnknownLayerError, find_layer, named_layers


def test_hand_computed_map():
    loaded = tiny_loaded(hand_model(), Pixels)
    red = np.arange(10, 170, 10, dtype=np.uint8).reshape(4, 4)
    pix = np.zeros((4, 4, 3), np.uint8)
    pix[..., 0] = red
    res = analyze(loaded, Image.fromarray(pix))
    r = red.astype(np.float64) / 255
    # α_k = V[c, k] / 16 (every activation positive), A_k = w_k · r
    # class a: Σ_k α_k A_k = (3·1 + 1·2) r / 16 = 5 r / 16
    for layer in ("conv1_1", "relu1_1"):
        cam = A.gradcam(loaded, res, layer, target=0)
        assert cam.label == "a" and cam.layer == layer
        np.testing.assert_allclose(cam.layer_map, r / r.max(), atol=1e-6)
        assert cam.raw_max == pytest.approx(5 * r.max() / 16, rel=1e-5)
        assert cam.prob == pytest.approx(float(res.probs[0]))
    # class b: (1·1 − 1·2) r / 16 < 0 everywhere → ReLU → no positive evidence: all zero, stays zero
    cam = A.gradcam(loaded, res, "conv1_1", target=1)
    assert cam.raw_max == 0.0
    assert not cam.layer_map.any() and not cam.crop_map.any()
    assert not cam.image_map((0, 0, 4, 4), (4, 4)).any()


def test_bad_layer_and_target(vgg11):
    loaded = tiny_loaded(hand_model(), Pixels)
    res = analyze(loaded, Image.new("RGB", (4, 4), (100, 0, 0)))
    with pytest.raises(UnknownLayerError, match="no spatial map"):
        A.gradcam(loaded, res, "fc6")
    with pytest.raises(UnknownLayerError, match="unknown layer"):
        A.gradcam(loaded, res, "conv9_9")
    with pytest.raises(A.UnknownTargetError, match="from 0 to 1"):
        A.gradcam(loaded, res, "conv1_1", target=2)
    assert A.gradcam_layers(vgg11)[0] == "conv1_1" and A.gradcam_layers(vgg11)[-1] == "pool5"
    assert A.default_layer(vgg11) == "conv5_2"


def test_gradcam_finds_the_square(square_net):
    """On held-out images the trained net is right, and Grad-CAM of "square" at the last conv
    (conv3_1, 12×12) peaks inside the square's box on at least 90 % of them. The same net
    before training does not (so the test can fail)."""
    trained, untrained = square_net
    assert A.default_layer(trained) == "conv3_1"
    rng = np.random.default_rng(1)
    n = 100
    imgs, boxes = square_images(n, rng, np.ones(n, bool))
    noise, _ = square_images(50, rng, np.zeros(50, bool))
    hits, said_square = square_hits(trained, imgs, boxes)
    with one_thread():
        said_noise = sum(analyze(trained, Image.fromarray(img)).top[0].label == "noise" for img in noise)
    assert said_square + said_noise >= 0.95 * (n + 50), \
        f"the test net itself is not trained well: {said_square + said_noise}/{n + 50}"
    assert hits >= 0.9 * n, f"Grad-CAM peaked inside the square on {hits}/{n} images"
    control, _ = square_hits(untrained, imgs[:40], boxes[:40])
    assert control < 0.5 * 40, f"untrained control peaked inside the square on {control}/40 images"


def test_depth_sweep_equals_per_layer_gradcam(square_net):
    square_net, _ = square_net
    rng = np.random.default_rng(2)
    imgs, _ = square_images(1, rng, np.ones(1, bool))
    res = analyze(square_net, Image.fromarray(imgs[0]))
    sweep = A.depth_sweep(square_net, res, target=1)
    assert [c.layer for c in sweep] == ["relu1_1", "relu2_1", "relu3_1"]
    for cam in sweep:
        ref = A.gradcam(square_net, res, cam.layer, target=1)
        np.testing.assert_allclose(cam.layer_map, ref.layer_map, atol=1e-5)
        np.testing.assert_allclose(cam.crop_map, ref.crop_map, atol=1e-5)
        assert cam.raw_max == pytest.approx(ref.raw_max, rel=1e-4)


def test_crop_map_and_image_map(vgg11, cat11):
    cam = A.gradcam(vgg11, cat11)                      # default: last conv, top-1 class
    assert (cam.layer, cam.target) == ("conv5_2", cat11.top[0].index)
    assert cam.layer_map.shape == (14, 14) and cam.layer_map.dtype == np.float32
    assert cam.layer_map.max() == pytest.approx(1.0) and cam.layer_map.min() >= 0
    assert cam.crop_map.shape == (224, 224) and cam.crop_map.dtype == np.float32
    # the identity box gives the crop map back
    np.testing.assert_allclose(cam.image_map((0, 0, 224, 224), (224, 224)), cam.crop_map, atol=1e-6)
    # original coordinates: (H, W), zero outside the crop box, [0, 1] inside
    box = cat11.preprocessed.crop_box
    w, h = cat11.preprocessed.stages["original"].size
    heat = cam.image_map(box, (w, h))
    assert heat.shape == (h, w) and heat.dtype == np.float32
    left, t, r, b = box
    outside = np.ones_like(heat, bool)
    outside[t:b, left:r] = False
    assert not heat[outside].any()
    assert 0 <= heat.min() and heat.max() <= 1 and heat[t:b, left:r].max() > 0.9


def test_grad_cam_plus_plus_hand_computed():
    """The hand model at conv1_1: every gradient is g_k = V[c, k]/16 (all activations positive),
    A_k = w_k·r with w = (1, 2). Grad-CAM++: a = g²/(2g² + ΣA_k·g³) = 1/(2 + g·ΣA_k), so
    weight_k = 16·ReLU(g_k)/(2 + g_k·ΣA_k) (with the formula's ε = 1e-6). For class b (V = [1, −1]) the negative gradient of
    channel 2 is dropped: the map is channel 1's, where Grad-CAM's is zero."""
    loaded = tiny_loaded(hand_model(), Pixels)
    red = np.arange(10, 170, 10, dtype=np.uint8).reshape(4, 4)
    pix = np.zeros((4, 4, 3), np.uint8)
    pix[..., 0] = red
    res = analyze(loaded, Image.fromarray(pix))
    r = red.astype(np.float64) / 255
    w = np.array([1.0, 2.0])
    for target, v in ((0, np.array([3.0, 1.0])), (1, np.array([1.0, -1.0]))):
        g = v / 16
        weight = 16 * np.maximum(g, 0) * g ** 2 / (2 * g ** 2 + w * r.sum() * g ** 3 + 1e-6)   # eps as pytorch-grad-cam
        raw = np.maximum((weight[:, None, None] * w[:, None, None] * r).sum(axis=0), 0)
        c = A.cam(loaded, res, "Grad-CAM++", "conv1_1", target)
        assert c.method == "Grad-CAM++" and c.layer == "conv1_1"
        assert c.raw_max == pytest.approx(raw.max(), rel=1e-5)
        np.testing.assert_allclose(c.layer_map, raw / raw.max(), atol=1e-6)
    assert A.gradcam(loaded, res, "conv1_1", 1).raw_max == 0.0


@pytest.mark.parametrize("layer", ["conv4_3", "relu3_3", "pool4"])
def test_grad_cam_plus_plus_equals_the_formula_on_captums_gradients(vgg16_mini, star16, layer):
    """Grad-CAM++ from the cached activation through the tail = pytorch-grad-cam's formula
    applied to the activations and gradients captum takes on the whole model from the image."""
    from captum._utils.gradient import compute_layer_gradients_and_eval

    ref = reference_model(vgg16_mini)
    module = find_layer(named_layers(ref), layer).module
    target = star16.top[0].index
    x = star16.preprocessed.tensor.clone().requires_grad_(True)
    (grads,), (acts,) = compute_layer_gradients_and_eval(ref, module, (x,), target_ind=target)
    g, a = grads.detach().double().numpy(), acts.detach().double().numpy()
    g2, g3 = g ** 2, g ** 3
    aij = g2 / (2 * g2 + a.sum(axis=(2, 3), keepdims=True) * g3 + 1e-6)
    aij = np.where(g != 0, aij, 0)
    weights = (np.maximum(g, 0) * aij).sum(axis=(2, 3), keepdims=True)
    raw = np.maximum((weights * a).sum(axis=1)[0], 0)
    c = A.cam(vgg16_mini, star16, "Grad-CAM++", layer, target)
    assert raw.max() > 0
    np.testing.assert_allclose(c.raw_max, raw.max(), rtol=1e-4)
    np.testing.assert_allclose(c.layer_map, raw / raw.max(), atol=1e-4)
    # the depth sweep is the same base: one backward pass, the same maps
    sweep = A.depth_sweep(vgg16_mini, star16, target, "Grad-CAM++")
    one = A.cam(vgg16_mini, star16, "Grad-CAM++", sweep[2].layer, target)
    np.testing.assert_allclose(sweep[2].layer_map, one.layer_map, atol=1e-5)
