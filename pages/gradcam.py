import io

import numpy as np
import streamlit as st

from vggviz import attribution, maps, trust, ui
from vggviz.variants import VARIANTS

sel = ui.selection()
st.title("Grad-CAM: where the network looks")

loaded, image, res = ui.require_analysis(sel)
if not loaded.trained:
    st.warning("These weights are untrained: the Grad-CAM of a random network means nothing (its "
               "gradients favour no object), so read the maps below only as a demonstration of the method.")

st.markdown(
    "Grad-CAM (Selvaraju et al., 2017) weights each channel of a layer by how much the class score "
    "rises when that channel rises (its gradient, averaged over the map), sums the weighted channels "
    "and keeps the positive part: red is where this layer holds evidence **for** the class."
)

# ---------------------------------------------------------------- controls
cats = loaded.categories
top = [p.index for p in res.top]
options = top + [i for i in range(len(cats)) if i not in set(top)]
if st.session_state.get("gc_digest") != (res.digest, res.variant):
    st.session_state["gc_digest"] = (res.digest, res.variant)
    st.session_state["gc_target"] = top[0]
layers = attribution.gradcam_layers(loaded)
if st.session_state.get("gc_layer") not in layers:
    st.session_state["gc_layer"] = attribution.default_layer(loaded)


def class_label(i: int) -> str:
    rank = f"top-{top.index(i) + 1} · " if i in top else ""
    return f"{rank}{cats[i]} ({i}) · {100 * float(res.probs[i]):.2f}%"


ui.link_param("target", "gc_target", options=list(options), cast=int)
ui.link_param("layer", "gc_layer", options=layers)
ui.link_param("opacity", "gc_alpha", lo=0.0, hi=1.0, cast=float)
ui.link_param("cmap", "gc_cmap", options=list(attribution.COLORMAPS), fold=True)
c1, c2 = st.columns([3, 2])
target = c1.selectbox(
    "Target class", options, key="gc_target", format_func=class_label,
    help=f"The top-5 classes come first; type to search all {len(cats)} classes.",
)
layer = c2.selectbox(
    "Layer", layers, key="gc_layer",
    help="Every conv, ReLU and pool layer. The default is the last conv whose map is at least 8×8: "
         "conv5_x for a full-size VGG (14×14 at 224 px); for the mini family conv4_x (8×8 at 64 px), "
         "because there conv5's 4×4 cells each see the whole image.",
)
c2.caption("💡 " + trust.LAYER_GUIDE_SHORT)
c3, c4 = st.columns([3, 2])
alpha = c3.slider("Opacity of the heatmap", 0.0, 1.0, 0.5, 0.05, key="gc_alpha")
cmap = c4.selectbox("Colormap", attribution.COLORMAPS, key="gc_cmap")

try:
    cam = ui.current_gradcam(loaded, res, layer, target)
except (RuntimeError, ValueError) as e:
    ui.show_error(f"Grad-CAM failed: {e}")
    ui.end_page()

# ---------------------------------------------------------------- the map
pil = image.image
box = res.preprocessed.crop_box
heat = cam.image_map(box, pil.size)
over = attribution.overlay(pil, heat, alpha=alpha, cmap=cmap, crop_box=box)
h, w = cam.layer_map.shape
left, right = st.columns([3, 2])
left.image(over, width="stretch")
left.caption(f"Grad-CAM of **{cam.label}** ({cam.target}) at **{cam.layer}**, {h}×{w} upsampled "
             f"bilinearly to the {res.preprocessed.tensor.shape[-1]} px crop. Outside the white box "
             f"(dimmed) is what the centre crop cut away: the network never saw it.")
fig = maps.channel_heatmap(cam.layer_map, f"{cam.layer} · {h}×{w} · as computed", colorscale=cmap)
fig.update_layout(height=380)
right.plotly_chart(fig, width="stretch", key="gc_raw")
m1, m2 = right.columns(2)
m1.metric("Class probability", f"{100 * cam.prob:.2f}%", help=f"softmax output for {cam.label} ({cam.target})")
m2.metric("Map maximum", f"{cam.raw_max:.3g}", help="Before scaling to [0, 1]: Σ_k α_k A_k at the hottest position")
if cam.raw_max == 0:
    right.info("The map is zero everywhere: at this layer nothing speaks *for* this class "
               "(every weighted sum is negative and Grad-CAM keeps only the positive part).")
