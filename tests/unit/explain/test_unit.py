"""One unit's arithmetic (vggviz.explain.unit) equals what the network computed, for conv, BN, ReLU,
pool and LRN units, full size (float16-stored blocks) and mini (all float32), and the CLI."""

import json

import numpy as np
import pytest
import torch

from vggviz.cli import main
from vggviz.data.images import load_image_file
from vggviz.explain.unit import UnitError, unit_arithmetic
from vggviz.inference.analysis import analyze
from vggviz.model.layers import find_layer, named_layers, walk
from vggviz.model.weights import load_model

SHAPE = "assets/samples/shapes_star.png"


@pytest.fixture(scope="module")
def image(root):
    return load_image_file(root / SHAPE)


def network_output(loaded, res, name):
    """The chosen layer's output as the network computes it, float32 (an independent walk;
    VGG's in-place ReLUs would overwrite a conv's output, so it is cloned as it appears)."""
    layers = named_layers(loaded.model)
    target = find_layer(layers, name)
    got = {}

    def keep(layer, out):
        if layer.index == target.index:
            got["x"] = out[0].detach().clone()

    with torch.inference_mode():
        walk(loaded.model, res.preprocessed.tensor, keep, stop=target.index + 1, layers=layers)
    return got["x"].numpy()


def check_units(loaded, res, layer, n=6, seed=0):
    out = network_output(loaded, res, layer)
    scale = max(1e-6, float(np.abs(out).max()))
    rng = np.random.default_rng(seed)
    c, h, w = out.shape
    units = [(0, 0, 0), (c - 1, h - 1, w - 1)] + [
        (int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))) for _ in range(n)]
    for ch, r, q in units:
        u = unit_arithmetic(loaded, res, layer, ch, r, q)
        assert abs(u.value - out[ch, r, q]) <= 1e-5 * scale, (layer, ch, r, q, u.value, out[ch, r, q])
        if u.terms is not None:
            assert u.pre_activation == pytest.approx(float(u.terms.sum()) + u.bias, abs=1e-9)
    return u


@pytest.mark.parametrize("variant,source,layers", [
    ("vgg16_mini", "shapes", ["conv1_1", "relu1_1", "conv2_2", "relu3_3", "pool3", "relu5_3", "pool5"]),
    ("vgg16_bn_mini", "random", ["conv1_1", "bn1_1", "relu2_1", "relu4_3"]),
    ("vgg16_c_mini", "random", ["conv3_3", "relu4_3", "relu5_3"]),          # C's 1×1 convs
    ("vgg11_lrn_mini", "random", ["lrn1", "conv2_1"]),
])
def test_arithmetic_equals_the_network_mini(variant, source, layers, image):
    loaded = load_model(variant, source, "cpu")
    res = analyze(loaded, image)
    for layer in layers:
        check_units(loaded, res, layer)


def test_arithmetic_equals_the_network_full_size_float16_blocks(vgg11, image):
    """Blocks 1–3 of the full-size analysis are stored as float16; the arithmetic still
    agrees with the float32 network (it recomputes those inputs once), the stored value only
    to float16 precision."""
    res = analyze(vgg11, image)
    assert res.acts["conv2_1"].dtype == np.float16
    for layer in ("conv1_1", "relu2_1", "pool2", "relu3_2", "relu5_2"):
        u = check_units(vgg11, res, layer, n=3)
        assert u.stored == pytest.approx(u.value, rel=5e-3, abs=1e-3 * max(1.0, abs(u.value)))
    assert vgg11.model.training is False
    assert not any(p.requires_grad for p in vgg11.model.parameters())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in vgg11.model.modules())


def test_conv_unit_parts(vgg16_mini, image):
    res = analyze(vgg16_mini, image)
    u = unit_arithmetic(vgg16_mini, res, "relu2_1", 3, 5, 6)
    assert (u.kind, u.unit_layer, u.input_layer) == ("conv", "conv2_1", "pool1")
    assert u.patch.shape == u.kernel.shape == (8, 3, 3) and u.terms.shape == (8,)
    assert u.relu and u.value == max(u.pre_activation, 0.0)
    # the patch is the pool1 window around (5, 6) (padding 1): rows 4..6, cols 5..7
    assert np.array_equal(u.patch, res.activation("pool1")[:, 4:7, 5:8])
    # a corner unit reads zeros from the padding, and says so
    c = unit_arithmetic(vgg16_mini, res, "conv2_1", 0, 0, 0)
    assert c.in_padding[0].all() and c.in_padding[:, 0].all() and not c.in_padding[1, 1]
    assert (c.patch[:, 0, :] == 0).all()
    # the theoretical receptive field: conv2_1 sees 10×10 px at jump 2
    left, t, r, b = u.patch_box
    assert (r - left, b - t) == (10, 10)


