import vggviz.boot  # noqa: F401  (first: torch & co. imported once, in one thread)

import time

import numpy as np
import streamlit as st

from vggviz.app import ui
from vggviz.data.images import SUPPORTED_TYPES, ImageError, load_image, load_image_file, sample_images
from vggviz.data.shapes import CLASSES as SHAPES
from vggviz.explain import attribution
from vggviz.figures.prediction import probs_figure
from vggviz.i18n import _
from vggviz.lab import transfer
from vggviz.model.variants import VARIANTS

ui.page_guard()

sel = ui.selection()
st.title(_("Teach it your own classes"))
st.markdown(_(
    "Transfer learning as the tutorials do it: the network stays **frozen**; each of your images goes "
    "through it once and comes out as a vector of features (the output of `pool5`, `fc6` or `fc7`). "
    "A **new last layer** (a logistic regression: one linear layer and a softmax) is trained on those "
    "vectors, in a second or so. Then any image gets your classes' probabilities."
))
loaded = ui.current_model(sel)
if loaded is None:
    ui.end_page()
mini = VARIANTS[loaded.variant].mini
ui.untrained_weights(loaded, _("The features are **random projections** of the pixels, not what a trained VGG "
                               "sees. Train a new layer anyway and look at the held-out accuracy: usually near "
                               "chance. That is the lesson: transfer learning transfers what was learned."))

ss = st.session_state
model_key = (loaded.variant, loaded.requested, loaded.source, str(loaded.device))
if ss.get("own_model") != model_key:          # features of another model are worth nothing here
    ss["own_model"], ss["own_feats"] = model_key, {}
    ss.pop("own_ft_result", None)
ss.setdefault("own_gen", {})
ss.setdefault("own_photos", {})
ss.setdefault("own_photo_seen", {})

# ---------------------------------------------------------------- classes
c1, c2 = st.columns(2)
n = c1.number_input(_("How many classes?"), transfer.MIN_CLASSES, transfer.MAX_CLASSES, 2, key="own_n")
layer = c2.selectbox(_("Features of layer"), transfer.FEATURE_LAYERS, index=transfer.FEATURE_LAYERS.index("fc7"),
                     key="own_layer",
                     help=_("pool5: the last feature maps, flattened (where the convolutions end). fc6, fc7: the "
                            "fully connected layers, after their ReLU (fc7 is what the tutorials use)."))
finetune = st.toggle(_("Fine-tune the last block too (conv5_x)"), key="own_ft",
                     help=_("Also trains the last convolutional block together with the new layer, on a private "
                            "copy of it (the shared network is never changed). Slower; counts as a heavy run."))
if finetune:
    f1, f2 = st.columns(2)
    ft_epochs = f1.number_input(_("Epochs"), 1, transfer.FINETUNE_MAX_EPOCHS, transfer.FINETUNE_EPOCHS,
                                key="own_ft_epochs", help=_("Passes over your training images."))
    ft_seconds = f2.select_slider(_("Time limit"), [15, 30, 60, 120], value=int(transfer.FINETUNE_SECONDS),
                                  key="own_ft_seconds", format_func={s: _("{s} s").format(s=s) for s in (15, 30, 60, 120)}.get,
                                  help=_("Fine-tuning stops after this, even if epochs are left."))
    st.caption(_("The tutorials' recipe: first the new layer alone on frozen features, then the last block and "
                 "the new layer together with a small learning rate (SGD, 0.0001 for the block). Every fifth "
                 "image of each class (the 2nd, 7th, …) is held out, and both the frozen-features layer and the "
                 "fine-tuned network are scored on those same images."))
else:
    ft_epochs, ft_seconds = transfer.FINETUNE_EPOCHS, int(transfer.FINETUNE_SECONDS)

