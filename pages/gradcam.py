import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import io

import numpy as np
import streamlit as st

from vggviz.app import ui
from vggviz.data import shapes
from vggviz.explain import attribution, trust
from vggviz.figures import maps
from vggviz.i18n import _
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
st.title(_("Grad-CAM: where the network looks"))

loaded, image, res = ui.require_analysis(sel)
ui.untrained_weights(loaded, _("The Grad-CAM of a random network means nothing (its gradients favour no "
                                "object), so read the maps below only as a demonstration of the method."))
ui.predict_first("gradcam")

st.markdown(_(
    "Grad-CAM (Selvaraju et al., 2017) weights each channel of a layer by how much the class score "
    "rises when that channel rises (its gradient, averaged over the map), sums the weighted channels "
    "and keeps the positive part: red is where this layer holds evidence **for** the class."
))

# ---------------------------------------------------------------- controls
cats = shapes.shown_names(loaded.categories)     # the shapes' names translated; others as they are
top = [p.index for p in res.top]
options = top + [i for i in range(len(cats)) if i not in set(top)]
if st.session_state.get("gc_digest") != (res.digest, res.variant):
    st.session_state["gc_digest"] = (res.digest, res.variant)
    st.session_state["gc_target"] = top[0]
layers = attribution.gradcam_layers(loaded)
ui.keep_choice("gc_layer", layers, attribution.default_layer(loaded))


def class_label(i: int) -> str:
    rank = _("top-{k}").format(k=top.index(i) + 1) + " · " if i in top else ""
    return f"{rank}{cats[i]} ({i}) · {100 * float(res.probs[i]):.2f}%"


ui.link_param("target", "gc_target", options=list(options), cast=int)
ui.link_param("layer", "gc_layer", options=layers)
ui.link_param("opacity", "gc_alpha", lo=0.0, hi=1.0, cast=float)
ui.link_param("cmap", "gc_cmap", options=list(maps.HEATMAP_COLORMAPS), fold=True)
c1, c2 = st.columns([3, 2])
target = c1.selectbox(
    _("Target class"), options, key="gc_target", format_func=class_label,
    help=_("The top-5 classes come first; type to search all {n} classes.").format(n=len(cats)),
)
layer = c2.selectbox(
    _("Layer"), layers, key="gc_layer",
    help=_("Every conv, ReLU and pool layer. The default is the last conv whose map is at least 8×8: "
           "conv5_x for a full-size VGG (14×14 at 224 px); for the mini family conv4_x (8×8 at 64 px), "
           "because there conv5's 4×4 cells each see the whole image."),
)
c2.caption("💡 " + _(trust.LAYER_GUIDE_SHORT))
c3, c4 = st.columns([3, 2])
alpha = c3.slider(_("Opacity of the heatmap"), 0.0, 1.0, 0.5, 0.05, key="gc_alpha")
cmap = c4.selectbox(_("Colormap"), maps.HEATMAP_COLORMAPS, key="gc_cmap")

try:
    cam = ui.current_gradcam(loaded, res, layer, target)
except (RuntimeError, ValueError) as e:
    ui.show_error(_("Grad-CAM failed: {error}").format(error=e))
    ui.end_page()

# ---------------------------------------------------------------- the map
pil = image.image
box = res.preprocessed.crop_box
heat = cam.image_map(box, pil.size)
over = maps.overlay(pil, heat, alpha=alpha, cmap=cmap, crop_box=box)
h, w = cam.layer_map.shape
left, right = st.columns([3, 2])
left.image(over, width="stretch")
left.caption(_("Grad-CAM of **{label}** ({target}) at **{layer}**, {h}×{w} upsampled bilinearly to the {px} px "
               "crop. Outside the white box (dimmed) is what the centre crop cut away: the network never "
               "saw it.").format(label=cats[cam.target], target=cam.target, layer=cam.layer, h=h, w=w,
                                 px=res.preprocessed.tensor.shape[-1]))
fig = maps.channel_heatmap(cam.layer_map, _("{layer} · {h}×{w} · as computed").format(layer=cam.layer, h=h, w=w),
                           colorscale=cmap)
