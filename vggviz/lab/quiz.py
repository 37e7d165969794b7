"""Predict, then see: questions generated from the network's own numbers.

Each page has a few questions whose answers come from the library, never typed in: the layer
table (:func:`vggviz.model.summary.summarize`, built on the meta device), the receptive fields
(:mod:`vggviz.model.receptive_field`), the bundled checkpoints' training logs and, for the image pages,
the current :class:`~vggviz.inference.analysis.Analysis`. So the answers follow the chosen variant, input
size and image. A student answers first, then the page reveals the figure that shows the truth
(Hundhausen, Douglas & Stasko 2002: predicting, then checking, is what makes a visualisation teach).

A :class:`Question` carries its ``key``: the id plus everything its answer depends on (variant,
size, image digest), so a class's answers are only ever counted against the same truth.

    >>> q = question("conv1_1_params", "vgg16")
    >>> q.answer, check(q, parse_answer(q, "1,792")).within
    (1792, True)

Prompts and explanations are in the language of the thread that builds the questions
(:mod:`vggviz.i18n`); answers, ids and keys are data.

Kept in one module: one short builder per page, each holding its questions'
prompt and explanation templates beside the numbers they are filled with.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from vggviz.errors import VggvizError
from vggviz.i18n import N_, Text, _
from vggviz.lab.compare import bundled_accuracy
from vggviz.model.receptive_field import compare_stack, stack_rf
from vggviz.model.summary import check_input_size, summarize
from vggviz.model.variants import VARIANTS, variant_info

__all__ = ["Question", "Verdict", "AnswerError", "PAGES", "bank", "for_page", "question", "no_image_questions",
           "parse_answer", "check", "to_json"]


class AnswerError(VggvizError):
    """An answer the question cannot take (not a number, a negative count, out of range, the
    question closed); the message is one line (a :class:`~vggviz.i18n.Text`)."""


@dataclass(frozen=True)
class Question:
    id: str
    page: str                      # the url path of the page that reveals the answer
    prompt: str
    answer: float | int | str      # a number, or (kind "choice") one of ``options``
    tolerance: float               # relative: within ``tolerance × |answer|`` counts (0: exact)
    explanation: str               # why, and where on the page the figure shows it
    key: str                       # id + what the answer depends on (variant, size, image)
    kind: str = "number"           # "number" or "choice"
    options: tuple[str, ...] = ()  # the choices (kind "choice")
    lo: float | None = None        # the range an answer may take (None: unbounded)
    hi: float | None = None
    count: bool = False            # a count: a negative answer gets its own message
    unit: str = ""
    accepted: tuple[str, ...] = field(default=())   # further right choices (a tie)
    needs_image: bool = False

    def to_json(self) -> dict:
        return {"id": self.id, "page": self.page, "prompt": str(self.prompt), "answer": self.answer,
                "tolerance": self.tolerance, "explanation": str(self.explanation)}


@dataclass(frozen=True)
class Verdict:
    within: bool
    value: float | str
    answer: float | int | str
    error: float | None            # relative error of a number (None for a choice)

    @property
    def percent_off(self) -> float | None:
        return None if self.error is None else 100 * self.error


# --------------------------------------------------------------------------- answers

def _to_number(text: str) -> float:
    t = " ".join(str(text).split()).replace("，", ",").replace("−", "-").replace("％", "%")
    t = t.rstrip("%").strip().replace(" ", "").replace("_", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?", t):      # thousands separators: 1,792 / 102,764,544
        t = t.replace(",", "")
    elif t.count(",") == 1 and "." not in t:                    # a decimal comma: 74,3
        t = t.replace(",", ".")
    return float(t)


def parse_answer(q: Question, text) -> float | str:
    """The number (or choice) ``text`` stands for, checked against the question's range;
    :class:`AnswerError` with one line otherwise. Thousands separators, a decimal comma and a
    trailing % are accepted."""
    if q.kind == "choice":
        if text in q.options:
            return text
        raise AnswerError(Text(N_("pick one of the choices ({options})"), options=", ".join(q.options)))
    raw = " ".join(str(text if text is not None else "").split())
    if not raw:
        raise AnswerError(Text(N_("type a number first")))
    shown = raw[:24] + ("…" if len(raw) > 24 else "")
    try:
        value = _to_number(raw)
    except ValueError:
        raise AnswerError(Text(N_("{text} is not a number: type digits only, e.g. {example}"),
                               text=repr(shown), example=_example(q))) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise AnswerError(Text(N_("{text} is not a number: type digits only, e.g. {example}"),
                               text=repr(shown), example=_example(q)))
    if q.count and value < 0:
        raise AnswerError(Text(N_("{value} is negative: a count is 0 or more"), value=_fmt(value)))
    if (q.lo is not None and value < q.lo) or (q.hi is not None and value > q.hi):
        raise AnswerError(Text(N_("{value} is outside the possible range {lo} … {hi}"), value=_fmt(value),
                               lo=_fmt(q.lo) if q.lo is not None else "−∞", hi=_fmt(q.hi) if q.hi is not None else "∞"))
    return value


def _example(q: Question) -> str:
    return "12.5" if isinstance(q.answer, float) and q.unit == "%" else "1234"


def _fmt(v: float) -> str:
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.4g}"


def check(q: Question, value: float | str) -> Verdict:
    """Whether ``value`` (from :func:`parse_answer`) is within the question's tolerance."""
    if q.kind == "choice":
        return Verdict(within=value == q.answer or value in q.accepted, value=value, answer=q.answer, error=None)
    truth = float(q.answer)
    err = abs(float(value) - truth) / abs(truth) if truth else (0.0 if value == truth else float("inf"))
    return Verdict(within=err <= q.tolerance + 1e-12, value=float(value), answer=q.answer, error=err)


