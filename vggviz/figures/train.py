"""Figures and sentences for the Train page (no streamlit): training loss and held-out
accuracy per epoch for each run, the gradient norm of every layer over the first steps, a bar
chart of the final accuracies, and an experiment's result (:mod:`vggviz.lab.experiments`'s
JSON) drawn: its curves with a band over seeds (:func:`experiment_curves`), its arms and
comparisons as table rows, the paired differences against the paper's effect
(:func:`differences`), and one sentence per comparison generated from its numbers
(:func:`verdict_sentence`); a class's own live seed is drawn beside the reference."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vggviz.i18n import N_, _
from vggviz.lab.stats import NOT_RESOLVED, REPRODUCED, REVERSED
from vggviz.lab.training import EpochRecord

__all__ = ["curves", "grad_norms", "accuracy_bars", "chance", "experiment_curves", "arm_rows", "comparison_rows",
           "differences", "verdict_sentence", "VERDICT_NAMES", "VERDICT_ICON"]


def chance() -> float:
    """Chance accuracy (%) on the shapes: one in the number of classes."""
    from vggviz.data.shapes import CLASSES

    return 100 / len(CLASSES)

PALETTE = ["#4C78A8", "#F58518", "#E45756", "#72B7B2", "#54A24B", "#EECA3B", "#B279A2", "#FF9DA6"]

Run = tuple[str, Sequence[EpochRecord]]     # (label, the epochs finished so far)


def curves(runs: Sequence[Run], epochs: int | None = None) -> go.Figure:
    """Training loss (left) and held-out accuracy (right) per epoch, one colour per run."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("training loss"), _("held-out accuracy (%)")))
    for i, (label, records) in enumerate(runs):
        colour = PALETTE[i % len(PALETTE)]
        xs = [r.epoch for r in records]
        fig.add_scatter(x=xs, y=[r.train_loss for r in records], mode="lines+markers", name=label,
                        legendgroup=label, line=dict(color=colour), row=1, col=1,
                        hovertemplate=_("{run}<br>epoch %{{x}}: loss %{{y:.3f}}<extra></extra>").format(run=label))
        fig.add_scatter(x=xs, y=[100 * r.val_accuracy for r in records], mode="lines+markers", name=label,
                        legendgroup=label, showlegend=False, line=dict(color=colour), row=1, col=2,
                        hovertemplate=_("{run}<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>").format(run=label))
    fig.add_hline(y=chance(), line_dash="dot", line_color="#999", row=1, col=2,
                  annotation_text=_("chance (1 in {n})").format(n=round(100 / chance())),
                  annotation_position="bottom right")
    xr = [0.5, (epochs or max((len(r) for _, r in runs), default=1)) + 0.5]
    fig.update_xaxes(title_text=_("epoch"), range=xr, dtick=1)
    fig.update_yaxes(rangemode="tozero", row=1, col=1)
    fig.update_yaxes(range=[0, 100], row=1, col=2)
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(orientation="h", y=-0.25))
    return fig


def grad_norms(steps: Sequence[dict[str, float]], title: str = "") -> go.Figure:
    """‖∂loss/∂W‖ of every conv and FC layer (x, in network order) over the first steps (one
    line per step, log scale): vanishing gradients show as a slope down towards the input."""
    fig = go.Figure()
    layers = list(steps[0]) if steps else []
    n = max(len(steps) - 1, 1)
    for i, step in enumerate(steps):
        shade = int(60 + 150 * i / n)
        fig.add_scatter(x=layers, y=[max(step[l], 1e-12) for l in layers], mode="lines+markers",
                        name=_("step {n}").format(n=i + 1), line=dict(color=f"rgb({255 - shade},{80},{shade})"),
                        hovertemplate="%{x}: %{y:.3g}<extra>" + _("step {n}").format(n=i + 1) + "</extra>")
    fig.update_yaxes(type="log", title_text=_("gradient norm"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      title=dict(text=title, font=dict(size=14)) if title else None,
                      legend=dict(orientation="h", y=-0.3))
    return fig


def accuracy_bars(rows: Sequence[tuple[str, float | None]]) -> go.Figure:
    """Final held-out accuracy (%) of each run; None (failed or cancelled) shows as an empty slot."""
    labels = [l for l, _ in rows]
    values = [None if a is None else 100 * a for _, a in rows]
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=[PALETTE[i % len(PALETTE)] for i in range(len(rows))],
                           text=["" if v is None else f"{v:.1f} %" for v in values], textposition="outside",
                           hovertemplate="%{x}: %{y:.1f} %<extra></extra>"))
    fig.add_hline(y=chance(), line_dash="dot", line_color="#999", annotation_text=_("chance"))
    fig.update_yaxes(range=[0, 105], title_text=_("held-out accuracy (%)"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10))
    return fig


# --------------------------------------------------------------------------- experiments

