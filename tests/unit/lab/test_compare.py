"""Sentences on screen are generated from the data: change the data, the sentence changes."""

import dataclasses
import weakref

from vggviz.data.images import load_image_file, sample_images
from vggviz.lab.compare import (
    ACCURACY_NOTE,
    bn_gains,
    bn_sentence,
    depth_sentence,
    gradcam_by_variant,
    other_layers,
    other_layers_sentence,
    variant_rows,
)


def test_bn_gains_are_torchvisions_top1_differences():
    rows = variant_rows()
    gains = {name: round(g, 2) for name, _, g in bn_gains(rows)}
    assert gains == {"VGG11": 1.35, "VGG13": 1.66, "VGG16": 1.77, "VGG19": 1.84}
    s = bn_sentence(rows)
    assert "+1.35 points (VGG11), +1.66 points (VGG13), +1.77 points (VGG16), +1.84 points (VGG19)" in s
    assert "1.5 to 2" not in s


def test_bn_sentence_follows_the_data():
    rows = variant_rows()
    changed = [dataclasses.replace(r, acc1=r.acc1 + 3.0) if r.variant == "vgg16_bn" else r for r in rows]
    assert "+4.77 points (VGG16)" in bn_sentence(changed)
    assert "+1.77" not in bn_sentence(changed)
    assert bn_sentence([r for r in rows if not r.batch_norm]) == ""


def test_depth_sentence_follows_the_data():
    rows = variant_rows()
    assert "from 11 to 19 layers adds 8% parameters" in depth_sentence(rows) and "2.6×" in depth_sentence(rows)
    vgg19 = next(r for r in rows if r.variant == "vgg19")
    bigger = [dataclasses.replace(r, macs=2 * r.macs) if r is vgg19 else r for r in rows]
    assert "5.2×" in depth_sentence(bigger)


def test_the_layers_that_are_not_3x3_convs_or_pools():
    assert other_layers() == {"A-LRN": ["LRN"], "C": ["conv1-256", "conv1-512", "conv1-512"]}
    s = other_layers_sentence()
    assert "A-LRN has 1 local response normalisation (LRN) layer" in s and "C has 3 convolutions of 1×1" in s


def test_accuracy_note_separates_single_crop_from_the_papers_ensemble():
    assert "one 224×224 centre crop" in ACCURACY_NOTE
    assert "92.7 %" in ACCURACY_NOTE and "7 networks" in ACCURACY_NOTE
    assert all(w in ACCURACY_NOTE for w in ("dense", "multi-crop", "multi-scale", "ensemble"))


# --------------------------------------------------------------------------- Grad-CAM across depths (moved from test_attribution)


def test_gradcam_by_variant_drops_the_models(vgg11, monkeypatch):
    import vggviz.model.weights as W

    made = []
    real = W.load_model

    def spy(*a, **k):
        m = real(*a, **k)
        made.append(weakref.ref(m.model))
        return m

    monkeypatch.setattr(W, "load_model", spy)
    calls = []
    img = load_image_file(sample_images()["Cat"])
    rows = gradcam_by_variant(["vgg11", "vgg11_lrn"], img, 281, "random", "cpu",
                            progress=lambda *a: calls.append(a),
                            get_model=lambda v: vgg11 if v == "vgg11" else None)
    assert [r["variant"] for r in rows] == ["vgg11", "vgg11_lrn"]
    assert calls == [(0, 2, "vgg11"), (1, 2, "vgg11_lrn"), (2, 2, "")]
    assert len(made) == 1 and made[0]() is None          # the extra model is gone
    for r in rows:
        assert r["layer"] == "conv5_2" and r["gradcam"].target == 281 and len(r["top"]) == 5
        assert r["gradcam"].crop_map.shape == (224, 224) and r["weights"] == "random"


