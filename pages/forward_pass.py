import streamlit as st

from vggviz import maps, ui
from vggviz.analysis import NORMALISED_RANGE
from vggviz.augment import jitter_range, jitter_draws
from vggviz.variants import VARIANTS

sel = ui.selection()
st.title("Forward pass: one image through the network")

loaded, image, res = ui.require_analysis(sel)

pre = res.preprocessed
t = loaded.transforms
crop = t.crop_size[0]
st.subheader("1 · Preprocessing: what the network is actually given")
mini = VARIANTS[loaded.variant].mini
data = "the shapes dataset's" if mini else "the ImageNet"
st.markdown(
    f"The weights come with their own preprocessing ({'torchvision’s preset, with the statistics of the generated shapes' if mini else 'torchvision’s'}): "
    f"resize the **short side to {t.resize_size[0]}**, cut out the **centre {crop}×{crop}**, then per "
    f"colour channel subtract {data} mean and divide by its standard deviation. Everything outside "
    "the red box is never seen."
    + (" The mini family was trained on 64×64 pictures of shapes: a photo squeezed to 64 px loses "
       "most of its detail, and the network only knows its eight shapes (a coffee cup seen from "
       "above may well be a *ring* to it)." if mini else "")
)
stages = pre.stages
cols = st.columns(4)
w, h = stages["original"].size
rw, rh = stages["resized"].size
cols[0].image(maps.crop_outline(stages["original"], pre.crop_box), width="stretch")
cols[0].caption(f"**Original** {w}×{h} px, with the crop box")
cols[1].image(stages["resized"], width="stretch")
cols[1].caption(f"**Resized** {rw}×{rh} px (short side {t.resize_size[0]})")
cols[2].image(stages["cropped"], width="stretch")
cols[2].caption(f"**Centre crop** {crop}×{crop} px")
cols[3].image(stages["normalised"], width="stretch")
cols[3].caption(
    f"**Normalised** (x − mean) / std, shown with grey = {data} mean and ±{NORMALISED_RANGE} "
    f"std as black/white. mean = {[round(m, 3) for m in t.mean]}, std = {[round(s, 3) for s in t.std]}"
)

n_classes = len(loaded.categories)
st.subheader(f"2 · The {min(5, n_classes)} most likely of its {n_classes} classes")
if not loaded.trained:
    st.caption(f"⚠️ Untrained weights: these classes are noise, about {100 / n_classes:.2g}% each "
               f"(1 in {n_classes}).")
left, right = st.columns([3, 1])
left.plotly_chart(maps.topk_figure(res.top), width="stretch")
right.metric("Device", str(res.device).upper(), help="Where the forward pass ran (cuda when a GPU is there)")
right.metric("Forward pass", f"{1000 * res.seconds:.0f} ms",
             help="One pass through every layer, keeping every feature map for the next pages; "
                  "preprocessing not included")
right.metric("Top-1", f"{100 * res.top[0].prob:.1f}%", help=res.top[0].label)

st.subheader("3 · What one pass produced")
st.markdown(
    f"{VARIANTS[res.variant].label} ran once on this image and kept the output of every "
    f"layer up to avgpool ({len(res.layer_names())} of them). The **Feature maps**, **Filters** "
    "and **Grad-CAM** pages read them from the cache: moving a slider there never runs the "
    "network again."
)

st.subheader("4 · What training shows the network instead: scale jittering")
lo, hi = jitter_range(crop)
st.markdown(
    f"At test time the network sees the centre crop above. In training the paper showed it a "
    f"different view each time: the image rescaled so its shorter side is a random **S between "
    f"{lo} and {hi}**, a **random {crop}×{crop} crop**, and a **horizontal flip** half of the time, "
    "so the same object arrives at many sizes and places."
    + (" The paper's range is 256 to 512 for a 224 crop; the mini family's trainer uses the same "
       f"idea at its scale ({lo} to {hi} for a 64 crop)." if mini else "")
)
jseed = st.number_input("Draw seed", 0, 9999, 0, key="fp_jitter_seed",
                        help="The same seed gives the same draws")
draws = jitter_draws(image.image, n=6, seed=int(jseed), crop=crop, s_range=(lo, hi))
jcols = st.columns(6)
for col, d in zip(jcols, draws):
    col.image(d.image, width="stretch")
    col.caption(f"S = {d.S}, crop at ({d.box[0]}, {d.box[1]}){', flipped' if d.flipped else ''}")