samples = sample_images()
# format_funcs are dicts made now, in this run's language (a lambda calling _() later could run
# in another thread, where the session's language is not set)
shape_label = {c: _(c) for c in SHAPES}
sample_label = {t: _(t) for t in samples}
classes: list[tuple[str, list]] = []
for i in range(int(n)):
    with st.container(border=True):
        default = _(SHAPES[i]) if mini else _("class {n}").format(n=i + 1)
        if ss.get(f"own_name_{i}") in (None, _(SHAPES[i]), _("class {n}").format(n=i + 1)):
            ss[f"own_name_{i}"] = default     # a default name follows the model's family; a typed one stays
        name = st.text_input(_("Class {n}: its name").format(n=i + 1), key=f"own_name_{i}", max_chars=40).strip()
        ups = st.file_uploader(_("Images (several at once)"), type=SUPPORTED_TYPES, accept_multiple_files=True,
                               key=f"own_up_{i}")
        with st.expander(_("…or take a photo")):
            cam = st.camera_input(_("Camera"), key=f"own_cam_{i}", label_visibility="collapsed")
            st.caption(_("Each photo you take is added to this class; clear the photo to take the next one."))
        g1, g2, g3 = st.columns([2, 1, 2])
        shape = g1.selectbox(_("Generated shape"), SHAPES, index=i % len(SHAPES), key=f"own_shape_{i}",
                             format_func=shape_label.get, help=_("The shapes lab's generator: what the mini family was trained on."))
        count = g2.number_input(_("How many"), 1, transfer.MAX_PER_CLASS, 10, key=f"own_count_{i}")
        gen = ss["own_gen"].setdefault(i, [])
        photos = ss["own_photos"].setdefault(i, [])
        if g3.button(_("Fill with {n} generated shapes").format(n=int(count)), key=f"own_fill_{i}"):
            pics = transfer.shape_images(shape, int(count), seed=1 + i)
            gen[:] = [transfer.as_image(p, f"{shape} {k + 1}") for k, p in enumerate(pics)]
        if samples:
            picked = st.multiselect(_("Bundled sample photos"), list(samples), key=f"own_samples_{i}", format_func=sample_label.get)
        else:
            picked = []
        if st.button(_("Empty this class"), key=f"own_clear_{i}"):
            gen.clear()
            photos.clear()
        if cam is not None:                  # a new photo joins the class once; a bad one gets one line
            seen = ss["own_photo_seen"].get(i)
            photo_sig = (getattr(cam, "file_id", None), cam.size)
            if seen is None or seen[0] != photo_sig:
                if ui.take_budget("uploads"):
                    try:
                        photos.append(load_image(cam.getvalue(), f"photo {len(photos) + 1}"))
                        ss["own_photo_seen"][i] = (photo_sig, "")
                    except ImageError as e:
                        ss["own_photo_seen"][i] = (photo_sig, str(e))
                    del photos[: -transfer.MAX_PER_CLASS]
            if ss["own_photo_seen"].get(i, (None, ""))[1]:
                ui.show_error(ss["own_photo_seen"][i][1])
        imgs = list(gen) + list(photos)
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
            st.warning(_("Only the first {n} images of a class are used.").format(n=transfer.MAX_PER_CLASS))
            imgs = imgs[: transfer.MAX_PER_CLASS]
        if imgs:
            st.image([im.image for im in imgs[:12]], width=56)
            if len(imgs) == 1:
                st.caption(_("1 image"))
            elif len(imgs) > 12:
                st.caption(_("{n} images (the first {k} shown)").format(n=len(imgs), k=12))
            else:
                st.caption(_("{n} images").format(n=len(imgs)))
        classes.append((name, imgs))
for store in ("own_gen", "own_photos", "own_photo_seen"):
    for i in list(ss[store]):
        if i >= int(n):                         # per-session state stays bounded
            del ss[store][i]

names = [c for c, _imgs in classes]
problem = ""
if any(not c for c in names):
    problem = _("Give every class a name.")
elif len(set(names)) < len(names):
    problem = _("Give every class a different name.")
elif any(not ims for _name, ims in classes):
    problem = _("Every class needs at least one image: upload some, take photos, pick sample photos or fill it "
                "with shapes.")
signature = (model_key, layer, tuple((c, tuple(im.digest for im in ims)) for c, ims in classes))
ft_signature = (signature, int(ft_epochs), int(ft_seconds))

# ---------------------------------------------------------------- training
if problem:
    st.info(problem)
elif st.button(_("🎓 Train the new last layer"), type="primary", key="own_train"):
    feats = ss["own_feats"]
    todo = {im.digest: im for _name, ims in classes for im in ims if im.digest not in feats}
    try:
        if todo:
            bar = st.progress(0.0, text=_("Features: one forward pass per image…"))
            got = transfer.features(loaded, list(todo.values()),
                                    lambda d, t: bar.progress(d / t, text=_("Features: {d} / {t} images").format(d=d, t=t)))
            for k, d in enumerate(todo):
                feats[d] = {ly: got[ly][k].astype(np.float32) for ly in transfer.FEATURE_LAYERS}
            bar.empty()
        keep = {im.digest for _name, ims in classes for im in ims}
        for d in [d for d in feats if d not in keep]:
            del feats[d]                     # only the current classes' features are kept
        per_class = {c: np.stack([feats[im.digest][layer] for im in ims]) for c, ims in classes}
        bar = st.progress(0.0, text=_("Training…"))
        t0 = time.perf_counter()
        head = transfer.fit(loaded, per_class, layer,
                            progress=lambda s, t, loss: bar.progress(
                                s / t, text=_("Training: step {s} / {t}, loss {loss:.3f}").format(s=s, t=t, loss=loss)))
        bar.progress(1.0, text=_("Held-out accuracy (5-fold cross-validation)…"))
        cv = transfer.cross_val_accuracy(per_class)
        bar.empty()
        ss["own_head"] = (signature, head, cv, per_class, time.perf_counter() - t0)
    except (RuntimeError, ValueError, MemoryError) as e:
        ui.show_error(_("Training failed: {error}").format(error=e))
    else:
        if finetune and ui.take_budget("heavy"):
            bar = st.progress(0.0, text=_("Fine-tuning: features up to pool4…"))

            def show(stage, d, t, loss):
                if stage == "features":
                    bar.progress(0.1 * d / t, text=_("Fine-tuning: features up to pool4, {d} / {t} images").format(d=d, t=t))
                else:
                    bar.progress(0.1 + 0.9 * d / t, text=_("Fine-tuning conv5 and the new layer: step {s} / {t}, "
                                                           "loss {loss:.3f}").format(s=d, t=t, loss=loss))
            try:
                tuned = transfer.finetune(loaded, {c: ims for c, ims in classes}, layer, epochs=int(ft_epochs),
                                          seconds=float(ft_seconds), progress=show)
                ss["own_ft_result"] = (ft_signature, tuned)
            except (RuntimeError, ValueError, MemoryError) as e:
                ui.show_error(_("Fine-tuning failed: {error}").format(error=e))
            bar.empty()

