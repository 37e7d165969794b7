"""Grad-CAM checked against answers known in advance: a hand-computed map, a small VGG trained
here to find a bright square, captum's own LayerGradCam on the whole model, and the same maps
computed from 16 threads at once on one shared model."""

from __future__ import annotations

import contextlib
import copy
import re
import threading

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torchvision.models.vgg import VGG
from torchvision.transforms._presets import ImageClassification

from vggviz import attribution as A
from vggviz.analysis import analyze
from vggviz.images import load_image_file, sample_images
from vggviz.layers import UnknownLayer, find_layer, named_layers
from vggviz.variants import make_features
from vggviz.weights import LoadedModel

HOOK_DICTS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks")


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


# --------------------------------------------------------------------------- hand-computed


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
    with pytest.raises(UnknownLayer, match="no spatial map"):
        A.gradcam(loaded, res, "fc6")
    with pytest.raises(UnknownLayer, match="unknown layer"):
        A.gradcam(loaded, res, "conv9_9")
    with pytest.raises(A.UnknownTarget, match="from 0 to 1"):
        A.gradcam(loaded, res, "conv1_1", target=2)
    assert A.gradcam_layers(vgg11)[0] == "conv1_1" and A.gradcam_layers(vgg11)[-1] == "pool5"
    assert A.default_layer(vgg11) == "conv5_2"


# --------------------------------------------------------------------------- trained: a square on noise

SIZE, SQ = 48, 8


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


@pytest.fixture(scope="module")
def square_net():
    with one_thread():
        return train_square_net()


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
        for epoch in range(2):
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
        for img, (l, t, r, b) in zip(imgs, boxes):
            res = analyze(loaded, Image.fromarray(img))
            said_square += res.top[0].label == "square"
            cam = A.gradcam(loaded, res, None, target=target)
            heat = cam.image_map(res.preprocessed.crop_box, (SIZE, SIZE))
            y, x = np.unravel_index(np.argmax(heat), heat.shape)
            hits += l <= x < r and t <= y < b
    return hits, said_square


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


# --------------------------------------------------------------------------- against captum on the whole model


@pytest.fixture(scope="module")
def cat11(vgg11):
    return analyze(vgg11, load_image_file(sample_images()["Cat"]))


@pytest.mark.parametrize("layer", ["conv5_2", "relu5_2", "pool5", "conv4_1", "pool4", "relu3_2"])
def test_tail_equals_captum_on_whole_model(vgg11, cat11, layer):
    """Grad-CAM from the cached activation through the tail = captum's LayerGradCam(model,
    layer) on the whole model from the image (blocks 4–5 from the float32 cache; block 3
    from the recomputed float32 activation)."""
    from captum.attr import LayerGradCam

    module = find_layer(named_layers(vgg11.model), layer).module
    for target in (281, cat11.top[0].index, 1, 2, 3):   # random weights: some maps are all zero
        with A.attribution_mode(vgg11):      # lock + cleanup: captum hooks the shared layer here
            ref = LayerGradCam(vgg11.model, module).attribute(
                cat11.preprocessed.tensor.clone(), target=target, relu_attributions=True)[0, 0].detach()
        if ref.max() > 0:
            break
    assert ref.max() > 0
    cam = A.gradcam(vgg11, cat11, layer, target)
    np.testing.assert_allclose(cam.raw_max, float(ref.max()), rtol=1e-5)
    np.testing.assert_allclose(cam.layer_map, (ref / ref.max()).numpy(), atol=1e-5)
    assert not hooks_left(vgg11.model)


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
    l, t, r, b = box
    outside = np.ones_like(heat, bool)
    outside[t:b, l:r] = False
    assert not heat[outside].any()
    assert 0 <= heat.min() and heat.max() <= 1 and heat[t:b, l:r].max() > 0.9


