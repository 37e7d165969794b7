"""The layer table: torchvision's meta and the paper's numbers as oracles."""

import json

import pytest
import torch

from vggviz.model.summary import InputSizeError, summarize
from vggviz.model.variants import VARIANTS, build

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
    s = summarize("vgg16", 224)
    r = s.row("conv1_1")
    assert r.act_bytes == r.out_bytes == 4 * 64 * 224 * 224
    # in-place ReLUs and eval-mode dropout produce no new tensor: their rows add 0
    assert s.row("relu1_1").act_bytes == 0 and s.row("drop6").act_bytes == 0
    assert s.row("relu1_1").out_bytes == r.out_bytes
    # the distinct tensors of one inference pass: conv, pool, avgpool and FC outputs
    assert s.total_act_bytes == 4 * 15_112_168 == 60_448_672
    assert f"{s.total_act_bytes / 2**20:.1f}" == "57.6"
    assert s.total_out_bytes > s.total_act_bytes        # the old, doubled-up count (109.4 MiB)
    assert f"{s.total_out_bytes / 2**20:.1f}" == "109.4"


def test_model_size_is_params_times_four():
    s = summarize("vgg16", 224)
    assert s.total_param_bytes == 4 * s.total_params == 553_430_176
    assert (f"{s.total_param_bytes / 1e6:.1f}", f"{s.total_param_bytes / 2**20:.1f}") == ("553.4", "527.8")


def _distinct_output_bytes(model, size: int) -> int:
    """Bytes of the distinct storages a real eval-mode forward pass produces (the oracle)."""
    from vggviz.model.layers import walk

    seen: dict[int, int] = {}
    kept = []                      # keep every output alive, so no address is reused
    x = torch.zeros(1, 3, size, size)
    seen[x.untyped_storage().data_ptr()] = 0          # the input is not an activation

    def record(layer, out):
        kept.append(out)
        seen.setdefault(out.untyped_storage().data_ptr(), out.untyped_storage().nbytes())

    with torch.no_grad():
        walk(model.eval(), x, record)
    return sum(seen.values())


@pytest.mark.parametrize("variant,size", [
    ("vgg16_mini", 64), ("vgg16_mini", 96), ("vgg11_bn_mini", 64), ("vgg11_lrn_mini", 64),
    ("vgg16_c_mini", 128), ("vgg11_lrn", 224), ("vgg11_bn", 256),
])
def test_activation_memory_equals_the_distinct_tensors_of_a_real_pass(variant, size):
    """The rule (new tensors count once; in-place ReLU and dropout add 0; BN and LRN outputs
    are new tensors) checked against the storages a real forward pass allocates."""
    from vggviz.model.variants import build

    model = build(variant)
    assert summarize(variant, size).total_act_bytes == _distinct_output_bytes(model, size)


def test_batch_norm_outputs_are_new_tensors():
    plain, bn = summarize("vgg16", 224), summarize("vgg16_bn", 224)
    convs = sum(r.act_bytes for r in plain.rows if r.type.startswith("Conv"))
    assert bn.total_act_bytes == plain.total_act_bytes + convs
    assert all(r.act_bytes == r.out_bytes for r in bn.rows if r.type == "BatchNorm")


def test_activation_memory_follows_the_input_size():
    a, b = summarize("vgg16", 224), summarize("vgg16", 448)
    conv_pool = lambda s: sum(r.act_bytes for r in s.rows if r.type.startswith(("Conv", "MaxPool")))
    assert conv_pool(b) == 4 * conv_pool(a)             # every map has 4× the positions
    assert b.total_act_bytes > a.total_act_bytes


@pytest.mark.parametrize("bad", [16, 0, -5, 5000])
def test_bad_input_sizes(bad):
    with pytest.raises(InputSizeError):
        summarize("vgg16", bad)


def test_json_contract_and_csv():
    s = summarize("vgg16", 224)
    j = json.loads(json.dumps(s.to_json()))
    assert set(j) >= {"variant", "input_size", "total_params", "total_macs", "layers"}
    assert j["total_activation_bytes"] == 60_448_672 and j["total_param_bytes"] == 4 * j["total_params"]
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
    assert fc6.params == 256 * 256 + 256 and s.row("fc8").out_shape == [12, 1, 1]      # the shapes world's classes
    assert fc6.rf == pool5.rf + (2 - 1) * pool5.jump == 244
    big = summarize("vgg16")
    assert big.input_size == 224 and big.row("fc6").rf == big.row("pool5").rf + 6 * 32 == 404
