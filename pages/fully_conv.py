"""The fully-convolutional VGG: FC layers as convolutions, dense and multi-scale evaluation."""

import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import numpy as np
import pandas as pd
import streamlit as st

from vggviz.app import ui
from vggviz.data import shapes
from vggviz.figures.prediction import multiscale_figure, score_map_figure, topk_figure
from vggviz.i18n import _
from vggviz.inference.analysis import Prediction
from vggviz.inference.dense import (
    MAX_DENSE_SIZE,
    POOLED,
    POSITIONS,
    DenseSizeError,
    average_posteriors,
    classifier_shapes,
    combine,
    dense_scores,
    fixed_scales,
    map_geometry,
    min_size,
    multi_crop,
    pixels_per_crop,
    pool_grid,
    resized_image,
    scales_for,
    score_map_size,
)
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
info = VARIANTS[sel.variant]
st.title(_("Fully convolutional {model}: dense and multi-scale evaluation").format(
    model=info.label.rsplit(" (", 1)[0]))
loaded = ui.current_model(sel)
if loaded is None:
    ui.end_page()
ui.untrained_weights(loaded, _("With random weights the shapes and the arithmetic on this page are right, but "
                               "the class maps and predictions are noise."))
ui.predict_first("fully_conv")

g = pool_grid(loaded.model)
smallest = min_size(g)
pool_c = loaded.model.classifier[0].in_features // (g * g)
scales = scales_for(g)
st.markdown(_(
    "At test time the paper turns the fully connected layers into convolutions: **fc6** reads "
    "the {g}×{g}×{c} pool5 block, so it *is* a {g}×{g} convolution with {c} input channels "
    "and no padding; **fc7** and **fc8** read one vector each, so they are 1×1 convolutions. The "
    "weights are the same numbers, just viewed as 4-D kernels (here the convolutions literally "
    "share the linear layers' memory). The network then takes an image of any size of at least "
    "{smallest}×{smallest} and returns a *map* of class scores, one per position of a window "
    "sliding over the image in steps of 32 pixels."
).format(g=g, c=pool_c, smallest=smallest))

rows = classifier_shapes(loaded.model)
yes, no = _("yes"), _("no")
st.dataframe(pd.DataFrame([{
    _("layer"): r.name,
    _("before"): r.before_type, _("weight before"): " × ".join(map(str, r.before_shape)),
    _("after"): r.after_type, _("weight after"): " × ".join(map(str, r.after_shape)),
    _("parameters"): r.params_after, _("same count"): yes if r.params_equal else _("NO"),
    _("same memory"): yes if r.shares_storage else no,
} for r in rows]), hide_index=True, width="stretch",
    column_config={_("parameters"): st.column_config.NumberColumn(format="localized")})

