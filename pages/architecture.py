import pandas as pd
import streamlit as st

from vggviz import ui
from vggviz.figures import human, network_diagram, params_vs_compute
from vggviz.summary import MAX_INPUT_SIZE, MIN_INPUT_SIZE, summarize
from vggviz.variants import VARIANTS

sel = ui.selection()
info = VARIANTS[sel.variant]
st.title(f"Architecture: {info.label}")

if st.session_state.get("_arch_family") != info.mini:      # a new family starts at its own size
    st.session_state["_arch_family"] = info.mini
    st.session_state["arch_size"] = info.input_size
ui.link_param("size", "arch_size", lo=MIN_INPUT_SIZE, hi=MAX_INPUT_SIZE, cast=int)
size = st.number_input(
    "Input size (pixels, square)", min_value=MIN_INPUT_SIZE, max_value=MAX_INPUT_SIZE,
    step=32, key="arch_size",
    help=f"{'The mini family was trained at 64×64, VGG' if info.mini else 'VGG was trained'} at 224×224. "
         "Any size from 32 works for the convolutions: every max-pool halves the side, so 32 px "
         "leaves 1×1 at pool5.",
)
s = summarize(sel.variant, int(size))

c = st.columns(6)
c[0].metric("Weight layers", info.weight_layers, help="Conv + FC layers: the number in the name")
c[1].metric("Parameters", human(s.total_params), help=f"{s.total_params:,} weights and biases")
mib = s.total_param_bytes / 2**20
c[2].metric("Weights (float32)", f"{mib:.0f} MiB" if mib >= 100 else f"{mib:.1f} MiB",   # fits the column
            help=f"Parameters × 4 bytes = {s.total_param_bytes:,} bytes = "
                 f"{s.total_param_bytes / 1e6:.1f} MB (10⁶ bytes) = {s.total_param_bytes / 2**20:.1f} MiB "
                 "(2²⁰ bytes): the size of torchvision's weights file, give or take a few kB of "
                 "file format." + (" The often-quoted “533 MB” for VGG16 matches neither unit."
                                   if sel.variant == "vgg16" else ""))
c[3].metric("MACs", human(s.total_macs), help=f"{s.total_macs:,} multiply-accumulates per image "
            "(torchvision's _ops calls these GFLOPS)")
c[4].metric("FLOPs", human(s.total_flops), help="2 × MACs: a multiply and an add each")
c[5].metric("Activations", f"{s.total_act_bytes / 2**20:.1f} MiB",
            help=f"{s.total_act_bytes:,} bytes: the distinct tensors one image's inference pass "
                 "produces, in float32 (conv, batch-norm, LRN, pool, avgpool and FC outputs). "
                 "The ReLUs work in place and dropout passes its input through at inference, so "
                 "they add nothing.")

st.subheader("The network as blocks")
st.plotly_chart(network_diagram(s), width="stretch")

st.subheader("Where the parameters live, where the compute happens")
st.plotly_chart(params_vs_compute(s), width="stretch")
fc_p, fc_m = s.share("Linear")
st.markdown(
    f"The three fully connected layers hold **{100 * fc_p:.1f}%** of the parameters "
    f"(fc6 alone: {s.row('fc6').params:,}) but do only **{100 * fc_m:.1f}%** of the work: "
    "a weight in a convolution is reused at every position of its feature map, a weight in an "
    "FC layer is used once."
)

st.subheader("Layer by layer")
df = pd.DataFrame([{
    "layer": r.name, "module": r.module, "type": r.type,
    "output (C×H×W)": "×".join(map(str, r.out_shape)),
    "params": r.params, "MACs": r.macs, "FLOPs": r.flops,
    "receptive field (px)": r.rf, "effective stride (px)": r.jump,
    "new activation memory (KiB)": round(r.act_bytes / 1024, 1),
} for r in s.rows])
st.dataframe(
    df, hide_index=True, width="stretch", height=min(36 * (len(df) + 1), 700),
    column_config={
        "params": st.column_config.NumberColumn(format="localized"),
        "MACs": st.column_config.NumberColumn(format="localized", help="multiply-accumulates"),
        "FLOPs": st.column_config.NumberColumn(format="localized", help="2 × MACs"),
        "receptive field (px)": st.column_config.NumberColumn(
            help="Side of the input square one unit of this layer can see"),
        "effective stride (px)": st.column_config.NumberColumn(
            help="Input pixels between neighbouring units of this layer"),
        "new activation memory (KiB)": st.column_config.NumberColumn(
            help="The memory this layer's output adds (float32, one image): 0 for an in-place "
                 "ReLU and for dropout at inference, which hand back their input"),
    },
)
st.markdown(
    f"**Totals:** {s.total_params:,} parameters · {s.total_macs:,} MACs = {s.total_flops:,} FLOPs · "
    f"weights {s.total_param_bytes:,} bytes ({s.total_param_bytes / 1e6:.1f} MB = "
    f"{s.total_param_bytes / 2**20:.1f} MiB: parameters × 4) · activations "
    f"{s.total_act_bytes:,} bytes ({s.total_act_bytes / 2**20:.1f} MiB) per image in one inference "
    "pass (float32). Activations count each distinct tensor once: counting the in-place ReLUs' and "
    f"dropouts' outputs as well would give {s.total_out_bytes / 2**20:.1f} MiB, but they overwrite or "
    "pass on their input and take no memory of their own. "
    "Receptive fields of fc6–fc8 treat fc6 as the 7×7 convolution it is at test time "
    "(see *Fully convolutional*)."
)
st.download_button(
    "Download the table as CSV", s.to_csv(), file_name=f"{sel.variant}_{int(size)}_layers.csv",
    mime="text/csv",
)

