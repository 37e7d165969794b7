"""vggviz.explain.attribution.chain: the private tail network equals captum on the whole model, the
context restores the model's state after success and exceptions, no module edits a hook dict,
and 16 threads share one model."""

from __future__ import annotations

import re
import threading

import numpy as np
import pytest
from attribution_support import Pixels, hand_model, hooks_left, state_of, tiny_loaded
from PIL import Image
from torch import nn

from vggviz.data.images import load_image_file, sample_images
from vggviz.explain import attribution as A
from vggviz.inference.analysis import analyze
from vggviz.model.layers import find_layer, named_layers


@pytest.mark.parametrize("layer", ["conv5_2", "relu5_2", "pool5", "conv4_1", "pool4", "relu3_2"])
def test_tail_equals_captum_on_whole_model(vgg11, cat11, layer):
    """Grad-CAM from the cached activation through the tail = captum's LayerGradCam(model,
    layer) on the whole model from the image (blocks 4–5 from the float32 cache; block 3
    from the recomputed float32 activation)."""
    from captum.attr import LayerGradCam

    module = find_layer(named_layers(vgg11.model), layer).module
    for target in (281, cat11.top[0].index, 1, 2, 3):   # random weights: some maps are all zero
        with A.attribution_mode(vgg11):      # lock + cleanup: captum hooks the shared layer here
            ref = LayerGradCam(vgg11.model, module).attribute(
                cat11.preprocessed.tensor.clone(), target=target, relu_attributions=True)[0, 0].detach()
        if ref.max() > 0:
            break
    assert ref.max() > 0
    cam = A.gradcam(vgg11, cat11, layer, target)
    np.testing.assert_allclose(cam.raw_max, float(ref.max()), rtol=1e-5)
    np.testing.assert_allclose(cam.layer_map, (ref / ref.max()).numpy(), atol=1e-5)
    assert not hooks_left(vgg11.model)


def test_attribution_mode_restores_after_success_and_exception(vgg11):
    model = vgg11.model
    before = state_of(model)
    relu = next(m for m in model.modules() if isinstance(m, nn.ReLU))
    handles = []
    # hooks left behind by a block that raised nothing: an error (they are counted, read-only;
    # whoever registered them removes them through their handles)
    try:
        with pytest.raises(RuntimeError, match="2 hook"):
            with A.attribution_mode(vgg11) as net:
                model.train()
                next(model.parameters()).requires_grad_(True)
                relu.inplace = False
                handles.append(relu.register_forward_hook(lambda *a: None))
                handles.append(net.entry.register_forward_pre_hook(lambda *a: None))
        assert state_of(model) == before                   # mode, requires_grad, inplace: restored
    finally:
        for h in handles:
            h.remove()
    assert not hooks_left(model)
    # an exception inside the block propagates unchanged, and everything is restored
    handles.clear()
    try:
        with pytest.raises(KeyError, match="boom"):
            with A.attribution_mode(vgg11):
                handles.append(model.features[0].register_full_backward_hook(lambda *a: None))
                model.train()
                raise KeyError("boom")
    finally:
        for h in handles:
            h.remove()
    assert state_of(model) == before and not hooks_left(model)
    assert all(m.inplace for m in model.modules() if isinstance(m, nn.ReLU))
    assert not any(p.requires_grad for p in model.parameters())
    assert not model.training
    # and a clean block is fine; the lock is released afterwards
    with A.attribution_mode(vgg11) as net:
        assert vgg11.lock._is_owned()
        assert all(not m.inplace for m in net.own_modules() if isinstance(m, nn.ReLU))
    assert vgg11.lock.acquire(blocking=False)
    vgg11.lock.release()


def test_no_module_edits_a_hook_dict():
    """Hooks are removed through their handles, never by editing a module's hook dicts."""
    from pathlib import Path

    import vggviz

    for path in Path(vggviz.__file__).parent.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "_is_full_backward_hook" not in text, path
        assert not re.search(r"del\s+[\w.]*hooks\[", text), path
        assert not re.search(r"_(forward|backward)(_pre)?_hooks\s*(\[[^\]]*\]\s*=|=|\.(pop|clear|popitem))", text), path


def test_hooking_the_shared_model_would_break_concurrent_analyses():
    """Why attribution never hooks the shared model: captum's GuidedBackprop hooks every ReLU,
    and a lock-free analysis running meanwhile in another session then fails."""
    from captum._utils.common import _register_backward_hook

    loaded = tiny_loaded(hand_model(), Pixels)
    img = Image.new("RGB", (4, 4), (100, 0, 0))
    relu = loaded.model.features[1]
    handles = _register_backward_hook(relu, lambda *a: None, None)
    try:
        with pytest.raises(RuntimeError, match="doesn't require gradient"):
            analyze(loaded, img)
    finally:
        for h in handles:
            h.remove()
    # whereas analyses during our Guided Grad-CAM are untouched (the hooks are on the chain)
    with A.attribution_mode(loaded) as net:
        from captum.attr import GuidedBackprop
        gb = GuidedBackprop(net)
        net.apply(gb._register_hooks)            # what gb.attribute() does for its duration
        try:
            assert analyze(loaded, img).top
        finally:
            gb._remove_hooks()
    assert not hooks_left(loaded.model)


def test_threads_share_one_model(vgg11):
    """16 threads of Grad-CAM (different images, layers and targets), one of Guided Grad-CAM
    and one lock-free analysis, all started at once on one model: every answer equals the
    single-threaded one, and the model is left as it was."""
    samples = sample_images()
    res = [analyze(vgg11, load_image_file(p)) for p in list(samples.values())[:4]]
    jobs = [(i % len(res), ["conv5_2", "relu5_1", "pool5", "conv4_2"][i % 4], [None, 1, 281, 999][(i // 4) % 4])
            for i in range(16)]
    single = [A.gradcam(vgg11, res[r], layer, target).layer_map for r, layer, target in jobs]
    guided_single = A.compare_methods(vgg11, res[0], 281)
    before = state_of(vgg11.model)

    start = threading.Barrier(len(jobs) + 2)
    out: dict = {}
    errors: list = []

    def run(key, fn):
        try:
            start.wait()
            out[key] = fn()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((key, e))

    threads = [threading.Thread(target=run, args=(i, lambda j=job: A.gradcam(vgg11, res[j[0]], j[1], j[2]).layer_map))
               for i, job in enumerate(jobs)]
    threads.append(threading.Thread(target=run, args=("guided", lambda: A.compare_methods(vgg11, res[0], 281))))
    threads.append(threading.Thread(target=run, args=("analysis", lambda: analyze(vgg11, load_image_file(samples["Cat"])))))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    for i in range(len(jobs)):
        np.testing.assert_allclose(out[i], single[i], atol=1e-6, err_msg=str(jobs[i]))
    for name, m in guided_single.items():
        np.testing.assert_allclose(out["guided"][name], m, atol=1e-6, err_msg=name)
    np.testing.assert_array_equal(out["analysis"].probs, analyze(vgg11, load_image_file(samples["Cat"])).probs)
    assert state_of(vgg11.model) == before and not hooks_left(vgg11.model)