VERDICT_NAMES = {REPRODUCED: N_("reproduced"), NOT_RESOLVED: N_("not resolved"), REVERSED: N_("reversed")}
VERDICT_ICON = {REPRODUCED: "✅", NOT_RESOLVED: "❔", REVERSED: "❌"}
Live = dict[str, Sequence[float]]        # arm label → the class's seed's curve so far (%)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i: i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def experiment_curves(result: dict, live: Live | None = None, live_seed: int | None = None) -> go.Figure:
    """Held-out accuracy (%) after each epoch of every arm: the mean over the reference seeds
    (a line) within a band from the lowest to the highest seed, and the class's own seed
    (``live``: arm label → accuracies so far) dashed beside it. Labels shown translated."""
    fig = go.Figure()
    n_seeds = len(result["seeds"])
    for i, arm in enumerate(result["arms"]):
        colour = PALETTE[i % len(PALETTE)]
        label = _(arm["label"])
        curves_ = [s["curve"] for s in arm["seeds"]]
        xs = list(range(1, len(curves_[0]) + 1))
        lo = [min(c[j] for c in curves_) for j in range(len(xs))]
        hi = [max(c[j] for c in curves_) for j in range(len(xs))]
        mean = [sum(c[j] for c in curves_) / len(curves_) for j in range(len(xs))]
        fig.add_scatter(x=xs + xs[::-1], y=hi + lo[::-1], fill="toself", fillcolor=_rgba(colour, 0.18),
                        line=dict(width=0), hoverinfo="skip", showlegend=False, legendgroup=label)
        fig.add_scatter(x=xs, y=mean, mode="lines+markers", name=label, legendgroup=label, line=dict(color=colour),
                        hovertemplate=_("{arm}<br>epoch %{{x}}: mean %{{y:.1f}} % over {n} seeds<extra></extra>").format(
                            arm=label, n=n_seeds))
        if live and live.get(arm["label"]):
            ys = list(live[arm["label"]])
            fig.add_scatter(x=list(range(1, len(ys) + 1)), y=ys, mode="lines+markers", legendgroup=label,
                            name=_("{arm}, your seed {seed}").format(arm=label, seed=live_seed),
                            line=dict(color=colour, dash="dash"), marker=dict(symbol="diamond", size=9),
                            hovertemplate=_("{arm}, your seed<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>").format(
                                arm=label))
    fig.add_hline(y=chance(), line_dash="dot", line_color="#999",
                  annotation_text=_("chance (1 in {n})").format(n=round(100 / chance())),
                  annotation_position="bottom right")
    epochs = result["budget"]["epochs"]
    fig.update_xaxes(title_text=_("epoch (the last: the final, annealed model)"), range=[0.8, epochs + 0.2], dtick=1)
    fig.update_yaxes(title_text=_("held-out accuracy (%)"), range=[0, 100])
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=10, b=10), legend=dict(orientation="h", y=-0.25))
    return fig


def _pm(mean: float, sd: float) -> str:
    return f"{mean:.1f} ± {sd:.1f} %"


def arm_rows(result: dict, live: dict[str, float] | None = None) -> list[dict]:
    """One row per arm: configuration, parameters, MACs, final accuracy mean ± sd over the seeds,
    the range, and the class's own seed (``live``: arm label → final accuracy %) when given.
    Keys in English (show them with ``_()``), cells in the reader's language."""
    rows = []
    for arm in result["arms"]:
        accs = [s["final_accuracy"] for s in arm["seeds"]]
        row = {"arm": _(arm["label"]), "variant": arm["variant"] + (" + BN" if arm["bn"] else ""),
               "init": arm["init"], "parameters": f"{arm['params']:,}", "MACs": f"{arm['macs'] / 1e6:.1f} M",
               "final accuracy (mean ± sd)": _pm(arm["mean"], arm["sd"]),
               "seeds (lowest – highest)": f"{min(accs):.1f} – {max(accs):.1f} %"}
        if live is not None:
            v = live.get(arm["label"])
            row["your seed"] = "—" if v is None else f"{v:.1f} %"
        rows.append(row)
    return rows


ARM_COLUMNS = (N_("arm"), N_("variant"), N_("init"), N_("parameters"), N_("MACs"), N_("final accuracy (mean ± sd)"),
               N_("seeds (lowest – highest)"), N_("your seed"))
COMPARISON_COLUMNS = (N_("comparison"), N_("difference (points)"), N_("95 % interval"), N_("wins"), N_("verdict"),
                      N_("the paper (top-1 error points)"))


def _ci(c: dict) -> str:
    lo, hi = c["ci95"]
    if lo is None:
        return _("— (one seed)")
    return f"[{lo:+.1f}, {hi:+.1f}]"


