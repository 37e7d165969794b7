"""vggviz.serving.dense_results: dense scores and multi-crop equal the library's own, are computed
once per key through the scheduler (a second call is a hit: no pass), and are told apart by size,
flip and the model."""

from __future__ import annotations

import numpy as np
import pytest

from vggviz.data.images import load_image
from vggviz.data.shapes import draw_plain
from vggviz.figures.maps import to_png
from vggviz.inference.dense import dense_scores
from vggviz.inference.multicrop import multi_crop
from vggviz.serving import dense_results, scheduler


@pytest.fixture
def image():
    dense_results.clear()
    yield load_image(to_png(draw_plain("star").resize((96, 96))), "star")
    dense_results.clear()


class Counting:
    """The scheduler's run, counted."""

    def __init__(self) -> None:
        self.keys = []

    def run(self, key, fn, on_wait=None):
        self.keys.append(key)
        return fn()


def test_dense_once_per_key_through_the_scheduler(vgg16_mini, image, monkeypatch):
    sched = Counting()
    monkeypatch.setattr(dense_results, "scheduler", lambda: sched)
    got = dense_results.dense(vgg16_mini, image, 96)
    np.testing.assert_allclose(got.mean_probs, dense_scores(vgg16_mini, image.image, 96).mean_probs, atol=1e-6)
    assert dense_results.dense(vgg16_mini, image, 96) is got and len(sched.keys) == 1
    flipped = dense_results.dense(vgg16_mini, image, 96, flip=True)
    assert flipped is not got and len(sched.keys) == 2
    dense_results.dense(vgg16_mini, image, 128)
    assert len(sched.keys) == 3 and len(set(sched.keys)) == 3


def test_crops_kept_only_after_computing(vgg16_mini, image, monkeypatch):
    sched = Counting()
    monkeypatch.setattr(dense_results, "scheduler", lambda: sched)
    assert not dense_results.crops_kept(vgg16_mini, image, 96, 2)
    got = dense_results.crops(vgg16_mini, image, 96, 2)
    assert dense_results.crops_kept(vgg16_mini, image, 96, 2)
    assert not dense_results.crops_kept(vgg16_mini, image, 96, 3)
    np.testing.assert_allclose(got.mean_probs, multi_crop(vgg16_mini, image.image, 96, grid=2).mean_probs, atol=1e-6)
    assert dense_results.crops(vgg16_mini, image, 96, 2) is got and len(sched.keys) == 1


def test_the_real_scheduler_runs_it(vgg16_mini, image):
    before = scheduler.scheduler().served
    dense_results.dense(vgg16_mini, image, 64)
    assert scheduler.scheduler().served == before + 1
