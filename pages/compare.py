import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import pandas as pd
import streamlit as st

from vggviz.app import ui
from vggviz.figures.arch import block_bars
from vggviz.i18n import _
from vggviz.lab.compare import (
    ACCURACY_NOTE,
    PAPER_ORDER,
    bn_sentence,
    depth_sentence,
    describe_changes,
    paper_table,
    paper_variant,
    variant_rows,
)
from vggviz.lab.paper import SOURCE, beside_torchvision, findings, ilsvrc_sentence, lab_sentence, table_rows
from vggviz.model.variants import VARIANTS, lrn_note

ui.page_guard()


def text_or_dash(col: pd.Series, digits: int, missing: str | None = None) -> pd.Series:
    """Numbers as text, and an explicit "—" where there is none: in Chromium the grid showed a
    missing number (NaN or None) as the word "None", and still did for the empty text that
    replaced it (issue 13), so a missing value is written out."""
    missing = _("— (no weights)") if missing is None else missing
    return col.map(lambda v: missing if v is None or v != v or v == "" else f"{v:.{digits}f}")


YES, NO = _("yes"), _("no")
VARIANT, CONFIG, BN, WEIGHT_LAYERS = _("variant"), _("config"), _("batch norm"), _("weight layers")
TOP1, TOP5 = _("ImageNet top-1 %"), _("ImageNet top-5 %")

st.title(_("Compare depths: VGG11 to VGG19"))
ui.predict_first("compare")
rows = variant_rows()
df = pd.DataFrame([{
    VARIANT: r.label, CONFIG: r.config, BN: YES if r.batch_norm else NO,
    WEIGHT_LAYERS: r.weight_layers, _("conv layers"): r.conv_layers,
    _("parameters (M)"): round(r.params / 1e6, 2), _("MACs (G)"): round(r.macs / 1e9, 3),
    TOP1: r.acc1, TOP5: r.acc5,
} for r in rows])
for col in (TOP1, TOP5):
    df[col] = text_or_dash(df[col], 2)
st.dataframe(df, hide_index=True, width="stretch", column_config={
    TOP1: st.column_config.TextColumn(
        alignment="right",
        help=_("From torchvision's weights metadata (single 224 crop); “— (no weights)” where "
               "torchvision ships none (A-LRN, C)")),
    TOP5: st.column_config.TextColumn(alignment="right"),
})
st.caption(f"{depth_sentence(rows)} {bn_sentence(rows)}")
st.caption(_(ACCURACY_NOTE))

c1, c2 = st.columns(2)
c1.plotly_chart(block_bars(rows, "params"), width="stretch")
c2.plotly_chart(block_bars(rows, "macs"), width="stretch")

st.subheader(_("The mini family: the same table at teaching scale"))
mini = variant_rows(mini=True)
HELD_OUT = _("shapes held-out %")
mdf = pd.DataFrame([{
    VARIANT: r.label, CONFIG: r.config, BN: YES if r.batch_norm else NO,
    WEIGHT_LAYERS: r.weight_layers, _("parameters (k)"): round(r.params / 1e3, 1),
    _("MACs at 64 px (M)"): round(r.macs / 1e6, 2), HELD_OUT: r.acc1,
} for r in mini])
mdf[HELD_OUT] = text_or_dash(mdf[HELD_OUT], 1, _("— (none bundled)"))
st.dataframe(mdf, hide_index=True, width="stretch", column_config={
    HELD_OUT: st.column_config.TextColumn(
        alignment="right",
        help=_("Accuracy of the bundled checkpoint on 1000 generated images it never trained on "
               "(its training log in assets/models); “— (none bundled)” where none ships: train it "
               "on the Train page")),
})
st.caption(_("Every width ÷ 8 and a 64×64 input: the FC layers shrink from 4096 to 256 wide, so here "
             "the convolutions hold most of the parameters, unlike full-size VGG."))

st.subheader(_("The paper's Table 1: what changes from A to E"))
table = paper_table()
labels = {c: f"{c} ({VARIANTS[paper_variant(c)].label.split(' ')[0]})" for c in PAPER_ORDER}
cells = pd.DataFrame([{labels[c]: (row[c]["layer"] if row[c] else "—") for c in PAPER_ORDER} for row in table])
new = pd.DataFrame([{labels[c]: bool(row[c] and row[c]["new"]) for c in PAPER_ORDER} for row in table])
styled = cells.style.apply(
    lambda col: ["font-weight: bold; background-color: #fde2b5" if new.loc[i, col.name] else ""
                 for i in col.index], axis=0)
st.dataframe(styled, hide_index=True, width="stretch", height=36 * (len(cells) + 1))
st.caption(_("conv3-256 = a 3×3 convolution with 256 output channels; — = no layer there; highlighted: "
             "the layers each configuration adds to the one before (A-LRN and B are compared with A)."))
for line in describe_changes():
    st.markdown(f"- {line}")
st.caption(lrn_note())

st.subheader(_("The paper's results"))
st.markdown(f"**{ilsvrc_sentence()}**")
st.caption(_("Errors in % on the ILSVRC-2012 validation set (Table 7: the test set), transcribed from "
             "{source}. S is the training scale (the image's shorter side; [256;512]: a random S per "
             "image, scale jittering), Q the test scale(s).").format(source=SOURCE))
# the tables' English keys shown in the reader's language (vggviz.lab.paper marks them)
st.dataframe(pd.DataFrame(beside_torchvision({r.variant: (r.acc1, r.acc5) for r in rows})).rename(columns=_),
             hide_index=True, width="stretch")
st.caption(_("The paper against torchvision, both as errors: the paper evaluates the whole image "
             "densely at scale Q, torchvision one 224×224 centre crop of a network it re-trained "
             "with its own recipe; neither number is wrong, they measure different things. "
             "A-LRN and C have no torchvision weights."))
for f in findings():
    st.markdown(f"**{f.title}.** {f.sentence}")
    st.caption(_("Source: {sources}").format(sources=_("; ").join(f.sources))
               + (f" · {lab_sentence(f.lab)}" if f.lab else ""))
with st.expander(_("Every number transcribed from the paper, with its table and row")):
    st.dataframe(pd.DataFrame(table_rows()).rename(columns=_), hide_index=True, width="stretch")
    st.caption(_("Table 6 (the fusion of networks) and the other teams' rows of Table 7 are not "
                 "transcribed (see vggviz/lab/paper.py)."))
