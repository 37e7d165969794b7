"""AlexNet beside VGG: torchvision's metadata and the hand computation as oracles."""

import pytest
from torchvision.models import AlexNet_Weights

from vggviz.figures.rf import rf_growth_per_model_figure
from vggviz.model.alexnet import conv1_weight, kernel_rows, model_facts, rf_growth, rf_sentence, weights_cached
from vggviz.model.summary import InputSizeError, summarize
from vggviz.model.variants import REFERENCE_MODELS, VARIANTS, UnknownVariantError, build, model_info, variant_info

META = AlexNet_Weights.IMAGENET1K_V1.meta


def test_params_and_macs_equal_torchvision_meta():
    s = summarize("alexnet")
    assert s.input_size == 224
    assert s.total_params == META["num_params"] == 61_100_840
    assert round(s.total_macs / 1e9, 3) == META["_ops"] == 0.714
    assert s.total_macs == 714_188_480 and s.total_flops == 2 * s.total_macs


def test_paper_names_kernels_and_strides():
    s = summarize("alexnet")
    weighted = [r.name for r in s.rows if r.params]
    assert weighted == ["conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"]
    assert [r.name for r in s.rows if r.type.startswith("MaxPool")] == ["pool1", "pool2", "pool5"]
    assert [r.type for r in s.rows if r.type.startswith("Conv")] == [
        "Conv 11×11, stride 4", "Conv 5×5", "Conv 3×3", "Conv 3×3", "Conv 3×3"]
    assert s.row("pool1").type == "MaxPool 3×3, stride 2"          # overlapping pools
    assert s.row("conv1").out_shape == [64, 55, 55] and s.row("pool5").out_shape == [256, 6, 6]
    assert s.row("conv1").params == 64 * 3 * 11 * 11 + 64
    assert s.row("fc6").params == 256 * 6 * 6 * 4096 + 4096
    # VGG's labels keep their old form (stride-1 convs, non-overlapping 2×2 pools)
    v = summarize("vgg16")
    assert v.row("conv1_1").type == "Conv 3×3" and v.row("pool1").type == "MaxPool 2×2"


def test_receptive_fields_equal_the_hand_computation():
    # rf += (k − 1)·jump, jump *= stride: conv1 11 (4), pool1 11+2·4 = 19 (8), conv2 19+4·8 = 51,
    # pool2 51+2·8 = 67 (16), conv3 67+2·16 = 99, conv4 131, conv5 163, pool5 163+2·16 = 195 (32)
    assert rf_growth("alexnet") == [
        ("conv1", 11, 4), ("pool1", 19, 8), ("conv2", 51, 8), ("pool2", 67, 16),
        ("conv3", 99, 16), ("conv4", 131, 16), ("conv5", 163, 16), ("pool5", 195, 32)]
    s = summarize("alexnet")
    assert s.row("fc6").rf == 195 + 5 * 32          # fc6 as the 6×6 convolution it is at test time


def test_a_real_forward_has_the_tables_shapes():
    import torch

    from vggviz.model.layers import walk

    model, s = build("alexnet"), summarize("alexnet", 96)
    shapes = []
    with torch.no_grad():
        walk(model, torch.zeros(1, 3, 96, 96), lambda layer, out: shapes.append(list(out.shape[1:])))
    assert [sh + [1] * (3 - len(sh)) for sh in shapes] == [r.out_shape for r in s.rows]


def test_a_reference_model_not_a_variant():
    assert "alexnet" in REFERENCE_MODELS and "alexnet" not in VARIANTS
    assert model_info("alexnet").weight_layers == 8
    with pytest.raises(UnknownVariantError):
        variant_info("alexnet")                 # the sidebar, weights and image pages refuse it
    with pytest.raises(InputSizeError, match="63"):
        summarize("alexnet", 62)
    assert summarize("alexnet", 63).row("pool5").out_shape == [256, 1, 1]


def test_facts_and_kernel_rows():
    a, v = model_facts("alexnet"), model_facts("vgg16")
    assert (a.acc1, a.acc5) == (META["_metrics"]["ImageNet-1K"]["acc@1"], META["_metrics"]["ImageNet-1K"]["acc@5"])
    assert (a.weight_layers, a.conv_layers, v.conv_layers) == (8, 5, 13)
    assert a.conv_kernels[:2] == ["11×11, stride 4", "5×5"] and set(v.conv_kernels) == {"3×3"}
    rows = kernel_rows()
    assert len(rows) == 18 and rows[0] == {"step": 1, "alexnet": "conv1 11×11, stride 4", "vgg16": "conv1_1 3×3"}
    assert rows[8]["alexnet"] == "" and rows[-1]["vgg16"] == "pool5 max-pool 2×2"


def test_rf_figure_data_and_sentence():
    fig = rf_growth_per_model_figure({"AlexNet": rf_growth("alexnet"), "VGG16": rf_growth("vgg16")})
    alex, vgg = fig.data
    assert (alex.name, list(alex.x), list(alex.y)) == ("AlexNet", list(range(1, 9)), [11, 19, 51, 67, 99, 131, 163, 195])
    assert len(vgg.x) == 18 and vgg.y[0] == 3 and vgg.y[-1] == 212
    s = rf_sentence()
    assert "after 6 conv/pool layers in AlexNet (conv4" in s and "after 14 in VGG16 (pool4" in s
    assert "AlexNet sees 195 px in 8 layers, VGG16 212 px in 18" in s
    assert "after 3 conv/pool layers in AlexNet" in rf_sentence(reach=50)


def test_conv1_filters_only_from_the_cache(tmp_path, monkeypatch):
    """Offline-safe: no file in the cache → None, and nothing is downloaded."""
    import urllib.request

    import torch

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: pytest.fail("must not download"))
    assert weights_cached("alexnet") is None and conv1_weight("alexnet") is None
    # a file put in the cache is read (here: a random AlexNet's state dict under torchvision's name)
    from vggviz.model.alexnet import weights_file

    (tmp_path / "checkpoints").mkdir()
    torch.save(build("alexnet").state_dict(), tmp_path / "checkpoints" / weights_file("alexnet"))
    w = conv1_weight("alexnet")
    assert w.shape == (64, 3, 11, 11)
    (tmp_path / "checkpoints" / weights_file("alexnet")).write_bytes(b"truncated")
    assert conv1_weight("alexnet") is None
