"""Figures and sentences for the Train page (no streamlit): training loss and held-out
accuracy per epoch for each run, the gradient norm of every layer over the first steps, a bar
chart of the final accuracies, and :func:`verdict`, which says in one sentence, from the
measured numbers, whether a lab experiment agreed with the paper."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from vggviz.i18n import N_, _
from vggviz.lab.training import EpochRecord

__all__ = ["curves", "grad_norms", "accuracy_bars", "verdict", "NOISE_POINTS", "CHANCE", "CAVEAT"]

# Accuracy differences (percentage points) this small are called no difference. Measured: at an
# 8-epoch budget identical configurations that differed only in their dropout masks ended far
# apart (A: 64.5 %, 68.3 %, 73.2 %; D: 35.7 %, 61.2 %, 63.5 %, 73.9 %), because runs are still
# leaving the first epochs' plateau; 5 points is a compromise, and every verdict says so.
NOISE_POINTS = 5.0
CAVEAT = N_("One run per arm: at a few epochs, runs differing only in their random seed can end "
            "far apart (8-epoch D runs here: 36 % to 74 %), so small gaps mean little; more epochs "
            "show where each run ends.")
CHANCE = 100 / 8        # 8 shape classes
STALLED = CHANCE + 10   # a run no better than this has not learned
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
    fig.add_hline(y=CHANCE, line_dash="dot", line_color="#999", row=1, col=2,
                  annotation_text=_("chance (1 in 8)"), annotation_position="bottom right")
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
    fig.add_hline(y=CHANCE, line_dash="dot", line_color="#999", annotation_text=_("chance"))
    fig.update_yaxes(range=[0, 105], title_text=_("held-out accuracy (%)"))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10))
    return fig


def _runs(results) -> str:
    """Run labels in a sentence; the labels hold commas themselves ("E, Kaiming init")."""
    names = [f"“{label}”" for label, _acc in results]
    if len(names) == 1:
        return names[0]
    return _("{runs} and {last}").format(runs=", ".join(names[:-1]), last=names[-1])


def _pct(acc: float | None) -> str:
    return "—" if acc is None else f"{100 * acc:.1f} %"


def _list(results: Sequence[tuple[str, float | None]]) -> str:
    return ", ".join(f"{label} {_pct(acc)}" for label, acc in results)


def _diff(a: float, b: float) -> float:
    return 100 * (a - b)


def verdict(key: str, results: Sequence[tuple[str, float | None]]) -> str:
    """:func:`_verdict`, and for a real comparison the caveat of one run per arm. In the
    current language (the labels are shown as given: translate them first)."""
    said, compared = _verdict(key, results)
    return said + " " + _(CAVEAT) if compared else said


def _verdict(key: str, results: Sequence[tuple[str, float | None]]) -> tuple[str, bool]:
    """One honest sentence about experiment ``key`` from ``[(arm label, final held-out
    accuracy in [0, 1] or None when the run failed)]`` in the experiment's arm order, and
    whether it compared runs. Differences within :data:`NOISE_POINTS` are called no difference."""
    got = [(l, a) for l, a in results if a is not None]
    missing = [l for l, a in results if a is None]
    details = _list(results)
    if missing:
        details = _("{results}; no result for {missing}").format(results=details, missing=", ".join(missing))
    tail = _(" ({details})").format(details=details)

    def say(template: str, **fields) -> tuple[str, bool]:
        """A sentence that compared runs: ``template`` (translated) with the details appended."""
        return template.format(tail=tail, **fields), True

    not_enough = _("Not enough finished runs to compare{tail}.").format(tail=tail), False
    if len(got) < 2:
        return not_enough
    accs = dict(got)
    if key != "init" and all(a <= STALLED / 100 for a in accs.values()):
        return _("No run got past chance (12.5 %) in this budget, so nothing can be compared yet: "
                 "give them more epochs or images{tail}.").format(tail=tail), False
    if key == "depth":
        spread = _diff(max(accs.values()), min(accs.values()))
        if spread <= NOISE_POINTS:
            return say(_("On shapes, depth made no difference: all within {spread:.1f} points{tail}; "
                       "the paper found deeper better on ImageNet, a much harder task."), spread=spread)
        ordered = [a for _l, a in got]
        if all(x <= y + NOISE_POINTS / 100 for x, y in zip(ordered, ordered[1:])):
            return say(_("Agreed with the paper: deeper was better here too{tail}."))
        best = max(got, key=lambda t: t[1])[0]
        return say(_("Disagreed with the paper: deeper was not steadily better; {best} came out best{tail}."),
                   best=best)
    if key == "kernel":
        pairs = [(s, b) for s, b in zip(results[::2], results[1::2]) if s[1] is not None and b[1] is not None]
        if not pairs:
            return not_enough
        gaps = [_diff(s[1], b[1]) for s, b in pairs]
        if all(g > NOISE_POINTS for g in gaps):
            return say(_("Agreed with the paper: the 3×3 stacks beat the single larger kernels{tail}."))
        if all(abs(g) <= NOISE_POINTS for g in gaps):
            return say(_("On shapes, 3×3 stacks and single larger kernels did equally well{tail}; "
                       "the paper's 7 % gap was on ImageNet."))
        if all(g < -NOISE_POINTS for g in gaps):
            return say(_("Disagreed with the paper: the single larger kernels did better here{tail}."))
        return say(_("Mixed: 3×3 stacks won in one pair and not in the other{tail}."))
    if key == "init":
        plain = results[0][1]
        rescued = [(l, a) for l, a in results[1:] if a is not None and a > STALLED / 100]
        if plain is not None and plain <= STALLED / 100:
            from_a = results[1] if len(results) > 1 else (None, None)
            if rescued and from_a[1] is not None and from_a[1] <= STALLED / 100:
                return say(_("As the paper feared, E from N(0, 0.01) stalled near chance ({plain}); but here "
                           "the paper's remedy, {remedy}, stalled too (A's layers sit among N(0, 0.01) ones, "
                           "whose gradients vanish: see the gradient norms); only {rescued} learned{tail}."),
                           plain=_pct(plain), remedy=from_a[0], rescued=_runs(rescued))
            if rescued:
                return say(_("Agreed with the paper: E from N(0, 0.01) stalled near chance ({plain}), while "
                           "{rescued} learned{tail}."), plain=_pct(plain), rescued=_runs(rescued))
            return say(_("E from N(0, 0.01) stalled, and so did every remedy in this budget{tail}."))
        if plain is not None:
            return say(_("Here E learned even from N(0, 0.01) ({plain}): the stall the paper feared "
                       "did not happen at this scale{tail}."), plain=_pct(plain))
        return say(_("The plain N(0, 0.01) run has no result, so there is nothing to rescue{tail}."))
    if key == "c_lrn":
        out = []
        if accs.get(results[0][0]) is not None and results[1][1] is not None:
            gap = _diff(results[1][1], results[0][1])
            out.append(_("LRN made no difference (as in the paper)") if abs(gap) <= NOISE_POINTS else
                       (_("LRN helped here, unlike in the paper") if gap > 0 else _("LRN hurt here")))
        if len(results) > 3 and results[2][1] is not None and results[3][1] is not None:
            gap = _diff(results[3][1], results[2][1])
            out.append(_("D's 3×3 beat C's 1×1 (as in the paper)") if gap > NOISE_POINTS else
                       (_("C and D did equally well") if abs(gap) <= NOISE_POINTS
                        else _("C's 1×1 beat D's 3×3, unlike in the paper")))
        if not out:
            return not_enough
        return say(_("{findings}{tail}."), findings=_("; ").join(out))
    return say(_("Results{tail}."))
