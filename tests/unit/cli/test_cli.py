"""`python -m vggviz`: the design's CLI contract, and bad input as exit status 2 + one line."""

import json
import subprocess
import sys

import pytest
import torch
from support import ROOT

from vggviz.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_summary_json_contract(capsys):
    code, out, err = run(capsys, "summary", "vgg16", "--json")
    assert code == 0 and not err
    j = json.loads(out)
    assert (j["variant"], j["input_size"], j["total_params"]) == ("vgg16", 224, 138_357_544)
    assert round(j["total_macs"] / 1e9, 2) == 15.47
    # one inference pass's distinct tensors (in-place ReLU and dropout add 0), parameters × 4
    assert j["total_activation_bytes"] == 60_448_672 and j["total_param_bytes"] == 553_430_176
    assert next(row for row in j["layers"] if row["name"] == "relu5_3")["act_bytes"] == 0
    conv53 = next(row for row in j["layers"] if row["name"] == "conv5_3")
    assert conv53 == {**conv53, "module": "features.28", "out_shape": [512, 14, 14], "rf": 196, "jump": 16,
                      "params": 2_359_808, "flops": 2 * conv53["macs"]}


def test_summary_csv_and_input_size(capsys):
    code, out, _ = run(capsys, "summary", "vgg11", "--input-size", "64", "--csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split(",")[:4] == ["name", "module", "type", "out_shape"]
    pool5 = next(row for row in lines if row.startswith("pool5,"))
    assert ",512x2x2," in pool5


def test_summary_text_table(capsys):
    code, out, _ = run(capsys, "summary", "vgg19_bn")
    assert code == 0 and "143,678,248 parameters" in out and "bn5_4" in out


def test_summary_alexnet(capsys):
    from torchvision.models import AlexNet_Weights

    code, out, _ = run(capsys, "summary", "alexnet", "--json")
    j = json.loads(out)
    meta = AlexNet_Weights.IMAGENET1K_V1.meta
    assert code == 0 and j["total_params"] == meta["num_params"] == 61_100_840
    assert round(j["total_macs"] / 1e9, 3) == meta["_ops"]
    rows = {row["name"]: row for row in j["layers"]}
    assert (rows["conv1"]["rf"], rows["conv1"]["jump"], rows["pool5"]["rf"]) == (11, 4, 195)
    assert rows["conv1"]["type"] == "Conv 11×11, stride 4"
    code, out, _ = run(capsys, "summary", "alexnet")
    assert code == 0 and "61,100,840 parameters" in out and "pool5" in out
    code, _, err = run(capsys, "summary", "alexnet", "--input-size", "32")
    assert code == 2 and "at least 63" in err


def test_rf_json_contract(capsys):
    code, out, _ = run(capsys, "rf", "--kernel", "3", "--layers", "3", "--channels", "64", "--json")
    j = json.loads(out)
    assert code == 0
    assert (j["rf"], j["params"], j["nonlinearities"]) == (7, 27 * 64 * 64, 3)
    assert j["single"] == {**j["single"], "kernel": 7, "params": 49 * 64 * 64, "nonlinearities": 1}
    code, out, _ = run(capsys, "rf", "--kernel", "3", "--layers", "5", "--json")
    j = json.loads(out)
    assert (j["rf"], j["single"]["kernel"], j["single"]["params"]) == (11, 11, 121 * 64 * 64)


@pytest.mark.parametrize("argv,phrase", [
    (["summary", "vgg12"], "unknown variant 'vgg12'"),
    (["summary", "vgg16", "--input-size", "16"], "too small"),
    (["summary", "vgg16", "--input-size", "x"], "whole number"),
    (["summary", "vgg16", "--json", "--csv"], "not allowed with"),
    (["rf", "--kernel", "0", "--layers", "3"], "at least 1"),
    (["rf", "--layers", "3"], "--kernel"),
    (["frobnicate"], "invalid choice"),
    ([], "required"),
    (["weights", "fetch", "vgg99"], "unknown variant"),
    (["predict", "/nonexistent/cat.png"], "cat.png"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, argv, phrase):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("vggviz: error: ")
    assert phrase in err
    assert "Traceback" not in err and not out


def test_weights_fetch_offline_is_a_clear_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("VGGVIZ_WEIGHTS_MIRROR", "http://127.0.0.1:9")
    code, _, err = run(capsys, "weights", "fetch", "vgg11")
    assert code == 2 and "could not download ImageNet weights for vgg11" in err


def test_module_entry_point_no_traceback():
    p = subprocess.run([sys.executable, "-m", "vggviz", "summary", "vgg12"], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert p.stderr.strip().startswith("vggviz: error: unknown variant") and "Traceback" not in p.stderr


@pytest.fixture(scope="module")
def cat(root):
    return str(root / "assets" / "samples" / "cat.jpg")


def test_predict_json_contract(capsys, cat):
    code, out, err = run(capsys, "predict", cat, "--variant", "vgg11", "--weights", "random",
                         "--device", "cpu", "--topk", "3", "--json")
    assert code == 0, err
    j = json.loads(out)
    assert (j["variant"], j["weights"], j["device"]) == ("vgg11", "random", "cpu")
    assert len(j["top"]) == 3
    probs = [t["prob"] for t in j["top"]]
    assert probs == sorted(probs, reverse=True) and all(0 < p < 1 for p in probs)
    assert all(set(t) == {"index", "label", "prob"} for t in j["top"])


def test_gradcam_writes_overlay_and_heatmap(capsys, cat, tmp_path):
    import numpy as np
    from PIL import Image

    out, heat = tmp_path / "overlay.png", tmp_path / "map.npy"
    code, stdout, err = run(capsys, "gradcam", cat, "--variant", "vgg11", "--weights", "random",
                            "--layer", "conv4_2", "--target", "281", "--out", str(out),
                            "--heatmap", str(heat), "--json")
    assert code == 0, err
    size = Image.open(cat).size
    assert Image.open(out).size == size
    m = np.load(heat)
    assert m.dtype == np.float32 and m.shape == (size[1], size[0])
    assert 0.0 <= m.min() and m.max() <= 1.0
    j = json.loads(stdout)
    assert (j["layer"], j["target"], j["label"]) == ("conv4_2", 281, "tabby")
    # without --layer: the last conv (VGG11's conv5_2), as the design says
    code, stdout, _ = run(capsys, "gradcam", cat, "--variant", "vgg11", "--weights", "random",
                          "--out", str(out), "--json")
    assert code == 0 and json.loads(stdout)["layer"] == "conv5_2"


@pytest.mark.parametrize("method", ["grad-cam++", "smoothgrad", "guided-grad-cam", "occlusion"])
def test_gradcam_method_from_the_registry(capsys, tmp_path, method):
    """``gradcam --method`` takes every method of vggviz.explain.attribution's registries (the mini VGG16)."""
    import numpy as np
    from PIL import Image

    from vggviz.data.shapes import draw_plain

    img, out, heat = tmp_path / "star.png", tmp_path / "o.png", tmp_path / "m.npy"
    draw_plain("star").resize((96, 80)).save(img)
    code, stdout, err = run(capsys, "gradcam", str(img), "--variant", "vgg16_mini", "--device", "cpu",
                            "--method", method, "--out", str(out), "--heatmap", str(heat), "--json")
    assert code == 0, err
    j = json.loads(stdout)
    assert j["method"] == method and j["label"] == "star"
    assert (j["layer"] is None) == (method in ("smoothgrad", "occlusion"))
    m = np.load(heat)
    assert m.shape == (80, 96) and m.dtype == np.float32 and 0 <= m.min() and 0 < m.max() <= 1
    assert Image.open(out).size == (96, 80)


def test_gradcam_unknown_method_exit_2(capsys, cat, tmp_path):
    code, _, err = run(capsys, "gradcam", cat, "--variant", "vgg11", "--weights", "random",
                       "--method", "lime", "--out", str(tmp_path / "o.png"))
    assert code == 2 and "unknown method" in err and "grad-cam++" in err


@pytest.mark.parametrize("extra,phrase", [
    (["--layer", "fc7"], "fc7"),
    (["--layer", "conv9_9"], "conv9_9"),
    (["--target", "1000"], "target must be"),
])
def test_gradcam_bad_layer_or_target(capsys, cat, tmp_path, extra, phrase):
    code, _, err = run(capsys, "gradcam", cat, "--variant", "vgg11", "--weights", "random",
                       "--out", str(tmp_path / "o.png"), *extra)
    assert code == 2 and phrase in err and err.count("\n") == 1
    assert not (tmp_path / "o.png").exists()


def test_bad_weights_file_exit_2(capsys, cat, tmp_path):
    bad = tmp_path / "w.pth"
    bad.write_bytes(b"not torch")
    code, _, err = run(capsys, "predict", cat, "--variant", "vgg11", "--weights", str(bad))
    assert code == 2 and "not a PyTorch weights file" in err


# --------------------------------------------------------------------------- train

def test_train_json_contract_and_checkpoint(capsys, tmp_path):
    out = tmp_path / "a.pth"
    assert main(["train", "vgg11_mini", "--no-bn", "--epochs", "2", "--max-batches", "2", "--batch-size", "8",
                 "--train-size", "32", "--out", str(out), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["variant"] == "vgg11_mini" and j["params"] > 0 and "circle" in j["classes"]
    assert [e["epoch"] for e in j["epochs"]] == [1, 2]
    assert all(set(e) >= {"train_loss", "val_accuracy", "seconds"} for e in j["epochs"])
    # the checkpoint opens again as --weights FILE
    assert main(["predict", str(ROOT / "assets/samples/cat.jpg"), "--variant", "vgg11_mini",
                 "--weights", str(out), "--json"]) == 0
    top = json.loads(capsys.readouterr().out)["top"]
    assert top[0]["label"] in j["classes"]


def test_train_bn_and_from_a(capsys):
    tiny = ["--epochs", "1", "--max-batches", "1", "--batch-size", "8", "--train-size", "16", "--val-size", "8"]
    for flag in (["--bn"], []):                   # batch norm is the lab's default
        assert main(["train", "vgg13_mini", *flag, *tiny, "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["variant"] == "vgg13_bn_mini"
    # a configuration with no registered _bn variant trains with batch norm too
    assert main(["train", "vgg13_5x5_mini", "--bn", "--epochs", "1", "--max-batches", "1", "--batch-size", "8",
                 "--train-size", "16", "--val-size", "8", "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["variant"] == "vgg13_5x5_mini+bn" and 0 <= j["final_accuracy"] <= 100


@pytest.mark.parametrize("argv, phrase", [
    (["train", "vgg16_mini", "--epochs", "0"], "epochs must be at least 1"),
    (["train", "vgg16"], "only the mini variants"),
    (["train", "vgg99_mini"], "unknown variant"),
    (["predict", "CAT", "--variant", "vgg16", "--weights", "shapes"], "only for the mini variants"),
])
def test_train_and_shapes_bad_input_exit_2(capsys, argv, phrase):
    argv = [str(ROOT / "assets/samples/cat.jpg") if a == "CAT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1


def test_checkpoint_of_another_variant_exit_2(capsys, tmp_path):
    from vggviz.model.variants import build

    path = tmp_path / "a.pth"
    torch.save(build("vgg11_mini").state_dict(), path)
    assert main(["predict", str(ROOT / "assets/samples/cat.jpg"), "--variant", "vgg16_mini", "--weights", str(path)]) == 2
    assert "does not fit vgg16_mini" in capsys.readouterr().err


TINY_EXPERIMENT = ["--epochs", "1", "--train-size", "160", "--batch-size", "8", "--val-size", "16"]


def test_experiment_json_schema(capsys):
    assert main(["experiment", "kernel", "--seeds", "2", *TINY_EXPERIMENT, "--device", "cpu", "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert set(j) >= {"experiment", "budget", "arms", "comparisons"} and j["experiment"] == "kernel"
    assert [a["variant"] for a in j["arms"]] == ["vgg13_mini", "vgg13_5x5_mini", "vgg16_mini", "vgg16_7x7_mini"]
    for a in j["arms"]:
        assert set(a) >= {"label", "variant", "init", "bn", "params", "macs", "reproduce", "seconds_per_seed",
                          "mean", "sd", "seeds"}
        assert a["bn"] and a["init"] == "he" and a["params"] > 0 and a["macs"] > 0 and "{seed}" in a["reproduce"]
        assert [s["seed"] for s in a["seeds"]] == [0, 1]
        assert all(0 <= s["final_accuracy"] <= 100 and len(s["curve"]) == 1 for s in a["seeds"])
    for c in j["comparisons"]:
        assert set(c) >= {"better", "worse", "mean_diff", "ci95", "wins", "verdict"}
        assert c["verdict"] in ("reproduced", "not resolved", "reversed") and len(c["ci95"]) == 2
    assert j["comparisons"][0]["paper"]["effect"] == 7.0 and j["comparisons"][0]["paper"]["epochs"] == 74


@pytest.mark.parametrize("argv, phrase", [
    (["experiment", "width"], "unknown experiment 'width'"),
    (["experiment", "depth", "--seeds", "0"], "--seeds must be at least 1"),
    (["experiment", "depth", "--epochs", "1", "--train-size", "64", "--batch-size", "8"], "too small to train"),
])
def test_experiment_bad_input_exit_2(capsys, argv, phrase):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert phrase in err and err.count("\n") == 1


def test_mini_variants_in_summary_predict_gradcam(capsys, tmp_path):
    """The CLI takes the mini family: its own input size, the bundled shapes weights, shape labels."""
    assert main(["summary", "vgg16_mini", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert s["input_size"] == 64
    pool5 = next(row for row in s["layers"] if row["name"] == "pool5")
    assert pool5["out_shape"] == [64, 2, 2]
    assert next(row for row in s["layers"] if row["name"] == "fc6")["params"] == 256 * 256 + 256
    star = str(ROOT / "assets/samples/shapes_star.png")
    assert main(["predict", star, "--variant", "vgg16_mini", "--json"]) == 0
    p = json.loads(capsys.readouterr().out)
    assert p["weights"] == "shapes" and p["top"][0]["label"] == "star"
    out, heat = tmp_path / "o.png", tmp_path / "h.npy"
    assert main(["gradcam", star, "--variant", "vgg16_mini", "--weights", "shapes", "--out", str(out),
                 "--heatmap", str(heat), "--json"]) == 0
    g = json.loads(capsys.readouterr().out)
    import numpy as np

    h = np.load(heat)
    assert g["layer"] == "conv4_3" and g["label"] == "star"      # 8×8 at 64 px (conv5_3 is 4×4)
    assert h.shape == (128, 128) and h.dtype == np.float32 and 0 <= h.min() and h.max() <= 1
    from vggviz.model.weights import load_model

    n = len(load_model("vgg16_mini", "shapes", "cpu").categories)       # the checkpoint's classes
    assert main(["gradcam", star, "--variant", "vgg16_mini", "--target", str(n), "--out", str(out)]) == 2
    assert f"0 to {n - 1}" in capsys.readouterr().err


def test_quiz_json_contract(capsys):
    code, out, err = run(capsys, "quiz", "--variant", "vgg16", "--json")
    assert code == 0 and not err
    j = json.loads(out)
    assert j["variant"] == "vgg16" and len(j["questions"]) >= 12
    assert all(set(q) == {"id", "page", "prompt", "answer", "tolerance", "explanation"} for q in j["questions"])
    by_id = {q["id"]: q for q in j["questions"]}
    assert by_id["conv1_1_params"]["answer"] == 1_792 and by_id["conv1_1_params"]["page"] == "architecture"
    assert by_id["fc6_share"]["answer"] == 74.27 and "102,764,544 of 138,357,544" in by_id["fc6_share"]["explanation"]
    assert by_id["pool3_side"]["answer"] == 28
    assert "top1_class" not in by_id                  # needs an image


def test_quiz_size_and_language(capsys):
    code, out, _ = run(capsys, "quiz", "--variant", "vgg16", "--size", "64", "--lang", "zh", "--json")
    by_id = {q["id"]: q for q in json.loads(out)["questions"]}
    assert code == 0 and by_id["pool3_side"]["answer"] == 8
    assert "卷积" in by_id["conv1_1_params"]["prompt"] or "参数" in by_id["conv1_1_params"]["prompt"]


@pytest.mark.parametrize("argv, message", [
    (["--variant", "vgg17"], "unknown variant"),
    (["--size", "16"], "too small"),
    (["--size", "big"], "size must be a whole number"),
    (["--lang", "fr"], "unknown language"),
])
def test_quiz_bad_input(capsys, argv, message):
    code, out, err = run(capsys, "quiz", *argv, "--json")
    assert code == 2 and not out and message in err and err.count("\n") == 1
