"""The paper's results, transcribed once: Simonyan & Zisserman, *Very Deep Convolutional
Networks for Large-Scale Image Recognition*, arXiv 1409.1556 (v6, ICLR 2015).

One table, :data:`RESULTS`: every number carries its table and row. Errors are percentages on
the ILSVRC-2012 validation set unless ``split`` says ``test`` (Table 7's test-server column).

* **Table 3** — single test scale. Train scale S (256, 384, or jittered [256;512]); test scale
  Q = S for fixed S, Q = 384 for [256;512]. Rows: A, A-LRN, B (S = 256 only); C, D, E at S =
  256, 384 and [256;512].
* **Table 4** — multi-scale testing: Q = {S − 32, S, S + 32} for fixed S, {256, 384, 512}
  for [256;512]. Rows: B (256); C, D, E at 256, 384 and [256;512]. (The paper has no A or
  A-LRN row here.)
* **Table 5** — dense against multi-crop against both (D and E, S = [256;512], Q = {256, 384, 512}).
* **Table 7** — the comparison with the state of the art: the VGG rows (the ILSVRC-2014
  submission of 7 networks, dense: 7.3 % top-5 test error, 2nd in classification; the
  post-submission 1-net and 2-net results) and GoogLeNet's 7-net 6.7 % (1st).
* **Localisation** — ILSVRC-2014 localisation, 1st place with 25.3 % error (the abstract;
  Appendix A: "which we have won in 2014 with 25.3% error").

Left out on purpose: Table 6 (the fusion of the individual networks, whose rows name each
net's scales) and the other entries of Table 7 (Clarifai, MSRA, OverFeat, Zeiler & Fergus,
Krizhevsky et al.) and of the appendix's localisation tables: their cells were not transcribed
here with enough certainty, and a wrong number taught is worse than a missing one. Of Table 7
only the top-5 *test* error column is given (its validation columns are left out).

The sentences shown on the Compare page (:func:`findings`) are generated from :data:`RESULTS`:
change a number there and the sentence changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["Result", "RESULTS", "SOURCE", "lookup", "findings", "Finding", "ilsvrc_sentence",
           "LAB_MEASURED", "lab_sentence", "table_rows", "beside_torchvision", "TORCHVISION_VARIANT"]

SOURCE = "Simonyan & Zisserman, arXiv 1409.1556 (v6, ICLR 2015)"

# the paper's configuration → the torchvision variant with the same layers (A-LRN, C: none ship)
TORCHVISION_VARIANT = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}

J = "[256;512]"          # the paper's scale-jittered training


@dataclass(frozen=True)
class Result:
    table: str            # "Table 3", "Table 4", "Table 5", "Table 7", "Appendix A"
    row: str              # the row as the paper prints it
    config: str           # "A", "A-LRN", "B", "C", "D", "E", "D+E", "7 nets", ...
    train: str            # train scale S: "256", "384", "[256;512]"; "" where not given
    test: str             # test scale(s) Q
    method: str           # "single scale", "multi-scale", "dense", "multi-crop", "multi-crop & dense"
    top1: float | None    # top-1 error %, None where the table has none
    top5: float | None    # top-5 error %
    split: str = "val"    # "val" (ILSVRC-2012 validation) or "test"
    nets: int = 1


def _t3(config, train, test, top1, top5):
    return Result("Table 3", f"{config}, S = {train}, Q = {test}", config, train, test,
                  "single scale", top1, top5)


def _t4(config, train, test, top1, top5):
    return Result("Table 4", f"{config}, S = {train}, Q = {{{test}}}", config, train, test,
                  "multi-scale", top1, top5)


def _t5(config, method, top1, top5):
    return Result("Table 5", f"{config}, {method}", config, J, "256,384,512", method, top1, top5)


RESULTS: tuple[Result, ...] = (
    # Table 3: ConvNet performance at a single test scale
    _t3("A", "256", "256", 29.6, 10.4),
    _t3("A-LRN", "256", "256", 29.7, 10.5),
    _t3("B", "256", "256", 28.7, 9.9),
    _t3("C", "256", "256", 28.1, 9.4),
    _t3("C", "384", "384", 28.1, 9.3),
    _t3("C", J, "384", 27.3, 8.8),
    _t3("D", "256", "256", 27.0, 8.8),
    _t3("D", "384", "384", 26.8, 8.7),
    _t3("D", J, "384", 25.6, 8.1),
    _t3("E", "256", "256", 27.3, 9.0),
    _t3("E", "384", "384", 26.9, 8.7),
    _t3("E", J, "384", 25.5, 8.0),
    # Table 4: ConvNet performance at multiple test scales
    _t4("B", "256", "224,256,288", 28.2, 9.6),
    _t4("C", "256", "224,256,288", 27.7, 9.2),
    _t4("C", "384", "352,384,416", 27.8, 9.2),
    _t4("C", J, "256,384,512", 26.3, 8.2),
    _t4("D", "256", "224,256,288", 26.6, 8.6),
    _t4("D", "384", "352,384,416", 26.5, 8.6),
    _t4("D", J, "256,384,512", 24.8, 7.5),
    _t4("E", "256", "224,256,288", 26.9, 8.7),
    _t4("E", "384", "352,384,416", 26.7, 8.6),
    _t4("E", J, "256,384,512", 24.8, 7.5),
    # Table 5: dense against multi-crop evaluation
    _t5("D", "dense", 24.8, 7.5),
    _t5("D", "multi-crop", 24.6, 7.5),
    _t5("D", "multi-crop & dense", 24.4, 7.2),
    _t5("E", "dense", 24.8, 7.5),
    _t5("E", "multi-crop", 24.6, 7.4),
    _t5("E", "multi-crop & dense", 24.4, 7.1),
    # Table 7: comparison with the state of the art in ILSVRC classification (top-5 test error)
    Result("Table 7", "VGG (ILSVRC submission, 7 nets, dense eval.)", "7 nets", "", "",
           "dense", None, 7.3, "test", 7),
    Result("Table 7", "VGG (1 net, multi-crop & dense eval.)", "E", J, "256,384,512",
           "multi-crop & dense", None, 7.0, "test", 1),
    Result("Table 7", "VGG (2 nets, multi-crop & dense eval.)", "D+E", J, "256,384,512",
           "multi-crop & dense", None, 6.8, "test", 2),
    Result("Table 7", "GoogLeNet (7 nets), 1st in ILSVRC-2014 classification", "GoogLeNet", "", "",
           "", None, 6.7, "test", 7),
    # ILSVRC-2014 localisation (the abstract; Appendix A)
    Result("Appendix A", "VGG, ILSVRC-2014 localisation (1st place)", "localisation", "", "",
           "", None, 25.3, "test", 1),
)


def lookup(config: str, table: str = "Table 3", train: str = "256", method: str | None = None,
           results: tuple[Result, ...] = RESULTS) -> Result | None:
    """The row of ``table`` for ``config`` at train scale ``train`` (and ``method``), or None."""
    for r in results:
        if r.table == table and r.config == config and (r.train == train or table == "Table 5") \
                and (method is None or r.method == method):
            return r
    return None


@dataclass(frozen=True)
class Finding:
    title: str
    sentence: str
    sources: tuple[str, ...]     # "Table 3: A, S = 256, Q = 256", ...
    lab: str | None = None       # the shapes lab's experiment key (vggviz.training.EXPERIMENTS)


# The shapes lab's measured results (README, "The shapes lab: the paper's claims, measured here";
# one seeded 8-epoch run per arm, held-out accuracy %): to set beside the paper's claims.
LAB_MEASURED: dict[str, dict[str, float]] = {
    "depth": {"A": 64.5, "B": 92.8, "D": 35.7, "E": 45.1},
    "c_lrn": {"A": 64.5, "A-LRN": 51.8, "C": 25.1, "D": 35.7},
}


def _src(r: Result) -> str:
    return f"{r.table}: {r.row}"


def _cmp(a: float, b: float) -> str:
    """How error ``b`` compares with error ``a``: "lower", "higher" or "the same"."""
    return "the same" if abs(a - b) < 0.05 else ("lower" if b < a else "higher")


def findings(results: tuple[Result, ...] = RESULTS) -> list[Finding]:
    """What each comparison in the tables shows, in sentences built from ``results``."""
    out: list[Finding] = []
    t3 = {c: lookup(c, results=results) for c in ("A", "A-LRN", "B", "C", "D", "E")}

    a, lrn = t3["A"], t3["A-LRN"]
    if a and lrn:
        d = lrn.top1 - a.top1
        verdict = ("LRN does not help: A-LRN's error is no lower than A's" if d >= -0.3 else
                   "LRN helps: A-LRN's error is lower than A's")
        out.append(Finding(
            "Local response normalisation (A vs A-LRN)",
            f"{verdict} (top-1 {lrn.top1:.1f} % against {a.top1:.1f} %, top-5 {lrn.top5:.1f} % "
            f"against {a.top5:.1f} %), so the deeper configurations B–E drop it.",
            (_src(a), _src(lrn)), "c_lrn"))

    chain = [t3[c] for c in ("A", "B", "D", "E") if t3[c]]
    if len(chain) >= 3:
        best = min(chain, key=lambda r: r.top1)
        falls = all(x.top1 > y.top1 for x, y in zip(chain[:3], chain[1:3]))
        steps = " → ".join(f"{r.config} {r.top1:.1f} %" for r in chain)
        sat = ""
        if t3["E"] and t3["D"] and t3["E"].top1 >= t3["D"].top1:
            sat = (f"; at this scale E (19 layers) is no better than D (16): "
                   f"{t3['E'].top1:.1f} % against {t3['D'].top1:.1f} %, the error saturates")
        out.append(Finding(
            "Depth (A → B → D → E)",
            f"{'Depth helps' if falls else 'Depth does not steadily help'}: single-scale top-1 "
            f"error {steps} (S = 256){sat}. Best: {best.config} ({best.top1:.1f} %).",
            tuple(_src(r) for r in chain), "depth"))

    b, c, d = t3["B"], t3["C"], t3["D"]
    if b and c and d:
        out.append(Finding(
            "1×1 against 3×3 (B vs C vs D)",
            f"C's extra 1×1 convolutions give {_cmp(b.top1, c.top1)} error than B "
            f"({c.top1:.1f} % against {b.top1:.1f} %): the extra non-linearity "
            f"{'helps' if c.top1 < b.top1 else 'does not help'}; but D, with 3×3 where C has "
            f"1×1, has {_cmp(c.top1, d.top1)} error again ({d.top1:.1f} %): "
            f"{'seeing spatial context matters too' if d.top1 < c.top1 else 'spatial context adds nothing here'}.",
            (_src(b), _src(c), _src(d)), "c_lrn"))

    for cfg in ("D", "E"):
        fixed, jit = lookup(cfg, results=results), lookup(cfg, train=J, results=results)
        if fixed and jit:
            out.append(Finding(
                f"Scale jittering in training ({cfg})",
                f"Training {cfg} on images rescaled to a random S in [256; 512] instead of a fixed "
                f"S = 256 takes its single-scale top-1 error from {fixed.top1:.1f} % to "
                f"{jit.top1:.1f} % ({jit.top1 - fixed.top1:+.1f} points).",
                (_src(fixed), _src(jit))))
            break

    single, multi = lookup("D", train=J, results=results), lookup("D", "Table 4", J, results=results)
    if single and multi:
        out.append(Finding(
            "Several test scales (D)",
            f"Testing D at three scales {{{multi.test.replace(',', ', ')}}} and averaging instead of at "
            f"one (Q = {single.test}) takes top-1 error from {single.top1:.1f} % to {multi.top1:.1f} % "
            f"and top-5 from {single.top5:.1f} % to {multi.top5:.1f} %.",
            (_src(single), _src(multi))))

    t5 = [r for r in results if r.table == "Table 5" and r.config == "D"]
    if len(t5) == 3:
        dense, crop, both = (next(r for r in t5 if r.method == m)
                             for m in ("dense", "multi-crop", "multi-crop & dense"))
        out.append(Finding(
            "Dense against multi-crop (D)",
            f"Multi-crop gives {_cmp(dense.top1, crop.top1)} top-1 error ({crop.top1:.1f} %) than "
            f"dense evaluation ({dense.top1:.1f} %), and the two combined give "
            f"{both.top1:.1f} % top-1, {both.top5:.1f} % top-5"
            + (": better than either, so they complement each other." if both.top1 < min(dense.top1, crop.top1)
               else ": no better than the better of the two."),
            tuple(_src(r) for r in t5)))
    return out


def lab_sentence(key: str | None, measured: dict[str, dict[str, float]] | None = None) -> str:
    """The shapes lab's measured result for the experiment ``key``, to set beside a finding."""
    measured = LAB_MEASURED if measured is None else measured
    if not key or key not in measured:
        return ""
    from .training import EXPERIMENTS

    title = EXPERIMENTS[key].title if key in EXPERIMENTS else key
    nums = ", ".join(f"{c} {v:.1f} %" for c, v in measured[key].items())
    return (f"The shapes lab measures the same question on the mini VGGs (*Train it yourself* → "
            f"“{title}”): held-out accuracy {nums} (one seeded 8-epoch run per arm; small gaps are noise).")


