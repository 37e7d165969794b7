"""Bring your own fine-tuned VGG: a checkpoint whose fc8 has its own number of classes, named in
the checkpoint (``{"state_dict", "classes"}``) or in a sidecar ``NAME.classes.txt``, predicts
with those names through the CLI and the app; checkpoints that do not fit are refused with one
line naming the mismatch. The app's side (Forward pass, Fully convolutional):
tests/app/test_app_own_classes.py."""

from __future__ import annotations

import json

import pytest
import torch
from support import OWN_NAMES as NAMES
from support import three_class_state as _three_class

from vggviz.cli import main
from vggviz.data.shapes import draw_plain
from vggviz.lab.training import checkpoint
from vggviz.model.weights import WeightsError, load_model

pytestmark = pytest.mark.filterwarnings("ignore")


@pytest.fixture(scope="module")
def vgg11_files(tmp_path_factory):
    """A 3-class VGG11 saved both ways, and an image."""
    d = tmp_path_factory.mktemp("own")
    state = _three_class("vgg11")
    torch.save({"state_dict": state, "classes": NAMES}, d / "dict.pth")
    torch.save(state, d / "plain.pth")
    (d / "plain.classes.txt").write_text("\n".join(NAMES) + "\n", encoding="utf-8")
    draw_plain("star").save(d / "star.png")
    return d


def _cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", ["dict.pth", "plain.pth"])
def test_cli_predicts_with_the_checkpoints_own_names(vgg11_files, capsys, name):
    code, out, err = _cli(capsys, "predict", str(vgg11_files / "star.png"), "--variant", "vgg11",
                          "--weights", str(vgg11_files / name), "--device", "cpu", "--json")
    assert code == 0, err
    j = json.loads(out)
    assert j["weights"] == f"file:{name}" and j["classes"] == NAMES
    assert len(j["top"]) == 3 and sorted(p["label"] for p in j["top"]) == sorted(NAMES)
    assert abs(sum(p["prob"] for p in j["top"]) - 1) < 1e-4
    for p in j["top"]:
        assert p["label"] == NAMES[p["index"]]


def test_cli_gradcam_with_own_names_and_target(vgg11_files, capsys, tmp_path):
    code, out, err = _cli(capsys, "gradcam", str(vgg11_files / "star.png"), "--variant", "vgg11",
                          "--weights", str(vgg11_files / "plain.pth"), "--device", "cpu", "--target", "2",
                          "--out", str(tmp_path / "o.png"), "--json")
    assert code == 0, err
    j = json.loads(out)
    assert (j["target"], j["label"], j["classes"]) == (2, "x-ray", NAMES)
    code, out, err = _cli(capsys, "gradcam", str(vgg11_files / "star.png"), "--variant", "vgg11",
                          "--weights", str(vgg11_files / "plain.pth"), "--device", "cpu", "--target", "3",
                          "--out", str(tmp_path / "o.png"))
    assert code == 2 and "0 to 2" in err and err.count("\n") == 1


def test_a_plain_state_dict_without_names_gets_numbered_classes(tmp_path):
    torch.save(_three_class("vgg11_mini"), tmp_path / "bare.pth")
    m = load_model("vgg11_mini", str(tmp_path / "bare.pth"), "cpu")
    assert m.categories == ["class 0", "class 1", "class 2"]
    assert m.model.classifier[6].out_features == 3


def _refused(source: str, variant: str = "vgg11_mini") -> str:
    with pytest.raises(WeightsError) as e:
        load_model(variant, source, "cpu")
    msg = str(e.value)
    assert "\n" not in msg and msg
    return msg


def test_mismatches_are_refused_with_one_line(tmp_path, vgg11_files, capsys):
    state = _three_class("vgg11_mini")
    torch.save({"state_dict": state, "classes": ["a", "b"]}, tmp_path / "two.pth")
    assert "2 class names" in _refused(str(tmp_path / "two.pth")) and "3 outputs" in _refused(str(tmp_path / "two.pth"))
    torch.save(state, tmp_path / "four.pth")
    (tmp_path / "four.classes.txt").write_text("a\nb\nc\nd\n")
    assert "4 class names" in _refused(str(tmp_path / "four.pth"))
    torch.save(state, tmp_path / "gap.pth")
    (tmp_path / "gap.classes.txt").write_text("a\n\nc\n")
    assert "empty line (2)" in _refused(str(tmp_path / "gap.pth"))
    torch.save({"state_dict": state, "classes": [1, 2, 3]}, tmp_path / "ints.pth")
    assert "list of class names" in _refused(str(tmp_path / "ints.pth"))
    # features that do not fit the variant: a VGG11 checkpoint opened as VGG13 (or the mini)
    msg = _refused(str(vgg11_files / "dict.pth"), "vgg13")
    assert "does not fit vgg13" in msg
    assert "does not fit vgg11_mini" in _refused(str(vgg11_files / "dict.pth"))
    code, _, err = _cli(capsys, "predict", str(vgg11_files / "star.png"), "--variant", "vgg13",
                        "--weights", str(vgg11_files / "dict.pth"), "--json")
    assert code == 2 and err.count("\n") == 1 and "does not fit vgg13" in err


def test_the_train_pages_download_opens_again_with_its_names(tmp_path):
    """Train page downloads are ``training.checkpoint`` bytes (Job.checkpoint): that format loads."""
    from types import SimpleNamespace

    from vggviz.lab.training import Recipe

    state = _three_class("vgg11_mini")
    fake = SimpleNamespace(state_dict=state, classes=NAMES, variant="vgg11_mini", recipe=Recipe(),
                           val_accuracy=0.5)
    torch.save(checkpoint(fake), tmp_path / "trained.pth")
    m = load_model("vgg11_mini", str(tmp_path / "trained.pth"), "cpu")
    assert m.categories == NAMES
