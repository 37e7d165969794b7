"""Shared fixtures: models are expensive (a VGG16 random init takes ~3 s), so build each once
per test session. Tests never reach the network: weights are seeded random."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ["VGGVIZ_WEIGHTS"] = "random"
os.environ.setdefault("VGGVIZ_DOWNLOAD_TIMEOUT", "2")
ROOT = Path(__file__).resolve().parent.parent    # the repository (pytest.ini puts it on sys.path)

from vggviz.weights import load_model  # noqa: E402


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

import support  # noqa: E402,F401  (AppTest fix for st.navigation; see tests/support.py)


@pytest.fixture(scope="session")
def vgg16_mini():
    """The bundled trained mini VGG16 (shapes weights), a LoadedModel on the CPU."""
    return load_model("vgg16_mini", "shapes", "cpu")
