"""What the network predicts, as figures (vggviz.figures.prediction): the one top-k chart
(most likely on top, in %, a zoomed axis for a near-uniform network, shape names in the reader's
language), used by Forward pass and Fully convolutional."""

from __future__ import annotations

from vggviz.figures import prediction as prediction_figures
from vggviz.inference.analysis import Prediction


def test_topk_figure_most_likely_on_top_in_percent():
    top = [Prediction(1, "goldfish", 0.5), Prediction(2, "shark", 0.25)]
    fig = prediction_figures.topk_figure(top)
    bar = fig.data[0]
    assert bar.orientation == "h"
    assert list(bar.x) == [25.0, 50.0] and bar.y[-1].startswith("goldfish")


def test_topk_axis_full_when_confident_zoomed_when_near_uniform():
    confident = prediction_figures.topk_figure([Prediction(1, "goldfish", 0.5), Prediction(2, "shark", 0.25)])
    assert list(confident.layout.xaxis.range) == [0, 100]
    flat = prediction_figures.topk_figure([Prediction(1, "goldfish", 0.0012), Prediction(2, "shark", 0.0011)])
    lo, hi = flat.layout.xaxis.range
    assert lo == 0 and 0.12 < hi < 0.2, "an untrained network's 0.1 % bars must be visible"
    assert "zoomed" in flat.layout.xaxis.title.text
    assert flat.data[0].text[-1] == "0.12%"


def test_topk_figure_in_the_readers_language(monkeypatch):
    from vggviz import i18n

    monkeypatch.setenv(i18n.PSEUDO_ENV, "1")
    top = [Prediction(4, "star", 0.9), Prediction(0, "circle", 0.1)]
    with i18n.using(i18n.PSEUDO):
        shapes = prediction_figures.topk_figure(top, translate_labels=True)          # the shapes' names are translated
        imagenet = prediction_figures.topk_figure(top)                                # ImageNet's stay as they are
    assert list(shapes.data[0].y) == ["⟦circle⟧ (0)", "⟦star⟧ (4)"]
    assert list(imagenet.data[0].y) == ["circle (0)", "star (4)"]
    assert shapes.layout.xaxis.title.text == "⟦probability (%)⟧"