st.subheader("AlexNet beside VGG16")
from vggviz.alexnet import conv1_weight, kernel_rows, model_facts, rf_growth, rf_sentence, weights_file  # noqa: E402
from vggviz.figures import rf_growth_figure  # noqa: E402
from vggviz.maps import filter_patches  # noqa: E402

st.markdown(
    "VGG was a reaction to AlexNet (2012), the network that won ImageNet two years before: "
    "a few big kernels with big strides at the start, against VGG's many 3×3 convolutions. "
    "AlexNet here is torchvision's `alexnet` (its builder, weights metadata and accuracies), a "
    "*reference model*: this section and `python -m vggviz summary alexnet` show it; it is not "
    "in the sidebar, because the image pages are built around VGG's layers."
)
facts = [model_facts("alexnet"), model_facts("vgg16")]
st.dataframe(pd.DataFrame([{
    "model": f.label.split(" (")[0], "weight layers": str(f.weight_layers), "conv layers": str(f.conv_layers),
    "conv kernels": " · ".join(f.conv_kernels), "parameters": f"{f.params:,}", "MACs at 224": f"{f.macs:,}",
    "pool5 receptive field / stride (px)": f"{f.rf_pool5} / {f.jump_pool5}",
    "ImageNet top-1 / top-5 % (torchvision)": f"{f.acc1:.2f} / {f.acc5:.2f}",
} for f in facts]), hide_index=True, width="stretch")
al, vg = facts
st.caption(f"Parameters and MACs counted from the layer tables (equal to torchvision's metadata: "
           f"{al.meta_params:,} and {al.meta_gmacs} G for AlexNet); accuracies are torchvision's, one "
           f"224 centre crop. VGG16 has {vg.params / al.params:.1f}× AlexNet's parameters and does "
           f"{vg.macs / al.macs:.0f}× its compute, for {vg.acc1 - al.acc1:+.1f} points of top-1.")
left, right = st.columns([2, 3])
left.dataframe(pd.DataFrame(kernel_rows("alexnet", "vgg16")).rename(
    columns={"alexnet": "AlexNet", "vgg16": "VGG16"}), hide_index=True, width="stretch", height=36 * 19)
right.plotly_chart(rf_growth_figure({"AlexNet": rf_growth("alexnet"), "VGG16": rf_growth("vgg16")}),
                   width="stretch")
right.markdown(rf_sentence("alexnet", "vgg16"))

with st.expander("AlexNet's layer table"):
    a = summarize("alexnet", 224)
    st.dataframe(pd.DataFrame([{
        "layer": r.name, "module": r.module, "type": r.type,
        "output (C×H×W)": "×".join(map(str, r.out_shape)), "params": r.params, "MACs": r.macs,
        "receptive field (px)": r.rf, "effective stride (px)": r.jump,
    } for r in a.rows]), hide_index=True, width="stretch", height=36 * (len(a.rows) + 1))
    st.caption(f"Totals: {a.total_params:,} parameters · {a.total_macs:,} MACs at 224. fc6 reads "
               "pool5's 6×6 grid (a 6×6 convolution at test time).")

st.markdown("**conv1's filters: AlexNet's 11×11 against VGG16's 3×3**")
wa, wv = conv1_weight("alexnet"), conv1_weight("vgg16")
if wa is None or wv is None:
    missing = [n for n, w in (("AlexNet", wa), ("VGG16", wv)) if w is None]
    st.info(f"The ImageNet weights of {' and '.join(missing)} are not in this server's cache, so "
            "there are no learned filters to show (this page never downloads them). A teacher can "
            "fetch them beforehand: `python -m vggviz weights fetch vgg16` for VGG16; AlexNet's file "
            f"is torchvision's `{weights_file('alexnet')}` in the same cache.")
else:
    f1, f2 = st.columns(2)
    f1.image(filter_patches(wa, scale=6, cols=8), caption="AlexNet conv1: 64 filters, 11×11")
    f2.image(filter_patches(wv, scale=16, cols=8), caption="VGG16 conv1_1: 64 filters, 3×3")
