import time

import numpy as np
import streamlit as st

from vggviz import attribution, transfer, ui
from vggviz.images import ImageError, SUPPORTED_TYPES, load_image, load_image_file, sample_images
from vggviz.shapes import CLASSES as SHAPES
from vggviz.variants import VARIANTS

sel = ui.selection()
st.title("Teach it your own classes")
st.markdown(
    "Transfer learning as the tutorials do it: the network stays **frozen**; each of your images goes "
    "through it once and comes out as a vector of features (the output of `pool5`, `fc6` or `fc7`). "
    "A **new last layer** (a logistic regression: one linear layer and a softmax) is trained on those "
    "vectors, in a second or so. Then any image gets your classes' probabilities."
)
loaded = ui.current_model(sel)
ui.weights_banner(loaded)
if loaded is None:
    ui.end_page()
mini = VARIANTS[loaded.variant].mini
if not loaded.trained:
    st.warning("These weights are untrained: the features are **random projections** of the pixels, not "
               "what a trained VGG sees. Train a new layer anyway and look at the held-out accuracy: "
               "usually near chance. That is the lesson: transfer learning transfers what was learned.")

ss = st.session_state
model_key = (loaded.variant, loaded.requested, loaded.source, str(loaded.device))
if ss.get("tr_model") != model_key:          # features of another model are worth nothing here
    ss["tr_model"], ss["tr_feats"] = model_key, {}
ss.setdefault("tr_gen", {})

# ---------------------------------------------------------------- classes
c1, c2 = st.columns(2)
n = c1.number_input("How many classes?", transfer.MIN_CLASSES, transfer.MAX_CLASSES, 2, key="tr_n")
layer = c2.selectbox("Features of layer", transfer.FEATURE_LAYERS, index=transfer.FEATURE_LAYERS.index("fc7"),
                     key="tr_layer",
                     help="pool5: the last feature maps, flattened (where the convolutions end). fc6, fc7: the "
                          "fully connected layers, after their ReLU (fc7 is what the tutorials use).")
samples = sample_images()
classes: list[tuple[str, list]] = []
for i in range(int(n)):
    with st.container(border=True):
        default = SHAPES[i] if mini else f"class {i + 1}"
        name = st.text_input(f"Class {i + 1}: its name", value=default, key=f"tr_name_{i}", max_chars=40).strip()
        ups = st.file_uploader("Images (several at once)", type=SUPPORTED_TYPES, accept_multiple_files=True,
                               key=f"tr_up_{i}")
        g1, g2, g3 = st.columns([2, 1, 2])
        shape = g1.selectbox("Generated shape", SHAPES, index=i % len(SHAPES), key=f"tr_shape_{i}",
                             help="The shapes lab's generator: what the mini family was trained on.")
        count = g2.number_input("How many", 1, transfer.MAX_PER_CLASS, 10, key=f"tr_count_{i}")
        gen = ss["tr_gen"].setdefault(i, [])
        if g3.button(f"Fill with {int(count)} generated shapes", key=f"tr_fill_{i}"):
            pics = transfer.shape_images(shape, int(count), seed=1 + i)
            gen[:] = [transfer.as_image(p, f"{shape} {k + 1}") for k, p in enumerate(pics)]
        if samples:
            picked = st.multiselect("Bundled sample photos", list(samples), key=f"tr_samples_{i}")
        else:
            picked = []
        if st.button("Empty this class", key=f"tr_clear_{i}"):
            gen.clear()
        imgs = list(gen)
        for title in picked:
            try:
                imgs.append(load_image_file(samples[title]))
            except ImageError as e:
                ui.show_error(e)
        for up in ups or []:
            try:
                imgs.append(load_image(up.getvalue(), up.name))
            except ImageError as e:
                ui.show_error(e)
        if len(imgs) > transfer.MAX_PER_CLASS:
            st.warning(f"Only the first {transfer.MAX_PER_CLASS} images of a class are used.")
            imgs = imgs[: transfer.MAX_PER_CLASS]
        if imgs:
            st.image([im.image for im in imgs[:12]], width=56)
            st.caption(f"{len(imgs)} image{'s' if len(imgs) != 1 else ''}" + (" (first 12 shown)" if len(imgs) > 12 else ""))
        classes.append((name, imgs))
for i in list(ss["tr_gen"]):
    if i >= int(n):                         # per-session state stays bounded
        del ss["tr_gen"][i]

names = [c for c, _ in classes]
problem = ""
if any(not c for c in names):
    problem = "Give every class a name."
elif len(set(names)) < len(names):
    problem = "Give every class a different name."
elif any(not ims for _, ims in classes):
    problem = "Every class needs at least one image: upload some, pick sample photos or fill it with shapes."
signature = (model_key, layer, tuple((c, tuple(im.digest for im in ims)) for c, ims in classes))

# ---------------------------------------------------------------- training
if problem:
    st.info(problem)
