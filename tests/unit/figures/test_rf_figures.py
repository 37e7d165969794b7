"""vggviz.figures.rf: the receptive-field and dense-evaluation figures draw the numbers they are
given (path counts with one frame per layer, a layer's field and stride, a map over its image,
probabilities as bars) and an image is embedded reduced, with the scale it was reduced by."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from vggviz import i18n
from vggviz.figures.prediction import multiscale_figure, score_map_figure, topk_figure
from vggviz.figures.rf import (
    erf_figure,
    image_source,
    path_count_figure,
    rf_growth_figure,
    unit_box_figure,
)
from vggviz.inference.analysis import Prediction
from vggviz.model.receptive_field import path_count_steps
from vggviz.model.summary import summarize


def test_image_source_reduces_large_images_and_says_by_how_much():
    src, scale = image_source(Image.new("RGB", (1280, 640), (10, 200, 30)), max_side=640)
    assert scale == pytest.approx(0.5) and src.startswith("data:image/png;base64,")
    back = Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))
    assert back.size == (640, 320) and back.getpixel((5, 5)) == (10, 200, 30)
    assert image_source(Image.new("L", (20, 10)))[1] == 1.0


def test_path_count_figure_shows_the_step_and_animates_every_layer():
    grids = path_count_steps(3, 3)
    fig = path_count_figure(grids, 2, 3)
    assert np.array_equal(np.asarray(fig.data[0].z), grids[1])
    assert len(fig.frames) == len(grids) == 3


def test_rf_growth_figure_from_the_summary():
    s = summarize("vgg16", 224)
    fig = rf_growth_figure(s, highlight="conv5_3")
    ys = [y for t in fig.data for y in (t.y or ())]
    assert 212 in ys                                     # pool5's field
    with i18n.using("zh"):
        zh = rf_growth_figure(s)
    assert zh.layout.yaxis.title.text != fig.layout.yaxis.title.text and zh.data[0].y == fig.data[0].y


def test_maps_boxes_and_bars():
    img = Image.new("RGB", (224, 224))
    box = (-10.0, 20.0, 90.0, 120.0)
    assert unit_box_figure(img, box).layout.shapes and unit_box_figure(None, box).data
    erf = np.zeros((224, 224), np.float32)
    assert erf_figure(erf, box).layout.title.text == "Effective receptive field"
    fig = score_map_figure(img, np.full((3, 4), 0.25), "cat")
    assert fig.data[1].z.shape == (3, 4) and "3×4" in fig.layout.title.text
    bars = topk_figure([Prediction(0, "cat", 0.7), Prediction(1, "dog", 0.2)], "top 2")
    assert list(bars.data[0].y) == ["dog (1)", "cat (0)"] and list(bars.data[0].x) == pytest.approx([20, 70])   # largest on top
    multi = multiscale_figure(["cat", "dog"], {"224 px": [0.6, 0.3], "average": [0.5, 0.4]})
    assert [t.name for t in multi.data] == ["224 px", "average"] and multi.data[1].marker.color == "#E45756"