fig.update_layout(height=380)
right.plotly_chart(fig, width="stretch", key="gc_raw")
m1, m2 = right.columns(2)
m1.metric(_("Class probability"), f"{100 * cam.prob:.2f}%",
          help=_("softmax output for {label} ({target})").format(label=cats[cam.target], target=cam.target))
m2.metric(_("Map maximum"), f"{cam.raw_max:.3g}",
          help=_("Before scaling to [0, 1]: Σ_k α_k A_k at the hottest position"))
if cam.raw_max == 0:
    right.info(_("The map is zero everywhere: at this layer nothing speaks *for* this class "
                 "(every weighted sum is negative and Grad-CAM keeps only the positive part)."))
if cam.layer.startswith("conv"):
    st.caption(_("The map of **{layer}** is taken at the convolution's output, before its ReLU (as captum "
                 "does with `layer=features[i]` of the conv). Gradients there also flow through units the "
                 "ReLU switches off; pick **{relu}** for the map after the ReLU.").format(
                     layer=cam.layer, relu="relu" + cam.layer[4:]))

d1, d2 = st.columns(2)
stem = f"{res.variant}_{cam.layer}_{cam.target}"
d1.download_button(_("⬇️ Overlay (PNG)"), data=lambda: maps.to_png(over), file_name=f"{stem}_gradcam.png",
                   mime="image/png", on_click="ignore", key="gc_png")


def heat_npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, heat.astype(np.float32))
    return buf.getvalue()


d2.download_button(_("⬇️ Heatmap (.npy, float32, image size, 0–1)"), data=heat_npy,
                   file_name=f"{stem}_heatmap.npy", mime="application/octet-stream",
                   on_click="ignore", key="gc_npy")

# ---------------------------------------------------------------- depth sweep
st.subheader(_("Through the depth"))
st.caption(_("The same class at the end of each block: early maps are sharp but about edges and "
             "colours (any class looks much the same), late maps are coarse but about the object."))
# On request: one more pass with gradients through the whole network (about 1.2 analyses), the
# largest cost of this page on a shared server when drawn for every visit.
ui.link_param("sweep", "gc_sweep", options=[True, False], cast=ui.flag, to_url=lambda v: "1" if v else None)
small = pil.copy()          # thumbnails for the sweep and the depth comparison below
small.thumbnail((320, 320))
scale = small.width / pil.width, small.height / pil.height
small_box = (box[0] * scale[0], box[1] * scale[1], box[2] * scale[0], box[3] * scale[1])
if st.toggle(_("Show the maps at the end of every block"), key="gc_sweep",
             help=_("One more pass with gradients through the whole network; kept in the link.")):
    sweep = ui.current_depth_sweep(loaded, res, target)
    for col, c in zip(st.columns(len(sweep)), sweep):
        col.image(maps.overlay(small, c.image_map(small_box, small.size), alpha, cmap, small_box), width="stretch")
        col.caption(f"**{c.layer}** · {c.layer_map.shape[0]}×{c.layer_map.shape[1]}")


def method_grid(shown: dict, image_of) -> None:
    """The maps of ``shown`` ({method: map}) four to a row, each with its name and note."""
    names = list(shown)
    for row in range(0, len(names), 4):
        for col, name in zip(st.columns(4), names[row:row + 4]):
            col.image(image_of(shown[name]), width="stretch")
            col.markdown("**" + _(name) + "**")
            col.caption(_(attribution.METHOD_NOTES[name]))