def test_compare_methods(square_net):
    loaded, _ = square_net
    rng = np.random.default_rng(3)
    imgs, boxes = square_images(1, rng, np.ones(1, bool))
    res = analyze(loaded, Image.fromarray(imgs[0]))
    before = state_of(loaded.model)
    maps = A.compare_methods(loaded, res, target=1, methods=A.DEFAULT_METHODS + ("Integrated Gradients",))
    assert list(maps) == ["Grad-CAM", "Guided Grad-CAM", "Saliency", "Integrated Gradients"]
    for name, m in maps.items():
        assert m.shape == (SIZE, SIZE) and m.dtype == np.float32, name
        assert 0 <= m.min() and m.max() <= 1 and m.max() > 0, name
        assert set(A.METHOD_NOTES) >= {name}
    # Guided Grad-CAM is zero where Grad-CAM is zero, and (like Grad-CAM) is about the square
    assert not maps["Guided Grad-CAM"][maps["Grad-CAM"] == 0].any()
    l, t, r, b = boxes[0]
    for name in ("Grad-CAM", "Guided Grad-CAM"):
        y, x = np.unravel_index(np.argmax(maps[name]), maps[name].shape)
        assert l - 2 <= x < r + 2 and t - 2 <= y < b + 2, name
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)


# --------------------------------------------------------------------------- threads and cleanup


def test_attribution_mode_restores_after_success_and_exception(vgg11):
    model = vgg11.model
    before = state_of(model)
    relu = next(m for m in model.modules() if isinstance(m, nn.ReLU))
    handles = []
    # hooks left behind by a block that raised nothing: an error (they are counted, read-only;
    # whoever registered them removes them through their handles)
    try:
        with pytest.raises(RuntimeError, match="2 hook"):
            with A.attribution_mode(vgg11) as net:
                model.train()
                next(model.parameters()).requires_grad_(True)
                relu.inplace = False
                handles.append(relu.register_forward_hook(lambda *a: None))
                handles.append(net.entry.register_forward_pre_hook(lambda *a: None))
        assert state_of(model) == before                   # mode, requires_grad, inplace: restored
    finally:
        for h in handles:
            h.remove()
    assert not hooks_left(model)
    # an exception inside the block propagates unchanged, and everything is restored
    handles.clear()
    try:
        with pytest.raises(KeyError, match="boom"):
            with A.attribution_mode(vgg11):
                handles.append(model.features[0].register_full_backward_hook(lambda *a: None))
                model.train()
                raise KeyError("boom")
    finally:
        for h in handles:
            h.remove()
    assert state_of(model) == before and not hooks_left(model)
    assert all(m.inplace for m in model.modules() if isinstance(m, nn.ReLU))
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.training
    # and a clean block is fine; the lock is released afterwards
    with A.attribution_mode(vgg11) as net:
        assert vgg11.lock._is_owned()
        assert all(not m.inplace for m in net.own_modules() if isinstance(m, nn.ReLU))
    assert vgg11.lock.acquire(blocking=False)
    vgg11.lock.release()


