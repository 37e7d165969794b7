"""Figures of one unit's arithmetic (:mod:`vggviz.explain.unit`): a channel map you can click, the
per-input-channel terms, and the window × kernel of the strongest inputs. Plain plotly
figures and PIL images; no streamlit."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from vggviz.figures.maps import channel_heatmap
from vggviz.i18n import _

if TYPE_CHECKING:
    from vggviz.explain.unit import UnitArithmetic

__all__ = ["clickable_map", "selected_unit", "terms_figure", "window_figure", "pixels_image", "MARKER_TRACE"]

MARKER_TRACE = "units"     # the name of the transparent scatter that receives clicks
_WEBGL_FROM = 4096         # more units than this: a WebGL scatter (SVG would make one node per unit)


def clickable_map(map2d: np.ndarray, title: str, marked: tuple[int, int] | None = None,
                  height: int = 460) -> go.Figure:
    """:func:`vggviz.figures.maps.channel_heatmap` with one transparent marker per unit on top, so a
    click selects that unit (plotly heatmaps send no click events in select mode), and the
    chosen unit outlined."""
    z = np.asarray(map2d, dtype=np.float32)
    h, w = z.shape
    fig = channel_heatmap(z, title)
    ys, xs = np.mgrid[0:h, 0:w]
    trace = go.Scattergl if h * w > _WEBGL_FROM else go.Scatter
    fig.add_trace(trace(
        x=xs.ravel(), y=ys.ravel(), mode="markers", name=MARKER_TRACE, showlegend=False,
        # Small markers: plotly's hover gives every marker under the cursor the same distance,
        # so markers that overlap their neighbours make a click pick a neighbour. Small ones
        # leave each cell's own centre the nearest point.
        marker=dict(size=4, color="rgba(0,0,0,0)"),
        customdata=z.ravel(), hovertemplate=_("row %{{y}}, column %{{x}}<br>value %{{customdata:.4f}}").format()
        + "<extra>" + _("click to inspect") + "</extra>",
    ))
    if marked is not None:
        r, c = marked
        fig.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                      line=dict(color="#ff2d55", width=3))
    fig.update_xaxes(range=[-0.5, w - 0.5], autorange=False)       # no padding for the markers
    fig.update_yaxes(range=[h - 0.5, -0.5], autorange=False)
    fig.update_layout(height=height, clickmode="event+select", dragmode=False)
    fig.data[0].hoverinfo = "skip"
    fig.data[0].hovertemplate = None
    return fig


def selected_unit(event) -> tuple[int, int] | None:
    """``(row, col)`` of the unit a click selected, from ``st.plotly_chart``'s selection
    event (``{"selection": {"points": [{"x": col, "y": row, …}]}}``); None if none."""
    try:
        points = event["selection"]["points"]
    except (KeyError, TypeError):
        points = getattr(getattr(event, "selection", None), "points", None)
    if not points:
        return None
    p = points[-1]
    try:
        return int(round(float(p["y"]))), int(round(float(p["x"])))
    except (KeyError, TypeError, ValueError):
        return None


def terms_figure(u: UnitArithmetic, top: int = 12) -> go.Figure:
    """The per-input-channel sums of window × kernel, largest contributions first (by size),
    the rest as one bar, then the bias: the bars add up to the pre-activation."""
    terms = np.asarray(u.terms, dtype=np.float64)
    order = np.argsort(-np.abs(terms), kind="stable")
    shown = order[:top]
    labels = [u.input_channels[i] for i in shown]
    values = [float(terms[i]) for i in shown]
    rest = order[top:]
    if len(rest):
        labels.append(_("{n} others").format(n=len(rest)))
        values.append(float(terms[rest].sum()))
    labels.append(_("bias"))
    values.append(float(u.bias))
    colours = ["#4C78A8" if v >= 0 else "#E45756" for v in values]
    colours[-1] = "#888888"
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colours,
                           hovertemplate="%{x}: %{y:+.5f}<extra></extra>"))
    fig.add_hline(y=0, line_color="#444", line_width=1)
    fig.update_layout(
        title=dict(text=_("What {layer}[{channel}] adds up: {n} input channels + bias = {pre}").format(
            layer=u.unit_layer, channel=u.channel, n=len(terms), pre=f"{u.pre_activation:+.4g}"), font=dict(size=14)),
        height=330, margin=dict(l=10, r=10, t=50, b=10), yaxis_title=_("contribution"),
        xaxis=dict(type="category"),
    )
    return fig


def window_figure(u: UnitArithmetic, n: int = 3) -> go.Figure:
    """For the ``n`` strongest input channels: the window the unit reads, the kernel and their
    product, each number written in its cell (zeros of the padding shown hatched grey). For a
    pool unit, its window with the winner marked."""
    if u.kind == "pool":
        z = u.patch[0]
        fig = go.Figure(go.Heatmap(z=z, colorscale="Viridis", showscale=False,
                                   text=np.vectorize(lambda v: f"{v:.3g}")(z), texttemplate="%{text}",
                                   hovertemplate=_("value %{{z:.5f}}").format() + "<extra></extra>"))
        wr, wc = u.winner[1] - u.window[0], u.winner[2] - u.window[1]
        fig.add_shape(type="rect", x0=wc - 0.5, x1=wc + 0.5, y0=wr - 0.5, y1=wr + 0.5,
                      line=dict(color="#ff2d55", width=4))
        fig.update_yaxes(autorange="reversed", scaleanchor="x")
        fig.update_layout(title=dict(text=_("{layer}: the max of this window of {input}[{channel}]").format(
            layer=u.unit_layer, input=u.input_layer, channel=u.channel),
                                     font=dict(size=14)), height=300, margin=dict(l=10, r=10, t=50, b=10))
        return fig
    if u.kind != "conv":
        z = u.patch[:, 0, 0][None, :]
        fig = go.Figure(go.Bar(x=u.input_channels, y=z[0]))
        fig.update_layout(title=_("the neighbouring channels LRN divides by"), height=300)
        return fig
    rows = [i for i, _term in u.top_terms(n)]
    titles = []
    for i in rows:
        titles += [_("{channel}: window").format(channel=u.input_channels[i]), _("kernel"),
                   _("product (sum {sum})").format(sum=f"{u.terms[i]:+.3g}")]
    fig = make_subplots(rows=len(rows), cols=3, subplot_titles=titles, horizontal_spacing=0.06,
                        vertical_spacing=0.12 if len(rows) > 1 else 0.1)
    for r, i in enumerate(rows, start=1):
        window, kernel = u.patch[i], u.kernel[i]
        for c, (z, scale) in enumerate(((window, "Viridis"), (kernel, "RdBu"), (window * kernel, "RdBu")), start=1):
            text = np.vectorize(lambda v: f"{v:.2g}")(z)
            if c == 1:
                text = np.where(u.in_padding, _("pad"), text)
            mid = 0 if scale == "RdBu" else None
            fig.add_trace(go.Heatmap(z=z, colorscale=scale, zmid=mid, showscale=False, text=text,
                                     texttemplate="%{text}", hovertemplate="%{z:.5f}<extra></extra>"),
                          row=r, col=c)
    fig.update_yaxes(autorange="reversed", showticklabels=False)
    fig.update_xaxes(showticklabels=False)
    fig.update_layout(height=190 * len(rows) + 40, margin=dict(l=10, r=10, t=40, b=10),
                      title=dict(text=_("The strongest inputs: window × kernel, summed"), font=dict(size=14)))
    return fig


def pixels_image(u: UnitArithmetic, scale: int = 40) -> Image.Image | None:
    """conv1_1's k×k pixels, enlarged (nearest neighbour) so each pixel is a visible square."""
    if u.pixels is None:
        return None
    w, h = u.pixels.size
    return u.pixels.resize((w * scale, h * scale), Image.Resampling.NEAREST)
