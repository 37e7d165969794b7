"""One forward pass per image: predictions, preprocessing, every feature map, thread safety."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import torch
from PIL import Image

from vggviz.data.images import load_image_file, sample_images
from vggviz.inference import analysis as an
from vggviz.model.layers import named_layers, walk
from vggviz.model.summary import summarize


def noise_image(seed: int, size=(320, 240)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8), "RGB")


def assert_model_untouched(model: torch.nn.Module) -> None:
    for name, m in model.named_modules():
        for attr in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks",
                     "_backward_pre_hooks", "_forward_hooks_with_kwargs"):
            assert not getattr(m, attr), f"{name or 'model'}.{attr} not empty"
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())


@pytest.fixture(scope="module")
def cat():
    return load_image_file(sample_images()["Cat"])


@pytest.fixture(scope="module")
def res(vgg11, cat):
    return an.analyze(vgg11, cat)


def reference_input(vgg11, cat) -> torch.Tensor:
    return vgg11.transforms(cat.image).unsqueeze(0)


# --------------------------------------------------------------------------- predictions


def test_probabilities_and_top_k(vgg11, res, cat):
    assert res.probs.shape == (1000,) and res.probs.dtype == np.float32
    assert res.probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert len(res.top) == 5
    probs = [p.prob for p in res.top]
    assert probs == sorted(probs, reverse=True)
    assert res.top[0].index == int(np.argmax(res.probs))
    for p in res.top:
        assert p.label == vgg11.categories[p.index] and p.prob == pytest.approx(float(res.probs[p.index]))
    assert (res.variant, res.source, res.device, res.digest) == ("vgg11", "random", "cpu", cat.digest)
    assert res.seconds > 0
    # the same logits as the plain model
    with torch.inference_mode():
        ref = torch.softmax(vgg11.model(reference_input(vgg11, cat))[0], 0).numpy()
    np.testing.assert_allclose(res.probs, ref, rtol=1e-5, atol=1e-7)
    assert len(an.analyze(vgg11, cat, topk=3).top) == 3
    assert an.predict(vgg11, cat, topk=2) == res.top[:2]


# --------------------------------------------------------------------------- preprocessing


@pytest.mark.parametrize("size", [(451, 300), (300, 451), (256, 256), (40, 33)])
def test_preprocessing_stages_match_the_weights_transforms(vgg11, size):
    img = noise_image(sum(size), size)
    pre = an.preprocess(vgg11, img)
    st = pre.stages
    assert set(st) == {"original", "resized", "cropped", "normalised"}
    assert st["original"].size == size
    assert min(st["resized"].size) == 256
    assert st["cropped"].size == (224, 224) and st["normalised"].size == (224, 224)
    assert pre.tensor.shape == (1, 3, 224, 224) and pre.tensor.dtype == torch.float32
    assert torch.equal(pre.tensor, vgg11.transforms(img).unsqueeze(0))
    # the crop box, in original pixels: centred, and 224/256 of the short side
    left, top, right, bottom = pre.crop_box
    w, h = size
    short = min(w, h)
    assert right - left == pytest.approx(224 * short / 256, abs=1.5)
    assert bottom - top == pytest.approx(224 * short / 256, abs=1.5)
    assert (left + right) / 2 == pytest.approx(w / 2, abs=1.5)
    assert (top + bottom) / 2 == pytest.approx(h / 2, abs=1.5)
    # cutting the original at the box and scaling to 224 gives (nearly) the model's crop
    again = np.asarray(img.crop(pre.crop_box).resize((224, 224), Image.BILINEAR), np.float32)
    if short >= 256:
        assert np.abs(again - np.asarray(st["cropped"], np.float32)).mean() < 40   # noise: loose
    # the normalised rendering: the ImageNet mean is mid-grey
    grey = Image.new("RGB", size, tuple(round(255 * m) for m in vgg11.transforms.mean))
    mid = np.asarray(an.preprocess(vgg11, grey).stages["normalised"])
    assert np.abs(mid.astype(int) - 128).max() <= 2


def test_non_rgb_pil_images_are_converted(vgg11):
    grey = noise_image(5).convert("L")
    res = an.analyze(vgg11, grey)
    assert res.preprocessed.stages["original"].mode == "RGB"
    assert res.digest == an.analyze(vgg11, grey).digest
    assert res.digest != an.analyze(vgg11, noise_image(6).convert("L")).digest


# --------------------------------------------------------------------------- activations


def test_every_spatial_layer_has_the_summary_shape(res):
    rows = [r for r in summarize("vgg11", 224).rows if r.block <= 5 or r.type == "AdaptiveAvgPool"]
    assert res.layer_names() == [r.name for r in rows]
    for r in rows:
        a = res.activation(r.name)
        assert a.shape == tuple(r.out_shape), r.name
        assert a.dtype == np.float32
    # stored: no ReLUs (derived), blocks 1-3 float16, deeper float32, all read-only
    assert not any(n.startswith("relu") for n in res.acts)
    for name, a in res.acts.items():
        block = next(r.block for r in rows if r.name == name)
        assert a.dtype == (np.float16 if block <= 3 else np.float32), name
        assert not a.flags.writeable
        with pytest.raises(ValueError):
            a[(0,) * a.ndim] = 1
    assert res.acts["avgpool"].dtype == np.float32
    # float32 maps are handed out as stored; converted ones are the caller's own copies
    assert res.activation("conv4_1") is res.acts["conv4_1"]
    mine = res.activation("conv1_1")
    mine[:] = 7
    assert not (res.acts["conv1_1"] == 7).all()
    assert (res.activation("relu4_1") >= 0).all() and res.activation("relu4_1") is not res.acts["conv4_1"]
    with pytest.raises(KeyError, match="fc6"):
        res.activation("fc6")


def test_activations_equal_walk_free_prefixes_of_the_model(vgg11, res, cat):
    """``model.features[:k+1](x)``: no walk, no hooks. Early blocks exactly as float16."""
    model = vgg11.model
    layers = named_layers(model)
    x = reference_input(vgg11, cat)
    with torch.inference_mode():
        for layer in layers:
            if not layer.spatial:
                continue
            if layer.kind == "avgpool":
                ref = model.avgpool(model.features(x))[0]
            else:
                ref = model.features[: layer.index + 1](x)[0]
            got = res.activation(layer.name)
            if layer.block <= 3:
                ref = ref.half().float()
            np.testing.assert_array_equal(got, ref.numpy(), err_msg=layer.name)
    assert res.activation("relu4_1").min() == 0 and res.activation("conv4_1").min() < 0


def test_derived_relu_equals_relu_captured_with_hooks(vgg11, res, cat):
    """A plain ``model(x)`` with forward hooks on every ReLU (copied at once, since VGG's ReLUs
    are in place) gives the same maps as the derived ``max(pre, 0)``."""
    model = vgg11.model
    captured, handles = {}, []
    relus = [layer for layer in named_layers(model) if layer.kind == "relu" and layer.spatial]
    try:
        for layer in relus:
            handles.append(layer.module.register_forward_hook(
                lambda m, i, o, name=layer.name: captured.__setitem__(name, o[0].clone())))
        with torch.no_grad():
            model(reference_input(vgg11, cat))
    finally:
        for h in handles:
            h.remove()
    assert_model_untouched(model)
    assert set(captured) == {layer.name for layer in relus}
    for layer in relus:
        ref = captured[layer.name]
        if layer.block <= 3:
            ref = ref.half().float()
        np.testing.assert_array_equal(res.activation(layer.name), ref.numpy(), err_msg=layer.name)


# --------------------------------------------------------------------------- sharing


def test_sixteen_threads_on_one_model_give_the_single_threaded_results(vgg11):
    images = [noise_image(100 + i, (224 + 8 * i, 224)) for i in range(16)]
    single = [an.analyze(vgg11, im) for im in images]
    barrier = threading.Barrier(16)

    def run(im):
        barrier.wait()
        return an.analyze(vgg11, im)

    with ThreadPoolExecutor(max_workers=16) as pool:
        multi = list(pool.map(run, images))
    assert len({r.digest for r in multi}) == 16
    for a, b in zip(single, multi, strict=True):
        assert a.digest == b.digest
        np.testing.assert_array_equal(a.probs, b.probs)
        assert a.top == b.top
        assert a.acts.keys() == b.acts.keys()
        for name in a.acts:
            np.testing.assert_array_equal(a.acts[name], b.acts[name], err_msg=name)
    assert_model_untouched(vgg11.model)


def test_model_untouched_after_an_exception_mid_pass(vgg11, res, cat, monkeypatch):
    real = an._keep

    def failing(layer, out, **kw):
        if layer.name == "conv3_1":
            raise RuntimeError("boom in the middle of the pass")
        return real(layer, out, **kw)

    monkeypatch.setattr(an, "_keep", failing)
    with pytest.raises(RuntimeError, match="boom"):
        an.analyze(vgg11, cat)
    monkeypatch.setattr(an, "_keep", real)
    assert_model_untouched(vgg11.model)
    again = an.analyze(vgg11, cat)
    np.testing.assert_array_equal(again.probs, res.probs)


def test_walk_with_a_raising_callback_leaves_no_trace(vgg11, cat):
    def on_output(layer, out):
        if layer.name == "pool2":
            raise ValueError("callback failed")

    with pytest.raises(ValueError), torch.inference_mode():
        walk(vgg11.model, reference_input(vgg11, cat), on_output)
    assert_model_untouched(vgg11.model)


def test_conv_weights_are_read_only_copies_of_the_parameters(vgg11):
    w = an.conv_weights(vgg11)
    convs = [layer for layer in named_layers(vgg11.model) if layer.kind == "conv"]
    assert list(w) == [layer.name for layer in convs]
    for layer in convs:
        a = w[layer.name]
        np.testing.assert_array_equal(a, layer.module.weight.detach().numpy())
        assert not a.flags.writeable
    assert layer.module.weight.detach().numpy().flags.writeable     # the model's own stays as it was


def test_a_batched_pass_splits_back_to_each_images_own_analysis(vgg16_mini):
    """Micro-batching: three images in one pass give each image what its own pass gives (its
    classes, probabilities and maps), in the order given; the maps are each image's own memory."""
    from vggviz.data.shapes import sample

    images = [sample(7, i)[0] for i in (0, 3, 5)]
    batch = an.analyze_batch(vgg16_mini, images, topk=3)
    assert an.analyze_batch(vgg16_mini, []) == []
    assert [b.batch for b in batch] == [3, 3, 3]
    for img, b in zip(images, batch, strict=True):
        one = an.analyze(vgg16_mini, img, topk=3)
        assert one.batch == 1 and b.digest == one.digest
        assert [p.index for p in b.top] == [p.index for p in one.top]
        np.testing.assert_allclose(b.probs, one.probs, atol=1e-5)
        for name in one.acts:
            assert b.acts[name].shape == one.acts[name].shape
            np.testing.assert_allclose(b.acts[name], one.acts[name], atol=1e-4)
            assert b._cpu[name].untyped_storage().nbytes() == b._cpu[name].nbytes   # not a view of the batch
    assert len({b.digest for b in batch}) == 3
