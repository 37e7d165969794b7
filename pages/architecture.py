import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import pandas as pd
import streamlit as st

from vggviz.app import ui
from vggviz.figures.arch import human, network_diagram, params_vs_compute
from vggviz.i18n import _
from vggviz.model.summary import MAX_INPUT_SIZE, MIN_INPUT_SIZE, summarize
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
info = VARIANTS[sel.variant]
st.title(_("Architecture: {variant}").format(variant=info.label))

if st.session_state.get("_arch_family") != info.mini:      # a new family starts at its own size
    st.session_state["_arch_family"] = info.mini
    st.session_state["arch_size"] = info.input_size
ui.link_param("size", "arch_size", lo=MIN_INPUT_SIZE, hi=MAX_INPUT_SIZE, cast=int)
size = st.number_input(
    _("Input size (pixels, square)"), min_value=MIN_INPUT_SIZE, max_value=MAX_INPUT_SIZE,
    step=32, key="arch_size",
    help=(_("The mini family was trained at 64×64, VGG at 224×224.") if info.mini else
          _("VGG was trained at 224×224.")) + " "
    + _("Any size from 32 works for the convolutions: every max-pool halves the side, so 32 px "
        "leaves 1×1 at pool5."),
)
s = summarize(sel.variant, int(size))
ui.predict_first("architecture", size=int(size))

c = st.columns(6)
c[0].metric(_("Weight layers"), info.weight_layers, help=_("Conv + FC layers: the number in the name"))
c[1].metric(_("Parameters"), human(s.total_params),
            help=_("{n} weights and biases").format(n=f"{s.total_params:,}"))
mib = s.total_param_bytes / 2**20
c[2].metric(_("Weights (float32)"), f"{mib:.0f} MiB" if mib >= 100 else f"{mib:.1f} MiB",   # fits the column
            help=_("Parameters × 4 bytes = {bytes} bytes = {mb} MB (10⁶ bytes) = {mib} MiB (2²⁰ bytes): the "
                   "size of torchvision's weights file, give or take a few kB of file format.").format(
                       bytes=f"{s.total_param_bytes:,}", mb=f"{s.total_param_bytes / 1e6:.1f}",
                       mib=f"{s.total_param_bytes / 2**20:.1f}")
            + (" " + _("The often-quoted “533 MB” for VGG16 matches neither unit.")
               if sel.variant == "vgg16" else ""))
c[3].metric(_("MACs"), human(s.total_macs),
            help=_("{n} multiply-accumulates per image (torchvision's _ops calls these GFLOPS)").format(
                n=f"{s.total_macs:,}"))
c[4].metric(_("FLOPs"), human(s.total_flops), help=_("2 × MACs: a multiply and an add each"))
c[5].metric(_("Activations"), f"{s.total_act_bytes / 2**20:.1f} MiB",
            help=_("{n} bytes: the distinct tensors one image's inference pass produces, in float32 "
                   "(conv, batch-norm, LRN, pool, avgpool and FC outputs). The ReLUs work in place and "
                   "dropout passes its input through at inference, so they add nothing.").format(
                       n=f"{s.total_act_bytes:,}"))

st.subheader(_("The network as blocks"))
st.plotly_chart(network_diagram(s), width="stretch")

st.subheader(_("Where the parameters live, where the compute happens"))
st.plotly_chart(params_vs_compute(s), width="stretch")
fc_p, fc_m = s.share("Linear")
st.markdown(
    _("The three fully connected layers hold **{fc_p}%** of the parameters (fc6 alone: {fc6}) but do "
      "only **{fc_m}%** of the work: a weight in a convolution is reused at every position of its "
      "feature map, a weight in an FC layer is used once.").format(
          fc_p=f"{100 * fc_p:.1f}", fc6=f"{s.row('fc6').params:,}", fc_m=f"{100 * fc_m:.1f}")
)

st.subheader(_("Layer by layer"))
# the table's columns, in the reader's language (the CSV and the CLI keep their English keys)
LAYER, MODULE, TYPE, OUTPUT = _("layer"), _("module"), _("type"), _("output (C×H×W)")
PARAMS, MACS, FLOPS = _("params"), _("MACs"), _("FLOPs")
RF, STRIDE, ACT = _("receptive field (px)"), _("effective stride (px)"), _("new activation memory (KiB)")
df = pd.DataFrame([{
    LAYER: r.name, MODULE: r.module, TYPE: r.type,
    OUTPUT: "×".join(map(str, r.out_shape)),
    PARAMS: r.params, MACS: r.macs, FLOPS: r.flops,
    RF: r.rf, STRIDE: r.jump,
    ACT: round(r.act_bytes / 1024, 1),
} for r in s.rows])
st.dataframe(
    df, hide_index=True, width="stretch", height=min(36 * (len(df) + 1), 700),
    column_config={
        PARAMS: st.column_config.NumberColumn(format="localized"),
        MACS: st.column_config.NumberColumn(format="localized", help=_("multiply-accumulates")),
        FLOPS: st.column_config.NumberColumn(format="localized", help=_("2 × MACs")),
        RF: st.column_config.NumberColumn(
            help=_("Side of the input square one unit of this layer can see")),
        STRIDE: st.column_config.NumberColumn(
            help=_("Input pixels between neighbouring units of this layer")),
        ACT: st.column_config.NumberColumn(
            help=_("The memory this layer's output adds (float32, one image): 0 for an in-place "
                   "ReLU and for dropout at inference, which hand back their input")),
    },
)
st.markdown(
    _("**Totals:** {params} parameters · {macs} MACs = {flops} FLOPs · weights {bytes} bytes ({mb} MB = "
      "{mib} MiB: parameters × 4) · activations {act} bytes ({act_mib} MiB) per image in one inference "
      "pass (float32). Activations count each distinct tensor once: counting the in-place ReLUs' and "
      "dropouts' outputs as well would give {out_mib} MiB, but they overwrite or pass on their input "
      "and take no memory of their own. Receptive fields of fc6–fc8 treat fc6 as the 7×7 convolution "
      "it is at test time (see *Fully convolutional*).").format(
          params=f"{s.total_params:,}", macs=f"{s.total_macs:,}", flops=f"{s.total_flops:,}",
          bytes=f"{s.total_param_bytes:,}", mb=f"{s.total_param_bytes / 1e6:.1f}",
          mib=f"{s.total_param_bytes / 2**20:.1f}", act=f"{s.total_act_bytes:,}",
          act_mib=f"{s.total_act_bytes / 2**20:.1f}", out_mib=f"{s.total_out_bytes / 2**20:.1f}")
)
st.download_button(
    _("Download the table as CSV"), s.to_csv(), file_name=f"{sel.variant}_{int(size)}_layers.csv",
    mime="text/csv",
)

