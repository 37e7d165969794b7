"""vggviz.figures.unit: the One-unit page's figures: a map whose every unit is clickable (and the
click read back from Streamlit's selection event), the contributions that add up to the unit's
pre-activation, its windows and kernels, and conv1_1's pixels enlarged."""

from __future__ import annotations

import numpy as np
import pytest
from support import ROOT

from vggviz.data.images import load_image_file
from vggviz.explain.unit import unit_arithmetic
from vggviz.figures.unit import clickable_map, pixels_image, selected_unit, terms_figure, window_figure
from vggviz.inference.analysis import analyze


@pytest.fixture(scope="module")
def res(vgg16_mini):
    return analyze(vgg16_mini, load_image_file(ROOT / "assets" / "samples" / "shapes_star.png"))


def test_clicks_are_read_from_the_selection_event():
    fig = clickable_map(np.zeros((8, 8)), "t", (1, 2))
    assert fig.data[1].name == "units" and len(fig.data[1].x) == 64
    assert selected_unit({"selection": {"points": [{"x": 5, "y": 2, "point_index": 21}]}}) == (2, 5)
    assert selected_unit({"selection": {"points": []}}) is None
    assert selected_unit(None) is None


def test_the_terms_add_up_to_the_pre_activation(vgg16_mini, res):
    u = unit_arithmetic(vgg16_mini, res, "relu2_1", 3, 5, 6)
    fig = terms_figure(u, top=3)
    bars = list(fig.data[0].y)
    assert len(bars) == 3 + 1 + 1                         # the 3 largest, the others, the bias
    assert sum(bars) == pytest.approx(u.pre_activation, abs=1e-4)
    assert list(fig.data[0].x)[-1] == "bias" and bars[-1] == pytest.approx(u.bias)
    assert window_figure(u, n=2).data


def test_pixels_only_for_conv1_1(vgg16_mini, res):
    first = unit_arithmetic(vgg16_mini, res, "conv1_1", 0, 10, 10)
    img = pixels_image(first, scale=5)
    assert img is not None and img.size == (3 * 5, 3 * 5)
    assert pixels_image(unit_arithmetic(vgg16_mini, res, "conv2_1", 0, 1, 1)) is None
