"""Figures for the receptive-field explorer and the fully-convolutional page.

Plotly figures and PIL images only; no streamlit. Images go into figures as one PNG
(``go.Image(source=…)``), never as per-pixel arrays, so a figure stays a few hundred KB.
"""

from __future__ import annotations

import base64
import io
from typing import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from .i18n import _
from .summary import Summary

__all__ = [
    "path_count_figure",
    "rf_growth_figure",
    "unit_box_figure",
    "erf_figure",
    "score_map_figure",
    "multiscale_figure",
    "topk_figure",
    "image_source",
]

BOX_COLOUR = "#E45756"
# white at zero, so that "exactly zero outside the box" is visible as white
ERF_SCALE = [[0.0, "#ffffff"], [0.02, "#fee6ce"], [0.2, "#fdae6b"], [0.5, "#e6550d"], [1.0, "#7f2704"]]
CENTRE_COLOUR = "#F58518"


def image_source(image: Image.Image, max_side: int = 640) -> tuple[str, float]:
    """A PNG data URI of ``image`` (reduced to ``max_side``) and the scale it was reduced by."""
    scale = 1.0
    if max(image.size) > max_side:
        scale = max_side / max(image.size)
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))),
                             Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="PNG", optimize=False)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), scale


def _image_trace(image: Image.Image) -> go.Image:
    src, scale = image_source(image)
    return go.Image(source=src, x0=0, y0=0, dx=1 / scale, dy=1 / scale, hoverinfo="skip")


def path_count_figure(grids: Sequence[np.ndarray], step: int, kernel: int,
                      annotate: bool | None = None) -> go.Figure:
    """Heatmap of the number of paths from one output unit to each input pixel after layer
    ``step`` (1-based) of the stack, with a play button animating layers 1..N.

    ``grids`` come from :func:`vggviz.receptive_field.path_count_steps` (all the same size).
    """
    n = len(grids)
    step = min(max(step, 1), n)
    side = grids[0].shape[0]
    annotate = side <= 15 if annotate is None else annotate

    def trace(i: int) -> go.Heatmap:
        g = grids[i]
        rf = int((g.sum(0) > 0).sum())
        return go.Heatmap(
            z=g, colorscale="Blues", zmin=0, zmax=int(g.max()), showscale=True,
            colorbar=dict(title=_("paths"), thickness=12),
            text=np.where(g > 0, g, "").astype(str) if annotate else None,
            texttemplate="%{text}" if annotate else None,
            hovertemplate=_("row {y}, col {x}: {z} paths").format(y="%{y}", x="%{x}", z="%{z}")
            + "<extra></extra>",
            xgap=1, ygap=1, name=_("after layer {i}: {rf}×{rf}").format(i=i + 1, rf=rf),
        )

    def title(i: int) -> str:
        g = grids[i]
        rf = int((g.sum(0) > 0).sum())
        return _("After layer {i} of {n}: the unit sees {rf}×{rf} input pixels · "
                 "{paths} paths = {kernel}^{power}").format(
                     i=i + 1, n=n, rf=rf, paths=f"{int(g.sum()):,}", kernel=kernel, power=2 * (i + 1))

    fig = go.Figure(data=[trace(step - 1)])
    fig.frames = [go.Frame(data=[trace(i)], name=str(i + 1), layout=dict(title_text=title(i)))
                  for i in range(n)]
    c = side // 2
    fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=c - 0.5, y1=c + 0.5,
                  line=dict(color=CENTRE_COLOUR, width=3))
    fig.update_xaxes(visible=False, range=[-0.5, side - 0.5], constrain="domain")
    fig.update_yaxes(visible=False, range=[side - 0.5, -0.5], scaleanchor="x")
    fig.update_layout(
        title=dict(text=title(step - 1), font=dict(size=13)),
        height=430, margin=dict(l=10, r=10, t=40, b=60), plot_bgcolor="white",
        updatemenus=[dict(
            type="buttons", showactive=False, x=0, y=-0.04, xanchor="left", yanchor="top",
            direction="left",
            buttons=[dict(label=_("▶ play layers 1…N"), method="animate",
                          args=[None, dict(frame=dict(duration=700, redraw=True),
                                           transition=dict(duration=0), fromcurrent=False)])],
        )],
    )
    return fig


def rf_growth_figure(summary: Summary, highlight: str | None = None) -> go.Figure:
    """Receptive field and effective stride (jump) of every layer, on a log axis."""
    rows = [r for r in summary.rows if not r.type.startswith(("ReLU", "BatchNorm", "Dropout"))]
    names = [r.name for r in rows]
    fig = go.Figure()
    fig.add_scatter(x=names, y=[r.rf for r in rows], mode="lines+markers", name=_("receptive field (px)"),
                    line=dict(color="#4C78A8", width=3),
                    hovertemplate=_("{x}: sees {y}×{y} px").format(x="%{x}", y="%{y}") + "<extra></extra>")
    fig.add_scatter(x=names, y=[r.jump for r in rows], mode="lines+markers", name=_("effective stride (px)"),
                    line=dict(color="#F58518", width=2, dash="dot"),
                    hovertemplate=_("{x}: neighbouring units are {y} px apart").format(x="%{x}", y="%{y}")
                    + "<extra></extra>")
    # a trace, not add_hline: shapes on a log axis take log10 coordinates
    fig.add_scatter(x=[names[0], names[-1]], y=[summary.input_size] * 2, mode="lines",
                    name=_("input side ({size} px)").format(size=summary.input_size),
                    line=dict(color="#999", dash="dash"),
                    hoverinfo="skip")
    if highlight in names:
        fig.add_vline(x=names.index(highlight), line=dict(color=BOX_COLOUR, width=1))
    ticks = [2 ** i for i in range(0, 11)]
    fig.update_yaxes(type="log", title=_("pixels (log scale)"), tickvals=ticks, ticktext=[str(t) for t in ticks])
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=1.08, x=0))
    return fig


