"""Architecture figures: where parameters live against where compute happens, the network
drawn as blocks, and per-block comparisons across variants (receptive-field growth:
:mod:`vggviz.figures.rf`).
No streamlit here: each function returns a ``plotly.graph_objects.Figure``."""

from __future__ import annotations

import math

import plotly.graph_objects as go

from vggviz.i18n import N_, _
from vggviz.lab.compare import VariantRow
from vggviz.model.summary import Summary

__all__ = ["params_vs_compute", "network_diagram", "block_bars", "TYPE_COLOURS", "TYPE_NAMES", "BLOCK_NAMES", "human"]

TYPE_COLOURS = {
    "Conv": "#4C78A8", "ReLU": "#9ecae9", "BatchNorm": "#72B7B2", "LRN": "#B279A2",
    "MaxPool": "#F58518", "AdaptiveAvgPool": "#FFBF79", "Linear": "#E45756", "Dropout": "#BAB0AC",
}
# shown with _(): block names and the legend's layer types
BLOCK_NAMES = [N_("block 1"), N_("block 2"), N_("block 3"), N_("block 4"), N_("block 5"), N_("classifier")]
TYPE_NAMES = {"Conv": N_("Conv"), "ReLU": N_("ReLU"), "BatchNorm": N_("BatchNorm"), "LRN": N_("LRN"),
              "MaxPool": N_("MaxPool"), "AdaptiveAvgPool": N_("AdaptiveAvgPool"), "Linear": N_("Linear"),
              "Dropout": N_("Dropout")}


def human(n: float, unit: str = "") -> str:
    """138357544 → '138.4 M'."""
    for div, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(n) >= div:
            return f"{n / div:.1f} {suffix}{unit}"
    return f"{n:.0f} {unit}".strip()


def _colour(type_label: str) -> str:
    return next((c for k, c in TYPE_COLOURS.items() if type_label.startswith(k)), "#888")


def params_vs_compute(summary: Summary) -> go.Figure:
    """Per weight layer: its share of all parameters against its share of all MACs."""
    rows = [r for r in summary.rows if r.params]
    names = [r.name for r in rows]
    p = [100 * r.params / summary.total_params for r in rows]
    m = [100 * r.macs / summary.total_macs for r in rows]
    fig = go.Figure()
    fig.add_bar(x=names, y=p, name=_("parameters"), marker_color="#E45756",
                hovertemplate=_("{x}: {y}% of parameters").format(x="%{x}", y="%{y:.2f}") + "<extra></extra>")
    fig.add_bar(x=names, y=m, name=_("compute (MACs)"), marker_color="#4C78A8",
                hovertemplate=_("{x}: {y}% of MACs").format(x="%{x}", y="%{y:.2f}") + "<extra></extra>")
    fc_p, fc_m = summary.share("Linear")
    fig.update_layout(
        barmode="group", height=380, margin=dict(l=10, r=10, t=60, b=10),
        title=dict(text=_("FC layers: {fc_p}% of parameters, {fc_m}% of compute · "
                          "conv layers: {conv_p}% of parameters, {conv_m}% of compute").format(
                              fc_p=f"{100 * fc_p:.1f}", fc_m=f"{100 * fc_m:.1f}",
                              conv_p=f"{100 * (1 - fc_p):.1f}", conv_m=f"{100 * (1 - fc_m):.1f}"),
                   font=dict(size=14)),
        yaxis_title=_("% of the network's total"), legend=dict(orientation="h", y=1.02, x=1, xanchor="right"),
    )
    return fig