def test_bn_step(image):
    loaded = load_model("vgg11_bn_mini", "random", "cpu")
    res = analyze(loaded, image)
    conv = unit_arithmetic(loaded, res, "conv2_1", 1, 3, 3)
    relu = unit_arithmetic(loaded, res, "relu2_1", 1, 3, 3)
    assert conv.bn is None and relu.bn is not None
    assert relu.pre_activation == pytest.approx(conv.pre_activation)
    bn = relu.bn
    expect = (relu.pre_activation - bn["mean"]) / np.sqrt(bn["var"] + bn["eps"]) * bn["gamma"] + bn["beta"]
    assert bn["out"] == pytest.approx(expect) and relu.value == pytest.approx(max(expect, 0.0))


def test_pool_winner_and_walking_back_to_the_pixels(vgg16_mini, image):
    res = analyze(vgg16_mini, image)
    relu = res.activation("relu5_3")
    ch, r, q = np.unravel_index(int(np.argmax(relu)), relu.shape)
    u = unit_arithmetic(vgg16_mini, res, "pool5", *divmod_unit(ch, r // 2, q // 2))
    # the pool's winner holds the pooled value
    wl, wc, wr, wq = u.step_back
    assert wl == "relu5_3" and res.activation("relu5_3")[wc, wr, wq] == pytest.approx(u.value)
    # follow the strongest contributor back, unit by unit, down to conv1_1's pixels
    seen = ["pool5"]
    step = u.step_back
    while step is not None:
        u = unit_arithmetic(vgg16_mini, res, *step)
        seen.append(u.unit_layer)
        step = u.step_back
    assert seen[-1] == "conv1_1" and u.pixels is not None and u.pixels.size == (3, 3)
    assert {"conv5_3", "pool4", "conv3_1", "pool1"} <= set(seen)


def divmod_unit(ch, r, q):
    return int(ch), int(r), int(q)


@pytest.mark.parametrize("layer,channel,row,col,phrase", [
    ("fc6", 0, 0, 0, "no feature map"),
    ("conv9_9", 0, 0, 0, "unknown layer"),
    ("conv1_1", 8, 0, 0, "channel 8 is out of range"),
    ("conv1_1", 0, 64, 0, "row 64 is out of range"),
    ("pool5", 0, 0, -1, "col -1 is out of range"),
])
def test_bad_units_are_one_line(vgg16_mini, image, layer, channel, row, col, phrase):
    res = analyze(vgg16_mini, image)
    with pytest.raises(UnitError, match=phrase):
        unit_arithmetic(vgg16_mini, res, layer, channel, row, col)


def test_cli_unit_json_contract(capsys, root):
    code = main(["unit", str(root / SHAPE), "--variant", "vgg16_mini", "--layer", "relu3_1",
                 "--channel", "4", "--row", "5", "--col", "9", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    j = json.loads(out)
    assert {"layer", "channel", "row", "col", "pre_activation", "value", "bias", "terms", "patch_box"} <= set(j)
    assert (j["layer"], j["channel"], j["row"], j["col"]) == ("relu3_1", 4, 5, 9)
    assert len(j["terms"]) == 16 and j["value"] == max(0.0, j["pre_activation"])
    assert sum(j["terms"]) + j["bias"] == pytest.approx(j["pre_activation"])
    loaded = load_model("vgg16_mini", "shapes", "cpu")
    res = analyze(loaded, load_image_file(root / SHAPE))
    assert j["value"] == pytest.approx(float(res.activation("relu3_1")[4, 5, 9]), abs=1e-5)
    left, t, r, b = j["patch_box"]
    assert r - left == b - t == 24      # conv3_1's field: 24 px


@pytest.mark.parametrize("argv,phrase", [
    (["--layer", "fc7", "--channel", "0", "--row", "0", "--col", "0"], "no feature map"),
    (["--layer", "conv2_1", "--channel", "16", "--row", "0", "--col", "0"], "channel 16 is out of range"),
    (["--layer", "conv2_1", "--channel", "0", "--row", "0", "--col", "32"], "col 32 is out of range"),
])
def test_cli_unit_bad_input_exits_2(capsys, root, argv, phrase):
    code = main(["unit", str(root / SHAPE), "--variant", "vgg16_mini", *argv])
    out, err = capsys.readouterr()
    assert code == 2 and phrase in err and len(err.strip().splitlines()) == 1 and not out
