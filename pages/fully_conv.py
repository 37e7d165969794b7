"""The fully-convolutional VGG: FC layers as convolutions, dense and multi-scale evaluation."""

import numpy as np
import pandas as pd
import streamlit as st

from vggviz import shapes, ui
from vggviz.dense import (
    MAX_DENSE_SIZE,
    POOLED,
    POSITIONS,
    average_posteriors,
    fixed_scales,
    multi_crop,
    pixels_per_crop,
    DenseSizeError,
    classifier_shapes,
    combine,
    dense_scores,
    map_geometry,
    min_size,
    pool_grid,
    resized_image,
    scales_for,
    score_map_size,
)
from vggviz.rf_figures import multiscale_figure, score_map_figure, topk_figure
from vggviz.variants import VARIANTS

sel = ui.selection()
info = VARIANTS[sel.variant]
st.title(f"Fully convolutional {info.label.rsplit(' (', 1)[0]}: dense and multi-scale evaluation")
loaded = ui.current_model(sel)
if loaded is None:
    ui.end_page()
ui.weights_banner(loaded)
if not loaded.trained:
    st.caption("With random weights the shapes and the arithmetic on this page are right, but "
               "the class maps and predictions are noise.")

g = pool_grid(loaded.model)
smallest = min_size(g)
pool_c = loaded.model.classifier[0].in_features // (g * g)
scales = scales_for(g)
st.markdown(
    f"At test time the paper turns the fully connected layers into convolutions: **fc6** reads "
    f"the {g}×{g}×{pool_c} pool5 block, so it *is* a {g}×{g} convolution with {pool_c} input channels "
    "and no padding; **fc7** and **fc8** read one vector each, so they are 1×1 convolutions. The "
    "weights are the same numbers, just viewed as 4-D kernels (here the convolutions literally "
    "share the linear layers' memory). The network then takes an image of any size of at least "
    f"{smallest}×{smallest} and returns a *map* of class scores, one per position of a window "
    "sliding over the image in steps of 32 pixels."
)

rows = classifier_shapes(loaded.model)
st.dataframe(pd.DataFrame([{
    "layer": r.name,
    "before": r.before_type, "weight before": " × ".join(map(str, r.before_shape)),
    "after": r.after_type, "weight after": " × ".join(map(str, r.after_shape)),
    "parameters": r.params_after, "same count": "yes" if r.params_equal else "NO",
    "same memory": "yes" if r.shares_storage else "no",
} for r in rows]), hide_index=True, width="stretch",
    column_config={"parameters": st.column_config.NumberColumn(format="localized")})

centre0, stride, map_rf = map_geometry(loaded.model)
sizes = [224, 256, 384, 512] if g == 7 else [64, 96, 128, 256]
st.markdown(
    f"**How big is the map?** Five max-pools divide the side by 32 (rounding down), and the "
    f"{g}×{g} fc6 takes {g - 1} away: an S×S input gives (⌊S/32⌋ − {g - 1}) × (⌊S/32⌋ − {g - 1}) positions. "
    + " · ".join(f"{s}: pool5 {s // 32}×{s // 32} → map **{score_map_size(s, grid=g)[0]}×{score_map_size(s, grid=g)[1]}**"
                 for s in sizes)
    + (". So at 384 the map is 6×6 (384 / 32 = 12, 12 − 7 + 1 = 6), not 5×5. " if g == 7 else ". ")
    + f"Cell (i, j) is centred at ({centre0:g} + {stride}·i, {centre0:g} + {stride}·j) px and sees "
    f"{map_rf}×{map_rf} px of the input."
)

image, placed = ui.current_image(), None
if VARIANTS[loaded.variant].mini:
    c1, c2 = st.columns([3, 1])
    use_canvas = c1.toggle("Use a generated canvas of shapes instead of the sidebar's image",
                           value=image is None, key="fc_canvas",
                           help="A 256×256 picture with four shapes of the training sizes: the class "
                                "maps should light up where each shape is.")
    canvas_seed = c2.number_input("Canvas seed", 0, 9999, 3, key="fc_canvas_seed", disabled=not use_canvas)
    if use_canvas:
        from vggviz.images import load_image
        from vggviz.maps import to_png

        pic, placed = shapes.canvas(int(canvas_seed), 256, 4)
        image = load_image(to_png(pic), f"shapes canvas {int(canvas_seed)}")
        st.caption("Where the shapes really are: " + " · ".join(
            f"**{p.label}** x {p.box[0]}–{p.box[2]}, y {p.box[1]}–{p.box[3]}" for p in placed))
