import streamlit as st

from vggviz import maps, ui
from vggviz.analysis import NORMALISED_RANGE
from vggviz.variants import VARIANTS

sel = ui.selection()
st.title("Forward pass: one image through the network")

loaded, image, res = ui.require_analysis(sel)

pre = res.preprocessed
t = loaded.transforms
crop = t.crop_size[0]
st.subheader("1 · Preprocessing: what the network is actually given")
st.markdown(
    f"The weights come with their own preprocessing (torchvision's): resize the **short side to "
    f"{t.resize_size[0]}**, cut out the **centre {crop}×{crop}**, then per colour channel subtract "
    f"the ImageNet mean and divide by its standard deviation. Everything outside the red box is "
    f"never seen."
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
    f"**Normalised** (x − mean) / std, shown with grey = the ImageNet mean and ±{NORMALISED_RANGE} "
    f"std as black/white. mean = {[round(m, 3) for m in t.mean]}, std = {[round(s, 3) for s in t.std]}"
)

st.subheader("2 · The five most likely classes")
if not loaded.trained:
    st.caption("⚠️ Untrained weights: these classes are noise, about 0.1% each (1 in 1000).")
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
