"""Training the mini VGGs: the recipe (its warm-up and cosine schedule, batch norm for any
configuration), the initialisations, a tiny run that learns, cancellation, the final model kept,
and the bundled checkpoints (≥ 85 % on fresh shapes of today's twelve-class world)."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from vggviz.data import shapes
from vggviz.lab import training
from vggviz.lab.training import FROM_A_LAYERS, Cancelled, Recipe, TrainingError, train
from vggviz.model.layers import named_layers
from vggviz.model.variants import MINI_VARIANTS, build
from vggviz.model.weights import bundled_path, load_model

TINY = Recipe(epochs=1, batch_size=16, train_size=64, val_size=32, max_batches=4, bn=False)   # plain: the tests below read its layers


def test_the_labs_recipe_is_the_default():
    r = Recipe()
    assert (r.momentum, r.weight_decay, r.init, r.bn, r.optimizer) == (0.9, 5e-4, "he", True, "sgd")
    assert (r.epochs, r.batch_size, r.lr, r.dropout, r.train_size) == (4, 32, 0.02, 0.0, 6000)
    assert hash(r) == hash(Recipe())           # identical requests are equal keys
    assert Recipe(init="default") == Recipe(init="random") == Recipe()    # the old names of He init


def test_learning_rate_warms_up_then_anneals_to_zero():
    r = Recipe(epochs=2, batch_size=10, train_size=100, lr=0.1, warmup=0.1)     # 20 steps, 2 of warm-up
    lrs = [training.lr_at(r, k) for k in range(r.steps)]
    assert r.steps == 20 and lrs[:3] == pytest.approx([0.05, 0.1, 0.1])
    assert all(a >= b for a, b in zip(lrs[1:], lrs[2:])) and 0 < lrs[-1] < 0.002
    assert training.lr_at(r, r.steps) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("bad, match", [
    (dict(epochs=0), "epochs"), (dict(init="xavier"), "initialisation"), (dict(lr=0.0), "learning rate"),
    (dict(warmup=1.0), "warm-up"),
    (dict(train_size=8, batch_size=16), "at least one batch"),
])
def test_bad_recipes_say_what_is_wrong(bad, match):
    with pytest.raises(TrainingError, match=match):
        train("vgg11_mini", dataclasses.replace(TINY, **bad))


def test_full_size_variant_is_refused():
    with pytest.raises(TrainingError, match="only the mini variants"):
        train("vgg16", TINY)


def test_tiny_run_lowers_the_loss():
    """A few steps on one repeated batch: the loss falls (the loop, optimiser and data are wired)."""
    r = dataclasses.replace(TINY, epochs=6, train_size=16, max_batches=1, lr=0.02, dropout=0.0, weight_decay=0.0)
    res = train("vgg11_bn_mini", r)
    losses = [e.train_loss for e in res.epochs]
    assert losses[-1] < 0.8 * losses[0], losses
    assert res.params == sum(p.numel() for p in build("vgg11_bn_mini").parameters())
    assert res.classes == list(shapes.CLASSES)
    assert len(res.grad_norms) == 6 and set(res.grad_norms[0]) >= {"conv1_1", "fc8"}
    j = res.to_json()
    assert set(j) >= {"variant", "params", "classes", "epochs"}
    assert set(j["epochs"][0]) >= {"epoch", "train_loss", "val_accuracy", "seconds"}


def test_progress_and_cancel():
    seen = []

    def stop() -> bool:
        return len(seen) >= 2

    with pytest.raises(Cancelled):
        train("vgg11_mini", dataclasses.replace(TINY, epochs=3), on_progress=seen.append, should_stop=stop)
    assert seen[0].batch == 1 and seen[0].batches == 4 and 0 < seen[0].fraction < 1


def test_from_a_copies_exactly_the_layers_the_paper_names():
    a = build("vgg11_mini", seed=123)
    e = build("vgg19_mini", seed=5)
    before = {layer.name: layer.module.weight.detach().clone() for layer in named_layers(e) if layer.kind in ("conv", "fc")}
    copied = training.init_from_a(e, a)
    assert copied == FROM_A_LAYERS == ("conv1_1", "conv2_1", "conv3_1", "conv3_2", "fc6", "fc7", "fc8")
    a_layers = {layer.name: layer.module for layer in named_layers(a)}
    for layer in named_layers(e):
        if layer.kind not in ("conv", "fc"):
            continue
        if layer.name in FROM_A_LAYERS:
            assert torch.equal(layer.module.weight, a_layers[layer.name].weight), layer.name
            assert torch.equal(layer.module.bias, a_layers[layer.name].bias), layer.name
        else:
            assert torch.equal(layer.module.weight, before[layer.name]), layer.name   # untouched


def test_gaussian_init_is_the_papers():
    m = build("vgg19_mini")
    training.gaussian_init(m)
    w = torch.cat([p.flatten() for n, p in m.named_parameters() if n.endswith("weight") and p.dim() > 1])
    assert abs(float(w.std()) - 0.01) < 0.001
    assert all(float(p.abs().max()) == 0 for n, p in m.named_parameters() if n.endswith("bias"))


def test_gaussian_init_vanishes_in_deep_plain_nets():
    """The seed of the paper's from-A trick: with N(0, 0.01) everywhere, E's first layers get
    gradients orders of magnitude smaller than with the default init."""
    r = dataclasses.replace(TINY, max_batches=1)
    g = train("vgg19_mini", dataclasses.replace(r, init="gaussian")).grad_norms[0]
    k = train("vgg19_mini", r).grad_norms[0]
    assert g["conv1_1"] < 1e-3 * k["conv1_1"]


def test_checkpoint_round_trip(tmp_path):
    res = train("vgg11_mini", TINY)
    path = tmp_path / "mine.pth"
    path.write_bytes(training.checkpoint_bytes(res))
    loaded = load_model("vgg11_mini", str(path), "cpu")
    assert loaded.categories == list(shapes.CLASSES) and loaded.source == "file:mine.pth"
    for k, v in res.state_dict.items():
        assert torch.equal(loaded.model.state_dict()[k], v)


BUNDLED = [v for v in MINI_VARIANTS if bundled_path(v).is_file()]


def test_vgg16_mini_is_bundled():
    assert "vgg16_mini" in BUNDLED


@pytest.fixture(scope="module")
def heldout():
    """Fresh held-out images: a seed no training run uses."""
    return shapes.batch(2026, 0, 1000)


@pytest.mark.parametrize("variant", BUNDLED)
def test_bundled_checkpoints_know_todays_world(variant, heldout):
    """Trained on today's world (all twelve classes) and at least 85 % right on fresh images of
    it (filled, textured, outlined and sketched, on every kind of background)."""
    loaded = load_model(variant, "shapes", "cpu")
    assert loaded.source == "shapes" and loaded.trained and not loaded.note
    assert loaded.categories == list(shapes.CLASSES)
    acc = training.evaluate(loaded.model, *heldout)
    assert acc >= 0.85, f"{variant}: {acc:.3f}"


@pytest.mark.parametrize("variant", BUNDLED)
def test_bundled_models_recognise_plainly_drawn_shapes(variant):
    """Shapes drawn with Pillow's own primitives (not the generator: no rotation, noise,
    gradient or clutter), in three colour pairs and two sizes, are recognised."""
    import numpy as np

    loaded = load_model(variant, "shapes", "cpu")
    pics, labels = [], []
    for i, c in enumerate(shapes.CLASSES):
        for fill, back in (("black", "white"), ("white", "navy"), ("red", "yellow")):
            for scale in (0.4, 0.6):
                pics.append(torch.from_numpy(np.asarray(shapes.draw_plain(c, fill=fill, background=back,
                                                                          scale=scale)).copy()).permute(2, 0, 1))
                labels.append(i)
    acc = training.evaluate(loaded.model, torch.stack(pics), torch.tensor(labels))
    assert acc >= 0.9, f"{variant}: {acc:.3f}"


def test_gradcam_of_bundled_vgg16_mini_peaks_on_the_shape():
    """Where the trained network looks: for most held-out images, Grad-CAM's peak (at the last
    conv, for the true class) lies on the shape (its box, grown by the 4 px of one conv5 cell's
    half-width at 64 px)."""
    from vggviz.explain.attribution import gradcam
    from vggviz.inference.analysis import analyze

    loaded = load_model("vgg16_mini", "shapes", "cpu")
    hits, n = 0, 30
    for i in range(n):
        img, label = shapes.sample(77, i)
        box = shapes.sample_box(77, i)
        res = analyze(loaded, img)
        cam = gradcam(loaded, res, "conv4_3", label).crop_map
        y, x = divmod(int(cam.argmax()), cam.shape[1])
        x0, y0, x1, y1 = box.box
        hits += (x0 - 4 <= x <= x1 + 4) and (y0 - 4 <= y <= y1 + 4)
    assert hits >= 0.7 * n, f"{hits}/{n}"


def test_from_d_deepens_the_trained_d():
    """E started as a deepened D: every one of D's conv/FC layers copied by name, E's extra
    convs (conv3_4, conv4_4, conv5_4) left at their own initialisation."""
    d = build("vgg16_mini", seed=1)
    r = dataclasses.replace(TINY, init="from-d", max_batches=1, lr=1e-9)
    res = train("vgg19_mini", r, a_model=d)
    assert set(res.copied_from_a) == {layer.name for layer in named_layers(d) if layer.kind in ("conv", "fc")}
    assert not {"conv3_4", "conv4_4", "conv5_4"} & set(res.copied_from_a)


def test_the_same_request_gives_the_same_run():
    """Seeded throughout, dropout masks included: two identical runs end with equal weights,
    and the weights kept are the final ones (their accuracy is the last epoch's)."""
    r = dataclasses.replace(TINY, max_batches=3, epochs=2)
    a, b = train("vgg11_mini", r), train("vgg11_mini", r)
    assert [e.train_loss for e in a.epochs] == [e.train_loss for e in b.epochs]
    assert all(torch.equal(a.state_dict[k], b.state_dict[k]) for k in a.state_dict)
    m = build("vgg11_mini")
    m.load_state_dict(a.state_dict)
    assert training.evaluate(m, *training.dataset(training.VAL_SEED, r.val_size)) == a.final_accuracy


def test_batch_norm_for_any_configuration_and_glorot_init():
    """``bn`` trains the registered _bn variant where there is one, else the configuration built
    with batch norm; Glorot init sets every weight's std to sqrt(2 / (fan_in + fan_out))."""
    r = dataclasses.replace(TINY, bn=True, max_batches=1)
    assert train("vgg13_mini", r).variant == "vgg13_bn_mini"
    res = train("vgg13_5x5_mini", r)
    assert res.variant == "vgg13_5x5_mini+bn" and any(k.endswith("running_mean") for k in res.state_dict)
    name, model, _ = training.build_model("vgg16_7x7_mini", dataclasses.replace(r, init="glorot"))
    conv = model.features[0]
    fan_in, fan_out = conv.in_channels * 25, conv.out_channels * 25
    assert name == "vgg16_7x7_mini+bn" and isinstance(model.features[1], torch.nn.BatchNorm2d)
    assert float(conv.weight.std()) == pytest.approx((2 / (fan_in + fan_out)) ** 0.5, rel=0.25)


def test_from_a_with_an_earlier_worlds_classifier_copies_its_rows():
    """An eight-class A (the first world's checkpoint) starts a model of more classes: fc8's
    first rows are A's, the rest keep their initialisation; any other mismatch is refused."""
    a = build("vgg11_mini", seed=1, num_classes=8)
    e = build("vgg19_mini", seed=2, num_classes=12)
    before = e.classifier[6].weight.detach().clone()
    training.init_from_a(e, a)
    assert torch.equal(e.classifier[6].weight[:8], a.classifier[6].weight)
    assert torch.equal(e.classifier[6].weight[8:], before[8:])
    with pytest.raises(TrainingError, match="conv1_1"):
        training.init_from_a(build("vgg11_bn_mini", seed=1), build("vgg13_5x5_mini", seed=1), ("conv1_1",))