kept = ss.get("own_head")
if kept is None:
    ui.end_page()
sig, head, cv, per_class, secs = kept
if sig != signature:
    st.info(_("Your classes or the layer changed since the last training: train again to update what follows."))
    ui.end_page()


def pct(v) -> str:
    return "—" if v is None else f"{100 * v:.0f}%"


m1, m2, m3 = st.columns(3)
m1.metric(_("Train accuracy"), pct(head.train_accuracy),
          help=_("On the images it was trained on. With hundreds of feature dimensions and a few examples this "
                 "is nearly always 100%, even on random features: do not trust it alone."))
m2.metric(_("Held-out accuracy"), pct(cv),
          help=_("5-fold cross-validation: each image predicted by a layer trained without it. Chance is "
                 "{chance:.0f}%. Needs at least 2 images per class.").format(chance=100 / len(head.classes)))
m3.metric(_("Training time"), _("{s:.1f} s").format(s=secs),
          help=_("The new layer, plus the cross-validation (features not counted)."))
st.plotly_chart(transfer.pca_figure(per_class, layer), width="stretch", key="own_pca")
st.caption(_("Each dot is one of your images, its features squeezed to two numbers by PCA (the two directions "
             "in which your examples differ most). Classes that form separate clouds are easy for a linear "
             "layer; but PCA keeps only two of many dimensions, so overlapping clouds can still be separable."))
d1, d2 = st.columns(2)
d1.download_button(_("Download your classifier (.pth)"), transfer.head_bytes(head),
                   file_name=f"{loaded.variant}_{layer}_head.pth", key="own_download",
                   help=_('A dict {{"state_dict", "classes", "layer", "variant"}}: torch.load(f, weights_only=True).').format())
if layer == "fc7":
    d2.download_button(_("Download the whole network with your classes (.pth)"),
                       data=lambda: transfer.model_checkpoint(loaded, head), on_click="ignore",
                       file_name=f"{loaded.variant}_{'-'.join(head.classes)[:40]}.pth", key="own_download_model",
                       help=_("Your layer in fc8's place: put it in the teacher's weights folder (or pass it to the "
                              "command line with --weights) and every page shows your classes."))
else:
    d2.caption(_("Train on fc7 to download the whole network with your classes (a pool5 or fc6 layer does "
                 "not fit in VGG's own fc8)."))

