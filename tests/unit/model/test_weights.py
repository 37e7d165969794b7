"""The weights policy, exercised with checkpoints the tests make and a localhost server:
nothing here reaches the network."""

import hashlib
import http.server
import os
import threading
import time
from pathlib import Path

import pytest
import torch

from vggviz.model import weights as W
from vggviz.model.weights import WeightsError, fetch_imagenet, load_model, local_weight_path


@pytest.fixture(scope="module")
def vgg11_file(tmp_path_factory, vgg11):
    """A full VGG11 state dict saved as torchvision names it (hash prefix in the file name)."""
    d = tmp_path_factory.mktemp("ckpt")
    state = {k: v.clone() for k, v in vgg11.model.state_dict().items()}
    state["features.0.weight"] += 1.0          # recognisably not the seeded init
    raw = d / "raw.pth"
    torch.save(state, raw)
    return raw, state


def test_random_is_seeded_and_flagged(vgg11):
    again = load_model("vgg11", "random", "cpu")
    assert torch.equal(again.model.features[0].weight, vgg11.model.features[0].weight)
    assert not vgg11.trained and vgg11.source == "random"
    assert all(not p.requires_grad for p in vgg11.model.parameters())
    assert not vgg11.model.training
    assert len(vgg11.categories) == 1000 and vgg11.categories[281] == "tabby"


def test_local_state_dict_loads(vgg11_file):
    raw, state = vgg11_file
    loaded = load_model("vgg11", str(raw), "cpu")
    assert loaded.source == "file:raw.pth" and loaded.trained
    assert torch.equal(loaded.model.features[0].weight, state["features.0.weight"])


def test_state_dict_wrappers_are_unwrapped(tmp_path, vgg11_file):
    _, state = vgg11_file
    p = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}}, p)
    loaded = load_model("vgg11", str(p), "cpu")
    assert torch.equal(loaded.model.classifier[6].bias, state["classifier.6.bias"])


def test_imagenet_from_torch_cache_without_network(tmp_path, monkeypatch, vgg11_file):
    raw, state = vgg11_file
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    target = W.cached_path("vgg11")
    target.parent.mkdir(parents=True)
    os.link(raw, target) if raw.stat().st_dev == target.parent.stat().st_dev else target.write_bytes(raw.read_bytes())
    monkeypatch.setenv("VGGVIZ_WEIGHTS_MIRROR", "http://127.0.0.1:9")  # would fail if it tried
    loaded = load_model("vgg11", "imagenet", "cpu")
    assert loaded.source == "imagenet" and not loaded.note
    assert torch.equal(loaded.model.features[0].weight, state["features.0.weight"])


