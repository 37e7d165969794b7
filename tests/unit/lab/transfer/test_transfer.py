"""vggviz.lab.transfer: features equal a manual forward, a new last layer on the trained mini VGG16
separates shapes and predicts held-out ones, random weights still run, PCA, Grad-CAM for a new
class, the shared model untouched, and the CLI contract (exit 2 for bad input)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch

from vggviz.cli import main
from vggviz.explain.attribution import _HOOK_DICTS
from vggviz.inference.analysis import analyze, preprocess
from vggviz.lab import transfer
from vggviz.model.layers import named_layers

SHAPES3 = ("circle", "square", "star")


def _state(model):
    return ([p.requires_grad for p in model.parameters()], [m.training for m in model.modules()],
            sum(len(getattr(m, d)) for m in model.modules() for d in _HOOK_DICTS),
            [p.detach().clone() for p in model.parameters()][-2:])


@pytest.fixture(scope="module")
def shapes_data(vgg16_mini):
    train = {c: transfer.shape_images(c, 10, seed=1) for c in SHAPES3}
    test = {c: transfer.shape_images(c, 4, seed=99) for c in SHAPES3}
    feats = {c: transfer.features(vgg16_mini, v) for c, v in train.items()}
    return train, test, feats


def test_features_equal_a_manual_forward(vgg16_mini):
    imgs = transfer.shape_images("ring", 3, seed=5)
    got = transfer.features(vgg16_mini, imgs)
    m = vgg16_mini.model
    x = torch.cat([preprocess(vgg16_mini, p).tensor for p in imgs])
    with torch.no_grad():
        pool5 = torch.flatten(m.avgpool(m.features(x)), 1)
        fc6 = torch.relu(m.classifier[0](pool5))
        fc7 = torch.relu(m.classifier[3](m.classifier[2](fc6)))
    for name, want in (("pool5", pool5), ("fc6", fc6), ("fc7", fc7)):
        assert got[name].shape == tuple(want.shape)
        np.testing.assert_allclose(got[name], want.numpy(), rtol=1e-5, atol=1e-5)
    # from a cached analysis: the classifier only, same numbers
    a = analyze(vgg16_mini, imgs[0])
    again = transfer.features_from_analysis(vgg16_mini, a)
    for name in transfer.FEATURE_LAYERS:
        np.testing.assert_allclose(again[name][0], got[name][0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("layer", transfer.FEATURE_LAYERS)
def test_linear_head_separates_shapes(vgg16_mini, shapes_data, layer):
    _, test, feats = shapes_data
    head = transfer.fit(vgg16_mini, {c: feats[c][layer] for c in SHAPES3}, layer)
    assert head.classes == SHAPES3 and head.train_accuracy >= 0.9
    assert head.losses[-1] < head.losses[0]
    right = total = 0
    for i, c in enumerate(SHAPES3):
        p = transfer.predict(head, transfer.features(vgg16_mini, test[c]))
        assert p.shape == (4, 3) and np.allclose(p.sum(1), 1, atol=1e-5)
        right += int((p.argmax(1) == i).sum())
        total += len(p)
    assert right / total >= 0.9, (layer, right, total)


def test_five_examples_each_held_out_far_above_chance(vgg16_mini, shapes_data):
    _, test, feats = shapes_data
    few = {c: feats[c]["fc7"][:5] for c in SHAPES3}
    assert transfer.cross_val_accuracy(few) >= 0.8          # chance: 1/3
    head = transfer.fit(vgg16_mini, few, "fc7")
    p = np.concatenate([transfer.predict(head, transfer.features(vgg16_mini, test[c])) for c in SHAPES3])
    assert np.mean(p.argmax(1) == np.repeat(np.arange(3), 4)) >= 0.75


def test_deterministic_and_downloadable(vgg16_mini, shapes_data):
    _, _, feats = shapes_data
    per = {c: feats[c]["fc6"] for c in SHAPES3}
    a, b = transfer.fit(vgg16_mini, per, "fc6"), transfer.fit(vgg16_mini, per, "fc6")
    assert np.array_equal(a.weight, b.weight) and np.array_equal(a.bias, b.bias)
    state = torch.load(io.BytesIO(transfer.head_bytes(a)), weights_only=True)
    assert set(state) == {"state_dict", "classes", "layer", "variant"}
    assert state["classes"] == list(SHAPES3) and state["layer"] == "fc6" and state["variant"] == "vgg16_mini"
    lin = torch.nn.Linear(256, 3)
    lin.load_state_dict(state["state_dict"])
    x = torch.from_numpy(feats["circle"]["fc6"])
    np.testing.assert_allclose(torch.softmax(lin(x), 1).detach().numpy(),
                               transfer.predict(a, {"fc6": feats["circle"]["fc6"]}), atol=1e-5)


def test_bad_input(vgg16_mini, shapes_data):
    _, _, feats = shapes_data
    with pytest.raises(transfer.TransferError, match="at least 2"):
        transfer.fit(vgg16_mini, {"circle": feats["circle"]["fc7"]}, "fc7")
    with pytest.raises(transfer.TransferError, match="no images"):
        transfer.fit(vgg16_mini, {"a": feats["circle"]["fc7"], "b": np.zeros((0, 256), np.float32)}, "fc7")
    with pytest.raises(ValueError, match="unknown feature layer"):
        transfer.fit(vgg16_mini, {c: feats[c]["fc7"] for c in SHAPES3}, "conv5_3")


def test_random_weights_still_run():
    from vggviz.model.weights import load_model

    rnd = load_model("vgg11_mini", "random", "cpu")
    per = {c: transfer.features(rnd, transfer.shape_images(c, 4, seed=3))["fc7"] for c in ("circle", "cross")}
    head = transfer.fit(rnd, per, "fc7")
    assert 0 <= head.train_accuracy <= 1
    cv = transfer.cross_val_accuracy(per)
    assert cv is not None and 0 <= cv <= 1


def test_pca_shape_and_separation(shapes_data):
    _, _, feats = shapes_data
    x = np.concatenate([feats[c]["fc7"] for c in SHAPES3])
    coords, share = transfer.pca_2d(x)
    assert coords.shape == (30, 2) and share.shape == (2,) and 0 < share.sum() <= 1 + 1e-9
    assert abs(coords.mean(0)).max() < 1e-3 * abs(coords).max()          # centred
    fig = transfer.pca_figure({c: feats[c]["fc7"] for c in SHAPES3}, "fc7")
    assert [t.name for t in fig.data] == list(SHAPES3) and all(len(t.x) == 10 for t in fig.data)
    assert transfer.pca_2d(x[:1])[0].shape == (1, 2)


def test_gradcam_for_a_new_class_and_shared_model_untouched(vgg16_mini, shapes_data):
    train, test, feats = shapes_data
    before = _state(vgg16_mini.model)
    head = transfer.fit(vgg16_mini, {c: feats[c]["fc7"] for c in SHAPES3}, "fc7")
    a = analyze(vgg16_mini, test["star"][0])
    cams = [transfer.gradcam(vgg16_mini, head, a, t) for t in range(3)]
    assert cams[2].label == "star" and cams[2].layer == "conv4_3" and cams[2].layer_map.shape == (8, 8)
    assert cams[2].crop_map.shape == (64, 64) and 0 <= cams[2].crop_map.min() and cams[2].crop_map.max() <= 1
    probs = transfer.predict(head, transfer.features_from_analysis(vgg16_mini, a))[0]
    assert [c.prob for c in cams] == pytest.approx(list(probs), abs=1e-5) and cams[2].raw_max > 0
    # the Grad-CAM equals autograd through a plain copy of the network + head
    import copy

    m = copy.deepcopy(vgg16_mini.model)
    layers = named_layers(m)
    i = next(layer.index for layer in layers if layer.name == "conv4_3")
    act = torch.from_numpy(np.array(a.activation("conv4_3")))[None].requires_grad_(True)
    x = torch.relu(act)
    for layer in layers[i + 2: next(layer.index for layer in layers if layer.name == "relu7") + 1]:
        x = torch.flatten(x, 1) if layer.path.startswith("classifier") and x.dim() > 2 else x
        x = torch.relu(x) if layer.kind == "relu" else layer.module(x)
    score = (x @ torch.from_numpy(head.weight).T + torch.from_numpy(head.bias))[0, 2]
    (g,) = torch.autograd.grad(score, act)
    raw = torch.relu((g.mean((2, 3), keepdim=True) * act.detach()).sum(1))[0]
    np.testing.assert_allclose(cams[2].layer_map, (raw / raw.max()).numpy(), atol=1e-5)
    with pytest.raises(transfer.TransferError):
        transfer.gradcam(vgg16_mini, head, a, 3)
    after = _state(vgg16_mini.model)
    assert before[0] == after[0] and before[1] == after[1] and after[2] == 0
    assert all(torch.equal(p, q) for p, q in zip(before[3], after[3], strict=True))
    assert all(p.grad is None for p in vgg16_mini.model.parameters())


# --------------------------------------------------------------------------- CLI


@pytest.fixture(scope="module")
def shape_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("shapes")
    out = {}
    for c in ("circle", "square"):
        out[c] = []
        for k, im in enumerate(transfer.shape_images(c, 6, seed=2)):
            p = d / f"{c}{k}.png"
            im.save(p)
            out[c].append(str(p))
    p = d / "test_square.png"
    transfer.shape_images("square", 1, seed=77)[0].save(p)
    out["test"] = str(p)
    bad = d / "bad.png"
    bad.write_bytes(b"not an image")
    out["bad"] = str(bad)
    return out


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_contract(capsys, shape_files):
    f = shape_files
    code, out, err = run(capsys, "transfer", "--variant", "vgg16_mini", "--weights", "shapes",
                         "--class", "round=" + ",".join(f["circle"]), "--class", "boxy=" + ",".join(f["square"]),
                         "--predict", f["test"], "--json", "--device", "cpu")
    assert code == 0, err
    j = json.loads(out)
    assert set(j) == {"classes", "layer", "train_accuracy", "predictions"}
    assert j["classes"] == ["round", "boxy"] and j["layer"] == "fc7" and j["train_accuracy"] == 1.0
    assert [p["label"] for p in j["predictions"]][0] == "boxy" and j["predictions"][0]["prob"] > 0.5
    assert abs(sum(p["prob"] for p in j["predictions"]) - 1) < 1e-4
    code, out, _ = run(capsys, "transfer", "--variant", "vgg16_mini", "--layer", "pool5", "--device", "cpu",
                       "--class", "a=" + f["circle"][0], "--class", "b=" + f["square"][0], "--predict", f["test"])
    assert code == 0 and "train accuracy" in out and "pool5" in out


@pytest.mark.parametrize("case", ["one", "empty", "unreadable", "unreadable_predict", "layer", "noequals"])
def test_cli_bad_input_exit_2(capsys, shape_files, case):
    f = shape_files
    a, b = "a=" + f["circle"][0], "b=" + f["square"][0]
    args = {"one": ["--class", a],
            "empty": ["--class", a, "--class", "b="],
            "unreadable": ["--class", a, "--class", "b=" + f["bad"]],
            "unreadable_predict": ["--class", a, "--class", b],
            "layer": ["--class", a, "--class", b, "--layer", "conv5_3"],
            "noequals": ["--class", a, "--class", f["square"][0]]}[case]
    pred = f["bad"] if case == "unreadable_predict" else f["test"]
    code, out, err = run(capsys, "transfer", "--variant", "vgg11_mini", "--device", "cpu", *args, "--predict", pred)
    assert code == 2 and not out
    assert err.startswith("vggviz: error: ") and err.count("\n") == 1, err


def test_an_fc7_head_downloads_as_a_network_that_opens_with_its_classes(tmp_path):
    from vggviz.inference.analysis import analyze
    from vggviz.model.weights import load_model

    lm = load_model("vgg16_mini", "shapes", "cpu")
    per = {n: transfer.features(lm, transfer.shape_images(n, 6))["fc7"] for n in ("circle", "star")}
    head = transfer.fit(lm, per, "fc7")
    path = tmp_path / "mine.pth"
    path.write_bytes(transfer.model_checkpoint(lm, head))
    mine = load_model("vgg16_mini", str(path), "cpu")
    assert mine.categories == ["circle", "star"]
    img = transfer.shape_images("star", 1, seed=99)[0]
    want = transfer.predict(head, transfer.features(lm, [img]))[0]
    got = analyze(mine, img).probs
    assert np.allclose(got, want, atol=1e-4), (got, want)
    assert transfer.model_checkpoint(lm, transfer.fit(lm, {n: transfer.features(lm, transfer.shape_images(n, 3))["fc6"]
                                                          for n in ("circle", "star")}, "fc6")) is None


# --------------------------------------------------------------------------- fine-tuning the last block


def _everything(model):
    return ({k: v.detach().clone() for k, v in model.state_dict().items()},
            [p.requires_grad for p in model.parameters()], [m.training for m in model.modules()],
            sum(len(getattr(m, d)) for m in model.modules() for d in _HOOK_DICTS),
            [m.inplace for m in model.modules() if isinstance(m, torch.nn.ReLU)])


@pytest.fixture(scope="module")
def tuned(vgg16_mini):
    before = _everything(vgg16_mini.model)
    imgs = {c: transfer.shape_images(c, 10, seed=1) for c in SHAPES3}
    steps = []
    ft = transfer.finetune(vgg16_mini, imgs, "fc7", epochs=3, progress=lambda *a: steps.append(a))
    return ft, before, steps


def test_holdout_mask():
    assert transfer.holdout_mask([1, 2, 7]).tolist() == [False, False, True, False, True, False, False, False,
                                                          False, True]
    assert transfer.holdout_mask([]).shape == (0,)


def test_finetune_trains_a_private_copy_and_compares_on_the_same_split(vgg16_mini, tuned):
    ft, before, steps = tuned
    after = _everything(vgg16_mini.model)
    # the shared model is bit-identical, not hooked, modes and flags unchanged, no gradients
    assert before[0].keys() == after[0].keys()
    assert all(torch.equal(before[0][k], after[0][k]) for k in before[0])
    assert before[1:] == after[1:] and after[3] == 0
    assert all(p.grad is None for p in vgg16_mini.model.parameters())
    # the block is conv5_x only (the trained features separate these shapes with a loss of 0, so
    # it need not move here; test_finetune_moves_the_block_where_there_is_a_loss checks that it does)
    assert sorted(ft.block) == ["features.24.bias", "features.24.weight", "features.26.bias",
                                "features.26.weight", "features.28.bias", "features.28.weight"]
    assert (ft.n_train, ft.n_heldout) == (24, 6) and ft.epochs == 3 and ft.steps == ft.total_steps == 6
    assert not ft.stopped_by_time and len(ft.losses) == 3
    assert ft.frozen_heldout is not None and ft.heldout is not None
    assert ft.heldout >= 0.8 and ft.frozen_heldout >= 0.8         # trained features: both far above 1/3
    assert [s[0] for s in steps][:1] == ["features"] and steps[-1][:3] == ("train", 6, 6)
    assert ft.head.classes == SHAPES3 and ft.head.layer == "fc7" and ft.head.train_accuracy >= 0.9


def test_finetune_moves_the_block_where_there_is_a_loss():
    from vggviz.model.weights import load_model

    mine = load_model("vgg16_mini", "random", "cpu")         # a private model whose features leave a loss
    start = {k: v.detach().clone() for k, v in mine.model.state_dict().items()}
    imgs = {c: transfer.shape_images(c, 4, seed=2) for c in SHAPES3}
    ft = transfer.finetune(mine, imgs, "fc7", epochs=1)
    assert max(ft.losses) > 0
    assert any(not torch.equal(ft.block[k], start[k]) for k in ft.block)
    assert all(torch.equal(v, start[k]) for k, v in mine.model.state_dict().items())    # a copy was trained


def test_finetuned_checkpoint_opens_with_the_same_probabilities(vgg16_mini, tuned, tmp_path, capsys):
    from vggviz.model.weights import load_model

    ft = tuned[0]
    imgs = transfer.shape_images("star", 2, seed=99)
    want = transfer.finetuned_predict(vgg16_mini, ft, imgs)
    assert want.shape == (2, 3) and np.allclose(want.sum(1), 1, atol=1e-5) and (want.argmax(1) == 2).all()
    a = analyze(vgg16_mini, imgs[0])
    np.testing.assert_allclose(transfer.finetuned_predict_from_analysis(vgg16_mini, ft, a)[0], want[0], atol=1e-5)
    path = tmp_path / "tuned.pth"
    path.write_bytes(ft.checkpoint(vgg16_mini))
    mine = load_model("vgg16_mini", str(path), "cpu")
    assert mine.categories == list(SHAPES3)
    np.testing.assert_allclose(analyze(mine, imgs[0]).probs, want[0], atol=1e-4)
    imgs[1].save(tmp_path / "star.png")
    code, out, err = run(capsys, "predict", str(tmp_path / "star.png"), "--variant", "vgg16_mini",
                         "--weights", str(path), "--device", "cpu", "--json")
    assert code == 0, err
    got = {p["label"]: p["prob"] for p in json.loads(out)["top"]}
    assert got == pytest.approx(dict(zip(SHAPES3, want[1].tolist(), strict=True)), abs=1e-4)


def test_finetuned_gradcam_matches_its_probabilities(vgg16_mini, tuned):
    ft = tuned[0]
    a = analyze(vgg16_mini, transfer.shape_images("square", 1, seed=98)[0])
    probs = transfer.finetuned_predict_from_analysis(vgg16_mini, ft, a)[0]
    for layer in (None, "conv5_2", "pool4"):
        cams = [transfer.gradcam(vgg16_mini, ft.head, a, t, layer=layer, tuned=ft) for t in range(3)]
        assert [c.prob for c in cams] == pytest.approx(list(probs), abs=1e-5)
        assert cams[1].label == "square" and 0 <= cams[1].crop_map.min() and cams[1].crop_map.max() <= 1
    assert cams[0].layer == "pool4"
    with pytest.raises(transfer.TransferError):
        transfer.gradcam(vgg16_mini, ft.head, a, 3, tuned=ft)


def test_finetune_budget_and_bad_input(vgg16_mini):
    imgs = {c: transfer.shape_images(c, 3, seed=4) for c in ("circle", "ring")}
    ft = transfer.finetune(vgg16_mini, imgs, "pool5", epochs=30, seconds=1e-6)
    assert ft.stopped_by_time and ft.steps == 1 and ft.total_steps == 30 and ft.epochs == 1
    assert ft.head.weight.shape == (2, 256) and ft.checkpoint(vgg16_mini) is None
    with pytest.raises(transfer.TransferError, match="epochs"):
        transfer.finetune(vgg16_mini, imgs, epochs=0)
    with pytest.raises(transfer.TransferError, match="time limit"):
        transfer.finetune(vgg16_mini, imgs, seconds=1000)
    with pytest.raises(transfer.TransferError, match="no images"):
        transfer.finetune(vgg16_mini, {"a": imgs["circle"], "b": []})
    one = transfer.finetune(vgg16_mini, {"a": imgs["circle"][:1], "b": imgs["ring"][:1]}, epochs=1)
    assert one.heldout is None and one.frozen_heldout is None and one.n_heldout == 0


def test_finetune_on_random_weights_runs():
    from vggviz.model.weights import load_model

    rnd = load_model("vgg11_mini", "random", "cpu")
    imgs = {c: transfer.shape_images(c, 5, seed=3) for c in ("circle", "cross")}
    ft = transfer.finetune(rnd, imgs, "fc6", epochs=2)
    assert all(np.isfinite(ft.losses)) and 0 <= ft.heldout <= 1
    assert sorted({k.rsplit(".", 1)[0] for k in ft.block}) == ["features.16", "features.18"]   # VGG11: conv5_1, conv5_2


def test_cli_finetune_and_save(capsys, shape_files, tmp_path):
    f = shape_files
    out_path = tmp_path / "mine.pth"
    code, out, err = run(capsys, "transfer", "--variant", "vgg16_mini", "--weights", "shapes", "--device", "cpu",
                         "--class", "round=" + ",".join(f["circle"]), "--class", "boxy=" + ",".join(f["square"]),
                         "--predict", f["test"], "--finetune", "--epochs", "2", "--save", str(out_path), "--json")
    assert code == 0, err
    j = json.loads(out)
    assert set(j) == {"classes", "layer", "train_accuracy", "predictions", "finetune"}
    ft = j["finetune"]
    assert (ft["train_images"], ft["heldout_images"], ft["epochs"]) == (10, 2, 2) and not ft["stopped_by_time"]
    assert 0 <= ft["heldout_accuracy"] <= 1 and 0 <= ft["frozen_heldout_accuracy"] <= 1
    assert j["predictions"][0]["label"] == "boxy"
    code, out2, err = run(capsys, "predict", f["test"], "--variant", "vgg16_mini", "--weights", str(out_path),
                          "--device", "cpu", "--json")
    assert code == 0, err
    assert {p["label"]: p["prob"] for p in json.loads(out2)["top"]} == pytest.approx(
        {p["label"]: p["prob"] for p in j["predictions"]}, abs=1e-4)
    for bad in (["--epochs", "3"], ["--finetune", "--epochs", "31"], ["--finetune", "--time-limit", "0"],
                ["--layer", "fc6", "--save", str(tmp_path / "x.pth")]):
        code, out, err = run(capsys, "transfer", "--variant", "vgg11_mini", "--device", "cpu",
                             "--class", "a=" + f["circle"][0], "--class", "b=" + f["square"][0],
                             "--predict", f["test"], *bad)
        assert code == 2 and not out and err.count("\n") == 1, (bad, err)
