"""vggviz.figures.arch (and the per-model growth curves of vggviz.figures.rf): the architecture's figures carry the summary's numbers (every weight layer,
parameter and compute shares that add up to 100 %, one stacked bar per variant and block) and
their titles follow the reader's language."""

from __future__ import annotations

import numpy as np
import pytest

from vggviz import i18n
from vggviz.figures.arch import block_bars, human, network_diagram, params_vs_compute
from vggviz.figures.rf import rf_growth_per_model_figure as rf_growth_figure
from vggviz.lab.compare import variant_rows
from vggviz.model.alexnet import rf_growth
from vggviz.model.summary import summarize


@pytest.fixture(scope="module")
def vgg16():
    return summarize("vgg16", 224)


def test_human_numbers():
    assert human(138357544) == "138.4 M"
    assert human(15.5e9, "MAC") == "15.5 GMAC"
    assert human(512) == "512" and human(0, "B") == "0 B"


def test_params_vs_compute_has_every_weight_layer_and_shares_of_100(vgg16):
    fig = params_vs_compute(vgg16)
    weight_layers = [r.name for r in vgg16.rows if r.params]
    assert len(fig.data) == 2 and list(fig.data[0].x) == weight_layers and "fc6" in weight_layers
    assert sum(fig.data[0].y) == pytest.approx(100) and sum(fig.data[1].y) == pytest.approx(100)
    fc6 = weight_layers.index("fc6")
    assert fig.data[0].y[fc6] > 70                      # fc6 holds most of VGG16's parameters
    with i18n.using("zh"):
        zh = params_vs_compute(vgg16)
    assert zh.layout.title.text != fig.layout.title.text and zh.data[0].y == fig.data[0].y


def test_network_diagram_and_block_bars(vgg16):
    assert network_diagram(vgg16).data                  # boxes and their hover points
    rows = variant_rows(224)
    fig = block_bars(rows, "params")
    assert len(fig.data) == 6 and len(fig.data[0].x) == len(rows)
    totals = np.sum([list(t.y) for t in fig.data], axis=0)
    assert list(totals) == [sum(r.block_params) for r in rows]
    assert "224" in block_bars(rows, "macs", 224).layout.title.text


def test_rf_growth_figure_one_line_per_model():
    curves = {"AlexNet": rf_growth("alexnet"), "VGG16": rf_growth("vgg16")}
    fig = rf_growth_figure(curves)
    assert [t.name for t in fig.data] == ["AlexNet", "VGG16"]
    assert list(fig.data[1].y) == [rf for _n, rf, _s in curves["VGG16"]] and fig.data[1].y[-1] == 212