def paper_source(result: dict, c: dict) -> str:
    """Where the paper's effect for comparison ``c`` comes from, in the reader's language."""
    p = c["paper"]
    if p["kind"] == "table3":
        cfg = {a["label"]: a["config"] for a in result["arms"]}
        return _("Table 3, S = 256: {better} {b} %, {worse} {w} % top-1 error").format(
            better=cfg[c["better"]], b=f"{p['better_top1']:.1f}", worse=cfg[c["worse"]], w=f"{p['worse_top1']:.1f}")
    if p["kind"] == "sect4.1":
        return _("Sect. 4.1, centre crop: top-1 error {gap} points higher with one 5×5").format(gap=f"{p['effect']:g}")
    if p["kind"] == "no number":
        return _("Sect. 3.1 gives no number")
    return _("not in the paper: the lab's own control")


def _paper_effect(result: dict, c: dict) -> str:
    e = c["paper"]["effect"]
    source = paper_source(result, c)
    return source if e is None else f"{e:+.1f} ({source})"


def comparison_rows(result: dict) -> list[dict]:
    """One row per comparison: better − worse, its 95 % interval, wins, the verdict and the
    paper's effect. Keys in English (:data:`COMPARISON_COLUMNS`), cells in the reader's language."""
    return [{"comparison": _("{better} − {worse}").format(better=_(c["better"]), worse=_(c["worse"])),
             "difference (points)": f"{c['mean_diff']:+.2f}", "95 % interval": _ci(c),
             "wins": _("{wins} of {n}").format(wins=c["wins"], n=c["n"]),
             "verdict": f"{VERDICT_ICON[c['verdict']]} {_(VERDICT_NAMES[c['verdict']])}",
             "the paper (top-1 error points)": _paper_effect(result, c)} for c in result["comparisons"]]


def differences(result: dict) -> go.Figure:
    """Each comparison's paired difference (better − worse, accuracy points) with its 95 %
    interval, against 0 (no difference) and the paper's own effect (a diamond; its points are
    top-1 error on ImageNet, the same direction)."""
    fig = go.Figure()
    names = [_("{better} − {worse}").format(better=_(c["better"]), worse=_(c["worse"])) for c in result["comparisons"]]
    for name, c in zip(names, result["comparisons"]):
        lo, hi = c["ci95"]
        colour = {REPRODUCED: "#54A24B", NOT_RESOLVED: "#888888", REVERSED: "#E45756"}[c["verdict"]]
        err = None if lo is None else dict(type="data", symmetric=False, array=[hi - c["mean_diff"]],
                                            arrayminus=[c["mean_diff"] - lo], color=colour, thickness=2)
        fig.add_scatter(x=[c["mean_diff"]], y=[name], mode="markers", error_x=err, showlegend=False,
                        marker=dict(color=colour, size=11),
                        hovertemplate=_("{name}: %{{x:+.2f}} points ({verdict})<extra></extra>").format(
                            name=name, verdict=_(VERDICT_NAMES[c["verdict"]])))
    paper = [(n, c["paper"]["effect"]) for n, c in zip(names, result["comparisons"]) if c["paper"]["effect"] is not None]
    if paper:
        fig.add_scatter(x=[e for _n, e in paper], y=[n for n, _e in paper], mode="markers",
                        name=_("the paper (ImageNet, top-1 error points)"),
                        marker=dict(symbol="diamond-open", size=12, color="#333"))
    fig.add_vline(x=0, line_dash="dot", line_color="#999")
    fig.update_xaxes(title_text=_("better − worse (accuracy points, 95 % interval)"), zeroline=False)
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=90 + 55 * len(names), margin=dict(l=10, r=10, t=10, b=10),
                      legend=dict(orientation="h", y=-0.35))
    return fig


def verdict_sentence(result: dict, c: dict) -> str:
    """One sentence for comparison ``c`` of ``result``, every word of it from the numbers: the
    difference, its interval and wins, the verdict, and the paper's own effect and scale."""
    better, worse = _(c["better"]), _(c["worse"])
    lo, hi = c["ci95"]
    interval = (_("one seed, so no interval") if lo is None else
                _("95 % interval {lo:+.2f} to {hi:+.2f}").format(lo=lo, hi=hi))
    said = {
        REPRODUCED: _("reproduced: {better} beat {worse} as in the paper"),
        NOT_RESOLVED: _("not resolved: the interval holds 0, so these seeds cannot tell {better} from {worse}"),
        REVERSED: _("reversed: {worse} beat {better}, against the paper"),
    }[c["verdict"]].format(better=better, worse=worse)
    e = c["paper"]["effect"]
    from vggviz.lab.paper import training_scale

    paper = (_("the paper: {source}; its scale: {scale}") if e is None else
             _("the paper: {effect:+.1f} points of top-1 error ({source}), at {scale}")).format(
        effect=e, source=paper_source(result, c), scale=training_scale())
    return _("**{better} − {worse}**: {diff:+.2f} points ({interval}; {better} ahead in {wins} of {n} seeds) — "
             "**{said}**. {paper}.").format(better=better, worse=worse, diff=c["mean_diff"], interval=interval,
                                           wins=c["wins"], n=c["n"], said=said, paper=paper[0].upper() + paper[1:])
