"""Feature visualisation (vggviz.explain.featvis): on the trained mini VGG16 the optimised image drives
its channel far above noise; a gallery optimises each channel's own image; the shared model
is never touched (no hook, no requires_grad or mode change, no lock held); CLI contract."""

import json
import threading

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from vggviz import cli
from vggviz.explain.featvis import VisualisationError, default_settings, layer_activation, objective_layer, visualize

FAST = 96      # steps: enough for the mini family to rise, a fraction of the default


def _state(model: nn.Module):
    hooks = sum(len(getattr(m, d)) for m in model.modules()
                for d in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks"))
    return (hooks, [p.requires_grad for p in model.parameters()], [m.training for m in model.modules()],
            [m.inplace for m in model.modules() if isinstance(m, nn.ReLU)])


@pytest.fixture(scope="module")
def star_channel(vgg16_mini):
    """relu3_1, channel 26 of the trained mini VGG16 (one it paints well): one run shared by the tests below."""
    return visualize(vgg16_mini, "relu3_1", 26, default_settings(vgg16_mini, steps=FAST))


def test_the_image_drives_its_channel_far_above_noise(star_channel, vgg16_mini):
    r = star_channel
    assert r.objective == "conv3_1"                         # a ReLU is maximised before it
    assert r.images.shape == (1, 64, 64, 3) and r.images.dtype == np.uint8
    assert r.activation[0] > 5 * r.noise[0] > 0, (r.activation, r.noise)
    assert r.activation[0] > 10 * max(r.start_activation[0], 1e-3)
    assert r.history[-1, 0] > r.history[0, 0]               # the objective rose during the run
    # The saved picture is the measured one: fed back in, it gives the reported value.
    x = np.asarray(r.image(0), dtype=np.float32).transpose(2, 0, 1)[None] / 255.0
    again = layer_activation(vgg16_mini, torch.from_numpy(x), "relu3_1", [26])
    assert again[0] == pytest.approx(r.activation[0], rel=0.02)


def test_the_shared_model_is_untouched_and_no_lock_is_held(vgg16_mini):
    before = _state(vgg16_mini.model)
    done, errors = threading.Event(), []

    def run():
        try:
            visualize(vgg16_mini, "pool2", [0, 1], default_settings(vgg16_mini, steps=4))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            done.set()

    with vgg16_mini.lock:                 # another session holds the model: the run must not wait
        t = threading.Thread(target=run)
        t.start()
        assert done.wait(120), "visualize waited for the model's lock"
    t.join()
    assert not errors, errors
    assert _state(vgg16_mini.model) == before


def test_a_gallery_optimises_each_channel_for_itself(vgg16_mini):
    chans = [3, 4, 5]
    r = visualize(vgg16_mini, "conv3_1", chans, default_settings(vgg16_mini, steps=48))
    assert r.images.shape[0] == 3 and r.channels == tuple(chans)
    imgs = torch.from_numpy(r.images.astype(np.float32) / 255.0).permute(0, 3, 1, 2)
    # image i measured on every channel j: each channel is highest on its own image
    m = np.stack([layer_activation(vgg16_mini, imgs, "conv3_1", [c] * 3) for c in chans], axis=1)
    assert (m.argmax(axis=0) == np.arange(3)).all(), m


def test_a_unit_and_progress(vgg16_mini):
    seen = []
    r = visualize(vgg16_mini, "conv2_1", 7, default_settings(vgg16_mini, steps=32), unit=(16, 16),
                  progress=lambda s, n, p: seen.append((s, n, p is not None)), preview_every=8)
    assert [s for s, _, _ in seen] == list(range(1, 33)) and all(n == 32 for _, n, _ in seen)
    assert [s for s, _, p in seen if p] == [8, 16, 24, 32]
    assert r.unit == (16, 16) and r.activation[0] > r.start_activation[0] + 1.0, (r.activation, r.start_activation)


@pytest.mark.parametrize("kwargs,match", [
    (dict(layer="fc6", channels=0), "not a conv"),
    (dict(layer="conv3_1", channels=64), "out of range"),
    (dict(layer="conv3_1", channels=0, unit=(16, 0)), "outside"),
])
def test_bad_requests_are_one_line(vgg16_mini, kwargs, match):
    with pytest.raises(VisualisationError, match=match) as e:
        visualize(vgg16_mini, settings=default_settings(vgg16_mini, steps=1), **kwargs)
    assert "\n" not in str(e.value)


def test_objective_layer(vgg16_mini):
    m = vgg16_mini.model
    assert [objective_layer(m, n) for n in ("conv1_1", "relu1_1", "pool1", "relu4_3", "pool5")] == \
        ["conv1_1", "conv1_1", "conv1_2", "conv4_3", "conv5_3"]


def test_cli_visualize(tmp_path, capsys):
    out = tmp_path / "v.png"
    rc = cli.main(["visualize", "--variant", "vgg11_mini", "--weights", "shapes", "--layer", "relu2_1",
                   "--channel", "3", "--steps", "48", "--out", str(out), "--json"])
    assert rc == 0
    info = json.loads(capsys.readouterr().out)
    assert Image.open(out).size == (64, 64)                  # the model's input size by default
    assert info["layer"] == "relu2_1" and info["channel"] == 3 and info["steps"] == 48
    assert info["activation"] > info["noise_activation"]
    assert {"activation", "noise_activation", "ratio", "seconds", "out", "size", "seed"} <= set(info)
    rc = cli.main(["visualize", "--variant", "vgg11_mini", "--weights", "shapes", "--layer", "relu2_1",
                   "--channel", "99", "--out", str(out)])
    assert rc == 2 and "out of range" in capsys.readouterr().err
    rc = cli.main(["visualize", "--variant", "vgg11_mini", "--layer", "conv1_1", "--channel", "0",
                   "--out", str(tmp_path / "nope" / "v.png")])
    assert rc == 2