def to_json(variant: str, questions: list[Question]) -> dict:
    """The CLI's contract: ``{"variant", "questions": [{"id", "page", "prompt", "answer", "tolerance",
    "explanation"}]}``."""
    return {"variant": variant, "questions": [q.to_json() for q in questions]}


# --------------------------------------------------------------------------- the bank

def _r(x: float, digits: int = 2) -> float:
    return round(float(x), digits)


def _sig(x: float, figures: int = 4) -> float:
    """``x`` to ``figures`` significant figures (0.3621 M for a mini VGG, 138.4 M for VGG16)."""
    return float(f"{float(x):.{figures}g}")


def _kernel(row_type: str) -> int:
    m = re.match(r"Conv (\d+)×", row_type)
    return int(m.group(1)) if m else 1


def _key(qid: str, variant: str, size: int, digest: str = "") -> str:
    return ":".join(p for p in (qid, variant, str(size), digest) if p)


def _family_pair(variant: str) -> tuple[str, str]:

    return ("vgg11_mini", "vgg19_mini") if VARIANTS[variant].mini else ("vgg11", "vgg19")


def _architecture(variant: str, size: int) -> list[Question]:

    s = summarize(variant, size)
    c1 = s.row("conv1_1")
    k, cout = _kernel(c1.type), c1.out_shape[0]
    fc6 = s.row("fc6")
    pool3 = s.row("pool3")
    page = "architecture"
    return [
        Question("conv1_1_params", page,
                 _("How many parameters (weights and biases) does conv1_1 of {variant} have?").format(variant=variant),
                 c1.params, 0.05,
                 _("{k}×{k} kernel × 3 input channels (RGB) × {cout} filters + {cout} biases = {params}. "
                   "See the row conv1_1 of the table *Layer by layer*.").format(
                     k=k, cout=cout, params=f"{c1.params:,}"),
                 _key("conv1_1_params", variant, size), lo=0, count=True),
        Question("fc6_share", page,
                 _("What percentage of all {variant}'s parameters sit in fc6 alone?").format(variant=variant),
                 _r(100 * fc6.params / s.total_params), 0.1,
                 _("fc6 has {fc6} of {total} parameters ({pct}%): it connects every number of pool5 to each of "
                   "its {units} units. See *Where the parameters live, where the compute happens*.").format(
                     fc6=f"{fc6.params:,}", total=f"{s.total_params:,}", pct=f"{100 * fc6.params / s.total_params:.1f}",
                     units=fc6.out_shape[0]),
                 _key("fc6_share", variant, size), lo=0, hi=100, unit="%"),
        Question("pool3_side", page,
                 _("For a {size}×{size} px input, how many pixels wide (W) is pool3's output?").format(size=size),
                 pool3.out_shape[2], 0.0,
                 _("Each of the three max-pools so far halves the side: {size} → {side}; pool3's output is "
                   "{shape} (C×H×W), {n} numbers. See the column *output* of the table, row pool3.").format(
                     size=size, side=pool3.out_shape[2], shape="×".join(map(str, pool3.out_shape)),
                     n=f"{pool3.out_shape[0] * pool3.out_shape[1] * pool3.out_shape[2]:,}"),
                 _key("pool3_side", variant, size), lo=0, hi=size, count=True),
        Question("total_params", page,
                 _("How many million parameters does {variant} have in all?").format(variant=variant),
                 _sig(s.total_params / 1e6), 0.1,
                 _("{n} parameters: the metric *Parameters* at the top and the table's total.").format(
                     n=f"{s.total_params:,}"),
                 _key("total_params", variant, size), lo=0, count=True, unit="M"),
    ]