if cam.layer.startswith("conv"):
    relu = "relu" + cam.layer[4:]
    st.caption(f"The map of **{cam.layer}** is taken at the convolution's output, before its ReLU "
               f"(as captum does with `layer=features[i]` of the conv). Gradients there also flow "
               f"through units the ReLU switches off; pick **{relu}** for the map after the ReLU.")

d1, d2 = st.columns(2)
stem = f"{res.variant}_{cam.layer}_{cam.target}"
d1.download_button("⬇️ Overlay (PNG)", data=lambda: maps.to_png(over), file_name=f"{stem}_gradcam.png",
                   mime="image/png", on_click="ignore", key="gc_png")


def heat_npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, heat.astype(np.float32))
    return buf.getvalue()


d2.download_button("⬇️ Heatmap (.npy, float32, image size, 0–1)", data=heat_npy,
                   file_name=f"{stem}_heatmap.npy", mime="application/octet-stream",
                   on_click="ignore", key="gc_npy")

# ---------------------------------------------------------------- depth sweep
st.subheader("Through the depth")
st.caption("The same class at the end of each block: early maps are sharp but about edges and "
           "colours (any class looks much the same), late maps are coarse but about the object.")
small = pil.copy()
small.thumbnail((320, 320))
scale = small.width / pil.width, small.height / pil.height
small_box = (box[0] * scale[0], box[1] * scale[1], box[2] * scale[0], box[3] * scale[1])
sweep = ui.current_depth_sweep(loaded, res, target)
for col, c in zip(st.columns(len(sweep)), sweep):
    col.image(attribution.overlay(small, c.image_map(small_box, small.size), alpha, cmap, small_box), width="stretch")
    col.caption(f"**{c.layer}** · {c.layer_map.shape[0]}×{c.layer_map.shape[1]}")

