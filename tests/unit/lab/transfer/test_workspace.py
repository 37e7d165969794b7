"""vggviz.lab.transfer.workspace: the Teach page's classes checked, features kept once per image
and model (another model empties them), each batch's forward pass through the runner it is given,
and train() giving the head and held-out accuracy that fit() and cross_val_accuracy() give on
features computed directly."""

from __future__ import annotations

import numpy as np
import pytest

from vggviz.lab import transfer
from vggviz.lab.transfer import workspace


class Runner:
    """A stand-in for the scheduler's run: records each key and runs the pass."""

    def __init__(self) -> None:
        self.keys = []

    def __call__(self, key, fn):
        self.keys.append(key)
        return fn()


def _classes(names=("circle", "ring"), count=3, seed=1):
    return [(c, [transfer.as_image(p, f"{c} {k}") for k, p in enumerate(transfer.shape_images(c, count, seed=seed))])
            for c in names]


def test_problems_name_what_is_missing():
    imgs = _classes(count=1)
    assert workspace.problem(imgs) == ""
    assert "name" in workspace.problem([("", imgs[0][1]), imgs[1]])
    assert "different name" in workspace.problem([("a", imgs[0][1]), ("a", imgs[1][1])])
    assert "at least one image" in workspace.problem([imgs[0], ("ring", [])])


def test_capped_keeps_the_first_images():
    kept, cut = workspace.capped(list(range(transfer.MAX_PER_CLASS + 3)))
    assert kept == list(range(transfer.MAX_PER_CLASS)) and cut
    assert workspace.capped([1, 2]) == ([1, 2], False)


def test_features_once_per_image_and_model_each_batch_through_the_runner(vgg16_mini, monkeypatch):
    monkeypatch.setattr("vggviz.lab.transfer.workspace.BATCH", 4)
    classes = _classes(count=5)
    images = [im for _c, ims in classes for im in ims]
    cache, run, seen = workspace.FeatureCache(), Runner(), []
    assert cache.use(workspace.model_key(vgg16_mini))
    assert cache.fill(vgg16_mini, images, run, lambda d, t: seen.append((d, t))) == 10
    assert len(run.keys) == 3 and seen == [(4, 10), (8, 10), (10, 10)]      # batches of 4, 4, 2
    direct = transfer.features(vgg16_mini, images[:2])
    got = cache.per_class([("x", images[:2])], "fc7")["x"]
    np.testing.assert_allclose(got, direct["fc7"], rtol=1e-5, atol=1e-6)
    assert cache.fill(vgg16_mini, images, run) == 0 and len(run.keys) == 3    # kept: no pass
    cache.keep(images[:3])
    assert len(cache) == 3 and images[3].digest not in cache
    assert not cache.use(workspace.model_key(vgg16_mini)) and len(cache) == 3
    assert cache.use(("another", "model", "", "cpu")) and len(cache) == 0


def test_train_equals_fit_and_cross_validation_on_direct_features(vgg16_mini):
    classes = _classes(count=4)
    stages = []
    done = workspace.train(vgg16_mini, workspace.FeatureCache(), classes, "fc6", Runner(),
                           lambda stage, d, t, loss: stages.append(stage))
    per = {c: transfer.features(vgg16_mini, ims)["fc6"] for c, ims in classes}
    head = transfer.fit(vgg16_mini, per, "fc6")
    np.testing.assert_allclose(done.head.weight, head.weight, rtol=1e-4, atol=1e-5)
    assert done.cv == transfer.cross_val_accuracy(per)
    assert done.head.classes == ("circle", "ring")
    assert stages[0] == "features" and "train" in stages and stages[-1] == "heldout"
    assert done.signature == workspace.signature(workspace.model_key(vgg16_mini), "fc6", classes)


def test_finetune_walks_through_the_runner(vgg16_mini):
    run = Runner()
    tuned = workspace.finetune_classes(vgg16_mini, _classes(count=3), "fc7", epochs=1, seconds=30, run=run)
    assert run.keys and all(k[0] == "transfer-pool4" for k in run.keys)
    assert tuned.epochs == 1 and tuned.head.classes == ("circle", "ring")


def test_train_rejects_one_class(vgg16_mini):
    classes = _classes(names=("circle",), count=2)
    with pytest.raises(transfer.TransferError):
        workspace.train(vgg16_mini, workspace.FeatureCache(), classes, "fc7")
