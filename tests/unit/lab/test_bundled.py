"""Training the bundled checkpoints: the schedule, the layer copy that keeps the old classes,
and a short run that learns, writes a checkpoint the app loads, and repeats itself."""

import json

import pytest
import torch

from vggviz.data import shapes
from vggviz.lab import bundled
from vggviz.model.variants import build


def test_schedule_warms_up_then_decays_to_zero():
    lrs = [bundled.lr_at(s, 100, 0.1, 0.1) for s in range(100)]
    assert lrs[0] == pytest.approx(0.01) and lrs[9] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs[9:], lrs[10:]))        # monotone decay after the warm-up
    assert lrs[-1] < 0.001


def test_copy_keeps_the_old_classes_rows():
    """A checkpoint with the first eight classes starts a twelve-class model: every conv and
    FC layer copied, fc8's first eight rows from the old model, the new rows left as built."""
    old = build("vgg11_mini", seed=3, num_classes=8)
    new = build("vgg11_mini", seed=4)
    fresh = new.classifier[6].weight.detach().clone()
    copied = bundled._copy_layers(new, old)
    assert "conv1_1" in copied and "fc8" in copied
    assert torch.equal(new.features[0].weight, old.features[0].weight)
    w = new.classifier[6].weight
    assert w.shape[0] == len(shapes.CLASSES) > 8
    assert torch.equal(w[:8], old.classifier[6].weight) and torch.equal(w[8:], fresh[8:])


def test_short_run_learns_writes_and_repeats(tmp_path, monkeypatch):
    # a small held-out set keeps the test fast (the real one is shapes.heldout(): 5,000 images)
    small = shapes.batch(shapes.HELDOUT_SEED, 0, 200)
    monkeypatch.setattr(bundled.shapes, "heldout", lambda: small)
    out = tmp_path / "vgg11_mini.pth"
    assert bundled.main(["vgg11_mini", "--steps", "6", "--batch", "16", "--lr", "0.01", "--out", str(out)]) == 0
    log = json.loads(out.with_suffix(".json").read_text())
    assert log["steps"] == 6 and log["classes"] == list(shapes.CLASSES)
    assert 0 <= log["val_accuracy"] <= 1 and log["final_accuracy"] == pytest.approx(100 * log["val_accuracy"], abs=1e-3)
    from vggviz.model.weights import load_model

    loaded = load_model("vgg11_mini", str(out), "cpu")
    assert loaded.categories == list(shapes.CLASSES)
    again = bundled.train_steps("vgg11_mini", 6, batch_size=16, lr=0.01)
    ck = torch.load(out, weights_only=True)
    assert all(torch.equal(ck["state_dict"][k], again.state_dict[k]) for k in again.state_dict)


def test_worker_processes_draw_the_same_stream(monkeypatch):
    small = shapes.batch(shapes.HELDOUT_SEED, 0, 20)
    monkeypatch.setattr(bundled.shapes, "heldout", lambda: small)
    here = bundled.train_steps("vgg11_mini", 3, batch_size=8, lr=0.01)
    ahead = bundled.train_steps("vgg11_mini", 3, batch_size=8, lr=0.01, workers=1)
    assert all(torch.equal(here.state_dict[k], ahead.state_dict[k]) for k in here.state_dict)


def test_bad_requests_exit_2(capsys):
    assert bundled.main(["vgg16", "--steps", "3"]) == 2
    assert "mini" in capsys.readouterr().err