# ---------------------------------------------------------------- can this map be trusted?
st.subheader(_("Can this map be trusted?"))
if st.toggle(_("Check this map (randomise the model, delete and insert pixels)"), key="gc_trust",
             help=_("Runs on a private copy of the model and costs a few dozen forward passes; off by default.")):
    st.markdown(_(
        "Two tests from the research literature. **Randomisation** (Adebayo et al., 2018): the weights are "
        "re-initialised from the top (fc8) down, one layer or block at a time, and the map recomputed; a map "
        "that hardly changes (rank correlation ρ near 1) shows the image, not what the network learned. "
        "**Deletion / insertion** (Petsiuk et al., 2018): pixels are greyed out (or put back into a blurred "
        "image) in the map's order of importance; a faithful map makes the probability fall (rise) faster "
        "than a random order: lower deletion AUC, higher insertion AUC."
    ))
    t1, t2 = st.columns(2)
    method = t1.radio(_("Method"), trust.RANDOMISATION_METHODS, key="gc_trust_method", horizontal=True,
                      format_func=_,
                      help=_("The CAMs and Guided Grad-CAM at the layer picked above, the other methods at "
                             "the pixels, each recomputed after every cascade step; occlusion on a coarse grid "
                             "here (patch = stride = a seventh of the crop: {passes} forward passes a map).").format(
                                 passes=attribution.occlusion_passes(loaded.input_size,
                                                                    *attribution.check_window(loaded.input_size))))
    steps = t2.slider(_("Steps (budget)"), 10, 50, trust.DEFAULT_STEPS, 5, key="gc_trust_steps",
                      help=_("Deletion/insertion curves: the pixels are changed in this many steps; "
                             "{passes} forward passes at {steps} steps (4 curves × (steps + 1)).").format(
                                 passes=trust.curve_passes(trust.DEFAULT_STEPS), steps=trust.DEFAULT_STEPS))
    at_layer = layer if attribution.uses_layer(method) else None
    tkey = (res.digest, res.variant, target, method, layer, steps)
    go_on = st.session_state.get("gc_trust_key") == tkey or ui.take_budget("heavy")
    if go_on:
        st.session_state["gc_trust_key"] = tkey
        bar = st.progress(0.0, text=_("Randomising a private copy of the model…"))
        try:
            chk = ui.current_randomisation(loaded, res, target, layer, method, lambda d, t: bar.progress(
                d / t, text=_("Randomisation: {done}/{total} maps").format(done=d, total=t)))
            cur = ui.current_curves(loaded, res, target, method, at_layer, chk.original, steps,
                                    lambda d, t: bar.progress(d / t, text=_(
                                        "Deletion and insertion: {done}/{total} images").format(done=d, total=t)))
            depth = (ui.current_depth_deletion(loaded, res, target, steps, lambda d, t: bar.progress(
                d / t, text=_("Deletion through the depth: {done}/{total} images").format(done=d, total=t)),
                method=method) if method in attribution.CAM_METHODS else [])
        except (RuntimeError, ValueError) as e:
            ui.show_error(_("Checking the map failed: {error}").format(error=e))
            chk = None
        finally:
            bar.empty()
        if chk is not None:
            crop = res.preprocessed.stages["cropped"]
            if chk.layer:
                st.markdown(_("**Cascading randomisation** of {method} at {layer} for **{label}**: ρ = Spearman "
                              "rank correlation with the original map.").format(
                                  method=_(method), layer=chk.layer, label=cats[target]))
            else:
                st.markdown(_("**Cascading randomisation** of {method} for **{label}**: ρ = Spearman rank "
                              "correlation with the original map.").format(method=_(method), label=cats[target]))
            shown = [(_("original"), chk.original, 1.0)] + [(f"→ {s.randomised}", s.crop_map, s.spearman)
                                                            for s in chk.steps]
            for col, (name, m, rho) in zip(st.columns(len(shown)), shown):
                col.image(maps.overlay(crop, m, alpha, cmap), width="stretch")
                col.caption(f"**{name}** · ρ {rho:.2f}")
            st.caption(_("Each step re-initialises that layer (or conv block) and keeps every layer above it "
                         "random. A map that still looks like the first one after fc8…fc6 and conv5 are random "
                         "is explaining edges of the image, not the class. Beware: maps with large zero areas "
                         "(Grad-CAM's ReLU) give ρ from few pixels."))
            m1, m2, m3, m4 = st.columns(4)
            vs = _("{delta} vs random")
            m1.metric(_("Deletion AUC"), f"{cur.auc('deletion'):.3f}",
                      vs.format(delta=f"{cur.auc('deletion') - cur.auc('deletion', 'random'):+.3f}"),
                      delta_color="inverse",
                      help=_("Area under the probability as the most important pixels are greyed out: "
                             "lower is better."))
            m2.metric(_("Deletion AUC, random order"), f"{cur.auc('deletion', 'random'):.3f}")
            m3.metric(_("Insertion AUC"), f"{cur.auc('insertion'):.3f}",
                      vs.format(delta=f"{cur.auc('insertion') - cur.auc('insertion', 'random'):+.3f}"),
                      help=_("Area under the probability as pixels are put back into a blurred image: "
                             "higher is better."))
            m4.metric(_("Insertion AUC, random order"), f"{cur.auc('insertion', 'random'):.3f}")
            st.plotly_chart(trust.curves_figure(cur, cats[target]), width="stretch", key="gc_trust_curves")
            st.caption(_("{passes} forward passes in {seconds} s. Where it can mislead: greyed-out pixels make "
                         "an image unlike any training image, so the probability can fall because of the grey "
                         "blotches themselves; and a faithful map can still point at a shortcut (a watermark, "
                         "the background) the network learned.").format(
                             passes=cur.passes, seconds=f"{cur.seconds:.1f}"))
            if depth:
                st.markdown(_("**Which layer?** The depth sweep's maps, each with its deletion AUC (lower: its "
                              "order removes the evidence sooner)."))
                best = min(range(len(depth)), key=lambda i: depth[i][1])
                for i, (col, (c, auc)) in enumerate(zip(st.columns(len(depth)), depth)):
                    col.image(maps.overlay(crop, c.crop_map, alpha, cmap), width="stretch")
                    col.caption(_("**{layer}** · deletion AUC {auc}").format(layer=c.layer, auc=f"{auc:.3f}")
                                + (" ✅" if i == best else ""))

