"""The bundled checkpoints: batch norm folded into the convs gives the same function, and a short
run of the script writes both checkpoints, which the app loads."""

import json

import pytest
import torch

from vggviz.data import shapes
from vggviz.lab import bundled
from vggviz.model.variants import build


@pytest.mark.parametrize("variant", ["vgg11_bn_mini", "vgg19_bn_mini"])
def test_folding_keeps_the_function(variant):
    m = build(variant, seed=3)
    with torch.no_grad():                      # batch norms that are not the identity
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
    m.eval()
    plain, state = bundled.folded(variant, m.state_dict())
    p = build(plain, seed=None)
    p.load_state_dict(state)
    p.eval()
    x = torch.randn(4, 3, 64, 64)
    with torch.no_grad():
        assert torch.allclose(m(x), p(x), atol=1e-4, rtol=1e-4)


def test_folding_refuses_different_configurations():
    with pytest.raises(ValueError):
        bundled.fold_bn(build("vgg11_bn_mini", seed=0).eval(), build("vgg13_mini", seed=0))


def test_script_writes_both_checkpoints_the_app_loads(tmp_path, monkeypatch):
    monkeypatch.setattr(bundled, "RECIPE", bundled.RECIPE.__class__(train_size=64, val_size=40, batch_size=16,
                                                                   max_batches=2))
    assert bundled.main(["vgg11_mini", "--out", str(tmp_path), "--train-size", "64", "--epochs", "1"]) == 0
    from vggviz.model.weights import load_model

    for name in ("vgg11_bn_mini", "vgg11_mini"):
        log = json.loads((tmp_path / f"{name}.json").read_text())
        assert log["variant"] == name and log["classes"] == list(shapes.CLASSES)
        loaded = load_model(name, str(tmp_path / f"{name}.pth"), "cpu")
        assert loaded.categories == list(shapes.CLASSES)
    assert json.loads((tmp_path / "vgg11_mini.json").read_text())["folded_from"] == "vgg11_bn_mini"
