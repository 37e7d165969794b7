"""Receptive-field figures: paths through stacked kernels, growth layer by layer (one network,
or several side by side), a unit's field on the image and its effective field.

Plotly figures and PIL images only; no streamlit. Images go into figures as one PNG
(``go.Image(source=…)``), never as per-pixel arrays, so a figure stays a few hundred KB.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from vggviz.i18n import _
from vggviz.model.summary import Summary

__all__ = [
    "path_count_figure",
    "rf_growth_figure",
    "unit_box_figure",
    "erf_figure",
    "image_source",
    "image_trace",
    "rf_growth_per_model_figure",
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


def image_trace(image: Image.Image) -> go.Image:
    src, scale = image_source(image)
    return go.Image(source=src, x0=0, y0=0, dx=1 / scale, dy=1 / scale, hoverinfo="skip")


def path_count_figure(grids: Sequence[np.ndarray], step: int, kernel: int,
                      annotate: bool | None = None) -> go.Figure:
    """Heatmap of the number of paths from one output unit to each input pixel after layer
    ``step`` (1-based) of the stack, with a play button animating layers 1..N.

    ``grids`` come from :func:`vggviz.model.receptive_field.path_count_steps` (all the same size).
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
    fig.add_trace(image_trace(image))
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


def rf_growth_per_model_figure(curves: dict[str, list[tuple[str, int, int]]]) -> go.Figure:
    """Receptive field (px) after each conv/pool layer, one line per model: ``curves`` maps a
    model's label to :func:`vggviz.model.alexnet.rf_growth`'s ``(layer, rf, stride)`` list. x is the
    number of conv and pool layers passed; the hover names the layer and its effective stride."""
    fig = go.Figure()
    colours = ["#E45756", "#4C78A8", "#54A24B", "#F58518"]
    for i, (label, steps) in enumerate(curves.items()):
        fig.add_scatter(
            x=list(range(1, len(steps) + 1)), y=[rf for _name, rf, _jump in steps], name=label,
            mode="lines+markers", line=dict(color=colours[i % len(colours)], shape="hv"),
            customdata=[[n, j] for n, _rf, j in steps],
            hovertemplate=label + " · %{customdata[0]}: "
            + _("{rf} px, stride {stride} px").format(rf="%{y}", stride="%{customdata[1]}") + "<extra></extra>",
        )
    fig.update_layout(
        height=380, margin=dict(l=10, r=10, t=50, b=10),
        title=dict(text=_("Receptive field after each conv / pool layer"), font=dict(size=14)),
        xaxis_title=_("conv and pool layers passed"), yaxis_title=_("receptive field (px)"),
        legend=dict(orientation="h", y=1.02, x=1, xanchor="right"),
    )
    return fig
