import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import streamlit as st

from vggviz.app import ui
from vggviz.data.augment import jitter_draws, jitter_range
from vggviz.figures import alt, maps
from vggviz.figures.prediction import topk_figure
from vggviz.i18n import _
from vggviz.inference.analysis import NORMALISED_RANGE
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
st.title(_("Forward pass: one image through the network"))

loaded, image, res = ui.require_analysis(sel)

pre = res.preprocessed
t = loaded.transforms
crop = t.crop_size[0]
resize = t.resize_size[0]
st.header(_("1 · Preprocessing: what the network is actually given"))
mini = VARIANTS[loaded.variant].mini
if mini:
    intro = _("The weights come with their own preprocessing (torchvision’s preset, with the statistics of "
              "the generated shapes): resize the **short side to {resize}**, cut out the **centre "
              "{crop}×{crop}**, then per colour channel subtract the shapes dataset's mean and divide by its "
              "standard deviation. Everything outside the red box is never seen.")
    intro += _(" The mini family was trained on 64×64 pictures of shapes: a photo squeezed to 64 px loses "
                     "most of its detail, and the network only knows its twelve shapes (a coffee cup seen from "
                     "above may well be a *ring* to it).")
else:
    intro = _("The weights come with their own preprocessing (torchvision’s): resize the **short side to "
              "{resize}**, cut out the **centre {crop}×{crop}**, then per colour channel subtract the ImageNet "
              "mean and divide by its standard deviation. Everything outside the red box is never seen.")
st.markdown(intro.format(resize=resize, crop=crop))
stages = pre.stages
cols = st.columns(4)
w, h = stages["original"].size
rw, rh = stages["resized"].size
cols[0].image(maps.crop_outline(stages["original"], pre.crop_box), width="stretch",
              alt=alt.preprocessing_stage("original", stages["original"]))
cols[0].caption(_("**Original** {w}×{h} px, with the crop box").format(w=w, h=h))
cols[1].image(stages["resized"], width="stretch", alt=alt.preprocessing_stage("resized", stages["resized"]))
cols[1].caption(_("**Resized** {w}×{h} px (short side {side})").format(w=rw, h=rh, side=resize))
cols[2].image(stages["cropped"], width="stretch", alt=alt.preprocessing_stage("cropped", stages["cropped"]))
cols[2].caption(_("**Centre crop** {crop}×{crop} px").format(crop=crop))
cols[3].image(stages["normalised"], width="stretch",
              alt=alt.preprocessing_stage("normalised", stages["normalised"], NORMALISED_RANGE))
normalised = (_("**Normalised** (x − mean) / std, shown with grey = the shapes dataset's mean and ±{range} std "
                "as black/white. mean = {mean}, std = {std}") if mini else
              _("**Normalised** (x − mean) / std, shown with grey = the ImageNet mean and ±{range} std as "
                "black/white. mean = {mean}, std = {std}"))
cols[3].caption(normalised.format(range=NORMALISED_RANGE, mean=[round(m, 3) for m in t.mean],
                                  std=[round(s, 3) for s in t.std]))

ui.predict_first("forward_pass", analysis=res)
n_classes = len(loaded.categories)
st.header(_("2 · The {k} most likely of its {n} classes").format(k=min(5, n_classes), n=n_classes))
ui.untrained_weights(loaded, _("The classes it predicts below are noise, about {pct}% each (1 in {n}).").format(
    pct=f"{100 / n_classes:.2g}", n=n_classes))
left, right = st.columns([3, 1])
left.plotly_chart(topk_figure(res.top, translate_labels=mini), width="stretch")
right.metric(_("Device"), str(res.device).upper(), help=_("Where the forward pass ran (cuda when a GPU is there)"))
right.metric(_("Forward pass"), _("{ms} ms").format(ms=f"{1000 * res.seconds:.0f}"),
             help=_("One pass through every layer, keeping every feature map for the next pages; "
                    "preprocessing not included"))
right.metric(_("Top-1"), f"{100 * res.top[0].prob:.1f}%", help=_(res.top[0].label) if mini else res.top[0].label)

st.header(_("3 · What one pass produced"))
st.markdown(
    _("{variant} ran once on this image and kept the output of every layer up to avgpool ({n} of them). "
      "The **Feature maps**, **Filters** and **Grad-CAM** pages read them from the cache: moving a slider "
      "there never runs the network again.").format(variant=VARIANTS[res.variant].label, n=len(res.layer_names()))
)

st.header(_("4 · What training shows the network instead: scale jittering"))
lo, hi = jitter_range(crop)
jitter_text = _(
    "At test time the network sees the centre crop above. In training the paper showed it a different view "
    "each time: the image rescaled so its shorter side is a random **S between {lo} and {hi}**, a **random "
    "{crop}×{crop} crop**, and a **horizontal flip** half of the time, so the same object arrives at many "
    "sizes and places.")
if mini:
    jitter_text += _(" The paper's range is 256 to 512 for a 224 crop; the mini family's trainer uses the "
                           "same idea at its scale ({lo} to {hi} for a 64 crop).")
st.markdown(jitter_text.format(lo=lo, hi=hi, crop=crop))
ui.link_param("seed", "fp_jitter_seed", lo=0, hi=9999, cast=int)
jseed = st.number_input(_("Draw seed"), 0, 9999, 0, key="fp_jitter_seed",
                        help=_("The same seed gives the same draws"))
draws = jitter_draws(image.image, n=6, seed=int(jseed), crop=crop, s_range=(lo, hi))
jcols = st.columns(6)
for col, d in zip(jcols, draws):
    col.image(d.image, width="stretch", alt=alt.jitter_draw(d.S, d.box, d.flipped, crop))
    where = (_("S = {S}, crop at ({x}, {y}), flipped") if d.flipped else _("S = {S}, crop at ({x}, {y})"))
    col.caption(where.format(S=d.S, x=d.box[0], y=d.box[1]))
