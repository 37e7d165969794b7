"""Top-activating patches (vggviz.explain.top_patches): the per-image maxima are the analysis's own
numbers, a channel's gallery is strongest first and cut to the unit's receptive field, and the
image set holds the samples, the uploads and (mini family) held-out generated shapes."""

from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from vggviz import i18n
from vggviz.data.images import sample_images
from vggviz.data.shapes import draw_plain
from vggviz.explain.top_patches import image_set, index_layer, source_label
from vggviz.inference.analysis import analyze


@pytest.fixture(scope="module")
def shapes_index(vgg16_mini):
    imgs = image_set(vgg16_mini, uploads=[("star.png", draw_plain("star"))], shapes_count=40)
    return imgs, index_layer(vgg16_mini, "relu3_1", imgs, batch=16)


def test_the_maxima_are_the_analysis_numbers(vgg16_mini, shapes_index):
    imgs, idx = shapes_index
    assert idx.values.shape == (len(imgs), 32) and idx.where.shape == (len(imgs), 32, 2)
    for i in (0, len(imgs) - 1):                   # a sample photo and a generated shape
        acts = analyze(vgg16_mini, imgs[i][1]).activation("relu3_1")      # (32, 16, 16), float32 for the mini family
        np.testing.assert_allclose(idx.values[i], acts.reshape(32, -1).max(axis=1), rtol=1e-5, atol=1e-6)
        for ch in (0, 7):
            r, c = idx.where[i, ch]
            assert acts[ch, r, c] == pytest.approx(idx.values[i, ch], rel=1e-5, abs=1e-6)


def test_a_channels_gallery(shapes_index):
    _, idx = shapes_index
    ch = int(idx.ranking()[0])
    top = idx.top(ch, k=6)
    assert len(top) == 6 and [p.value for p in top] == sorted((p.value for p in top), reverse=True)
    assert top[0].value == pytest.approx(float(idx.values[:, ch].max()))
    for p in top:                                   # relu3_1 of D sees 24 px: 3, 5, 6, 10, 14, 16, 24
        left, t, r, b = p.box
        assert p.image.size == (int(round(r - left)), int(round(b - t))) == (24, 24)
    with pytest.raises(ValueError, match="out of range"):
        idx.top(32)


def test_conv1_1_patches_are_the_pixels(vgg16_mini):
    img = Image.new("RGB", (64, 64), (10, 200, 30))
    idx = index_layer(vgg16_mini, "conv1_1", [("green", img)])
    p = idx.top(0, k=1)[0]
    assert p.image.size == (3, 3)
    inside = [px for px in p.image.getdata() if px != (128, 128, 128)]
    assert inside and all(px == (10, 200, 30) for px in inside)      # the crop's own pixels; grey = padding


def test_the_image_set():
    mini = image_set(SimpleNamespace(variant="vgg11_mini"), [("mine.png", Image.new("RGB", (40, 40)))], shapes_count=5)
    names = [n for n, _ in mini]
    assert len(names) == len(sample_images()) + 1 + 5
    assert "upload: mine.png" in names and sum(n.startswith("shapes #") for n in names) == 5
    full = image_set(SimpleNamespace(variant="vgg16"))
    assert not any(n.startswith("shapes") for n, _ in full) and len(full) == len(sample_images())


def test_sources_are_shown_in_the_readers_language(monkeypatch):
    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    sources = [n for n, _im in image_set(SimpleNamespace(variant="vgg11_mini"), [("a b.png", Image.new("RGB", (8, 8)))],
                                         shapes_count=2)]
    assert [source_label(s) for s in sources] == sources                  # English: the sources as they are
    with i18n.using(i18n.PSEUDO):
        shown = [source_label(s) for s in sources]
    assert "⟦upload: a b.png⟧" in shown
    assert any(s.startswith("⟦shapes #1 (⟦") for s in shown)             # the shape's name is translated too
    assert source_label("something else") == "something else"


def test_progress_is_per_batch(vgg16_mini):
    seen = []
    imgs = [(str(i), draw_plain("circle")) for i in range(5)]
    index_layer(vgg16_mini, "pool1", imgs, batch=2, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(2, 5), (4, 5), (5, 5)]
