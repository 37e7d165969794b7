import pandas as pd
import streamlit as st

from vggviz import ui

from vggviz.compare import (
    ACCURACY_NOTE,
    PAPER_ORDER,
    bn_sentence,
    depth_sentence,
    describe_changes,
    paper_table,
    paper_variant,
    variant_rows,
)
from vggviz.figures import block_bars
from vggviz.paper import SOURCE, beside_torchvision, findings, ilsvrc_sentence, lab_sentence, table_rows
from vggviz.variants import VARIANTS, lrn_note

ui.page_guard()


def text_or_dash(col: pd.Series, digits: int, missing: str = "— (no weights)") -> pd.Series:
    """Numbers as text, and an explicit "—" where there is none: in Chromium the grid showed a
    missing number (NaN or None) as the word "None", and still did for the empty text that
    replaced it (issue 13), so a missing value is written out."""
    return col.map(lambda v: missing if v is None or v != v or v == "" else f"{v:.{digits}f}")


st.title("Compare depths: VGG11 to VGG19")
rows = variant_rows()
df = pd.DataFrame([{
    "variant": r.label, "config": r.config, "batch norm": "yes" if r.batch_norm else "no",
    "weight layers": r.weight_layers, "conv layers": r.conv_layers,
    "parameters (M)": round(r.params / 1e6, 2), "MACs (G)": round(r.macs / 1e9, 3),
    "ImageNet top-1 %": r.acc1, "ImageNet top-5 %": r.acc5,
} for r in rows])
for col in ("ImageNet top-1 %", "ImageNet top-5 %"):
    df[col] = text_or_dash(df[col], 2)
st.dataframe(df, hide_index=True, width="stretch", column_config={
    "ImageNet top-1 %": st.column_config.TextColumn(
        alignment="right",
        help="From torchvision's weights metadata (single 224 crop); “— (no weights)” where torchvision ships none (A-LRN, C)"),
    "ImageNet top-5 %": st.column_config.TextColumn(alignment="right"),
})
st.caption(f"{depth_sentence(rows)} {bn_sentence(rows)}")
st.caption(ACCURACY_NOTE)

c1, c2 = st.columns(2)
c1.plotly_chart(block_bars(rows, "params"), width="stretch")
c2.plotly_chart(block_bars(rows, "macs"), width="stretch")

st.subheader("The mini family: the same table at teaching scale")
mini = variant_rows(mini=True)
mdf = pd.DataFrame([{
    "variant": r.label, "config": r.config, "batch norm": "yes" if r.batch_norm else "no",
    "weight layers": r.weight_layers, "parameters (k)": round(r.params / 1e3, 1),
    "MACs at 64 px (M)": round(r.macs / 1e6, 2), "shapes held-out %": r.acc1,
} for r in mini])
mdf["shapes held-out %"] = text_or_dash(mdf["shapes held-out %"], 1, "— (none bundled)")
st.dataframe(mdf, hide_index=True, width="stretch", column_config={
    "shapes held-out %": st.column_config.TextColumn(
        alignment="right",
        help="Accuracy of the bundled checkpoint on 1000 generated images it never trained on "
             "(its training log in assets/models); “— (none bundled)” where none ships: train it on the Train page"),
})
st.caption("Every width ÷ 8 and a 64×64 input: the FC layers shrink from 4096 to 256 wide, so here "
           "the convolutions hold most of the parameters, unlike full-size VGG.")

st.subheader("The paper's Table 1: what changes from A to E")
table = paper_table()
labels = {c: f"{c} ({VARIANTS[paper_variant(c)].label.split(' ')[0]})" for c in PAPER_ORDER}
cells = pd.DataFrame([{labels[c]: (row[c]["layer"] if row[c] else "—") for c in PAPER_ORDER} for row in table])
new = pd.DataFrame([{labels[c]: bool(row[c] and row[c]["new"]) for c in PAPER_ORDER} for row in table])
styled = cells.style.apply(
    lambda col: ["font-weight: bold; background-color: #fde2b5" if new.loc[i, col.name] else ""
                 for i in col.index], axis=0)
st.dataframe(styled, hide_index=True, width="stretch", height=36 * (len(cells) + 1))
st.caption("conv3-256 = a 3×3 convolution with 256 output channels; — = no layer there; highlighted: the layers each "
           "configuration adds to the one before (A-LRN and B are compared with A).")
for line in describe_changes():
    st.markdown(f"- {line}")
st.caption(lrn_note())

st.subheader("The paper's results")
st.markdown(f"**{ilsvrc_sentence()}**")
st.caption(f"Errors in % on the ILSVRC-2012 validation set (Table 7: the test set), transcribed from "
           f"{SOURCE}. S is the training scale (the image's shorter side; [256;512]: a random S per "
           "image, scale jittering), Q the test scale(s).")
st.dataframe(pd.DataFrame(beside_torchvision({r.variant: (r.acc1, r.acc5) for r in rows})),
             hide_index=True, width="stretch")
st.caption("The paper against torchvision, both as errors: the paper evaluates the whole image "
           "densely at scale Q, torchvision one 224×224 centre crop of a network it re-trained "
           "with its own recipe; neither number is wrong, they measure different things. "
           "A-LRN and C have no torchvision weights.")
for f in findings():
    st.markdown(f"**{f.title}.** {f.sentence}")
    st.caption("Source: " + "; ".join(f.sources) + (f" · {lab_sentence(f.lab)}" if f.lab else ""))
with st.expander("Every number transcribed from the paper, with its table and row"):
    st.dataframe(pd.DataFrame(table_rows()), hide_index=True, width="stretch")
    st.caption("Table 6 (the fusion of networks) and the other teams' rows of Table 7 are not "
               "transcribed (see vggviz/paper.py).")
