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

from vggviz.i18n import N_, _

__all__ = ["Result", "RESULTS", "SOURCE", "lookup", "findings", "Finding", "ilsvrc_sentence",
           "TRAINING_EPOCHS", "TRAINING_ITERATIONS", "TRAINING_IMAGES", "TRAINING_CLASSES", "SHALLOW_5X5_GAP",
           "training_scale", "lab_sentence", "table_rows", "beside_torchvision", "TORCHVISION_VARIANT"]

SOURCE = "Simonyan & Zisserman, arXiv 1409.1556 (v6, ICLR 2015)"

# the paper's configuration → the torchvision variant with the same layers (A-LRN, C: none ship)
TORCHVISION_VARIANT = {"A": "vgg11", "B": "vgg13", "D": "vgg16", "E": "vgg19"}

J = "[256;512]"          # the paper's scale-jittered training

# Words of the table shown with _() (the data keeps them in English): tables, methods, splits.
TABLE_NAMES = (N_("Table 3"), N_("Table 4"), N_("Table 5"), N_("Table 7"), N_("Appendix A"))
METHODS = (N_("single scale"), N_("multi-scale"), N_("dense"), N_("multi-crop"), N_("multi-crop & dense"))
SPLITS = {"val": N_("validation set"), "test": N_("test set")}


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
    Result("Table 7", N_("VGG (ILSVRC submission, 7 nets, dense eval.)"), "7 nets", "", "",
           "dense", None, 7.3, "test", 7),
    Result("Table 7", N_("VGG (1 net, multi-crop & dense eval.)"), "E", J, "256,384,512",
           "multi-crop & dense", None, 7.0, "test", 1),
    Result("Table 7", N_("VGG (2 nets, multi-crop & dense eval.)"), "D+E", J, "256,384,512",
           "multi-crop & dense", None, 6.8, "test", 2),
    Result("Table 7", N_("GoogLeNet (7 nets), 1st in ILSVRC-2014 classification"), "GoogLeNet", "", "",
           "", None, 6.7, "test", 7),
    # ILSVRC-2014 localisation (the abstract; Appendix A)
    Result("Appendix A", N_("VGG, ILSVRC-2014 localisation (1st place)"), "localisation", "", "",
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


# How the paper trained (Sect. 3.1): "learning was stopped after 370K iterations (74 epochs)" on
# ILSVRC-2012's 1.3 M training images of 1000 classes: the scale beside every lab verdict.
TRAINING_EPOCHS = 74
TRAINING_ITERATIONS = 370_000
TRAINING_IMAGES = 1_300_000
TRAINING_CLASSES = 1000
# Sect. 4.1: B with each pair of 3×3 convs replaced by a single 5×5 conv (same receptive field):
# "the top-1 error of the shallow net was measured to be 7% higher than that of B (on a center
# crop)". Only the gap is given, no row of Table 3.
SHALLOW_5X5_GAP = 7.0


def training_scale() -> str:
    """The paper's training scale in words, from the numbers above."""
    return _("ImageNet (ILSVRC-2012: {images} M images, {classes} classes), {epochs} epochs").format(
        images=f"{TRAINING_IMAGES / 1e6:.1f}", classes=f"{TRAINING_CLASSES:,}", epochs=TRAINING_EPOCHS)


@dataclass(frozen=True)
class Finding:
    title: str
    sentence: str
    sources: tuple[str, ...]     # "Table 3: A, S = 256, Q = 256", ...
    lab: str | None = None       # the shapes lab's experiment key (vggviz.lab.training.EXPERIMENTS)


def row_label(r: Result) -> str:
    """The row as the paper prints it, in the reader's language (Tables 3 and 4 hold no words)."""
    if r.table == "Table 5":
        return _("{config}, {method}").format(config=r.config, method=_(r.method))
    if r.table in ("Table 3", "Table 4"):
        return r.row
    return _(r.row)


def source_label(r: Result) -> str:
    """"Table 3: A, S = 256, Q = 256", in the reader's language."""
    return _("{table}: {row}").format(table=_(r.table), row=row_label(r))


_src = source_label


def _cmp(a: float, b: float) -> str:
    """How error ``b`` compares with error ``a``: "lower", "higher" or "the same"."""
    return _("the same") if abs(a - b) < 0.05 else (_("lower") if b < a else _("higher"))


def findings(results: tuple[Result, ...] = RESULTS) -> list[Finding]:
    """What each comparison in the tables shows, in sentences built from ``results``."""
    out: list[Finding] = []
    t3 = {c: lookup(c, results=results) for c in ("A", "A-LRN", "B", "C", "D", "E")}

    a, lrn = t3["A"], t3["A-LRN"]
    if a and lrn:
        d = lrn.top1 - a.top1
        verdict = (_("LRN does not help: A-LRN's error is no lower than A's") if d >= -0.3 else
                   _("LRN helps: A-LRN's error is lower than A's"))
        out.append(Finding(
            _("Local response normalisation (A vs A-LRN)"),
            _("{verdict} (top-1 {lrn1} % against {a1} %, top-5 {lrn5} % against {a5} %), so the "
              "deeper configurations B–E drop it.").format(
                  verdict=verdict, lrn1=f"{lrn.top1:.1f}", a1=f"{a.top1:.1f}", lrn5=f"{lrn.top5:.1f}",
                  a5=f"{a.top5:.1f}"),
            (_src(a), _src(lrn)), "c_lrn"))

    chain = [t3[c] for c in ("A", "B", "D", "E") if t3[c]]
    if len(chain) >= 3:
        best = min(chain, key=lambda r: r.top1)
        falls = all(x.top1 > y.top1 for x, y in zip(chain[:3], chain[1:3]))
        steps = " → ".join(f"{r.config} {r.top1:.1f} %" for r in chain)
        sat = ""
        if t3["E"] and t3["D"] and t3["E"].top1 >= t3["D"].top1:
            sat = _("; at this scale E (19 layers) is no better than D (16): {e} % against {d} %, "
                    "the error saturates").format(e=f"{t3['E'].top1:.1f}", d=f"{t3['D'].top1:.1f}")
        out.append(Finding(
            _("Depth (A → B → D → E)"),
            _("{verdict}: single-scale top-1 error {steps} (S = 256){saturates}. Best: {best} ({top1} %).").format(
                verdict=_("Depth helps") if falls else _("Depth does not steadily help"), steps=steps,
                saturates=sat, best=best.config, top1=f"{best.top1:.1f}"),
            tuple(_src(r) for r in chain), "depth"))

    b, c, d = t3["B"], t3["C"], t3["D"]
    if b and c and d:
        out.append(Finding(
            _("1×1 against 3×3 (B vs C vs D)"),
            _("C's extra 1×1 convolutions give {cmp_b} error than B ({c} % against {b} %): the extra "
              "non-linearity {helps}; but D, with 3×3 where C has 1×1, has {cmp_c} error again ({d} %): "
              "{context}.").format(
                  cmp_b=_cmp(b.top1, c.top1), c=f"{c.top1:.1f}", b=f"{b.top1:.1f}",
                  helps=_("helps") if c.top1 < b.top1 else _("does not help"),
                  cmp_c=_cmp(c.top1, d.top1), d=f"{d.top1:.1f}",
                  context=(_("seeing spatial context matters too") if d.top1 < c.top1
                           else _("spatial context adds nothing here"))),
            (_src(b), _src(c), _src(d)), "c_lrn"))

    for cfg in ("D", "E"):
        fixed, jit = lookup(cfg, results=results), lookup(cfg, train=J, results=results)
        if fixed and jit:
            out.append(Finding(
                _("Scale jittering in training ({config})").format(config=cfg),
                _("Training {config} on images rescaled to a random S in [256; 512] instead of a fixed "
                  "S = 256 takes its single-scale top-1 error from {fixed} % to {jittered} % "
                  "({change} points).").format(config=cfg, fixed=f"{fixed.top1:.1f}",
                                               jittered=f"{jit.top1:.1f}",
                                               change=f"{jit.top1 - fixed.top1:+.1f}"),
                (_src(fixed), _src(jit))))
            break

    single, multi = lookup("D", train=J, results=results), lookup("D", "Table 4", J, results=results)
    if single and multi:
        out.append(Finding(
            _("Several test scales (D)"),
            _("Testing D at three scales {{{scales}}} and averaging instead of at one (Q = {q}) takes "
              "top-1 error from {single1} % to {multi1} % and top-5 from {single5} % to {multi5} %.").format(
                  scales=multi.test.replace(",", ", "), q=single.test, single1=f"{single.top1:.1f}",
                  multi1=f"{multi.top1:.1f}", single5=f"{single.top5:.1f}", multi5=f"{multi.top5:.1f}"),
            (_src(single), _src(multi))))

    t5 = [r for r in results if r.table == "Table 5" and r.config == "D"]
    if len(t5) == 3:
        dense, crop, both = (next(r for r in t5 if r.method == m)
                             for m in ("dense", "multi-crop", "multi-crop & dense"))
        out.append(Finding(
            _("Dense against multi-crop (D)"),
            _("Multi-crop gives {cmp} top-1 error ({crop} %) than dense evaluation ({dense} %), and the "
              "two combined give {both1} % top-1, {both5} % top-5: {verdict}").format(
                  cmp=_cmp(dense.top1, crop.top1), crop=f"{crop.top1:.1f}", dense=f"{dense.top1:.1f}",
                  both1=f"{both.top1:.1f}", both5=f"{both.top5:.1f}",
                  verdict=(_("better than either, so they complement each other.")
                           if both.top1 < min(dense.top1, crop.top1)
                           else _("no better than the better of the two."))),
            tuple(_src(r) for r in t5)))
    return out


def lab_sentence(key: str | None, result: dict | None = None) -> str:
    """The shapes lab's reference result for the experiment ``key`` (or ``result``, an
    experiment's JSON), to set beside a finding: each comparison's verdict and difference."""
    if not key:
        return ""
    from vggviz.lab import experiments

    if key not in experiments.EXPERIMENTS:
        return ""
    result = result if result is not None else experiments.reference(key)
    if not result:
        return ""
    verdicts = {"reproduced": N_("reproduced"), "not resolved": N_("not resolved"), "reversed": N_("reversed")}
    said = "; ".join(_("{better} − {worse}: {diff} points, {verdict}").format(
        better=_(c["better"]), worse=_(c["worse"]), diff=f"{c['mean_diff']:+.1f}", verdict=_(verdicts[c["verdict"]]))
        for c in result["comparisons"])
    return _("The shapes lab measures the same question on the mini VGGs (*Train it yourself* → “{title}”, "
             "{seeds} paired seeds per arm): {verdicts}.").format(
        title=_(experiments.EXPERIMENTS[key].title), seeds=len(result["seeds"]), verdicts=said)


def ilsvrc_sentence(results: tuple[Result, ...] = RESULTS) -> str:
    """The ILSVRC-2014 placing in one sentence, from Table 7 and Appendix A."""
    sub = next((r for r in results if r.table == "Table 7" and r.nets == 7 and r.config == "7 nets"), None)
    goog = next((r for r in results if r.config == "GoogLeNet"), None)
    loc = next((r for r in results if r.config == "localisation"), None)
    if not sub:
        return ""
    s = _("ILSVRC-2014: the VGG team's submission ({nets} networks, dense evaluation) had {err} % top-5 "
          "test error, i.e. {acc} % top-5 accuracy").format(nets=sub.nets, err=f"{sub.top5:.1f}",
                                                            acc=f"{100 - sub.top5:.1f}")
    if goog:
        place = (_(", 2nd in classification (GoogLeNet {err} %)") if goog.top5 < sub.top5
                 else _(", 1st in classification (GoogLeNet {err} %)"))
        s += place.format(err=f"{goog.top5:.1f}")
    if loc:
        s += _("; 1st in localisation with {err} % error").format(err=f"{loc.top5:.1f}")
    return _("{sentence}.").format(sentence=s)


def beside_torchvision(accuracies: dict[str, tuple[float | None, float | None]],
                       results: tuple[Result, ...] = RESULTS) -> list[dict]:
    """Per configuration A…E: the paper's single-scale errors (Table 3, S = 256, and its best
    single-scale row), its multi-scale best (Table 4), and torchvision's single-crop error
    (100 − accuracy) for the same layers, from ``accuracies`` (variant → (top-1 %, top-5 %),
    torchvision's metadata). Every cell a string: "—" where there is no number (A-LRN and C
    have no torchvision weights; A and A-LRN no Table 4 row). The keys are English (show them
    with ``_()``: they are marked in :data:`BESIDE_COLUMNS`); the cells' words are translated."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}"
    no_weights = _("— (no weights)")
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
            "torchvision variant": variant or no_weights,
            "torchvision top-1 / top-5 err. % (one 224 crop)": (
                f"{pct(None if acc1 is None else 100 - acc1)} / {pct(None if acc5 is None else 100 - acc5)}"
                if acc1 is not None else no_weights),
        })
    return out


def table_rows(results: tuple[Result, ...] = RESULTS) -> list[dict]:
    """:data:`RESULTS` as display rows: every cell a string ("—" where the paper gives no number),
    its words in the reader's language; the keys are English (marked in :data:`TABLE_COLUMNS`,
    show them with ``_()``)."""
    def pct(v):
        return "—" if v is None else f"{v:.1f}"
    return [{"source": _(r.table), "row": row_label(r), "train S": r.train or "—", "test Q": r.test or "—",
             "evaluation": _(r.method) if r.method else "—", "nets": str(r.nets),
             "split": _(SPLITS.get(r.split, r.split)),
             "top-1 error %": pct(r.top1), "top-5 error %": pct(r.top5)} for r in results]


# The display tables' column names, shown with _() (the dicts keep them in English).
TABLE_COLUMNS = (N_("source"), N_("row"), N_("train S"), N_("test Q"), N_("evaluation"), N_("nets"),
                 N_("split"), N_("top-1 error %"), N_("top-5 error %"))
BESIDE_COLUMNS = (N_("config"), N_("paper top-1 / top-5 err. % (Table 3, S = 256)"),
                  N_("paper best single scale (Table 3)"), N_("paper best multi-scale (Table 4)"),
                  N_("torchvision variant"), N_("torchvision top-1 / top-5 err. % (one 224 crop)"))


def with_value(config: str, table: str, train: str, top1: float,
               results: tuple[Result, ...] = RESULTS) -> tuple[Result, ...]:
    """``results`` with one row's top-1 replaced (for tests and what-ifs)."""
    return tuple(replace(r, top1=top1) if (r.config, r.table, r.train) == (config, table, train) else r
                 for r in results)


__all__ += ["with_value", "row_label", "source_label", "TABLE_COLUMNS", "BESIDE_COLUMNS"]