if image is None:
    st.info("Pick a sample image or upload one in the sidebar to run the dense evaluation.")
    ui.end_page()

own = min(image.image.size)
st.header("Dense evaluation at one scale")
c1, c2, c3 = st.columns([3, 2, 2])
size_options = [str(v) for v in (scales if g == 7 else (64, 128, 256))] + ["own", "custom"]
if st.session_state.get("fc_size") not in size_options:
    # the mini family sees shapes of its training sizes at the image's own scale (a canvas: 256)
    st.session_state["fc_size"] = size_options[0] if g == 7 else "own"
choice = c1.radio(
    "Shorter side of the image (px)", size_options, horizontal=True,
    key="fc_size",
    format_func=lambda v: {"own": f"image's own ({own})", "custom": "custom…"}.get(v, v),
    help="The whole image is resized so that its shorter side has this length, keeping the "
         "aspect ratio (the paper's isotropic rescaling); nothing is cropped.",
)
custom = c2.number_input("Custom size (px)", min_value=32, max_value=MAX_DENSE_SIZE, value=smallest,
                         step=16, key="fc_custom", disabled=choice != "custom")
square = c3.toggle("Squash to a square", value=False, key="fc_square",
                   help="Resize to S×S instead, ignoring the aspect ratio: the map is then square.")
size = {"own": own, "custom": int(custom)}.get(choice) or int(choice)


@st.cache_data(max_entries=32, show_spinner="Running the fully-convolutional network…")
def _dense(_loaded, _image, key: tuple, size: int, square: bool, flip: bool = False):
    return dense_scores(_loaded, _image, size, square, flip)


model_key = (sel.variant, loaded.source, sel.weights, str(loaded.device), image.digest)
cats = loaded.categories
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
    if st.session_state.get("fc_class") not in options:
        st.session_state["fc_class"] = options[0]
    m1, m2, m3 = st.columns(3)
    m1.metric("Input fed to the network", f"{result.input_shape[1]}×{result.input_shape[0]} px")
    m2.metric("Class-score map", f"{h}×{w}")
    m3.metric("Top class (map averaged)", cats[result.top_class])
    left, right = st.columns([3, 2])
    with right:
        shown = st.selectbox("Class to map", options, key="fc_class",
                             format_func=lambda i: f"{cats[i]} ({result.mean_probs[i]:.1%})")
        st.plotly_chart(topk_figure([cats[i] for i, _ in top5], [p for _, p in top5],
                                    title="Top-5: softmax at each position, averaged over the map"),
                        width="stretch", key="fc_top5_chart")
    with left:
        shown_img = resized_image(image.image, size, square, g)
        st.plotly_chart(score_map_figure(shown_img, result.class_map(shown), cats[shown],
                                         centre0=centre0, stride=stride),
                        width="stretch", key="fc_map_chart")
        st.caption(
            f"Each cell is one position of the {g}×{g} fc6 window on pool5, drawn {stride} px wide at "
            f"the centre of its field; it sees {map_rf}×{map_rf} px, so the map covers the middle "
            "of the image while each cell looks at most of it. The paper averages this map into "
            "one prediction per scale."
        )

st.header("Multi-scale evaluation: the paper's protocol")
fixed_S = (256, 384) if g == 7 else tuple(scales_for(g)[:2])
scale_sets = {"jittered": tuple(scales_for(g))} | {f"S{S}": fixed_scales(S, g) for S in fixed_S}
p1, p2, p3 = st.columns([3, 2, 3])
which = p1.radio(
    "Test scales Q", list(scale_sets), key="fc_protocol_scales",
    format_func=lambda k: ("trained with scale jittering: Q = {" if k == "jittered" else
                           f"trained at fixed S = {k[1:]}: Q = {{") + ", ".join(map(str, scale_sets[k])) + "}",
    help="The paper tests a model trained at a fixed scale S at Q = {S − 32, S, S + 32}, and a "
         "scale-jittered one (S from 256 to 512) at Q = {256, 384, 512}."
         + ("" if g == 7 else " The mini family: the same ratios to its 64 px (a 9 px step)."))
flip = p2.toggle("Average with the mirror image", value=False, key="fc_flip",
                 help="The paper's flip averaging: the soft-max of the image and of its horizontal "
                      "mirror image, averaged. Twice the passes.")
averaging = p3.radio(
    "Averaging the map", [POSITIONS, POOLED], key="fc_averaging",
    format_func=lambda k: {POSITIONS: "soft-max at each position, then mean",
                           POOLED: "mean class score, then soft-max (the paper)"}[k])