def test_no_module_edits_a_hook_dict():
    """Hooks are removed through their handles, never by editing a module's hook dicts."""
    from pathlib import Path

    import vggviz

    for path in Path(vggviz.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "_is_full_backward_hook" not in text, path
        assert not re.search(r"del\s+[\w.]*hooks\[", text), path
        assert not re.search(r"_(forward|backward)(_pre)?_hooks\s*(\[[^\]]*\]\s*=|=|\.(pop|clear|popitem))", text), path


def test_hooking_the_shared_model_would_break_concurrent_analyses():
    """Why attribution never hooks the shared model: captum's GuidedBackprop hooks every ReLU,
    and a lock-free analysis running meanwhile in another session then fails."""
    from captum._utils.common import _register_backward_hook

    loaded = tiny_loaded(hand_model(), Pixels)
    img = Image.new("RGB", (4, 4), (100, 0, 0))
    relu = loaded.model.features[1]
    handles = _register_backward_hook(relu, lambda *a: None, None)
    try:
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            analyze(loaded, img)
    finally:
        for h in handles:
            h.remove()
    # whereas analyses during our Guided Grad-CAM are untouched (the hooks are on the chain)
    with A.attribution_mode(loaded) as net:
        from captum.attr import GuidedBackprop
        gb = GuidedBackprop(net)
        net.apply(gb._register_hooks)            # what gb.attribute() does for its duration
        try:
            assert analyze(loaded, img).top
        finally:
            gb._remove_hooks()
    assert not hooks_left(loaded.model)


def test_threads_share_one_model(vgg11):
    """16 threads of Grad-CAM (different images, layers and targets), one of Guided Grad-CAM
    and one lock-free analysis, all started at once on one model: every answer equals the
    single-threaded one, and the model is left as it was."""
    samples = sample_images()
    res = [analyze(vgg11, load_image_file(p)) for p in list(samples.values())[:4]]
    jobs = [(i % len(res), ["conv5_2", "relu5_1", "pool5", "conv4_2"][i % 4], [None, 1, 281, 999][(i // 4) % 4])
            for i in range(16)]
    single = [A.gradcam(vgg11, res[r], layer, target).layer_map for r, layer, target in jobs]
    guided_single = A.compare_methods(vgg11, res[0], 281)
    before = state_of(vgg11.model)

    start = threading.Barrier(len(jobs) + 2)
    out: dict = {}
    errors: list = []

    def run(key, fn):
        try:
            start.wait()
            out[key] = fn()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((key, e))

    threads = [threading.Thread(target=run, args=(i, lambda j=job: A.gradcam(vgg11, res[j[0]], j[1], j[2]).layer_map))
               for i, job in enumerate(jobs)]
    threads.append(threading.Thread(target=run, args=("guided", lambda: A.compare_methods(vgg11, res[0], 281))))
    threads.append(threading.Thread(target=run, args=("analysis", lambda: analyze(vgg11, load_image_file(samples["Cat"])))))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    for i in range(len(jobs)):
        np.testing.assert_allclose(out[i], single[i], atol=1e-6, err_msg=str(jobs[i]))
    for name, m in guided_single.items():
        np.testing.assert_allclose(out["guided"][name], m, atol=1e-6, err_msg=name)
    np.testing.assert_array_equal(out["analysis"].probs, analyze(vgg11, load_image_file(samples["Cat"])).probs)
    assert state_of(vgg11.model) == before and not hooks_left(vgg11.model)


# --------------------------------------------------------------------------- occlusion


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
        for img, (l, t, r, b) in zip(imgs, boxes):
            o = A.occlusion(loaded, analyze(loaded, Image.fromarray(img)), target=1, patch=8, stride=4)
            y, x = np.unravel_index(np.argmax(o.raw), o.raw.shape)
            assert l - 4 <= x < r + 4 and t - 4 <= y < b + 4


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
    with pytest.raises(A.UnknownTarget):
        A.occlusion(loaded, res, target=2)


# --------------------------------------------------------------------------- the family: registry and oracles


def test_every_method_is_registered_once_with_a_note_and_a_cli_name():
    assert A.METHODS[:2] == ("Grad-CAM", "Grad-CAM++") and len(set(A.METHODS)) == len(A.METHODS)
    assert set(A.METHOD_NOTES) == set(A.METHODS) and all(A.METHOD_NOTES.values())
    for name in A.METHODS:
        assert A.resolve_method(A.method_slug(name)) == name == A.resolve_method(name.upper())
        assert A.uses_layer(name) == (name in A.CAM_METHODS or A.PIXEL_METHODS[name].times_cam)
    assert A.method_slug("Integrated Gradients") == "integrated-gradients"
    with pytest.raises(ValueError, match="unknown method"):
        A.resolve_method("lime")
    assert A.DEFAULT_METHODS == ("Guided Grad-CAM", "Saliency")
    assert A.method_passes("Grad-CAM++", 224) == 0 and A.method_passes("Occlusion", 224) == 170
    for name, m in A.PIXEL_METHODS.items():
        import captum.attr

        assert hasattr(captum.attr, m.captum) and (m.wrap is None or hasattr(captum.attr, m.wrap)), name


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


@pytest.fixture(scope="module")
def star16(vgg16_mini):
    import io

    from vggviz.images import load_image
    from vggviz.shapes import draw_plain

    buf = io.BytesIO()
    draw_plain("star").save(buf, "PNG")
    return analyze(vgg16_mini, load_image(buf.getvalue(), "star.png"))


def _reference_model(loaded):
    """The same weights with out-of-place ReLUs, for captum on the whole model."""
    ref = copy.deepcopy(loaded.model).eval()
    for m in ref.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    return ref


@pytest.mark.parametrize("layer", ["conv4_3", "relu3_3", "pool4"])
def test_grad_cam_plus_plus_equals_the_formula_on_captums_gradients(vgg16_mini, star16, layer):
    """Grad-CAM++ from the cached activation through the tail = pytorch-grad-cam's formula
    applied to the activations and gradients captum takes on the whole model from the image."""
    from captum._utils.gradient import compute_layer_gradients_and_eval

    ref = _reference_model(vgg16_mini)
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


@pytest.mark.parametrize("name", [n for n, m in A.PIXEL_METHODS.items() if m.passes is not None])
def test_pixel_method_equals_captum_on_the_whole_model(vgg16_mini, star16, name):
    """Each gradient method of the registry, on the shared model through its chain, equals its
    captum class run on the whole model (same weights, out-of-place ReLUs), and leaves the
    shared model as it was; Guided Grad-CAM's factor is captum's LayerGradCam, upsampled."""
    import captum.attr
    import torch.nn.functional as F

    loaded, m = vgg16_mini, A.PIXEL_METHODS[name]
    before = state_of(loaded.model)
    target = star16.top[0].index
    rng = torch.random.get_rng_state()
    got = A.method_map(loaded, star16, name, target)
    assert torch.equal(torch.random.get_rng_state(), rng)            # seeded noise: the global RNG is untouched
    assert state_of(loaded.model) == before and not hooks_left(loaded.model)
    assert got.shape == (64, 64) and got.dtype == np.float32 and got.max() > 0

    ref_model = _reference_model(loaded)
    x = star16.preprocessed.tensor.clone().requires_grad_(True)
    method = getattr(captum.attr, m.captum)(ref_model)
    if m.wrap:
        method = getattr(captum.attr, m.wrap)(method)
    kwargs = {k: (v(x.detach()) if callable(v) else v) for k, v in m.kwargs.items()}
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        ref = method.attribute(x, target=target, **kwargs).detach()
    if m.times_cam:
        module = find_layer(named_layers(ref_model), A.default_layer(loaded)).module
        cam = captum.attr.LayerGradCam(ref_model, module).attribute(
            x, target=target, relu_attributions=True).detach()
        cam = F.interpolate(cam / cam.max(), size=(64, 64), mode="bilinear", align_corners=False).clamp(0, 1)
        ref = ref * cam[0, 0]
    np.testing.assert_allclose(got, A.pixel_map(ref), atol=1e-3)
    assert A.method_passes(name, 64) == m.passes


def test_smoothgrad_is_seeded_and_smoother_than_saliency(vgg16_mini, star16):
    a = A.method_map(vgg16_mini, star16, "SmoothGrad")
    b = A.method_map(vgg16_mini, star16, "SmoothGrad")
    np.testing.assert_array_equal(a, b)
    sal = A.method_map(vgg16_mini, star16, "Saliency")

    def neighbours(m):      # how alike horizontally neighbouring pixels are (lag-1 correlation)
        return float(np.corrcoef(m[:, :-1].ravel(), m[:, 1:].ravel())[0, 1])

    # averaging over noise: the map is smoother than the plain gradient
    assert neighbours(a) > neighbours(sal) + 0.05, (neighbours(a), neighbours(sal))