def _compare(variant: str, size: int) -> list[Question]:

    s = summarize(variant, size)
    _p, conv_m = s.share("Conv")
    blocks = sorted({r.block for r in s.rows if r.type.startswith("Conv")})
    per_block = {b: sum(r.params for r in s.rows if r.block == b and r.type.startswith("Conv")) for b in blocks}
    top = max(per_block.values())
    label = {b: _("block {n}").format(n=b) for b in blocks}
    best = [label[b] for b in blocks if per_block[b] == top]
    shallow, deep = _family_pair(variant)
    a, b = summarize(shallow), summarize(deep)
    page = "compare"
    return [
        Question("conv_macs_share", page,
                 _("What percentage of {variant}'s compute (MACs) do its convolutions do?").format(variant=variant),
                 _r(100 * conv_m), 0.05,
                 _("{pct}% of {macs} MACs: a conv weight is used at every position of its map, an FC weight "
                   "once. See the per-block bars.").format(pct=f"{100 * conv_m:.1f}", macs=f"{s.total_macs:,}"),
                 _key("conv_macs_share", variant, size), lo=0, hi=100, unit="%"),
        Question("block_params", page,
                 _("Which conv block of {variant} holds the most parameters?").format(variant=variant),
                 best[0], 0.0,
                 _("Parameters per block: {blocks}. The deepest blocks have the most channels. See the "
                   "per-block bars.").format(blocks=", ".join(f"{label[b]} {per_block[b]:,}" for b in blocks)),
                 _key("block_params", variant, size), kind="choice", options=tuple(label[b] for b in blocks),
                 accepted=tuple(best[1:])),
        Question("depth_params", page,
                 _("{deep} has {n} more weight layers than {shallow}. How many million more parameters?").format(
                     deep=deep, shallow=shallow, n=_weight_layers(deep) - _weight_layers(shallow)),
                 _sig((b.total_params - a.total_params) / 1e6), 0.1,
                 _("{deep}: {pb} parameters, {shallow}: {pa}; the difference is {d}, a small part of either, "
                   "because most parameters sit in the FC layers. See the table of all variants.").format(
                     deep=deep, shallow=shallow, pb=f"{b.total_params:,}", pa=f"{a.total_params:,}",
                     d=f"{b.total_params - a.total_params:,}"),
                 _key("depth_params", deep, 0), lo=0, count=True, unit="M"),
    ]


def _weight_layers(variant: str) -> int:

    return VARIANTS[variant].weight_layers


def _last_conv(s, block: int) -> str:
    return [r.name for r in s.rows if r.block == block and r.type.startswith("Conv")][-1]


