"""What the network predicts, as figures: the top-k bars, a class's probability map over the
image (dense evaluation), the probabilities at several scales, and a new head's classes.

No streamlit here; plotly figures only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from vggviz.figures.maps import HEATMAP_COLORMAP, plotly_scale
from vggviz.figures.rf import image_trace
from vggviz.i18n import _

if TYPE_CHECKING:
    from vggviz.inference.analysis import Prediction

__all__ = ["topk_figure", "score_map_figure", "multiscale_figure", "probs_figure"]


def topk_figure(top: Sequence[Prediction], title: str = "", translate_labels: bool = False) -> go.Figure:
    """The top-k predictions as horizontal bars, the most likely on top, in %.
    ``translate_labels``: show the class names in the session's language (the shapes' names;
    ImageNet's class names stay as they are)."""
    labels = [f"{_(p.label) if translate_labels else p.label} ({p.index})" for p in top]
    pct = [100 * p.prob for p in top]
    best = max(pct, default=0.0)
    # A confident network gets the full 0–100 % axis; a near-uniform one (an untrained network
    # gives each of 1000 ImageNet classes ~0.1 %, each of 12 shapes ~8 %) gets a zoomed axis, said on the axis, so the bars show.
    zoomed = 0 < best < 20
    upper = best * 1.3 if zoomed else 100.0
    fig = go.Figure(go.Bar(
        x=pct[::-1], y=labels[::-1], orientation="h", marker_color="#4C78A8",
        text=[f"{v:.2f}%" if v < 1 else f"{v:.1f}%" for v in pct[::-1]], textposition="auto",
        hovertemplate="%{y}: %{x:.3f}%<extra></extra>",
    ))
    axis_title = _("probability (%)") + (_(" — axis zoomed to 0–{upper}%").format(upper=f"{upper:.2g}") if zoomed else "")
    fig.update_layout(title=dict(text=title), height=60 + 44 * max(len(top), 1),
                      margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      xaxis=dict(title=axis_title, range=[0, upper]))
    return fig


def score_map_figure(image: Image.Image, score_map: np.ndarray, label: str,
                     centre0: float = 112.0, stride: float = 32.0, opacity: float = 0.55) -> go.Figure:
    """The class-probability map drawn over the image it was computed on: each cell sits at
    its unit's field centre (first at ``centre0`` px, then every ``stride`` px) and is one
    stride wide, so the map covers the part of the image the units are centred on."""
    h, w = score_map.shape
    fig = go.Figure(image_trace(image))
    fig.add_trace(go.Heatmap(
        z=score_map, x0=centre0, dx=stride, y0=centre0, dy=stride, colorscale=plotly_scale(HEATMAP_COLORMAP),
        zmin=0, zmax=max(float(score_map.max()), 1e-6), opacity=opacity, zsmooth=False,
        colorbar=dict(title="p", thickness=12),
        hovertemplate=_("cell ({y}, {x}) px: p = {z}").format(y="%{y:.0f}", x="%{x:.0f}", z="%{z:.3f}")
        + "<extra></extra>",
    ))
    fig.update_xaxes(range=[0, image.width], visible=False, constrain="domain")
    fig.update_yaxes(range=[image.height, 0], visible=False, scaleanchor="x")
    fig.update_layout(height=460, margin=dict(l=10, r=10, t=40, b=10),
                      title=dict(text=_("p({label}) at each of the {h}×{w} positions").format(label=label, h=h, w=w),
                                 font=dict(size=13)))
    return fig


def multiscale_figure(labels: Sequence[str], per_scale: dict[str, Sequence[float]],
                      average: str | None = None) -> go.Figure:
    """Grouped bars: the probability of each class at each scale and averaged. ``average``
    names the entry of ``per_scale`` that is the average (drawn in red); by default an entry
    whose name starts with "average" (a translated name needs ``average``)."""
    palette = ["#9ecae9", "#4C78A8", "#1f3b63", "#72B7B2", "#B279A2", "#F58518"]
    fig = go.Figure()
    for i, (name, probs) in enumerate(per_scale.items()):
        avg = name == average if average is not None else name.startswith("average")
        fig.add_bar(x=list(labels), y=list(probs), name=name,
                    marker_color="#E45756" if avg else palette[i % len(palette)],
                    hovertemplate=_("{x} at {scale}: {p}").format(x="%{x}", scale=name, p="%{y:.2%}")
                    + "<extra></extra>")
    fig.update_layout(barmode="group", height=380, margin=dict(l=10, r=10, t=30, b=10),
                      yaxis=dict(tickformat=".2~%", title=_("probability")),
                      legend=dict(orientation="h", y=1.1, x=0))
    return fig


def probs_figure(classes: Sequence[str], probs: np.ndarray) -> go.Figure:
    """A horizontal bar chart of the new classes' probabilities."""
    fig = go.Figure(go.Bar(x=[float(p) for p in probs], y=list(classes), orientation="h",
                           text=[f"{100 * float(p):.1f}%" for p in probs], textposition="auto"))
    fig.update_layout(xaxis=dict(range=[0, 1], title=_("probability")), yaxis=dict(autorange="reversed"),
                      height=80 + 40 * len(classes), margin=dict(l=10, r=10, t=10, b=10))
    return fig
