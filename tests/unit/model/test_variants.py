"""The configuration table and builder against torchvision: published numbers as oracles."""

import pytest
import torch
from torch import nn
from torchvision import models

from vggviz.data.shapes import CLASSES
from vggviz.model.layers import UnknownLayerError, find_layer, named_layers
from vggviz.model.variants import (
    CONFIGS,
    FULL_VARIANTS,
    VARIANTS,
    UnknownVariantError,
    build,
    make_features,
    variant_info,
)

TV = [v for v, i in VARIANTS.items() if i.torchvision]


def test_all_ten_variants_with_paper_names():
    assert [v for v in VARIANTS if not VARIANTS[v].mini] == [
        "vgg11", "vgg11_bn", "vgg11_lrn", "vgg13", "vgg13_bn", "vgg16_c", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
    assert {VARIANTS[v].config for v in FULL_VARIANTS} == {"A", "A-LRN", "B", "C", "D", "E"}
    assert VARIANTS["vgg16"].label == "VGG16 (D)"
    assert VARIANTS["vgg11_lrn"].label == "VGG11-LRN (A-LRN)"
    assert [VARIANTS[v].weight_layers for v in ("vgg11", "vgg13", "vgg16_c", "vgg16", "vgg19")] == [11, 13, 16, 16, 19]


@pytest.mark.parametrize("name", TV)
def test_table_matches_torchvision_structure(name):
    """Our table + make_features rebuild exactly torchvision's feature stack."""
    info = VARIANTS[name]
    ours = make_features(CONFIGS[info.config], info.batch_norm)
    with torch.device("meta"):
        theirs = models.get_model(name, weights=None).features
    assert [type(m) for m in ours] == [type(m) for m in theirs]
    for a, b in zip(ours, theirs, strict=True):
        if isinstance(a, nn.Conv2d):
            assert (a.in_channels, a.out_channels, a.kernel_size, a.padding) == (
                b.in_channels, b.out_channels, b.kernel_size, b.padding)


@pytest.mark.parametrize("name", TV)
def test_param_counts_equal_torchvision_meta(name):
    model = build(name, device="meta")
    assert sum(p.numel() for p in model.parameters()) == VARIANTS[name].weights_enum.meta["num_params"]


def test_config_c_has_1x1_convs_and_lrn_variant_has_lrn():
    c = build("vgg16_c", device="meta")
    ks = [m.kernel_size for m in c.features if isinstance(m, nn.Conv2d)]
    assert ks.count((1, 1)) == 3 and len(ks) == 13
    lrn = build("vgg11_lrn", device="meta")
    assert sum(isinstance(m, nn.LocalResponseNorm) for m in lrn.features) == 1
    names = [layer.name for layer in named_layers(lrn)]
    assert names[:4] == ["conv1_1", "relu1_1", "lrn1", "pool1"]


def test_seeded_random_weights_are_repeatable_and_leave_global_rng_alone():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    a = build("vgg11")
    after = torch.rand(1)
    b = build("vgg11")
    assert torch.equal(before, after), "build() must not consume the global RNG"
    assert torch.equal(a.features[0].weight, b.features[0].weight)
    assert not a.training


def test_unknown_variant_message():
    with pytest.raises(UnknownVariantError, match="unknown variant 'vgg12'.*vgg16"):
        variant_info("vgg12")


def test_paper_layer_names_and_module_paths():
    layers = named_layers(build("vgg16", device="meta"))
    names = [layer.name for layer in layers]
    assert names[:5] == ["conv1_1", "relu1_1", "conv1_2", "relu1_2", "pool1"]
    assert find_layer(layers, "conv5_3").path == "features.28"
    assert find_layer(layers, "features.28").name == "conv5_3"
    assert names[-8:] == ["avgpool", "fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8"]
    assert find_layer(layers, "fc8").path == "classifier.6"
    bn = [layer.name for layer in named_layers(build("vgg16_bn", device="meta"))]
    assert bn[:4] == ["conv1_1", "bn1_1", "relu1_1", "conv1_2"]
    with pytest.raises(UnknownLayerError, match="conv6_1"):
        find_layer(layers, "conv6_1")


# --------------------------------------------------------------------------- the mini family

from vggviz.model.variants import MINI_VARIANTS, canonical, mini_config  # noqa: E402


def test_mini_family_is_the_same_table_at_teaching_scale():
    assert {"vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini", "vgg11_bn_mini", "vgg13_bn_mini",
            "vgg16_bn_mini", "vgg19_bn_mini"} <= set(MINI_VARIANTS)
    assert FULL_VARIANTS == ["vgg11", "vgg11_bn", "vgg11_lrn", "vgg13", "vgg13_bn", "vgg16_c",
                             "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]
    assert mini_config(CONFIGS["D"]) == [8, 8, "M", 16, 16, "M", 32, 32, 32, "M", 64, 64, 64, "M", 64, 64, 64, "M"]
    for v in MINI_VARIANTS:
        info = VARIANTS[v]
        assert info.mini and info.input_size == 64 and info.pool_grid == 2
    assert canonical("vgg16_mini_bn") == "vgg16_bn_mini"
    assert variant_info("vgg19_mini_bn").name == "vgg19_bn_mini"
    assert VARIANTS["vgg16_mini"].label == "mini VGG16 (D)"


@pytest.mark.parametrize("name", ["vgg11_mini", "vgg16_mini", "vgg19_bn_mini", "vgg16_c_mini", "vgg11_lrn_mini"])
def test_mini_has_the_full_sizes_layer_names_and_torchvisions_class(name):
    full = name.replace("_mini", "")
    mini, big = build(name), build(full, device="meta")
    assert type(mini) is type(big)
    assert [layer.name for layer in named_layers(mini)] == [layer.name for layer in named_layers(big)]
    widths = [m.out_channels for m in mini.features if isinstance(m, nn.Conv2d)]
    assert widths == [w // 8 for w in (m.out_channels for m in big.features if isinstance(m, nn.Conv2d))]
    fcs = [m for m in mini.classifier if isinstance(m, nn.Linear)]
    assert [(f.in_features, f.out_features) for f in fcs] == [(64 * 2 * 2, 256), (256, 256), (256, len(CLASSES))]
    out = mini(torch.zeros(2, 3, 64, 64))
    assert out.shape == (2, len(CLASSES))


def test_mini_kernel_variants_replace_stacks_by_one_big_conv():
    b55 = [m.kernel_size for m in build("vgg13_5x5_mini").features if isinstance(m, nn.Conv2d)]
    assert b55 == [(5, 5)] * 5
    d77 = [m.kernel_size for m in build("vgg16_7x7_mini").features if isinstance(m, nn.Conv2d)]
    assert d77 == [(5, 5), (5, 5), (7, 7), (7, 7), (7, 7)]
    assert build("vgg16_7x7_mini")(torch.zeros(1, 3, 64, 64)).shape == (1, len(CLASSES))


def test_mini_build_is_seeded_and_cheap():
    a, b = build("vgg16_mini", seed=3), build("vgg16_mini", seed=3)
    for (ka, va), (_kb, vb) in zip(a.state_dict().items(), b.state_dict().items(), strict=True):
        assert torch.equal(va, vb), ka
    assert not torch.equal(build("vgg16_mini", seed=4).features[0].weight, a.features[0].weight)
    assert build("vgg16_mini", num_classes=3).classifier[-1].out_features == 3


def _lrn_by_hand(a: torch.Tensor, n: int, alpha: float, beta: float, k: float, divide: bool) -> torch.Tensor:
    """b_c = a_c / (k + α' Σ_{c' within n/2 of c} a_c'²)^β, α' = α/n (Caffe) or α (AlexNet's paper)."""
    sq = a.pow(2)
    C = a.shape[1]
    s = torch.stack([sq[:, max(0, c - n // 2): min(C, c + (n - 1) // 2 + 1)].sum(1) for c in range(C)], 1)
    return a / (k + (alpha / n if divide else alpha) * s).pow(beta)


def test_lrn_convention_is_caffes_alpha_over_n():
    """A-LRN's nn.LocalResponseNorm divides α by the window size (Caffe's convention), not
    AlexNet's paper formula; the note on screen says so, and its numbers are the module's."""
    from vggviz.model.variants import LRN_PARAMS, lrn_note

    lrn = next(m for m in build("vgg11_lrn", device="meta").features if isinstance(m, nn.LocalResponseNorm))
    p = dict(n=lrn.size, alpha=lrn.alpha, beta=lrn.beta, k=lrn.k)
    assert (p["n"], p["alpha"], p["beta"], p["k"]) == (5, 1e-4, 0.75, 2.0)
    a = 30 * torch.randn(2, 9, 4, 4, generator=torch.Generator().manual_seed(0))   # big enough to matter
    torch_out = nn.LocalResponseNorm(**LRN_PARAMS)(a)
    caffe, alexnet = _lrn_by_hand(a, **p, divide=True), _lrn_by_hand(a, **p, divide=False)
    assert torch.allclose(torch_out, caffe, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(torch_out, alexnet, rtol=1e-3)
    # AlexNet's formula is PyTorch's with α multiplied by n
    literal = nn.LocalResponseNorm(size=5, alpha=1e-4 * 5, beta=0.75, k=2.0)(a)
    assert torch.allclose(literal, alexnet, rtol=1e-5, atol=1e-6)
    note = lrn_note()
    assert "α/n = 2e-05" in note and "α = 0.0005" in note and "Caffe" in note