st.markdown(
    "The paper runs the dense network at each test scale and averages the class probabilities: "
    "objects of different sizes then meet a window of the right size at some scale. Within one "
    "scale it averages the class-*score* map spatially (it says *sum-pooled*) and only then takes "
    "the soft-max. Averaging each position's soft-max instead caps every position's vote at "
    "1/(number of positions); with the mean score, one position with a very large score can "
    "outvote all the others. Sum-pooling proper (no division by the number of positions) gives the same ranking "
    "with a sharper soft-max."
)
q_sizes = scale_sets[which]


try:
    scales = [_dense(loaded, image.image, model_key, s, square, flip) for s in q_sizes]
except DenseSizeError as e:  # pragma: no cover - the paper's scales are all valid
    ui.show_error(e)
    ui.end_page()
ms = combine(scales, averaging)
top = ms.top(5)
labels = [cats[i] for i, _ in top]
per_scale = {f"{r.size} px ({r.map_shape[0]}×{r.map_shape[1]} map)": [float(r.probs(averaging)[i]) for i, _ in top]
             for r in scales}
per_scale["average of the scales"] = [p for _, p in top]
st.plotly_chart(multiscale_figure(labels, per_scale), width="stretch", key="fc_multiscale_chart")
table = pd.DataFrame({"class": labels, **{k: [f"{p:.2%}" for p in v] for k, v in per_scale.items()}})
other = combine(scales, POOLED if averaging == POSITIONS else POSITIONS)
table["the other averaging"] = [f"{float(other.mean_probs[i]):.2%}" for i, _ in top]
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    f"Multi-scale prediction: **{cats[ms.top_class]}** ({float(ms.mean_probs[ms.top_class]):.1%}). "
    "Per-scale top classes: " + ", ".join(f"{r.size}: {cats[int(np.argmax(r.probs(averaging)))]}" for r in scales)
    + f". The last column averages the map the other way (top class: {cats[other.top_class]})."
)

st.subheader("Multi-crop, dense, or both")
crop_side = min_size(g)
n = st.select_slider(
    "Crops per scale (a grid of n×n, each also mirrored)", options=[0, 1, 2, 3, 5], value=0, key="fc_crops",
    format_func=lambda v: "off" if v == 0 else f"{v}×{v}×2 = {2 * v * v}",
    help=f"Multi-crop: {crop_side}×{crop_side} crops on a regular grid over the resized image, each "
         "through the original network. The paper uses 5×5 crops and their mirror images: 50 per "
         "scale, 150 over three scales. Smaller grids here cost less and say so.")
dense_px = sum(r.input_shape[0] * r.input_shape[1] for r in scales) * (2 if flip else 1)
unit = pixels_per_crop(g)
if n:
    @st.cache_data(max_entries=16, show_spinner="Running the crops…")
    def _crops(_loaded, _image, key: tuple, size: int, n: int):
        return multi_crop(_loaded, _image, size, grid=n, flip=True)

    mc = [_crops(loaded, image.image, model_key, s, n) for s in q_sizes]
    crop_probs = average_posteriors([r.mean_probs for r in mc])
    both = average_posteriors([crop_probs, ms.mean_probs])
    rows = []
    for name, probs, cost in (("dense", ms.mean_probs, dense_px / unit),
                              (f"multi-crop ({sum(r.crops for r in mc)} crops)", crop_probs,
                               sum(r.crops for r in mc)),
                              ("multi-crop & dense", both, dense_px / unit + sum(r.crops for r in mc))):
        k = int(np.argmax(probs))
        rows.append({"evaluation": name, "top class": cats[k], "its probability": f"{float(probs[k]):.1%}",
                     f"cost ({crop_side}×{crop_side} crops' worth of pixels)": round(cost, 1)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(
        "Cost counts the pixels that go through the convolutions (where almost all the MACs are), in "
        f"units of one {crop_side}×{crop_side} crop. Dense evaluation reads each pixel once per "
        "scale; multi-crop reads overlapping crops again, but each crop is padded with real image "
        "around its border rather than with zeros, which is why the paper found the two "
        "complementary: multi-crop & dense (averaging their soft-maxes) was its best single-network "
        "result."
    )
else:
    st.caption(f"Dense evaluation at these scales reads {dense_px / unit:.1f} crops' worth of "
               f"pixels ({crop_side}×{crop_side} each); turn multi-crop on to compare.")