def _frame_range(width: int, height: int, box: Sequence[float], margin: float = 6):
    top, left, bottom, right = box
    return ([min(0, left) - margin, max(width, right) + margin],
            [max(height, bottom) + margin, min(0, top) - margin])


def _add_box(fig: go.Figure, box: Sequence[float], centre: tuple[float, float] | None,
             label: str | None = None) -> None:
    top, left, bottom, right = box
    fig.add_shape(type="rect", x0=left, x1=right, y0=top, y1=bottom,
                  line=dict(color=BOX_COLOUR, width=2), fillcolor="rgba(228,87,86,0.08)")
    if centre is not None:
        fig.add_scatter(x=[centre[1]], y=[centre[0]], mode="markers", showlegend=False,
                        marker=dict(color=CENTRE_COLOUR, size=9, symbol="x"),
                        hovertemplate=_("centre of the field") + "<extra></extra>")
    if label:
        fig.add_annotation(x=left, y=top, text=label, showarrow=False, xanchor="left",
                           yanchor="bottom", font=dict(color=BOX_COLOUR, size=12))


def unit_box_figure(image: Image.Image | None, box: Sequence[float], size: int = 224,
                    label: str | None = None) -> go.Figure:
    """The unit's theoretical field drawn on the ``size`` crop (grey when there is no image);
    the axes widen to show the part of the box that lies in the padding."""
    fig = go.Figure()
    if image is None:
        image = Image.new("RGB", (size, size), (200, 200, 200))
    fig.add_trace(_image_trace(image))
    fig.add_shape(type="rect", x0=0, x1=image.width, y0=0, y1=image.height,
                  line=dict(color="#333", width=1, dash="dot"))
    top, left, bottom, right = box
    _add_box(fig, box, ((top + bottom) / 2, (left + right) / 2), label)
    xr, yr = _frame_range(image.width, image.height, box)
    fig.update_xaxes(range=xr, visible=False, constrain="domain")
    fig.update_yaxes(range=yr, visible=False, scaleanchor="x")
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="#f4f4f4",
                      title=dict(text=_("Theoretical receptive field (dotted: the image)"), font=dict(size=13)))
    return fig


def erf_figure(erf: np.ndarray, box: Sequence[float], title: str | None = None) -> go.Figure:
    """|∂ unit / ∂ input| as a heatmap with the theoretical box drawn over it (``title``: by
    default "Effective receptive field", in the reader's language)."""
    title = _("Effective receptive field") if title is None else title
    h, w = erf.shape
    fig = go.Figure(go.Heatmap(z=erf, colorscale=ERF_SCALE, zmin=0, zmax=1, showscale=True,
                               colorbar=dict(title="|∂unit/∂x|", thickness=12),
                               hovertemplate=_("row {y}, col {x}: {z}").format(y="%{y}", x="%{x}", z="%{z:.3f}")
                               + "<extra></extra>"))
    fig.add_shape(type="rect", x0=-0.5, x1=w - 0.5, y0=-0.5, y1=h - 0.5,
                  line=dict(color="#333", width=1, dash="dot"))
    _add_box(fig, [v - 0.5 for v in box], None)
    xr, yr = _frame_range(w, h, box)
    fig.update_xaxes(range=xr, visible=False, constrain="domain")
    fig.update_yaxes(range=yr, visible=False, scaleanchor="x")
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="#f4f4f4",
                      title=dict(text=title, font=dict(size=13)))
    return fig


def score_map_figure(image: Image.Image, score_map: np.ndarray, label: str,
                     centre0: float = 112.0, stride: float = 32.0, opacity: float = 0.55) -> go.Figure:
    """The class-probability map drawn over the image it was computed on: each cell sits at
    its unit's field centre (first at ``centre0`` px, then every ``stride`` px) and is one
    stride wide, so the map covers the part of the image the units are centred on."""
    h, w = score_map.shape
    fig = go.Figure(_image_trace(image))
    fig.add_trace(go.Heatmap(
        z=score_map, x0=centre0, dx=stride, y0=centre0, dy=stride, colorscale="Jet",
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


def topk_figure(labels: Sequence[str], probs: Sequence[float], title: str = "") -> go.Figure:
    fig = go.Figure(go.Bar(x=list(probs)[::-1], y=list(labels)[::-1], orientation="h",
                           marker_color="#4C78A8", texttemplate="%{x:.1%}", textposition="auto",
                           hovertemplate="%{y}: %{x:.2%}<extra></extra>"))
    fig.update_layout(height=60 + 34 * len(labels), margin=dict(l=10, r=10, t=30, b=10),
                      xaxis=dict(tickformat=".2~%", title=_("probability")),
                      title=dict(text=title, font=dict(size=13)))
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