# ---------------------------------------------------------------- methods
st.subheader(_("Compare methods"))
on_gpu = loaded.device.type == "cuda"
defaults = list(attribution.DEFAULT_METHODS)
show = st.toggle(_("Compute {methods}").format(methods=", ".join(_(m) for m in defaults)), value=on_gpu,
                 key="gc_methods",
                 help=_("One more forward and backward pass through the whole network per method; the "
                        "layer-level methods ({cams}) only rerun the layers after the chosen one.").format(
                            cams=", ".join(_(m) for m in attribution.CAM_METHODS)))
if show:
    size = loaded.input_size
    extra = [n for n, m in attribution.PIXEL_METHODS.items() if not m.default and m.passes is not None]
    chosen = [n for col, n in zip(st.columns(max(1, len(extra))), extra)
              if col.checkbox(_("…and {method} ({passes} more passes)").format(
                  method=_(n), passes=attribution.method_passes(n, size)),
                  key=f"gc_m_{attribution.method_slug(n)}")]
    # occlusion: patch and stride per input size (224 px: 8..112; the mini family's 64 px: 2..32)
    d_patch, d_stride = attribution.occlusion_defaults(size)
    lo, hi = max(1, size // 28), size // 2
    pk, sk = f"gc_occ_patch_{size}", f"gc_occ_stride_{size}"
    st.session_state.setdefault(pk, d_patch)
    st.session_state.setdefault(sk, d_stride)
    if st.session_state[sk] > st.session_state[pk]:
        st.session_state[sk] = st.session_state[pk]
    passes = attribution.occlusion_passes(size, st.session_state[pk], st.session_state[sk])
    occ_on = st.toggle(_("Occlusion (slides a grey patch; {passes} forward passes)").format(passes=passes),
                       key="gc_occ",
                       help=_("Hides each place in turn with a square of the mean colour and records how much "
                              "the class score (logit) drops; no gradients, but one forward pass per position."))
    occ = None
    if occ_on:
        o1, o2 = st.columns(2)
        n_side = round((passes - 1) ** 0.5)
        count = _("{passes} forward passes with these settings: {n}×{n} patch positions plus the unoccluded "
                  "image.").format(passes=passes, n=n_side)
        patch = o1.number_input(_("Patch size (px, {lo}–{hi})").format(lo=lo, hi=hi), lo, hi, step=1, key=pk,
                                help=_("The side of the grey square.") + " " + count)
        stride = o2.number_input(_("Stride (px, {lo}–patch)").format(lo=lo), lo, int(patch), step=1, key=sk,
                                 help=_("How far the square moves each step; the map is no finer than this. "
                                        "Half the stride: about four times the passes.") + " " + count)
        occ = (int(patch), int(stride))
        okey = (res.digest, target, occ)           # a new map counts against the session's budget
        if st.session_state.get("gc_occ_key") != okey:
            if ui.take_budget("heavy"):
                st.session_state["gc_occ_key"] = okey
            else:
                occ = None
    bar = st.progress(0.0, text=_("Occlusion…")) if occ else None

    def occ_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=_("Occlusion: {done}/{total} forward passes").format(done=done, total=total))

    try:
        shown = ui.current_compare_methods(loaded, res, target, layer,
                                           list(attribution.CAM_METHODS) + defaults + chosen, occ, occ_progress)
    except (RuntimeError, ValueError) as e:
        ui.show_error(_("Comparing methods failed: {error}").format(error=e))
        shown, occ = {}, None
    finally:
        if bar:
            bar.empty()
    crop = res.preprocessed.stages["cropped"]
    method_grid(shown, lambda m: maps.overlay(crop, m, alpha, cmap))
    st.caption(_("All over the {px} px crop the network sees; the layer-level maps at {layer}. Pixel-level maps "
                 "show the largest |attribution| over the colour channels, scaled to their 99.5th "
                 "percentile.").format(px=size, layer=layer))
    if occ:
        o = ui.current_occlusion(loaded, res, target, *occ)
        st.caption(_("Occlusion of **{label}** ({target}), patch {patch} px, stride {stride} px, {passes} forward "
                     "passes: the logit is {score} unoccluded; the largest drop is {drop}, the largest rise "
                     "{rise} (rises are shown as 0: hiding there makes the class *more* likely).").format(
                         label=cats[o.target], target=o.target, patch=o.patch, stride=o.stride, passes=o.passes,
                         score=f"{o.score:.3g}", drop=f"{o.raw_max:.3g}", rise=f"{max(0.0, -o.raw_min):.3g}"))