# ---------------------------------------------------------------- can this map be trusted?
st.subheader("Can this map be trusted?")
if st.toggle("Check this map (randomise the model, delete and insert pixels)", key="gc_trust",
             help="Runs on a private copy of the model and costs a few dozen forward passes; off by default."):
    st.markdown(
        "Two tests from the research literature. **Randomisation** (Adebayo et al., 2018): the weights are "
        "re-initialised from the top (fc8) down, one layer or block at a time, and the map recomputed; a map "
        "that hardly changes (rank correlation ρ near 1) shows the image, not what the network learned. "
        "**Deletion / insertion** (Petsiuk et al., 2018): pixels are greyed out (or put back into a blurred "
        "image) in the map's order of importance; a faithful map makes the probability fall (rise) faster "
        "than a random order: lower deletion AUC, higher insertion AUC."
    )
    t1, t2 = st.columns(2)
    method = t1.radio("Method", trust.RANDOMISATION_METHODS, key="gc_trust_method", horizontal=True,
                      help="Grad-CAM at the layer picked above; saliency and guided backprop at the pixels.")
    steps = t2.slider("Steps (budget)", 10, 50, trust.DEFAULT_STEPS, 5, key="gc_trust_steps",
                      help="Deletion/insertion curves: the pixels are changed in this many steps; "
                           f"{trust.curve_passes(trust.DEFAULT_STEPS)} forward passes at "
                           f"{trust.DEFAULT_STEPS} steps (4 curves × (steps + 1)).")
    tkey = (res.digest, res.variant, target, method, layer, steps)
    go_on = st.session_state.get("gc_trust_key") == tkey or ui.allowed("heavy")
    if go_on:
        st.session_state["gc_trust_key"] = tkey
        bar = st.progress(0.0, text="Randomising a private copy of the model…")
        try:
            chk = ui.current_randomisation(loaded, res, target, layer, method, lambda d, t: bar.progress(
                d / t, text=f"Randomisation: {d}/{t} maps"))
            heat_crop = cam.crop_map if method == "Grad-CAM" else chk.original
            cur = ui.current_curves(loaded, res, target, method, layer if method == "Grad-CAM" else None,
                                    heat_crop, steps, lambda d, t: bar.progress(
                                        d / t, text=f"Deletion and insertion: {d}/{t} images"))
            depth = (ui.current_depth_deletion(loaded, res, target, steps, lambda d, t: bar.progress(
                d / t, text=f"Deletion through the depth: {d}/{t} images")) if method == "Grad-CAM" else [])
        except (RuntimeError, ValueError) as e:
            ui.show_error(f"Checking the map failed: {e}")
            chk = None
        finally:
            bar.empty()
        if chk is not None:
            crop = res.preprocessed.stages["cropped"]
            st.markdown(f"**Cascading randomisation** of {method}"
                        + (f" at {chk.layer}" if chk.layer else "") + " for "
                        + f"**{cats[target]}**: ρ = Spearman rank correlation with the original map.")
            shown = [("original", chk.original, 1.0)] + [(f"→ {s.randomised}", s.crop_map, s.spearman)
                                                         for s in chk.steps]
            for col, (name, m, rho) in zip(st.columns(len(shown)), shown):
                col.image(attribution.overlay(crop, m, alpha, cmap), width="stretch")
                col.caption(f"**{name}** · ρ {rho:.2f}")
            st.caption("Each step re-initialises that layer (or conv block) and keeps every layer above it "
                       "random. A map that still looks like the first one after fc8…fc6 and conv5 are random "
                       "is explaining edges of the image, not the class. Beware: maps with large zero areas "
                       "(Grad-CAM's ReLU) give ρ from few pixels.")
            m1, m2, m3, m4 = st.columns(4)
            m1.metric("Deletion AUC", f"{cur.auc('deletion'):.3f}",
                      f"{cur.auc('deletion') - cur.auc('deletion', 'random'):+.3f} vs random", delta_color="inverse",
                      help="Area under the probability as the most important pixels are greyed out: lower is better.")
            m2.metric("Deletion AUC, random order", f"{cur.auc('deletion', 'random'):.3f}")
            m3.metric("Insertion AUC", f"{cur.auc('insertion'):.3f}",
                      f"{cur.auc('insertion') - cur.auc('insertion', 'random'):+.3f} vs random",
                      help="Area under the probability as pixels are put back into a blurred image: higher is better.")
            m4.metric("Insertion AUC, random order", f"{cur.auc('insertion', 'random'):.3f}")
            st.plotly_chart(trust.curves_figure(cur, cats[target]), width="stretch", key="gc_trust_curves")
            st.caption(f"{cur.passes} forward passes in {cur.seconds:.1f} s. Where it can mislead: greyed-out "
                       "pixels make an image unlike any training image, so the probability can fall because of "
                       "the grey blotches themselves; and a faithful map can still point at a shortcut "
                       "(a watermark, the background) the network learned.")
            if depth:
                st.markdown("**Which layer?** The depth sweep's maps, each with its deletion AUC (lower: its "
                            "order removes the evidence sooner).")
                best = min(range(len(depth)), key=lambda i: depth[i][1])
                for i, (col, (c, auc)) in enumerate(zip(st.columns(len(depth)), depth)):
                    col.image(attribution.overlay(crop, c.crop_map, alpha, cmap), width="stretch")
                    col.caption(f"**{c.layer}** · deletion AUC {auc:.3f}" + (" ✅" if i == best else ""))

# ---------------------------------------------------------------- methods
st.subheader("Compare methods")
on_gpu = loaded.device.type == "cuda"
show = st.toggle("Compute Guided Grad-CAM and saliency", value=on_gpu, key="gc_methods",
                 help="One more forward and backward pass through the whole network per method.")