# ---------------------------------------------------------------- fine-tuned
tuned = None
if finetune:
    ft_kept = ss.get("own_ft_result")
    if ft_kept is not None and ft_kept[0] == ft_signature:
        tuned = ft_kept[1]
    st.subheader(_("Fine-tuned: the last block and the new layer together"))
    if tuned is None:
        st.info(_("Not fine-tuned for these classes and settings yet: press Train to fine-tune."))
    else:
        f1, f2, f3 = st.columns(3)
        f1.metric(_("Held-out, frozen features"), pct(tuned.frozen_heldout),
                  help=_("A new layer on the frozen network's features, trained on the same images."))
        f2.metric(_("Held-out, fine-tuned"), pct(tuned.heldout),
                  delta=None if tuned.heldout is None or tuned.frozen_heldout is None
                  else _("{d:+.0f} points").format(d=100 * (tuned.heldout - tuned.frozen_heldout)),
                  help=_("The fine-tuned block and its new layer, on the same held-out images."))
        f3.metric(_("Fine-tuning time"), _("{s:.1f} s").format(s=tuned.seconds),
                  help=_("Features up to pool4, the frozen-features layer, then the block and the layer together."))
        if tuned.n_heldout:
            st.caption(_("Trained on {n} images, tested on {m} held-out images (chance is {chance:.0f}%); "
                         "{epochs} epochs, {steps} steps.").format(
                n=tuned.n_train, m=tuned.n_heldout, chance=100 / len(tuned.head.classes),
                epochs=tuned.epochs, steps=tuned.steps))
        else:
            st.caption(_("Every class needs at least 2 images for a held-out test."))
        if tuned.stopped_by_time:
            st.warning(_("Stopped by the time limit after {steps} of {total} steps.").format(
                steps=tuned.steps, total=tuned.total_steps))
        if not loaded.trained:
            st.caption(_("With random weights there is nothing to fine-tune from: both numbers are about chance."))
        if layer == "fc7":
            st.download_button(_("Download the fine-tuned network with your classes (.pth)"),
                               data=lambda: tuned.checkpoint(loaded), on_click="ignore",
                               file_name=f"{loaded.variant}_finetuned_{'-'.join(tuned.head.classes)[:40]}.pth",
                               key="own_download_ft",
                               help=_("The fine-tuned conv5 block and your layer in fc8's place: it opens in the "
                                      "teacher's weights folder and with --weights, like the frozen one."))
        else:
            st.caption(_("Train on fc7 to download the fine-tuned network."))

# ---------------------------------------------------------------- a new image
st.subheader(_("Try it on a new image"))
SIDEBAR_IMG, SHAPE_IMG, UPLOAD_IMG = "sidebar", "shape", "upload"
SOURCE_LABELS = {SIDEBAR_IMG: _("The sidebar's image"), SHAPE_IMG: _("A generated shape"), UPLOAD_IMG: _("Upload one")}
sources = ([SIDEBAR_IMG] if ui.current_image() is not None else []) + [SHAPE_IMG, UPLOAD_IMG]
src = st.radio(_("Image"), sources, horizontal=True, key="own_src", format_func=SOURCE_LABELS.get)
image = None
if src == SIDEBAR_IMG:
    image = ui.current_image()
elif src == UPLOAD_IMG:
    up = st.file_uploader(_("An image to classify"), type=SUPPORTED_TYPES, key="own_test_up")
    if up is not None:
        try:
            image = load_image(up.getvalue(), up.name)
        except ImageError as e:
            ui.show_error(e)
else:
    t1, t2 = st.columns(2)
    shape = t1.selectbox(_("Shape"), SHAPES, key="own_test_shape", format_func=shape_label.get)
    k = t2.number_input(_("Example number"), 0, 999, 0, key="own_test_k")
    image = transfer.as_image(transfer.shape_images(shape, 1, seed=1000 + int(k))[0], f"{shape} (new)")
if image is None:
    ui.end_page()
res = ui.current_analysis(loaded, image)
if res is None:
    ui.end_page()
FROZEN, TUNED = "frozen", "finetuned"
use = FROZEN
if tuned is not None:
    use = st.radio(_("Classifier"), [TUNED, FROZEN], horizontal=True, key="own_use",
                   format_func={TUNED: _("Fine-tuned network"), FROZEN: _("Frozen features")}.get)
if use == TUNED:
    head_now = tuned.head
    probs = transfer.finetuned_predict_from_analysis(loaded, tuned, res)[0]
else:
    head_now = head
    probs = transfer.predict(head, transfer.features_from_analysis(loaded, res))[0]
left, right = st.columns([2, 3])
left.image(image.image, width=224)
right.plotly_chart(probs_figure(head_now.classes, probs), width="stretch", key="own_probs")
best = int(np.argmax(probs))
right.caption(_("Your layer says **{label}** ({p:.1f}%). It can only choose among your classes: a picture of "
                "something else still gets one of them.").format(label=head_now.classes[best], p=100 * float(probs[best])))

cam_for = (res.digest, signature, use)
if ss.get("own_cam_for") != cam_for:
    ss["own_cam_for"], ss["own_cam_target"] = cam_for, best     # a new image: its best class
ui.keep_choice("own_cam_target", range(len(head_now.classes)), best)
target = st.selectbox(_("Grad-CAM for your class"), list(range(len(head_now.classes))),
                      format_func=lambda i: head_now.classes[i], key="own_cam_target")
try:
    cam = transfer.gradcam(loaded, head, res, target, tuned=tuned if use == TUNED else None)
except (RuntimeError, ValueError) as e:
    ui.show_error(_("Grad-CAM failed: {error}").format(error=e))
    ui.end_page()
box = res.preprocessed.crop_box
over = attribution.overlay(image.image, cam.image_map(box, image.image.size), alpha=0.5, crop_box=box)
st.image(over, width=320)
st.caption(_("Grad-CAM of your class **{label}** at {layer}: where the network's maps hold evidence that your "
             "new layer counts for this class.").format(label=cam.label, layer=cam.layer))
