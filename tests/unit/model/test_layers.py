"""vggviz.model.layers: every module of a VGG with the paper's names in forward order, looked up by name
or module path, the blocks' last ReLUs, and a walk that equals the model's own forward pass."""

from __future__ import annotations

import pytest
import torch

from vggviz import i18n
from vggviz.model.layers import UnknownLayerError, block_ends, find_layer, named_layers, walk
from vggviz.model.variants import build


@pytest.fixture(scope="module")
def mini():
    return build("vgg11_mini", seed=0).eval()


def test_names_paths_and_blocks_of_vgg11(vgg11):
    layers = named_layers(vgg11.model)
    names = [layer.name for layer in layers]
    assert names[:4] == ["conv1_1", "relu1_1", "pool1", "conv2_1"]
    assert names[-7:] == ["fc6", "relu6", "drop6", "fc7", "relu7", "drop7", "fc8"]
    assert [layer.index for layer in layers] == list(range(len(layers)))
    conv = find_layer(layers, "conv5_2")
    assert find_layer(layers, conv.path) is conv and conv.kind == "conv" and conv.block == 5
    assert conv.geometry() == (3, 1, 1) and find_layer(layers, "pool5").geometry() == (2, 2, 0)
    assert [layer.name for layer in block_ends(layers)] == ["relu1_1", "relu2_1", "relu3_2", "relu4_2", "relu5_2"]


def test_an_unknown_layer_is_one_line_naming_the_choices(vgg11):
    with pytest.raises(UnknownLayerError) as e:
        find_layer(named_layers(vgg11.model), "conv9_9")
    assert "conv9_9" in str(e.value) and "conv1_1" in str(e.value) and "\n" not in str(e.value)
    with i18n.using("zh"), pytest.raises(UnknownLayerError) as e:
        find_layer(named_layers(vgg11.model), "conv9_9")
    assert "conv9_9" in str(e.value)


def test_walk_equals_the_forward_pass_and_sees_every_output(mini):
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    seen = []
    with torch.no_grad():
        out = walk(mini, x, lambda layer, t: seen.append((layer.name, tuple(t.shape))))
        ref = mini(x)
    assert torch.allclose(out, ref, atol=1e-5)
    assert [n for n, _shape in seen] == [layer.name for layer in named_layers(mini)]
    # a part of the walk, and an output replaced by the callback
    with torch.no_grad():
        layers = named_layers(mini)
        stop = find_layer(layers, "pool1").index
        part = walk(mini, x, stop=stop)
        zeroed = walk(mini, x, lambda layer, t: torch.zeros_like(t) if layer.name == "relu1_1" else None, stop=stop)
    assert part.shape == (2, mini.features[0].out_channels, 32, 32) and not zeroed.any()