# ---------------------------------------------------------------- depths
st.subheader(_("Grad-CAM across depths: VGG11, 13, 16, 19"))
st.caption(_("Each network's own top-5 and its Grad-CAM of **{label}** at its last conv. Networks not already "
             "loaded are loaded one at a time and dropped again.").format(label=cats[target]))
key = ("gc_depths", res.digest, target, sel.weights, sel.device)
if st.button(_("Run VGG11, 13, 16 and 19"), key="gc_depths_button") and ui.take_budget("heavy"):
    bar = st.progress(0.0, text=_("Starting…"))

    def progress(done: int, total: int, variant: str) -> None:
        text = (_("{variant}: loading, analysing, Grad-CAM ({n}/{total})").format(
            variant=VARIANTS[variant].label, n=done + 1, total=total) if variant else _("Done"))
        bar.progress(done / total, text=text)

    try:
        st.session_state["gc_depths"] = (key, ui.current_gradcam_by_variant(image, target, sel, progress))
    except (RuntimeError, ValueError, MemoryError) as e:
        ui.show_error(_("Grad-CAM across depths failed: {error}").format(error=e))
    bar.empty()
stored = st.session_state.get("gc_depths")
if stored and stored[0] == key:
    for col, row in zip(st.columns(len(stored[1])), stored[1]):
        c = row["gradcam"]
        col.image(maps.overlay(small, c.image_map(small_box, small.size), alpha, cmap, small_box), width="stretch")
        col.markdown(_("**{variant}** · {layer} · {weights} weights").format(
            variant=VARIANTS[row["variant"]].label, layer=row["layer"], weights=row["weights"]))
        col.caption(f"{cats[target]}: {100 * c.prob:.2f}%")
        col.markdown("\n".join(f"{i + 1}. {p.label} {100 * p.prob:.1f}%" for i, p in enumerate(row["top"])))