st.subheader(_("AlexNet beside VGG16"))
from vggviz.figures.filters import filter_patches  # noqa: E402
from vggviz.figures.rf import rf_growth_per_model_figure  # noqa: E402
from vggviz.model.alexnet import conv1_weight, kernel_rows, model_facts, rf_growth, rf_sentence, weights_file  # noqa: E402

st.markdown(
    _("VGG was a reaction to AlexNet (2012), the network that won ImageNet two years before: "
      "a few big kernels with big strides at the start, against VGG's many 3×3 convolutions. "
      "AlexNet here is torchvision's `alexnet` (its builder, weights metadata and accuracies), a "
      "*reference model*: this section and `python -m vggviz summary alexnet` show it; it is not "
      "in the sidebar, because the image pages are built around VGG's layers.")
)
facts = [model_facts("alexnet"), model_facts("vgg16")]
st.dataframe(pd.DataFrame([{
    _("model"): f.label.split(" (")[0], _("weight layers"): str(f.weight_layers),
    _("conv layers"): str(f.conv_layers),
    _("conv kernels"): " · ".join(f.conv_kernels), _("parameters"): f"{f.params:,}",
    _("MACs at 224"): f"{f.macs:,}",
    _("pool5 receptive field / stride (px)"): f"{f.rf_pool5} / {f.jump_pool5}",
    _("ImageNet top-1 / top-5 % (torchvision)"): f"{f.acc1:.2f} / {f.acc5:.2f}",
} for f in facts]), hide_index=True, width="stretch")
al, vg = facts
st.caption(_("Parameters and MACs counted from the layer tables (equal to torchvision's metadata: "
             "{params} and {gmacs} G for AlexNet); accuracies are torchvision's, one 224 centre crop. "
             "VGG16 has {p_ratio}× AlexNet's parameters and does {m_ratio}× its compute, for {gain} "
             "points of top-1.").format(
                 params=f"{al.meta_params:,}", gmacs=al.meta_gmacs, p_ratio=f"{vg.params / al.params:.1f}",
                 m_ratio=f"{vg.macs / al.macs:.0f}", gain=f"{vg.acc1 - al.acc1:+.1f}"))
left, right = st.columns([2, 3])
left.dataframe(pd.DataFrame(kernel_rows("alexnet", "vgg16")).rename(
    columns={"step": _("step"), "alexnet": "AlexNet", "vgg16": "VGG16"}),
    hide_index=True, width="stretch", height=36 * 19)
right.plotly_chart(rf_growth_per_model_figure({"AlexNet": rf_growth("alexnet"), "VGG16": rf_growth("vgg16")}),
                   width="stretch")
right.markdown(rf_sentence("alexnet", "vgg16"))

with st.expander(_("AlexNet's layer table")):
    a = summarize("alexnet", 224)
    st.dataframe(pd.DataFrame([{
        LAYER: r.name, MODULE: r.module, TYPE: r.type,
        OUTPUT: "×".join(map(str, r.out_shape)), PARAMS: r.params, MACS: r.macs,
        RF: r.rf, STRIDE: r.jump,
    } for r in a.rows]), hide_index=True, width="stretch", height=36 * (len(a.rows) + 1))
    st.caption(_("Totals: {params} parameters · {macs} MACs at 224. fc6 reads pool5's 6×6 grid (a 6×6 "
                 "convolution at test time).").format(params=f"{a.total_params:,}", macs=f"{a.total_macs:,}"))

st.markdown(_("**conv1's filters: AlexNet's 11×11 against VGG16's 3×3**"))
wa, wv = conv1_weight("alexnet"), conv1_weight("vgg16")
if wa is None or wv is None:
    missing = [n for n, w in (("AlexNet", wa), ("VGG16", wv)) if w is None]
    st.info(_("The ImageNet weights of {models} are not in this server's cache, so there are no learned "
              "filters to show (this page never downloads them). A teacher can fetch them beforehand: "
              "`python -m vggviz weights fetch vgg16` for VGG16; AlexNet's file is torchvision's "
              "`{file}` in the same cache.").format(
                  models=_("{a} and {b}").format(a=missing[0], b=missing[1]) if len(missing) == 2 else missing[0],
                  file=weights_file("alexnet")))
else:
    f1, f2 = st.columns(2)
    f1.image(filter_patches(wa, scale=6, cols=8), caption=_("AlexNet conv1: 64 filters, 11×11"))
    f2.image(filter_patches(wv, scale=16, cols=8), caption=_("VGG16 conv1_1: 64 filters, 3×3"))