def test_offline_imagenet_falls_back_to_random_quickly(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    monkeypatch.setenv("VGGVIZ_WEIGHTS_MIRROR", "http://127.0.0.1:9")  # nothing listens there
    t0 = time.monotonic()
    loaded = load_model("vgg11", "imagenet", "cpu")
    assert time.monotonic() - t0 < 30
    assert loaded.source == "random" and not loaded.trained
    assert "could not download ImageNet weights" in loaded.note and "random" in loaded.note


def test_variants_without_published_weights_fall_back(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    loaded = load_model("vgg11_lrn", "imagenet", "cpu")
    assert loaded.source == "random" and "no published ImageNet weights" in loaded.note


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


@pytest.fixture()
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **k: _Handler(*a, directory=str(root), **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_download_reports_progress_and_checks_hash(server, tmp_path):
    root, url = server
    payload = os.urandom(3 * 2**20 + 17)
    digest = hashlib.sha256(payload).hexdigest()[:8]
    (root / f"w-{digest}.pth").write_bytes(payload)
    seen = []
    dst = tmp_path / "cache" / f"w-{digest}.pth"
    W._download(f"{url}/w-{digest}.pth", dst, lambda d, t: seen.append((d, t)), timeout=5)
    assert dst.read_bytes() == payload
    assert seen[-1] == (len(payload), len(payload)) and len(seen) >= 3
    # a corrupt download is refused and leaves nothing behind
    (root / "w-deadbeef.pth").write_bytes(payload)
    bad = tmp_path / "cache" / "w-deadbeef.pth"
    with pytest.raises(WeightsError, match="corrupt"):
        W._download(f"{url}/w-deadbeef.pth", bad, None, timeout=5)
    assert not bad.exists() and not list(bad.parent.glob("*.partial"))


def _bad_files(tmp_path: Path, vgg11_state):
    tiny = {k: torch.zeros(1) for k in vgg11_state}
    cases = {
        "missing.pth": None,
        "text.pth": b"hello, not torch",
        "list.pth": [torch.zeros(2)],
        "nodict.pth": {"a": 1, "b": "x"},
        "wrongkeys.pth": {"conv.weight": torch.zeros(3)},
        "wrongshape.pth": tiny,
    }
    out = {}
    for name, obj in cases.items():
        p = tmp_path / name
        if isinstance(obj, bytes):
            p.write_bytes(obj)
        elif obj is not None:
            torch.save(obj, p)
        out[name] = p
    return out


def test_bad_weights_files_get_one_line_messages(tmp_path, vgg11):
    files = _bad_files(tmp_path, vgg11.model.state_dict())
    expected = {
        "missing.pth": "not found",
        "text.pth": "not a PyTorch weights file",
        "list.pth": "not a state dict",
        "nodict.pth": "not a state dict",
        "wrongkeys.pth": "does not fit vgg11",
        "wrongshape.pth": "has shape",
    }
    for name, phrase in expected.items():
        with pytest.raises(WeightsError) as e:
            load_model("vgg11", str(files[name]), "cpu")
        assert phrase in str(e.value), (name, str(e.value))
        assert "\n" not in str(e.value)


def test_vgg16_weights_do_not_fit_vgg11(tmp_path, vgg16):
    p = tmp_path / "vgg16.pth"
    torch.save({k: v for k, v in vgg16.model.state_dict().items() if k.startswith("features.")}, p)
    with pytest.raises(WeightsError, match="does not fit vgg11"):
        load_model("vgg11", str(p), "cpu")


def test_device_resolution():
    assert str(W.resolve_device("cpu")) == "cpu"
    assert W.resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(WeightsError, match="no CUDA GPU"):
            W.resolve_device("cuda")
    with pytest.raises(WeightsError, match="unknown device"):
        W.resolve_device("tpu")


# --------------------------------------------------------------------------- shapes and trained:ID

def test_mini_variants_default_to_the_bundled_shapes_weights(monkeypatch):
    monkeypatch.setenv("VGGVIZ_WEIGHTS", "random")
    assert W.default_source("vgg16_mini") == "shapes" and W.default_source("vgg16") == "random"
    monkeypatch.setenv("VGGVIZ_WEIGHTS", "/some/file.pth")
    assert W.default_source("vgg16_mini") == "/some/file.pth"


def test_shapes_weights_only_for_the_mini_family():
    with pytest.raises(WeightsError, match="only for the mini variants") as e:
        load_model("vgg16", "shapes", "cpu")
    assert "\n" not in str(e.value)
    with pytest.raises(WeightsError, match="no ImageNet weights"):
        load_model("vgg16_mini", "imagenet", "cpu")


def test_mini_model_knows_its_classes_and_preprocessing():
    from vggviz.data import shapes

    m = load_model("vgg13_5x5_mini", "shapes", "cpu")          # no checkpoint ships for it
    assert not m.trained and "no trained shapes checkpoint" in m.note
    assert m.categories == list(shapes.CLASSES) and m.input_size == 64
    assert m.transforms.crop_size == [64] and tuple(m.transforms.mean) == shapes.MEAN


def test_trained_models_kept_in_memory_bounded(monkeypatch):
    from vggviz.model.variants import build

    monkeypatch.setattr(W, "_trained", {})
    state = build("vgg11_mini", seed=9).state_dict()
    src = W.keep_trained("run1", "vgg11_mini", state, ["a"] * 12, title="my run")
    assert src == "trained:run1" and W.trained_models() == {"trained:run1": ("vgg11_mini", "my run")}
    m = load_model("vgg11_mini", src, "cpu")
    assert m.trained and m.source == src and torch.equal(m.model.features[0].weight, state["features.0.weight"])
    with pytest.raises(WeightsError, match="is a vgg11_mini"):
        load_model("vgg16_mini", src, "cpu")
    for i in range(W.TRAINED_KEEP):
        W.keep_trained(f"r{i}", "vgg11_mini", state, ["a"] * 12)
    assert "trained:run1" not in W.trained_models() and len(W.trained_models()) == W.TRAINED_KEEP
    with pytest.raises(WeightsError, match="no longer in memory"):
        load_model("vgg11_mini", src, "cpu")


# ------------------------------------------------- the teacher's folder (moved from the server-safety tests)


@pytest.mark.parametrize("name", ["../secret.pth", "escape.pth", str(Path("/etc/passwd")), "notes.txt",
                                  "class-a11.pth/../../secret.pth", ""])
def test_nothing_outside_the_folder_can_be_reached(weights_dir, name):
    with pytest.raises(WeightsError) as e:
        local_weight_path(name)
    assert "\n" not in str(e.value) and str(weights_dir[0]) not in str(e.value)
    with pytest.raises(WeightsError):
        load_model("vgg11_mini", f"dir:{name}", "cpu")


def test_messages_name_no_server_path(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))
    monkeypatch.setattr("vggviz.model.weights._download", lambda *a, **k: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(WeightsError) as e:
        fetch_imagenet("vgg11")
    assert str(tmp_path) not in str(e.value) and "torch cache" in str(e.value)
    with pytest.raises(WeightsError) as e:
        load_model("vgg11", str(tmp_path / "deep" / "missing.pth"), "cpu")
    assert str(tmp_path) not in str(e.value) and "missing.pth" in str(e.value)
