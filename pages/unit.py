"""One unit: how one number of a feature map is computed, and where it looks."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.explain.erf import box_mask, erf_radius
from vggviz.explain.unit import UnitError, unit_arithmetic, unit_layers
from vggviz.figures.rf import erf_figure, unit_box_figure
from vggviz.figures.unit import clickable_map, pixels_image, selected_unit, terms_figure, window_figure
from vggviz.i18n import _

ui.page_guard()

sel = ui.selection()
st.title(_("One unit: where a number in a feature map comes from"))
st.markdown(_(
    "Every number in a feature map is a small sum: the 3×3 window of the layer before, times the "
    "channel's kernel, over every input channel, plus a bias, then the ReLU. Click a unit on the "
    "map (or set its layer, channel, row and column) to see that sum worked out with the "
    "network's own numbers, then step back to the input that mattered most."
))

loaded, image, res = ui.require_analysis(sel)
names = unit_layers(res)

# A unit asked for by another page or by a step-back button, applied before the widgets exist.
goto = st.session_state.pop(ui.UNIT_GOTO, None)
if goto is not None and goto[0] in names:
    st.session_state["unit_layer"] = goto[0]
    st.session_state["unit_channel"], st.session_state["unit_row"], st.session_state["unit_col"] = goto[1:]
ui.keep_choice("unit_layer", names, next((n for n in ("relu3_1", "relu2_1") if n in names), names[0]))

ui.link_param("layer", "unit_layer", options=names)
c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
layer = c1.selectbox(_("Layer"), names, key="unit_layer",
                     help=_("A conv shows its sum; its ReLU (and, with batch norm, its BN) the same unit "
                            "one step further; a pool shows its 2×2 window."))
acts = res.activation(layer)
C, H, W = acts.shape
ui.link_param("channel", "unit_channel", lo=0, hi=C - 1, cast=int)
ui.link_param("row", "unit_row", lo=0, hi=H - 1, cast=int)
ui.link_param("col", "unit_col", lo=0, hi=W - 1, cast=int)
for key, n, default in (("unit_channel", C, None), ("unit_row", H, H // 2), ("unit_col", W, W // 2)):
    v = st.session_state.get(key)
    if v is None or not 0 <= int(v) < n:
        if key == "unit_channel":      # the channel this image excites most at this layer
            default = int(acts.reshape(C, -1).max(axis=1).argmax())
        st.session_state[key] = default
channel = c2.number_input(_("Channel (0 … {last})").format(last=C - 1), 0, C - 1, key="unit_channel", step=1)
row = c3.number_input(_("Row (0 … {last})").format(last=H - 1), 0, H - 1, key="unit_row", step=1)
col = c4.number_input(_("Column (0 … {last})").format(last=W - 1), 0, W - 1, key="unit_col", step=1)

try:
    u = unit_arithmetic(loaded, res, layer, channel, row, col)
except UnitError as e:
    ui.show_error(e)
    ui.end_page()

left, right = st.columns([2, 3], gap="medium")
with left:
    event = st.plotly_chart(
        clickable_map(acts[channel], _("{layer} · channel {channel} · {H}×{W} — click a unit").format(
            layer=layer, channel=channel, H=H, W=W), (row, col)),
        width="stretch", key="unit_map", on_select="rerun", selection_mode="points",
    )
    picked = selected_unit(event)
    if picked is not None and picked != (row, col) and st.session_state.get("unit_last_click") != (layer, channel, picked):
        st.session_state["unit_last_click"] = (layer, channel, picked)
        ui.open_unit(layer, channel, *picked)
        st.rerun()
    st.caption(_("The map of the chosen channel; the red square is the unit shown on the right. "
                 "Hover for values, click another square to inspect it."))

with right:
    m = st.columns(4)
    stored = _("The network stored {value} here").format(value=f"{u.stored:.6g}")
    if u.kind == "conv":
        m[0].metric(_("Σ terms"), f"{float(u.terms.sum()):+.4g}", help=_("Sum over the input channels of window × kernel"))
        m[1].metric(_("+ bias"), f"{u.bias:+.4g}")
        step = u.bn["out"] if u.bn else u.pre_activation
        m[2].metric(_("= pre-activation") if not u.bn else _("→ batch norm"), f"{step:+.4g}",
                    help=None if not u.bn else _("conv output {pre}, then (x − {mean}) / √({var} + {eps}) × {gamma} + {beta}")
                    .format(pre=f"{u.pre_activation:+.4g}", mean=f"{u.bn['mean']:.3g}", var=f"{u.bn['var']:.3g}",
                            eps=f"{u.bn['eps']:g}", gamma=f"{u.bn['gamma']:.3g}", beta=f"{u.bn['beta']:.3g}"))
        m[3].metric(_("→ ReLU = value") if u.relu else _("value"), f"{u.value:.4g}", help=stored)
        src = u.input_layer or _("the preprocessed image (R, G, B)")
        text = _("**{layer}**, channel {channel}, at ({row}, {col}) reads a {c} × {kh} × {kw} window of **{src}**: "
                 "{n} multiplications, one sum per input channel.").format(
            layer=u.unit_layer, channel=u.channel, row=u.row, col=u.col, c=len(u.terms), kh=u.patch.shape[1],
            kw=u.patch.shape[2], src=src, n=f"{u.terms.size * u.patch.shape[1] * u.patch.shape[2]:,}")
        if u.bn:
            text += _(" Batch norm then rescales it: ({pre} − {mean}) / √({var} + {eps}) × {gamma} + {beta} = {out}.").format(
                pre=f"{u.pre_activation:.4g}", mean=f"{u.bn['mean']:.4g}", var=f"{u.bn['var']:.4g}",
                eps=f"{u.bn['eps']:g}", gamma=f"{u.bn['gamma']:.4g}", beta=f"{u.bn['beta']:.4g}", out=f"{u.bn['out']:.4g}")
        if u.relu:
            text += _(" The ReLU keeps it.") if u.value > 0 else _(" The ReLU turns it to 0.")
        st.markdown(text)
        st.plotly_chart(terms_figure(u), width="stretch", key="unit_terms")
        tops = ", ".join(f"{u.input_channels[i]} ({t:+.3g})" for i, t in u.top_terms(3))
        st.caption(_("Largest contributions: {tops}. Blue bars push the unit up, red ones down; "
                     "their sum plus the bias is the pre-activation.").format(tops=tops))
    elif u.kind == "pool":
        m[0].metric(_("window"), f"{u.patch.shape[1]}×{u.patch.shape[2]}")
        m[1].metric(_("max = value"), f"{u.value:.4g}", help=stored)
        m[2].metric(_("won by"), f"({u.winner[1]}, {u.winner[2]})",
                    help=_("position in {layer}").format(layer=u.input_layer))
        st.markdown(_("**{layer}** passes on the largest of its window of **{input}**, channel {channel}; "
                      "nothing is learned here, and the other values are dropped.").format(
            layer=u.unit_layer, input=u.input_layer, channel=u.channel))
    else:
        m[0].metric(_("value"), f"{u.value:.4g}", help=stored)
        st.markdown(_("**{layer}** (local response normalisation) divides the value by a power of the sum of "
                      "squares of {n} neighbouring channels at the same position.").format(
            layer=u.unit_layer, n=len(u.input_channels)))
    st.plotly_chart(window_figure(u), width="stretch", key="unit_window")
    pix = pixels_image(u)
    if pix is not None:
        st.image(pix, caption=_("The 3×3 pixels conv1_1 reads (of the crop the network sees; black = padding)"),
                 width=160)
    if u.step_back is not None:
        b_layer, b_ch, b_r, b_c = u.step_back
        why = (_("Open the input that won: walk the value back towards the pixels.") if u.kind == "pool" else
               _("Open its strongest input channel, at its largest term: walk the value back towards the pixels."))
        if st.button(_("⬅️ Step back: {layer}, channel {channel}, at ({row}, {col})").format(
                layer=b_layer, channel=b_ch, row=b_r, col=b_c), key="unit_back", help=why):
            ui.open_unit(b_layer, b_ch, b_r, b_c)
            st.rerun()
    elif u.kind == "conv":
        st.caption(_("This unit reads the pixels themselves: the walk back ends here."))

st.subheader(_("Where it looks"))
side = loaded.input_size
l_, t_, r_, b_ = u.patch_box
box = (t_, l_, b_, r_)
crop = res.preprocessed.stages["cropped"]
ca, cb = st.columns(2)
with ca:
    st.plotly_chart(unit_box_figure(crop, box, size=side, label=f"{layer} ({row}, {col}): {int(r_ - l_)}×{int(b_ - t_)}"),
                    width="stretch", key="unit_rf")
    st.caption(_("The theoretical receptive field: every input pixel that can change this unit at all."))
with cb:
    if st.toggle(_("Measure its effective receptive field (one backward pass)"), key="unit_erf_on", value=True):
        try:
            erf = ui.current_unit_erf(loaded, res, layer, channel, row, col)
        except ValueError as e:
            ui.show_error(e)
        else:
            st.plotly_chart(erf_figure(erf, box, title=_("|∂ unit / ∂ input| of {layer}[{channel}] ({row}, {col})").format(
                layer=layer, channel=channel, row=row, col=col)),
                            width="stretch", key="unit_erf")
            if erf.max() == 0:
                st.caption(_("No gradient reaches the input: the ReLU has switched this unit off for this image."))
            else:
                inside = float(erf[box_mask(box, side)].sum() / erf.sum())
                half = f"{erf_radius(erf, 0.5):.0f}"
                st.caption(_("The effective field: how much each pixel moves this unit. Half of it lies within "
                             "{half}×{half} px; {inside} inside the box.").format(half=half, inside=f"{inside:.0%}"))

st.markdown(
    _("**Reading it.** The sum is exact: the bars plus the bias give the number the network computed "
      "(the stored value is shown on hover). It can mislead in two ways: a large term means "
      "*this image* in *this window* pushed the unit, not that the input channel matters in general; "
      "and the theoretical field is only where the unit *can* look, while the effective field, "
      "usually much smaller, is where it looked for this image.")
    + ("" if loaded.trained else _(" With random weights the arithmetic is right but the kernels are noise."))
)