elif st.button("🎓 Train the new last layer", type="primary", key="tr_train"):
    feats = ss["tr_feats"]
    todo = {im.digest: im for _, ims in classes for im in ims if im.digest not in feats}
    try:
        if todo:
            bar = st.progress(0.0, text="Features: one forward pass per image…")
            got = transfer.features(loaded, list(todo.values()),
                                    lambda d, t: bar.progress(d / t, text=f"Features: {d} / {t} images"))
            for k, d in enumerate(todo):
                feats[d] = {ly: got[ly][k].astype(np.float32) for ly in transfer.FEATURE_LAYERS}
            bar.empty()
        keep = {im.digest for _, ims in classes for im in ims}
        for d in [d for d in feats if d not in keep]:
            del feats[d]                     # only the current classes' features are kept
        per_class = {c: np.stack([feats[im.digest][layer] for im in ims]) for c, ims in classes}
        bar = st.progress(0.0, text="Training…")
        t0 = time.perf_counter()
        head = transfer.fit(loaded, per_class, layer,
                            progress=lambda s, t, loss: bar.progress(s / t, text=f"Training: step {s} / {t}, loss {loss:.3f}"))
        bar.progress(1.0, text="Held-out accuracy (5-fold cross-validation)…")
        cv = transfer.cross_val_accuracy(per_class)
        bar.empty()
        ss["tr_head"] = (signature, head, cv, per_class, time.perf_counter() - t0)
    except (RuntimeError, ValueError, MemoryError) as e:
        ui.show_error(f"Training failed: {e}")

kept = ss.get("tr_head")
if kept is None:
    ui.end_page()
sig, head, cv, per_class, secs = kept
if sig != signature:
    st.info("Your classes or the layer changed since the last training: train again to update what follows.")
    ui.end_page()

m1, m2, m3 = st.columns(3)
m1.metric("Train accuracy", f"{100 * head.train_accuracy:.0f}%",
          help="On the images it was trained on. With hundreds of feature dimensions and a few examples this "
               "is nearly always 100%, even on random features: do not trust it alone.")
m2.metric("Held-out accuracy", "—" if cv is None else f"{100 * cv:.0f}%",
          help="5-fold cross-validation: each image predicted by a layer trained without it. Chance is "
               f"{100 / len(head.classes):.0f}%. Needs at least 2 images per class.")
m3.metric("Training time", f"{secs:.1f} s", help="The new layer, plus the cross-validation (features not counted).")
st.plotly_chart(transfer.pca_figure(per_class, layer), width="stretch", key="tr_pca")
st.caption("Each dot is one of your images, its features squeezed to two numbers by PCA (the two directions "
           "in which your examples differ most). Classes that form separate clouds are easy for a linear "
           "layer; but PCA keeps only two of many dimensions, so overlapping clouds can still be separable.")
d1, d2 = st.columns(2)
d1.download_button("Download your classifier (.pth)", transfer.head_bytes(head),
                   file_name=f"{loaded.variant}_{layer}_head.pth", key="tr_download",
                   help='A dict {"state_dict", "classes", "layer", "variant"}: torch.load(f, weights_only=True).')
if layer == "fc7":
    d2.download_button("Download the whole network with your classes (.pth)",
                       data=lambda: transfer.model_checkpoint(loaded, head), on_click="ignore",
                       file_name=f"{loaded.variant}_{'-'.join(head.classes)[:40]}.pth", key="tr_download_model",
                       help="Your layer in fc8's place: put it in the teacher's weights folder (or pass it to the "
                            "command line with --weights) and every page shows your classes.")
else:
    d2.caption("Train on fc7 to download the whole network with your classes (a pool5 or fc6 layer does "
               "not fit in VGG's own fc8).")

# ---------------------------------------------------------------- a new image
st.subheader("Try it on a new image")
sources = (["The sidebar's image"] if ui.current_image() is not None else []) + ["A generated shape", "Upload one"]
src = st.radio("Image", sources, horizontal=True, key="tr_src")
image = None
if src == "The sidebar's image":
    image = ui.current_image()
elif src == "Upload one":
    up = st.file_uploader("An image to classify", type=SUPPORTED_TYPES, key="tr_test_up")
    if up is not None:
        try:
            image = load_image(up.getvalue(), up.name)
        except ImageError as e:
            ui.show_error(e)
else:
    t1, t2 = st.columns(2)
    shape = t1.selectbox("Shape", SHAPES, key="tr_test_shape")
    k = t2.number_input("Example number", 0, 999, 0, key="tr_test_k")
    image = transfer.as_image(transfer.shape_images(shape, 1, seed=1000 + int(k))[0], f"{shape} (new)")
if image is None:
    ui.end_page()
res = ui.current_analysis(loaded, image)
if res is None:
    ui.end_page()
probs = transfer.predict(head, transfer.features_from_analysis(loaded, res))[0]
left, right = st.columns([2, 3])
left.image(image.image, width=224)
right.plotly_chart(transfer.probs_figure(head.classes, probs), width="stretch", key="tr_probs")
best = int(np.argmax(probs))
right.caption(f"Your layer says **{head.classes[best]}** ({100 * float(probs[best]):.1f}%). It can only choose "
              "among your classes: a picture of something else still gets one of them.")

if ss.get("tr_cam_for") != (res.digest, signature) or ss.get("tr_cam_target") not in range(len(head.classes)):
    ss["tr_cam_for"], ss["tr_cam_target"] = (res.digest, signature), best     # a new image: its best class
target = st.selectbox("Grad-CAM for your class", list(range(len(head.classes))),
                      format_func=lambda i: head.classes[i], key="tr_cam_target")
try:
    cam = transfer.gradcam(loaded, head, res, target)
except (RuntimeError, ValueError) as e:
    ui.show_error(f"Grad-CAM failed: {e}")
    ui.end_page()
box = res.preprocessed.crop_box
over = attribution.overlay(image.image, cam.image_map(box, image.image.size), alpha=0.5, crop_box=box)
st.image(over, width=320)
st.caption(f"Grad-CAM of your class **{cam.label}** at {cam.layer}: where the frozen network's maps hold "
           "evidence that your new layer counts for this class.")
st.caption("Not built yet: fine-tuning the last convolutional block too (slower; it would train a private copy).")