def _receptive_field(variant: str, size: int) -> list[Question]:

    s = summarize(variant, size)
    cmp = compare_stack(3, 3, 64)
    c3 = s.row(_last_conv(s, 3))
    p5 = s.row("pool5")
    page = "receptive_field"
    return [
        Question("stack_saving", page,
                 _("Three stacked 3×3 convolutions see 7×7, like one 7×7 convolution. With 64 channels in and out "
                   "(no biases), what percentage of the 7×7's weights do they save?"),
                 _r(100 * cmp.saving), 0.1,
                 _("3 × 3·3·64·64 = {stack} weights against 7·7·64·64 = {single}: 27C² against 49C², "
                   "{pct}% fewer, and three non-linearities instead of one. See the comparison at the top.").format(
                     stack=f"{cmp.params:,}", single=f"{cmp.single_params:,}", pct=f"{100 * cmp.saving:.1f}"),
                 _key("stack_saving", "any", 0), lo=0, hi=100, unit="%"),
        Question("five_stack_rf", page,
                 _("How many pixels wide is the field that five stacked 3×3 convolutions see?"),
                 stack_rf(5, 3), 0.0,
                 _("Each 3×3 layer adds 2 pixels: 1 + 5 × 2 = {rf}. See the growth curve.").format(rf=stack_rf(5, 3)),
                 _key("five_stack_rf", "any", 0), lo=0, count=True),
        Question("block3_rf", page,
                 _("How many input pixels wide is the receptive field of a {layer} unit in {variant}?").format(
                     layer=c3.name, variant=variant),
                 c3.rf, 0.1,
                 _("{layer}: {rf} px (effective stride {jump} px: each pool doubles how much a 3×3 adds). See the "
                   "receptive fields of the real network.").format(layer=c3.name, rf=c3.rf, jump=c3.jump),
                 _key("block3_rf", variant, size), lo=0, count=True),
        Question("pool5_rf", page,
                 _("And a pool5 unit of {variant}: how many input pixels wide is its receptive field?").format(
                     variant=variant),
                 p5.rf, 0.1,
                 _("pool5: {rf} px for a {size} px input: one unit can see most or all of the image. See the "
                   "receptive fields of the real network.").format(rf=p5.rf, size=size),
                 _key("pool5_rf", variant, size), lo=0, count=True),
    ]


def _feature_maps(variant: str, size: int) -> list[Question]:

    s = summarize(variant, size)
    c1, p5 = s.row("conv1_1"), s.row("pool5")
    page = "feature_maps"
    return [
        Question("conv1_1_channels", page,
                 _("How many feature maps (channels) does conv1_1 of {variant} produce?").format(variant=variant),
                 c1.out_shape[0], 0.0,
                 _("One map per filter: {n}. See the tiled grid of conv1_1.").format(n=c1.out_shape[0]),
                 _key("conv1_1_channels", variant, size), lo=0, count=True),
        Question("pool5_side", page,
                 _("How many pixels wide is each pool5 feature map for a {size} px input?").format(size=size),
                 p5.out_shape[2], 0.0,
                 _("Five max-pools halve the side five times: {size} / 32 = {side}. See the grid of pool5.").format(
                     size=size, side=p5.out_shape[2]),
                 _key("pool5_side", variant, size), lo=0, hi=size, count=True),
    ]


def _gradcam(variant: str, size: int) -> list[Question]:

    s = summarize(variant, size)
    last = s.row(_last_conv(s, 5))
    page = "gradcam"
    return [
        Question("cam_grid", page,
                 _("Grad-CAM at {layer} is computed on that layer's map. For a {size} px input, how many cells "
                   "wide is it?").format(layer=last.name, size=size),
                 last.out_shape[2], 0.0,
                 _("{layer}'s output is {shape}: the heatmap is {side}×{side} cells, stretched over the image. "
                   "See the Grad-CAM overlay.").format(layer=last.name, shape="×".join(map(str, last.out_shape)),
                                                        side=last.out_shape[2]),
                 _key("cam_grid", variant, size), lo=0, hi=size, count=True),
        Question("cam_cell", page,
                 _("How many input pixels apart are the centres of two neighbouring cells of that map?"),
                 last.jump, 0.0,
                 _("The effective stride of {layer}: four pools of stride 2 give 2⁴ = {jump} px. Grad-CAM can "
                   "be no finer than that. See the blocky overlay.").format(layer=last.name, jump=last.jump),
                 _key("cam_cell", variant, size), lo=0, count=True),
    ]


def _fully_conv(variant: str, size: int) -> list[Question]:

    info = VARIANTS[variant]
    k = info.pool_grid
    big = 128 if info.mini else 384
    p5 = summarize(variant, big).row("pool5")
    side = p5.out_shape[2] - k + 1
    page = "fully_conv"
    return [
        Question("fc6_kernel", page,
                 _("At test time fc6 becomes a convolution. How many pixels wide is its kernel?"),
                 k, 0.0,
                 _("fc6 reads pool5's {k}×{k} grid at the training size, so it becomes a {k}×{k} convolution; fc7 "
                   "and fc8 become 1×1. See the conversion table.").format(k=k),
                 _key("fc6_kernel", variant, 0), lo=0, count=True),
        Question("score_map_side", page,
                 _("Fed a {size}×{size} px image, how many positions wide is the class-score map?").format(size=big),
                 side, 0.0,
                 _("pool5 is {p}×{p} at {size} px; a {k}×{k} fc6 fits {p} − {k} + 1 = {side} times across. See the "
                   "class-score map.").format(p=p5.out_shape[2], size=big, k=k, side=side),
                 _key("score_map_side", variant, big), lo=0, count=True),
    ]