if show:
    ig = st.checkbox("…and Integrated Gradients (16 steps: 16 more passes)", key="gc_ig")
    # occlusion: patch and stride per input size (224 px: 8..112; the mini family's 64 px: 2..32)
    size = loaded.input_size
    d_patch, d_stride = attribution.occlusion_defaults(size)
    lo, hi = max(1, size // 28), size // 2
    pk, sk = f"gc_occ_patch_{size}", f"gc_occ_stride_{size}"
    st.session_state.setdefault(pk, d_patch)
    st.session_state.setdefault(sk, d_stride)
    if st.session_state[sk] > st.session_state[pk]:
        st.session_state[sk] = st.session_state[pk]
    passes = attribution.occlusion_passes(size, st.session_state[pk], st.session_state[sk])
    occ_on = st.toggle(f"Occlusion (slides a grey patch; {passes} forward passes)", key="gc_occ",
                       help="Hides each place in turn with a square of the mean colour and records how much "
                            "the class score (logit) drops; no gradients, but one forward pass per position.")
    occ = None
    if occ_on:
        o1, o2 = st.columns(2)
        n_side = round((passes - 1) ** 0.5)
        count = (f"{passes} forward passes with these settings: {n_side}×{n_side} patch positions "
                 "plus the unoccluded image.")
        patch = o1.number_input(f"Patch size (px, {lo}–{hi})", lo, hi, step=1, key=pk,
                                help=f"The side of the grey square. {count}")
        stride = o2.number_input(f"Stride (px, {lo}–patch)", lo, int(patch), step=1, key=sk,
                                 help=f"How far the square moves each step; the map is no finer than this. "
                                      f"Half the stride: about four times the passes. {count}")
        occ = (int(patch), int(stride))
        okey = (res.digest, target, occ)           # a new map counts against the session's budget
        if st.session_state.get("gc_occ_key") != okey:
            if ui.allowed("heavy"):
                st.session_state["gc_occ_key"] = okey
            else:
                occ = None
    bar = st.progress(0.0, text="Occlusion…") if occ else None

    def occ_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=f"Occlusion: {done}/{total} forward passes")

    try:
        methods = ui.current_compare_methods(loaded, res, target, layer, 16 if ig else 0, occ, occ_progress)
    except (RuntimeError, ValueError) as e:
        ui.show_error(f"Comparing methods failed: {e}")
        methods, occ = {}, None
    finally:
        if bar:
            bar.empty()
    crop = res.preprocessed.stages["cropped"]
    for col, (name, m) in zip(st.columns(max(1, len(methods))), methods.items()):
        col.image(attribution.overlay(crop, m, alpha, cmap), width="stretch")
        col.markdown(f"**{name}**")
        col.caption(attribution.METHOD_NOTES[name])
    st.caption(f"All over the {loaded.input_size} px crop the network sees. Pixel-level maps show the largest "
               "|attribution| over the colour channels, scaled to their 99.5th percentile.")
    if occ:
        o = ui.current_occlusion(loaded, res, target, *occ)
        st.caption(f"Occlusion of **{o.label}** ({o.target}), patch {o.patch} px, stride {o.stride} px, "
                   f"{o.passes} forward passes: the logit is {o.score:.3g} unoccluded; the largest drop is "
                   f"{o.raw_max:.3g}, the largest rise {max(0.0, -o.raw_min):.3g} (rises are shown as 0: "
                   f"hiding there makes the class *more* likely).")

# ---------------------------------------------------------------- depths
st.subheader("Compare depths: VGG11, 13, 16, 19")
st.caption(f"Each network's own top-5 and its Grad-CAM of **{cats[target]}** at its last conv. "
           "Networks not already loaded are loaded one at a time and dropped again.")
key = ("gc_depths", res.digest, target, sel.weights, sel.device)
if st.button("Compare depths", key="gc_depths_button") and ui.allowed("heavy"):
    bar = st.progress(0.0, text="Starting…")

    def progress(done: int, total: int, variant: str) -> None:
        text = f"{VARIANTS[variant].label}: loading, analysing, Grad-CAM ({done + 1}/{total})" if variant else "Done"
        bar.progress(done / total, text=text)

    try:
        st.session_state["gc_depths"] = (key, ui.compare_depths(image, target, sel, progress))
    except (RuntimeError, ValueError, MemoryError) as e:
        ui.show_error(f"Comparing depths failed: {e}")
    bar.empty()
stored = st.session_state.get("gc_depths")
if stored and stored[0] == key:
    for col, row in zip(st.columns(len(stored[1])), stored[1]):
        c = row["gradcam"]
        col.image(attribution.overlay(small, c.image_map(small_box, small.size), alpha, cmap, small_box), width="stretch")
        col.markdown(f"**{VARIANTS[row['variant']].label}** · {row['layer']} · {row['weights']} weights")
        col.caption(f"{cats[target]}: {100 * c.prob:.2f}%")
        col.markdown("\n".join(f"{i + 1}. {p.label} {100 * p.prob:.1f}%" for i, p in enumerate(row["top"])))
