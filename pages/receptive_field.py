"""Why 3×3? Stacked small convolutions against one big one, and the real network's fields."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import pandas as pd
import streamlit as st

from vggviz.app import ui
from vggviz.explain.erf import (
    box_mask,
    crop_input,
    effective_rf,
    effective_rf_noise,
    erf_radius,
    variant_unit_field,
)
from vggviz.figures.rf import erf_figure, path_count_figure, rf_growth_figure, unit_box_figure
from vggviz.i18n import _
from vggviz.model.receptive_field import channel_reduction, compare_stack, path_count_steps, with_pointwise
from vggviz.model.summary import summarize
from vggviz.model.variants import VARIANTS

ui.page_guard()

NOISE_SAMPLES = 4


def coef(params: int, channels: int) -> str:
    """27·C² written as the paper does: ``27C²``."""
    return f"{params // (channels * channels)}C²"


st.title(_("Why 3×3? Receptive fields"))
st.markdown(
    _("VGG uses only 3×3 convolutions. One unit of a 3×3 layer sees 3×3 pixels of the layer "
      "below; stack two and a unit sees **5×5** of the input, three see **7×7**, five **11×11**. "
      "So why not one 7×7 layer? The paper's answer: the stack needs fewer weights and puts a "
      "ReLU after every layer, so the function it computes is more discriminative.")
)

ui.predict_first("receptive_field")

# ----------------------------------------------------------------------------- explorer
st.header(_("Stacked small convolutions against one big one"))
ui.link_param("n", "rf_layers", lo=1, hi=6, cast=int)
ui.link_param("k", "rf_kernel", options=[1, 3, 5, 7], cast=int)
ui.link_param("c", "rf_channels", options=[16, 32, 64, 128, 256, 512], cast=int)
c = st.columns(3)
n = c[0].slider(_("Stacked layers N"), 1, 6, 3, key="rf_layers")
k = c[1].select_slider(_("Kernel K×K"), options=[1, 3, 5, 7], value=3, key="rf_kernel",
                       format_func=lambda v: f"{v}×{v}")
ch = c[2].select_slider(_("Channels C (in = out)"), options=[16, 32, 64, 128, 256, 512], value=64,
                        key="rf_channels",
                        help=_("Every layer maps C channels to C channels, as inside a VGG block."))
cmp = compare_stack(k, n, ch)
rf = cmp.rf

left, right = st.columns(2)
with left:
    st.subheader(_("{n} × conv {k}×{k}").format(n=n, k=k))
    a, b = st.columns(2)
    a.metric(_("Stack · receptive field"), f"{rf}×{rf}")
    b.metric(_("Stack · non-linearities"), cmp.nonlinearities)
    a.metric(_("Stack · weights"), coef(cmp.params, ch), help=_("N·K²·C² (biases left out)"))
    b.metric(_("Stack · weights at C = {c}").format(c=ch), f"{cmp.params:,}",
             delta=_("{saving} vs one {rf}×{rf}").format(saving=f"{-cmp.saving:+.1%}", rf=rf),
             delta_color="inverse")
    a.metric(_("Stack · MACs per output position"), f"{cmp.macs_per_position:,}",
             help=_("Multiply-accumulates to compute one output position, all C channels"))
with right:
    st.subheader(_("{n} × conv {k}×{k}").format(n=1, k=cmp.single_kernel))
    a, b = st.columns(2)
    a.metric(_("One layer · receptive field"), f"{rf}×{rf}")
    b.metric(_("One layer · non-linearities"), cmp.single_nonlinearities)
    a.metric(_("One layer · weights"), coef(cmp.single_params, ch), help="(N(K−1)+1)²·C²")
    b.metric(_("One layer · weights at C = {c}").format(c=ch), f"{cmp.single_params:,}")
    a.metric(_("One layer · MACs per output position"), f"{cmp.single_macs_per_position:,}")

if k == 1:
    st.info(_("A 1×1 kernel adds no spatial extent: {n} stacked 1×1 layers still see 1×1 pixel, cost "
              "{n}C² weights against C² for one, and add {extra} non-linearities. That is what 1×1 "
              "layers are for: mixing channels and adding non-linearity (see below).").format(n=n, extra=n - 1))
elif cmp.saving > 0:
    st.success(
        _("**{n} stacked {k}×{k} layers see the same {rf}×{rf} pixels as one {rf}×{rf} layer with "
          "{stack} instead of {single} weights: {saving} fewer** (and as many fewer MACs at every "
          "position), and with {relus} ReLUs instead of 1.").format(
              n=n, k=k, rf=rf, stack=coef(cmp.params, ch), single=coef(cmp.single_params, ch),
              saving=f"{cmp.saving:.1%}", relus=cmp.nonlinearities)
    )
else:
    st.info(_("One layer: nothing to compare yet. Add layers: each {k}×{k} layer widens the field by "
              "{grow} pixels.").format(k=k, grow=k - 1))

st.subheader(_("How one unit's field grows, layer by layer"))
grids = path_count_steps(k, n)
g1, g2 = st.columns([3, 2])
with g2:
    step = st.slider(_("Show the field after layer"), 1, n, n, key="rf_step") if n > 1 else 1
    growth = " → ".join(f"{g}×{g}" for g in cmp.growth)
    grid = grids[step - 1]
    centre = int(grid.max())
    st.markdown(
        _("Receptive field per layer: **{growth}** (each {k}×{k} layer adds {grow} pixels: "
          "{n}·({k}−1)+1 = {rf}).").format(growth=growth, k=k, grow=k - 1, n=n, rf=rf) + "\n\n"
        + _("Each cell counts the **paths** from the output unit (orange square) down to that input "
            "pixel: every layer picks one of its {taps} taps, so there are {k}^{power} = {paths} paths "
            "in all after layer {step}, and the grid is the {k}-wide box filter convolved with itself "
            "{step} times.").format(taps=k * k, k=k, power=2 * step, paths=f"{int(grid.sum()):,}", step=step)
    )
    if step > 1 and k > 1:
        st.markdown(
            _("The centre pixel is reached by **{centre}** paths, a corner pixel by **1**. With "
              "equal weights the unit's gradient is proportional to these counts: this is why the "
              "*effective* receptive field is concentrated in the middle and looks Gaussian "
              "(Luo et al., 2016). You can measure it on the real network below.").format(centre=f"{centre:,}")
        )
with g1:
    st.plotly_chart(path_count_figure(grids, step, k), width="stretch", key="rf_grid_chart")

with st.expander(_("The same numbers as a table (N = 1 … 6 for this K and C)")):
    rows = []
    for m in range(1, 7):
        cm = compare_stack(k, m, ch)
        rows.append({
            _("layers"): m, _("receptive field"): f"{cm.rf}×{cm.rf}",
            _("stack weights"): coef(cm.params, ch), _("stack weights (C={c})").format(c=ch): cm.params,
            _("single layer"): f"{cm.single_kernel}×{cm.single_kernel}",
            _("single weights"): coef(cm.single_params, ch),
            _("single weights (C={c})").format(c=ch): cm.single_params,
            _("saving"): f"{cm.saving:.1%}", _("ReLUs stack / single"): f"{cm.nonlinearities} / 1",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

# ----------------------------------------------------------------------------- 1×1
st.header(_("The 1×1 convolution (configuration C)"))
pw = with_pointwise(3, ch)
st.markdown(
    _("Configuration C (VGG16-C) puts a 1×1 convolution where D has its third 3×3 in blocks 3–5. "
      "A 1×1 convolution looks at one pixel: it **does not widen the receptive field**, but it "
      "mixes the C channels at each position (a C×C matrix: C² weights) and adds one more ReLU.")
)
a, b, c3 = st.columns(3)
a.metric(_("3×3 then 1×1 · receptive field"), f"{pw['rf_with_1x1']}×{pw['rf_with_1x1']}",
         delta=_("{px} px vs 3×3 alone").format(px=pw["rf_with_1x1"] - pw["rf"]), delta_color="off")
b.metric(_("3×3 then 1×1 · weights"), f"9C² + C² = {pw['params_with_1x1']:,}",
         help=_("C = {c}: the 1×1 adds C² = {n} weights").format(c=ch, n=f"{pw['pointwise_params']:,}"))
c3.metric(_("3×3 then 1×1 · non-linearities"), pw["nonlinearities_with_1x1"], delta="+1", delta_color="off")
s_c, s_d = summarize("vgg16_c", 224), summarize("vgg16", 224)
st.markdown(
    _("Over the whole network the 1×1 layers cost receptive field: pool5 of C sees **{c} px**, pool5 "
      "of D **{d} px**. D was the better network in the paper (its 3×3 layers capture spatial "
      "context), yet C beat B, which has no third layer at all: the extra non-linearity helps.").format(
          c=s_c.row("pool5").rf, d=s_d.row("pool5").rf)
)

st.subheader(_("The other use of 1×1: fewer channels before an expensive convolution"))
st.markdown(
    _("Network in Network and Inception (and ResNet's bottleneck) use a 1×1 layer the other way: "
      "to **reduce** the channels before a K×K convolution, so the expensive layer works on fewer of "
      "them. VGG never does this (C's 1×1 layers keep C channels), which is one reason it is so heavy.")
)
r1, r2, r3, r4 = st.columns(4)
ui.link_param("cin", "rf_red_in", lo=1, hi=4096, cast=int)
ui.link_param("red", "rf_red_mid", lo=1, hi=4096, cast=int)
c_in = r1.number_input(_("Input channels"), 1, 4096, 256, key="rf_red_in")
mid = r2.number_input(_("Reduced to (1×1)"), 1, 4096, 64, key="rf_red_mid")
c_out = r3.number_input(_("Output channels"), 1, 4096, 256, key="rf_red_out")
red_side = r4.number_input(_("Map side (px)"), 1, 512, 56, key="rf_red_side")
red = channel_reduction(int(c_in), int(mid), int(c_out), 3, int(red_side))
m1, m2, m3 = st.columns(3)
m1.metric(_("Direct 3×3 · weights"), f"{red.direct_params:,}", help=f"3·3·{red.c_in}·{red.c_out}")
m2.metric(_("1×1 then 3×3 · weights"), f"{red.bottleneck_params:,}",
          delta=(_("{ratio}× fewer").format(ratio=f"{red.ratio:.2f}") if red.ratio >= 1
                 else _("{ratio}× more").format(ratio=f"{1 / red.ratio:.2f}")),
          delta_color="normal" if red.ratio >= 1 else "inverse",
          help=_("{c_in}·{reduced} (the 1×1) + 3·3·{reduced}·{c_out} (the 3×3)").format(
              c_in=red.c_in, reduced=red.reduced, c_out=red.c_out))
m3.metric(_("MACs at {side}×{side}").format(side=red.side), f"{red.bottleneck_macs / 1e9:.3g} G",
          delta=_("direct: {macs} G").format(macs=f"{red.direct_macs / 1e9:.3g}"), delta_color="off")
st.caption(_("Weights without biases; the MACs are the weights × the positions of the map (padding keeps "
             "its side), so they shrink by the same factor. The reduction can lose information when it "
             "squeezes too hard: it is a trade, not free."))

# ----------------------------------------------------------------------------- real network
sel = ui.selection()
info = VARIANTS[sel.variant]
st.header(_("The real network's fields: {variant}").format(variant=info.label))
side = info.input_size          # 224, or 64 for the mini family
summary = summarize(sel.variant, side)
feature_rows = [r for r in summary.rows if r.module.startswith("features")]
names = [r.name for r in feature_rows]
convs = [r.name for r in feature_rows if r.type.startswith("Conv")]
default = "conv5_3" if "conv5_3" in names else convs[-1]
ui.keep_choice("rf_layer", names, default)
layer = st.selectbox(_("Layer"), names, key="rf_layer",
                     help=_("Layers of the convolutional part; the sidebar's variant"))
row = summary.row(layer)
st.plotly_chart(rf_growth_figure(summary, highlight=layer), width="stretch", key="rf_growth_chart")
st.caption(
    _("At {layer} a unit sees **{rf}×{rf} px** of the {side}×{side} input and neighbouring units are "
      "**{jump} px** apart. Every 3×3 conv adds 2 × (effective stride) pixels, every max-pool doubles "
      "the effective stride: that is how the field outgrows the image by pool5.").format(
          layer=layer, rf=row.rf, side=side, jump=row.jump)
)

_channels, height, width = row.out_shape
for key, limit in (("rf_unit_y", height), ("rf_unit_x", width)):
    if st.session_state.get(key) is None or st.session_state[key] > limit - 1:
        st.session_state[key] = limit // 2
u1, u2 = st.columns(2)
uy = u1.slider(_("Unit row (0 … {last})").format(last=height - 1), 0, max(height - 1, 1), key="rf_unit_y",
               disabled=height == 1)
ux = u2.slider(_("Unit column (0 … {last})").format(last=width - 1), 0, max(width - 1, 1), key="rf_unit_x",
               disabled=width == 1)
uy, ux = min(uy, height - 1), min(ux, width - 1)
box = variant_unit_field(sel.variant, layer, uy, ux)
top, left_, bottom, right_ = box
outside = top < 0 or left_ < 0 or bottom > side or right_ > side

image = ui.current_image()
loaded = ui.current_model(sel)
ui.untrained_weights(loaded)
crop = tensor = None
if image is not None and loaded is not None:
    crop, tensor = crop_input(loaded, image.image)

col_a, col_b = st.columns(2)
with col_a:
    st.plotly_chart(unit_box_figure(crop, box, size=side, label=f"{layer} ({uy}, {ux}): {row.rf}×{row.rf}"),
                    width="stretch", key="rf_box_chart")
    st.caption(
        _("Unit ({y}, {x}) of {layer}: rows {top} … {bottom}, columns {left} … {right} of the {side} "
          "crop.").format(y=uy, x=ux, layer=layer, top=f"{top:g}", bottom=f"{bottom - 1:g}",
                          left=f"{left_:g}", right=f"{right_ - 1:g}", side=side)
        + (" " + _("Part of the box lies outside the image: those are the zeros of the padding, which "
                   "the unit sees too.") if outside else "")
        + ("" if image is not None else " " + _("Pick an image in the sidebar to see it under the box."))
    )

with col_b:
    how = st.radio(_("Measure the effective field on"), ["the image", "noise"], key="rf_erf_source",
                   horizontal=True,
                   format_func=lambda s: {"the image": _("the current image"),
                                          "noise": _("random noise (average of {n})").format(n=NOISE_SAMPLES)}[s])
    measure = st.toggle(_("Measure the effective receptive field (one backward pass)"), value=True,
                        key="rf_erf_on")


@st.cache_data(max_entries=64, show_spinner=_("Measuring |∂ unit / ∂ input|…"))
def _erf_on_image(_loaded, _tensor, key: tuple, layer: str, y: int, x: int):
    return effective_rf(_loaded, _tensor, layer, y, x)


@st.cache_data(max_entries=64, show_spinner=_("Measuring |∂ unit / ∂ input| on noise…"))
def _erf_on_noise(_loaded, key: tuple, layer: str, y: int, x: int, size: int):
    return effective_rf_noise(_loaded, layer, size=size, samples=NOISE_SAMPLES, y=y, x=x)


with col_b:
    if loaded is None:
        st.info(_("The model could not be loaded, so the effective field cannot be measured."))
    elif measure:
        model_key = (sel.variant, loaded.source, sel.weights, str(loaded.device))
        if how == "the image" and tensor is None:
            st.caption(_("No image selected: measuring on noise instead."))
            how = "noise"
        try:
            if how == "the image":
                erf = _erf_on_image(loaded, tensor, model_key + (image.digest,), layer, uy, ux)
            else:
                erf = _erf_on_noise(loaded, model_key, layer, uy, ux, side)
        except ValueError as e:
            ui.show_error(e)
        else:
            st.plotly_chart(erf_figure(erf, box, title=_("Effective field of {layer} ({y}, {x})").format(
                layer=layer, y=uy, x=ux)), width="stretch", key="rf_erf_chart")
            if erf.max() == 0:
                st.warning(_("No gradient reaches the input: every channel of this unit is switched "
                             "off by its ReLU for this input. Try another unit or the noise input."))
            else:
                inside = float(erf[box_mask(box, side)].sum() / erf.sum())
                half = erf_radius(erf, 0.5)
                st.caption(
                    _("|∂ unit / ∂ input| summed over colour channels, scaled to [0, 1]. {inside} of it "
                      "lies inside the theoretical box (it is exactly zero outside). Half of it lies "
                      "within a **{half}×{half} px** square: the effective field is much smaller than "
                      "the theoretical {rf}×{rf}.").format(inside=f"{inside:.0%}", half=f"{half:.0f}", rf=row.rf)
                )
                if not loaded.trained:
                    st.caption(_("With random weights this shows the structure of the network (paths "
                                 "and max-pool switches), not what a trained VGG attends to."))
    else:
        st.caption(_("Switch the measurement on to see which pixels actually move this unit."))
