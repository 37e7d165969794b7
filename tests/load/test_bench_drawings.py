"""The sceptic's drawings (benchmarks/bench_drawings.py): drawn by code that is not the
generator, as they claim, scored with a correct interval, and a handful of them recognised by
the bundled mini VGG16 (a fast check; the full table is the benchmark's)."""

import numpy as np
import pytest

from benchmarks import bench_drawings as bd
from vggviz.data import shapes


def test_wilson_interval():
    lo, hi = bd.wilson(38, 48)
    assert lo == pytest.approx(65.7, abs=0.1) and hi == pytest.approx(88.3, abs=0.1)
    assert bd.wilson(0, 10)[0] == 0 and bd.wilson(10, 10)[1] == 100


def test_every_class_drawn_in_every_style_deterministically():
    for style in bd.STYLES:
        for c in shapes.CLASSES:
            a = np.asarray(bd.draw(c, style, 64, 1))
            assert a.shape == (64, 64, 3)
            assert np.array_equal(a, np.asarray(bd.draw(c, style, 64, 1)))
    # outlines and strokes: dark ink on a light background, covering little of the picture
    for style in ("outline", "stroke"):
        a = np.asarray(bd.draw("square", style, 128, 0)).astype(int)
        assert a[0, 0].min() >= 225 and (a.sum(2) < 300).mean() < 0.15


def test_bundled_vgg16_mini_knows_a_handful_of_drawings():
    """Four shapes, filled, outlined and stroked at 64 px: 12 drawings, at most two missed."""
    from vggviz.model.weights import load_model

    loaded = load_model("vgg16_mini", "shapes", "cpu")
    pics = [(bd.draw(c, style, 64, 0), c) for style in bd.STYLES for c in bd.FOUR]
    said = bd.predict(loaded, [p for p, _ in pics])
    right = sum(s == c for s, (_, c) in zip(said, pics))
    assert right >= 10, list(zip(said, [c for _, c in pics]))