centre0, stride, map_rf = map_geometry(loaded.model)
sizes = [224, 256, 384, 512] if g == 7 else [64, 96, 128, 256]
st.markdown(
    _("**How big is the map?** Five max-pools divide the side by 32 (rounding down), and the "
      "{g}×{g} fc6 takes {k} away: an S×S input gives (⌊S/32⌋ − {k}) × (⌊S/32⌋ − {k}) positions. ").format(
        g=g, k=g - 1)
    + " · ".join(_("{s}: pool5 {p}×{p} → map **{h}×{w}**").format(
        s=s, p=s // 32, h=score_map_size(s, grid=g)[0], w=score_map_size(s, grid=g)[1]) for s in sizes)
    + (_(". So at 384 the map is 6×6 (384 / 32 = 12, 12 − 7 + 1 = 6), not 5×5. ") if g == 7 else _(". "))
    + _("Cell (i, j) is centred at ({c:g} + {stride}·i, {c:g} + {stride}·j) px and sees "
        "{rf}×{rf} px of the input.").format(c=centre0, stride=stride, rf=map_rf)
)

image, placed = ui.current_image(), None
if VARIANTS[loaded.variant].mini:
    c1, c2 = st.columns([3, 1])
    use_canvas = c1.toggle(_("Use a generated canvas of shapes instead of the sidebar's image"),
                           value=image is None, key="fc_canvas",
                           help=_("A 256×256 picture with four shapes of the training sizes: the class "
                                  "maps should light up where each shape is."))
    canvas_seed = c2.number_input(_("Canvas seed"), 0, 9999, 3, key="fc_canvas_seed", disabled=not use_canvas)
    if use_canvas:
        from vggviz.data.images import load_image
        from vggviz.figures.maps import to_png

        pic, placed = shapes.canvas(int(canvas_seed), 256, 4)
        image = load_image(to_png(pic), f"shapes canvas {int(canvas_seed)}")
        st.caption(_("Where the shapes really are: {places}").format(places=" · ".join(
            f"**{_(p.label)}** x {p.box[0]}–{p.box[2]}, y {p.box[1]}–{p.box[3]}" for p in placed)))
if image is None:
    st.info(_("Pick a sample image or upload one in the sidebar to run the dense evaluation."))
    ui.end_page()

own = min(image.image.size)
st.header(_("Dense evaluation at one scale"))
c1, c2, c3 = st.columns([3, 2, 2])
size_options = [str(v) for v in (scales if g == 7 else (64, 128, 256))] + ["own", "custom"]
# the mini family sees shapes of its training sizes at the image's own scale (a canvas: 256)
ui.keep_choice("fc_size", size_options, size_options[0] if g == 7 else "own")
ui.link_param("size", "fc_size", options=size_options)
choice = c1.radio(
    _("Shorter side of the image (px)"), size_options, horizontal=True,
    key="fc_size",
    format_func=lambda v: {"own": _("image's own ({side})").format(side=own), "custom": _("custom…")}.get(v, v),
    help=_("The whole image is resized so that its shorter side has this length, keeping the "
           "aspect ratio (the paper's isotropic rescaling); nothing is cropped."),
)
custom = c2.number_input(_("Custom size (px)"), min_value=32, max_value=MAX_DENSE_SIZE, value=smallest,
                         step=16, key="fc_custom", disabled=choice != "custom")
square = c3.toggle(_("Squash to a square"), value=False, key="fc_square",
                   help=_("Resize to S×S instead, ignoring the aspect ratio: the map is then square."))
size = {"own": own, "custom": int(custom)}.get(choice) or int(choice)


@st.cache_data(max_entries=32, show_spinner=_("Running the fully-convolutional network…"))
def _dense(_loaded, _image, key: tuple, size: int, square: bool, flip: bool = False):
    return dense_scores(_loaded, _image, size, square, flip)


model_key = (sel.variant, loaded.source, sel.weights, str(loaded.device), image.digest)
cats = loaded.categories
mini = VARIANTS[loaded.variant].mini


def cat(i: int) -> str:
    """Class ``i`` as shown: the shapes' names translated, ImageNet's as they are."""
    return _(cats[i]) if mini else cats[i]


try:
    result = _dense(loaded, image.image, model_key, size, square)
except DenseSizeError as e:
    ui.show_error(e)
    result = None

if result is not None:
    h, w = result.map_shape
    top5 = result.top(5)
    options = [i for i, _ in top5]
    if placed:      # the canvas's own shapes first
        present = list(dict.fromkeys(cats.index(p.label) for p in placed if p.label in cats))   # own classes: maybe none
        options = present + [i for i in options if i not in present]
    ui.keep_choice("fc_class", options, options[0])
    m1, m2, m3 = st.columns(3)
    m1.metric(_("Input fed to the network"), f"{result.input_shape[1]}×{result.input_shape[0]} px")
    m2.metric(_("Class-score map"), f"{h}×{w}")
    m3.metric(_("Top class (map averaged)"), cat(result.top_class))
    left, right = st.columns([3, 2])
    with right:
        shown = st.selectbox(_("Class to map"), options, key="fc_class",
                             format_func=lambda i: f"{cat(i)} ({result.mean_probs[i]:.1%})")
        st.plotly_chart(topk_figure([Prediction(i, cats[i], p) for i, p in top5], translate_labels=mini,
                                    title=_("Top-5: softmax at each position, averaged over the map")),
                        width="stretch", key="fc_top5_chart")
    with left:
        shown_img = resized_image(image.image, size, square, g)
        st.plotly_chart(score_map_figure(shown_img, result.class_map(shown), cat(shown),
                                         centre0=centre0, stride=stride),
                        width="stretch", key="fc_map_chart")
        st.caption(_(
            "Each cell is one position of the {g}×{g} fc6 window on pool5, drawn {stride} px wide at "
            "the centre of its field; it sees {rf}×{rf} px, so the map covers the middle "
            "of the image while each cell looks at most of it. The paper averages this map into "
            "one prediction per scale."
        ).format(g=g, stride=stride, rf=map_rf))

st.header(_("Multi-scale evaluation: the paper's protocol"))
fixed_S = (256, 384) if g == 7 else tuple(scales_for(g)[:2])
scale_sets = {"jittered": tuple(scales_for(g))} | {f"S{S}": fixed_scales(S, g) for S in fixed_S}
p1, p2, p3 = st.columns([3, 2, 3])
which = p1.radio(
    _("Test scales Q"), list(scale_sets), key="fc_protocol_scales",
    format_func=lambda k: (_("trained with scale jittering: Q = {{{scales}}}") if k == "jittered" else
                           _("trained at fixed S = {S}: Q = {{{scales}}}")).format(
        S=k[1:], scales=", ".join(map(str, scale_sets[k]))),
    help=_("The paper tests a model trained at a fixed scale S at Q = {{S − 32, S, S + 32}}, and a "
           "scale-jittered one (S from 256 to 512) at Q = {{256, 384, 512}}.").format()
         + ("" if g == 7 else " " + _("The mini family: the same ratios to its 64 px (a 9 px step).")))
ui.link_param("flip", "fc_flip", options=[True, False], cast=ui.flag, to_url=lambda v: "1" if v else None)
flip = p2.toggle(_("Average with the mirror image"), value=False, key="fc_flip",
                 help=_("The paper's flip averaging: the soft-max of the image and of its horizontal "
                        "mirror image, averaged. Twice the passes."))
ui.link_param("averaging", "fc_averaging", options=[POSITIONS, POOLED])
averaging = p3.radio(
    _("Averaging the map"), [POSITIONS, POOLED], key="fc_averaging",
    format_func=lambda k: {POSITIONS: _("soft-max at each position, then mean"),
                           POOLED: _("mean class score, then soft-max (the paper)")}[k])
st.markdown(_(
    "The paper runs the dense network at each test scale and averages the class probabilities: "
    "objects of different sizes then meet a window of the right size at some scale. Within one "
    "scale it averages the class-*score* map spatially (it says *sum-pooled*) and only then takes "
    "the soft-max. Averaging each position's soft-max instead caps every position's vote at "
    "1/(number of positions); with the mean score, one position with a very large score can "
    "outvote all the others. Sum-pooling proper (no division by the number of positions) gives the same ranking "
    "with a sharper soft-max."
))
q_sizes = scale_sets[which]


try:
    scales = [_dense(loaded, image.image, model_key, s, square, flip) for s in q_sizes]
except DenseSizeError as e:  # pragma: no cover - the paper's scales are all valid
    ui.show_error(e)
    ui.end_page()
ms = combine(scales, averaging)
top = ms.top(5)
labels = [cat(i) for i, _p in top]
per_scale = {_("{size} px ({h}×{w} map)").format(size=r.size, h=r.map_shape[0], w=r.map_shape[1]):
             [float(r.probs(averaging)[i]) for i, _p in top] for r in scales}
average_name = _("average of the scales")
per_scale[average_name] = [p for _i, p in top]
st.plotly_chart(multiscale_figure(labels, per_scale, average=average_name), width="stretch", key="fc_multiscale_chart")
table = pd.DataFrame({_("class"): labels, **{k: [f"{p:.2%}" for p in v] for k, v in per_scale.items()}})
other = combine(scales, POOLED if averaging == POSITIONS else POSITIONS)
table[_("the other averaging")] = [f"{float(other.mean_probs[i]):.2%}" for i, _p in top]
st.dataframe(table, hide_index=True, width="stretch")
st.caption(_(
    "Multi-scale prediction: **{top}** ({p:.1%}). Per-scale top classes: {per_scale}. "
    "The last column averages the map the other way (top class: {other})."
).format(top=cat(ms.top_class), p=float(ms.mean_probs[ms.top_class]),
         per_scale=", ".join(f"{r.size}: {cat(int(np.argmax(r.probs(averaging))))}" for r in scales),
         other=cat(other.top_class)))

st.subheader(_("Multi-crop, dense, or both"))
crop_side = min_size(g)
n = st.select_slider(
    _("Crops per scale (a grid of n×n, each also mirrored)"), options=[0, 1, 2, 3, 5], value=0, key="fc_crops",
    format_func=lambda v: _("off") if v == 0 else f"{v}×{v}×2 = {2 * v * v}",
    help=_("Multi-crop: {side}×{side} crops on a regular grid over the resized image, each "
           "through the original network. The paper uses 5×5 crops and their mirror images: 50 per "
           "scale, 150 over three scales. Smaller grids here cost less and say so.").format(side=crop_side))
dense_px = sum(r.input_shape[0] * r.input_shape[1] for r in scales) * (2 if flip else 1)
unit = pixels_per_crop(g)
if n:
    @st.cache_data(max_entries=16, show_spinner=_("Running the crops…"))
    def _crops(_loaded, _image, key: tuple, size: int, n: int):
        return multi_crop(_loaded, _image, size, grid=n, flip=True)

    mc = [_crops(loaded, image.image, model_key, s, n) for s in q_sizes]
    crop_probs = average_posteriors([r.mean_probs for r in mc])
    both = average_posteriors([crop_probs, ms.mean_probs])
    rows = []
    crops = sum(r.crops for r in mc)
    for name, probs, cost in ((_("dense"), ms.mean_probs, dense_px / unit),
                              (_("multi-crop ({n} crops)").format(n=crops), crop_probs, crops),
                              (_("multi-crop & dense"), both, dense_px / unit + crops)):
        k = int(np.argmax(probs))
        rows.append({_("evaluation"): name, _("top class"): cat(k), _("its probability"): f"{float(probs[k]):.1%}",
                     _("cost ({side}×{side} crops' worth of pixels)").format(side=crop_side): round(cost, 1)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(_(
        "Cost counts the pixels that go through the convolutions (where almost all the MACs are), in "
        "units of one {side}×{side} crop. Dense evaluation reads each pixel once per "
        "scale; multi-crop reads overlapping crops again, but each crop is padded with real image "
        "around its border rather than with zeros, which is why the paper found the two "
        "complementary: multi-crop & dense (averaging their soft-maxes) was its best single-network "
        "result."
    ).format(side=crop_side))
else:
    st.caption(_("Dense evaluation at these scales reads {crops:.1f} crops' worth of "
                 "pixels ({side}×{side} each); turn multi-crop on to compare.").format(
        crops=dense_px / unit, side=crop_side))