def ilsvrc_sentence(results: tuple[Result, ...] = RESULTS) -> str:
    """The ILSVRC-2014 placing in one sentence, from Table 7 and Appendix A."""
    sub = next((r for r in results if r.table == "Table 7" and r.nets == 7 and r.config == "7 nets"), None)
    goog = next((r for r in results if r.config == "GoogLeNet"), None)
    loc = next((r for r in results if r.config == "localisation"), None)
    if not sub:
        return ""
    s = (f"ILSVRC-2014: the VGG team's submission ({sub.nets} networks, dense evaluation) had "
         f"{sub.top5:.1f} % top-5 test error, i.e. {100 - sub.top5:.1f} % top-5 accuracy")
    if goog:
        place = "2nd" if goog.top5 < sub.top5 else "1st"
        s += f", {place} in classification (GoogLeNet {goog.top5:.1f} %)"
    if loc:
        s += f"; 1st in localisation with {loc.top5:.1f} % error"
    return s + "."


def beside_torchvision(accuracies: dict[str, tuple[float | None, float | None]],
                       results: tuple[Result, ...] = RESULTS) -> list[dict]:
    """Per configuration A…E: the paper's single-scale errors (Table 3, S = 256, and its best
    single-scale row), its multi-scale best (Table 4), and torchvision's single-crop error
    (100 − accuracy) for the same layers, from ``accuracies`` (variant → (top-1 %, top-5 %),
    torchvision's metadata). Every cell a string: "—" where there is no number (A-LRN and C
    have no torchvision weights; A and A-LRN no Table 4 row)."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}"
    out = []
    for cfg in ("A", "A-LRN", "B", "C", "D", "E"):
        rows3 = [r for r in results if r.table == "Table 3" and r.config == cfg]
        rows4 = [r for r in results if r.table == "Table 4" and r.config == cfg]
        s256 = next((r for r in rows3 if r.train == "256"), None)
        best3 = min(rows3, key=lambda r: r.top1) if rows3 else None
        best4 = min(rows4, key=lambda r: r.top1) if rows4 else None
        variant = TORCHVISION_VARIANT.get(cfg)
        acc1, acc5 = accuracies.get(variant, (None, None)) if variant else (None, None)
        out.append({
            "config": cfg,
            "paper top-1 / top-5 err. % (Table 3, S = 256)": f"{pct(s256 and s256.top1)} / {pct(s256 and s256.top5)}",
            "paper best single scale (Table 3)": (f"{pct(best3.top1)} / {pct(best3.top5)} (S = {best3.train})"
                                                  if best3 else "—"),
            "paper best multi-scale (Table 4)": (f"{pct(best4.top1)} / {pct(best4.top5)} (S = {best4.train})"
                                                 if best4 else "—"),
            "torchvision variant": variant or "— (no weights)",
            "torchvision top-1 / top-5 err. % (one 224 crop)": (
                f"{pct(None if acc1 is None else 100 - acc1)} / {pct(None if acc5 is None else 100 - acc5)}"
                if acc1 is not None else "— (no weights)"),
        })
    return out


def table_rows(results: tuple[Result, ...] = RESULTS) -> list[dict]:
    """:data:`RESULTS` as display rows: every cell a string ("—" where the paper gives no number)."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}"
    return [{"source": r.table, "row": r.row, "train S": r.train or "—", "test Q": r.test or "—",
             "evaluation": r.method or "—", "nets": str(r.nets), "split": r.split,
             "top-1 error %": pct(r.top1), "top-5 error %": pct(r.top5)} for r in results]


def with_value(config: str, table: str, train: str, top1: float,
               results: tuple[Result, ...] = RESULTS) -> tuple[Result, ...]:
    """``results`` with one row's top-1 replaced (for tests and what-ifs)."""
    return tuple(replace(r, top1=top1) if (r.config, r.table, r.train) == (config, table, train) else r
                 for r in results)


__all__ += ["with_value"]