def network_diagram(summary: Summary) -> go.Figure:
    """The network as a row of boxes, one per conv / pool / FC layer (ReLU, BN, dropout folded
    in), height ∝ √(spatial side), width ∝ log₂(channels), coloured by type, grouped by block."""
    fig = go.Figure()
    x = 0.0
    hx, hy, htext, hcol, hname = [], [], [], [], []
    max_side = max(r.out_shape[1] for r in summary.rows)
    prev_block = 1
    for r in summary.rows:
        if r.type.startswith(("ReLU", "BatchNorm", "Dropout", "AdaptiveAvgPool")):
            continue
        if r.block != prev_block:
            x += 0.6
            prev_block = r.block
        c, h, w = r.out_shape
        is_fc = r.type == "Linear"
        height = 0.6 if is_fc else 0.6 + 3.4 * math.sqrt(h / max_side)
        width = 0.25 + 0.12 * math.log2(max(c, 1)) if not r.type.startswith("MaxPool") else 0.3
        colour = _colour(r.type)
        fig.add_shape(type="rect", x0=x, x1=x + width, y0=-height / 2, y1=height / 2,
                      fillcolor=colour, line=dict(color="white", width=1), opacity=0.9)
        label = _("{name}<br>{type}<br>out {c}×{h}×{w}<br>params {params}<br>MACs {macs}<br>RF {rf}px").format(
            name=r.name, type=r.type, c=c, h=h, w=w, params=human(r.params), macs=human(r.macs), rf=r.rf)
        hx.append(x + width / 2)
        hy.append(0)
        htext.append(label)
        hname.append(r.name)
        hcol.append(colour)
        if r.type.startswith("Conv") or is_fc:
            tag = f"{r.type.split()[1][0]}-{c}" if r.type.startswith("Conv") else f"FC-{c}"
            fig.add_annotation(x=x + width / 2, y=height / 2 + 0.15, text=tag, showarrow=False,
                               textangle=-90, yanchor="bottom", font=dict(size=10))
        x += width + 0.08
    for b in range(1, 7):
        in_block = {r.name for r in summary.rows if r.block == b}
        xs = [hx[i] for i, n in enumerate(hname) if n in in_block]
        if xs:
            fig.add_annotation(x=sum(xs) / len(xs), y=-2.6, text=_(BLOCK_NAMES[b - 1]), showarrow=False,
                               font=dict(size=12, color="#444"))
    fig.add_scatter(x=hx, y=hy, mode="markers", marker=dict(size=14, opacity=0, color=hcol),
                    hovertext=htext, hoverinfo="text", showlegend=False)
    for t, colour in TYPE_COLOURS.items():
        if t in ("ReLU", "BatchNorm", "Dropout", "AdaptiveAvgPool"):
            continue
        if any(r.type.startswith(t) for r in summary.rows):
            fig.add_scatter(x=[None], y=[None], mode="markers", name=_(TYPE_NAMES[t]),
                            marker=dict(size=12, color=colour, symbol="square"))
    fig.update_xaxes(visible=False, range=[-0.3, x + 0.3])
    fig.update_yaxes(visible=False, range=[-3.0, 3.6])
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", y=1.08, x=0),
                      title=dict(text=_("Box height ∝ √(feature-map side), width ∝ log₂(channels); hover for details"),
                                 font=dict(size=12)))
    return fig


def block_bars(rows: list[VariantRow], what: str = "params", size: int = 224) -> go.Figure:
    """Stacked bars per variant: parameters (or MACs at ``size``) per block, so where depth was added shows."""
    fig = go.Figure()
    palette = ["#4C78A8", "#72B7B2", "#54A24B", "#EECA3B", "#F58518", "#E45756"]
    for b in range(6):
        vals = [(r.block_params if what == "params" else r.block_macs)[b] for r in rows]
        block = _(BLOCK_NAMES[b])
        fig.add_bar(x=[r.label.split(" ")[0] for r in rows], y=vals, name=block,
                    marker_color=palette[b],
                    hovertemplate="%{x} " + block + ": %{y:,.0f}<extra></extra>")
    fig.update_layout(barmode="stack", height=380, margin=dict(l=10, r=10, t=40, b=10),
                      yaxis_title=_("parameters") if what == "params" else _("MACs (multiply-accumulates)"),
                      title=dict(text=_("Parameters per block") if what == "params" else
                                 _("Compute (MACs at {size}×{size}) per block").format(size=size),
                                 font=dict(size=14)),
                      legend=dict(orientation="h", y=-0.2))
    return fig