def _train(variant: str, size: int) -> list[Question]:

    minis = ["vgg11_mini", "vgg13_mini", "vgg16_mini", "vgg19_mini"]
    acc = {v: bundled_accuracy(v) for v in minis}
    acc = {v: a for v, a in acc.items() if a is not None}
    if len(acc) < 2:
        return []
    label = {v: f"{VARIANTS[v].config} ({v})" for v in acc}
    top = max(acc.values())
    best = [label[v] for v in acc if acc[v] == top]
    return [
        Question("deeper_better", "train",
                 _("Which bundled mini VGG has the best held-out accuracy on the shapes?"),
                 best[0], 0.0,
                 _("Held-out accuracy of the shipped checkpoints: {accs}. One seed each: train them yourself "
                   "with several seeds (the depth experiment) before you call it.").format(
                     accs=", ".join(f"{label[v]} {a:.1f}%" for v, a in acc.items())),
                 _key("deeper_better", "mini", 0), kind="choice", options=tuple(label.values()),
                 accepted=tuple(best[1:])),
    ]


def _forward_pass(variant: str, size: int, analysis) -> list[Question]:
    if analysis is None:
        return []
    top = analysis.top
    shown = {p.label: _(p.label) if variant.endswith("_mini") else p.label for p in top}
    options = tuple(sorted(shown.values(), key=str.casefold))
    p1 = top[0]
    page = "forward_pass"
    digest = analysis.digest[:16]
    return [
        Question("top1_class", page, _("Which class will the network put first for this image?"),
                 shown[p1.label], 0.0,
                 _("{label} at {pct}%. See the chart of the most likely classes.").format(
                     label=shown[p1.label], pct=f"{100 * p1.prob:.1f}"),
                 _key("top1_class", analysis.variant, 0, analysis.source + digest), kind="choice", options=options,
                 needs_image=True),
        Question("top1_prob", page, _("How sure will it be: the top class's probability in %?"),
                 _r(100 * p1.prob), 0.25,
                 _("{pct}% for {label}; the other {n} classes share the rest. See the chart of the most likely "
                   "classes.").format(pct=f"{100 * p1.prob:.1f}", label=shown[p1.label], n=len(analysis.probs) - 1),
                 _key("top1_prob", analysis.variant, 0, analysis.source + digest), lo=0, hi=100, unit="%",
                 needs_image=True),
    ]


_BUILDERS: dict[str, Callable] = {
    "architecture": _architecture, "compare": _compare, "receptive_field": _receptive_field,
    "feature_maps": _feature_maps, "gradcam": _gradcam, "fully_conv": _fully_conv, "train": _train,
}
PAGES = ("architecture", "compare", "receptive_field", "forward_pass", "feature_maps", "gradcam", "fully_conv",
         "train")


def for_page(page: str, variant: str, size: int | None = None, analysis=None) -> list[Question]:
    """The questions of the page with url path ``page`` for ``variant`` at ``size`` (default: the
    variant's own) and, for the image pages, ``analysis`` (without it, none of those)."""
    variant_info(variant)                     # an unknown variant: one line
    size = size or VARIANTS[variant].input_size
    check_input_size(size)
    if page == "forward_pass":
        return _forward_pass(variant, size, analysis)
    build = _BUILDERS.get(page)
    return build(variant, size) if build else []


def bank(variant: str, size: int | None = None, analysis=None) -> list[Question]:
    """Every page's questions, in the lesson's order."""
    return [q for page in PAGES for q in for_page(page, variant, size, analysis)]


def no_image_questions(variant: str, size: int | None = None) -> list[Question]:
    """The questions that need no image (the CLI's)."""
    return bank(variant, size, None)


def question(qid: str, variant: str, size: int | None = None, analysis=None) -> Question:
    for q in bank(variant, size, analysis):
        if q.id == qid:
            return q
    raise KeyError(qid)


@lru_cache(maxsize=1)
def question_pages() -> dict[str, str]:
    """Question id → page, for links (``?q=``)."""
    return {q.id: q.page for q in bank("vgg16")} | {"top1_class": "forward_pass", "top1_prob": "forward_pass"}
