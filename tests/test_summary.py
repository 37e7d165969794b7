"""The layer table: torchvision's meta and the paper's numbers as oracles."""

import json

import pytest
import torch

from vggviz.summary import BadInputSize, summarize
from vggviz.variants import VARIANTS, build

TV = [v for v, i in VARIANTS.items() if i.torchvision]

VGG16_PARAMS = [1792, 36928, 73856, 147584, 295168, 590080, 590080, 1180160] + [2359808] * 5 + [
    102764544, 16781312, 4097000]


@pytest.mark.parametrize("name", TV)
def test_params_and_macs_equal_torchvision_meta(name):
    s = summarize(name, 224)
    meta = VARIANTS[name].weights_enum.meta
    assert s.total_params == meta["num_params"]
    assert round(s.total_macs / 1e9, 3) == meta["_ops"]
    assert s.total_flops == 2 * s.total_macs


def test_vgg16_per_layer_params():
    s = summarize("vgg16", 224)
    assert [r.params for r in s.rows if r.params] == VGG16_PARAMS
    assert s.row("fc6").params == 102_764_544
    assert sum(r.params for r in s.rows if r.type == "Linear") == 123_642_856


def test_receptive_fields_and_strides():
    s = summarize("vgg16", 224)
    assert s.row("conv5_3").rf == 196
    assert (s.row("pool5").rf, s.row("pool5").jump) == (212, 32)
    assert summarize("vgg11", 224).row("pool5").rf == 150
    assert [s.row(f"conv1_{i}").rf for i in (1, 2)] == [3, 5]


@pytest.mark.parametrize("size,side", [(224, 7), (32, 1), (256, 8), (384, 12)])
def test_shapes_follow_input_size(size, side):
    s = summarize("vgg16", size)
    assert s.row("pool5").out_shape == [512, side, side]
    assert s.row("conv1_1").out_shape == [64, size, size]
    assert s.row("fc6").out_shape == [4096, 1, 1]
    # the adaptive avgpool brings any size back to 7×7, so the FC parameters never change
    assert s.row("avgpool").out_shape == [512, 7, 7]
    assert s.total_params == 138_357_544


def test_shapes_equal_a_real_forward():
    model = build("vgg11")
    s = summarize("vgg11", 64)
    x = torch.zeros(1, 3, 64, 64)
    with torch.no_grad():
        for i, m in enumerate(model.features):
            x = m(x)
            assert list(x.shape[1:]) == s.rows[i].out_shape


def test_shares_params_in_fc_compute_in_conv():
    fc_p, fc_m = summarize("vgg16").share("Linear")
    assert 0.89 < fc_p < 0.90
    assert fc_m < 0.01


def test_built_on_meta_device_without_memory():
    summarize.cache_clear()
    import tracemalloc
    tracemalloc.start()
    summarize("vgg19", 224)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 2**20, "the table must not allocate weights (VGG19 is 548 MB in float32)"


def test_activation_memory():
    r = summarize("vgg16", 224).row("conv1_1")
    assert r.act_bytes == 4 * 64 * 224 * 224


@pytest.mark.parametrize("bad", [16, 0, -5, 5000])
def test_bad_input_sizes(bad):
    with pytest.raises(BadInputSize):
        summarize("vgg16", bad)


def test_json_contract_and_csv():
    s = summarize("vgg16", 224)
    j = json.loads(json.dumps(s.to_json()))
    assert set(j) >= {"variant", "input_size", "total_params", "total_macs", "layers"}
    layer = j["layers"][0]
    assert set(layer) >= {"name", "module", "type", "out_shape", "params", "macs", "flops", "rf", "jump"}
    assert layer["out_shape"] == [64, 224, 224]
    csv = s.to_csv().splitlines()
    assert csv[0].startswith("name,module,type,out_shape,params,macs,flops,rf,jump")
    assert csv[1].startswith("conv1_1,features.0,Conv 3×3,64x224x224,1792,")
    assert len(csv) == len(s.rows) + 1


def test_mini_variant_at_its_own_size_by_default():
    """The mini family's table defaults to 64 px: pool5 is the 2×2 grid fc6 reads, fc6 is
    256·256 + 256 weights, and fc6's field is pool5's widened by one more pool5 cell (a 2×2
    convolution at test time), so it covers the whole grid; VGG16's 7×7 fc6 adds six."""
    s = summarize("vgg16_mini")
    assert s.input_size == 64 and s is summarize("vgg16_mini", 64)
    pool5, fc6 = s.row("pool5"), s.row("fc6")
    assert pool5.out_shape == [64, 2, 2] and fc6.out_shape == [256, 1, 1]
    assert fc6.params == 256 * 256 + 256 and s.row("fc8").out_shape == [8, 1, 1]
    assert fc6.rf == pool5.rf + (2 - 1) * pool5.jump == 244
    big = summarize("vgg16")
    assert big.input_size == 224 and big.row("fc6").rf == big.row("pool5").rf + 6 * 32 == 404
