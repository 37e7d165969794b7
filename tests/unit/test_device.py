"""The library on the ``device`` fixture's device (``VGGVIZ_TEST_DEVICE``: the CPU here, CUDA
when ``python -m benchmarks.gpu_check`` runs them on a GPU machine), each against the CPU:
an analysis gives the same top-5 and maps, a batched pass splits back exactly, Grad-CAM's maps
agree, a feature visualisation and a training step run and leave the shared model as it was.

Only torch, torchvision, numpy and Pillow (and plotly, which vggviz.explain.attribution imports): a GPU
machine without streamlit runs this file."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from vggviz.data.shapes import sample
from vggviz.inference.analysis import analyze, analyze_batch
from vggviz.model.weights import load_model
from vggviz.serving.scheduler import Batch, Scheduler


@pytest.fixture(scope="module")
def pair(device):
    """The bundled mini VGG16 (shapes weights) on the CPU and on ``device``."""
    return load_model("vgg16_mini", "shapes", "cpu"), load_model("vgg16_mini", "shapes", device)


@pytest.fixture(scope="module")
def images():
    return [sample(11, i)[0] for i in range(4)]


def _state(model) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}


def test_the_model_is_on_the_device(pair, device):
    _cpu, dev = pair
    assert next(dev.model.parameters()).device.type == torch.device(device).type


def _same_ranking(a, b, tol: float = 1e-3) -> bool:
    """The same top-k, except where two classes' probabilities are within ``tol`` (a near-tie
    that float rounding, e.g. TF32 convolutions on a GPU, may order either way)."""
    return all(pa.index == pb.index or abs(a.probs[pa.index] - a.probs[pb.index]) < tol
               for pa, pb in zip(a.top, b.top, strict=True))


def test_an_analysis_on_the_device_matches_the_cpu(pair, images):
    cpu, dev = pair
    for img in images:
        a, b = analyze(cpu, img, topk=5), analyze(dev, img, topk=5)
        assert a.top[0].index == b.top[0].index and _same_ranking(a, b)
        np.testing.assert_allclose(a.probs, b.probs, atol=2e-3)
        for name in a.acts:
            assert b.acts[name].shape == a.acts[name].shape
            assert isinstance(b.acts[name], np.ndarray)             # copied back to the CPU
            scale = float(np.abs(a.acts[name]).max()) or 1.0
            assert float(np.abs(a.acts[name] - b.acts[name]).max()) <= 2e-2 * scale, name


def test_a_batched_pass_on_the_device_splits_back_exactly(pair, images):
    _cpu, dev = pair
    batch = analyze_batch(dev, images, topk=5)
    for img, b in zip(images, batch, strict=True):
        one = analyze(dev, img, topk=5)
        assert b.batch == len(images) and b.top[0].index == one.top[0].index and _same_ranking(b, one)
        np.testing.assert_allclose(b.probs, one.probs, atol=1e-3)


def test_the_scheduler_batches_real_passes(pair, images):
    """Micro-batching end to end: four passes queued behind a busy worker run as one batch
    and each caller gets its own image's analysis."""
    import threading

    _cpu, dev = pair
    s = Scheduler(workers=1, batch_window_s=0)
    release, started = threading.Event(), threading.Event()
    out: dict[int, object] = {}

    def hold():
        started.set()
        release.wait(30)

    def run_many(items):
        return analyze_batch(dev, list(items), topk=5)

    gate = threading.Thread(target=lambda: s.run("gate", hold))
    gate.start()
    assert started.wait(30)
    threads = []
    for i, img in enumerate(images):
        t = threading.Thread(target=lambda i=i, img=img: out.__setitem__(
            i, s.run(("img", i), None, batch=Batch("mini", img, run_many))))
        t.start()
        threads.append(t)
        with s._cond:
            assert s._cond.wait_for(lambda i=i: len(s._queue) == i + 1, 30)
    release.set()
    for t in [gate, *threads]:
        t.join(60)
    assert s.batch_sizes == [len(images)]
    for i, img in enumerate(images):
        one = analyze(dev, img, topk=5)
        assert out[i].batch == len(images) and out[i].digest == one.digest
        assert out[i].top[0].index == one.top[0].index and _same_ranking(out[i], one)


def test_gradcam_on_the_device_agrees_with_the_cpu(pair, images):
    from vggviz.explain.attribution.cam import gradcam

    cpu, dev = pair
    before = _state(dev.model)
    for img in images[:2]:
        a, b = analyze(cpu, img), analyze(dev, img)
        ga, gb = gradcam(cpu, a), gradcam(dev, b)
        assert ga.target == gb.target and ga.layer == gb.layer
        x, y = ga.layer_map.ravel(), gb.layer_map.ravel()
        if x.std() > 0 and y.std() > 0:
            assert float(np.corrcoef(x, y)[0, 1]) >= 0.99
        else:
            np.testing.assert_allclose(x, y, atol=1e-3)
    after = _state(dev.model)
    assert all(torch.equal(before[k], after[k]) for k in before)      # no change to the shared model


def test_a_feature_visualisation_runs_on_the_device(pair):
    from vggviz.explain.featvis import default_settings, visualize

    _cpu, dev = pair
    before = _state(dev.model)
    s = default_settings(dev, steps=4)
    vis = visualize(dev, "conv3_1", 0, settings=s)
    assert vis.images.dtype == np.uint8 and vis.images.shape[0] == 1
    assert vis.history.shape == (4, 1) and np.isfinite(vis.history).all()
    after = _state(dev.model)
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_a_training_step_runs_on_the_device(device):
    from vggviz.lab.training import Recipe, train

    res = train("vgg11_mini", Recipe(epochs=1, batch_size=16, train_size=64, val_size=32, max_batches=2),
                device=device)
    assert np.isfinite(res.epochs[-1].train_loss)
    assert all(t.device.type == "cpu" for t in res.state_dict.values())     # kept on the CPU
