"""Shared fixtures: models are expensive (a VGG16 random init takes ~3 s), so build each once
per test session. Tests never reach the network: weights are seeded random.

``device``: where the device tests (tests/unit/test_device.py) run: ``VGGVIZ_TEST_DEVICE``
(default ``cpu``; ``python -m benchmarks.gpu_check`` runs them with ``cuda``). The other
fixtures' models stay on the CPU."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
import torch

os.environ["VGGVIZ_WEIGHTS"] = "random"
os.environ.setdefault("VGGVIZ_DOWNLOAD_TIMEOUT", "2")
ROOT = Path(__file__).resolve().parent.parent    # the repository (pytest.ini puts it on sys.path)

from vggviz.model.variants import build  # noqa: E402
from vggviz.model.weights import load_model  # noqa: E402


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def vgg11():
    """A shared random-weights VGG11 (LoadedModel) on the CPU."""
    return load_model("vgg11", "random", "cpu")


@pytest.fixture(scope="session")
def vgg16():
    """A shared random-weights VGG16 (LoadedModel) on the CPU."""
    return load_model("vgg16", "random", "cpu")

try:
    import support  # noqa: E402,F401  (AppTest fix for st.navigation; see tests/support.py)
except ImportError:     # no streamlit (a GPU machine running only the library's tests)
    pass

TEST_DEVICE = os.environ.get("VGGVIZ_TEST_DEVICE", "cpu").strip() or "cpu"


@pytest.fixture(scope="session")
def device() -> str:
    """The device of the device tests (``VGGVIZ_TEST_DEVICE``); skips them where it is missing."""
    if TEST_DEVICE.startswith("cuda") and not torch.cuda.is_available():
        pytest.skip(f"VGGVIZ_TEST_DEVICE={TEST_DEVICE} but torch sees no CUDA device")
    return TEST_DEVICE


@pytest.fixture(scope="session")
def vgg16_mini():
    """The bundled trained mini VGG16 (shapes weights), a LoadedModel on the CPU."""
    return load_model("vgg16_mini", "shapes", "cpu")


@pytest.fixture
def weights_dir(tmp_path, monkeypatch):
    """A teacher's folder (VGGVIZ_WEIGHTS_DIR) with one mini VGG11 checkpoint, a text file and a
    link out of the folder to a secret checkpoint; returns (folder, secret)."""
    d = tmp_path / "teacher"
    d.mkdir()
    torch.save(build("vgg11_mini", seed=3).state_dict(), d / "class-a11.pth")
    (d / "notes.txt").write_text("not weights")
    secret = tmp_path / "secret.pth"
    torch.save(build("vgg11_mini", seed=4).state_dict(), secret)
    os.symlink(secret, d / "escape.pth")                 # a link out of the folder: not offered
    monkeypatch.setenv("VGGVIZ_WEIGHTS_DIR", str(d))
    return d, secret


@pytest.fixture
def offline(monkeypatch):
    """Every outgoing connection fails (loopback too): nothing may need one."""
    attempts = []

    def refuse(self, address, *a, **kw):
        attempts.append(address)
        raise OSError(f"network disabled by test: connect to {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection",
                        lambda address, *a, **kw: refuse(None, address))
    yield attempts

