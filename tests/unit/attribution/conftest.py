"""Fixtures of the attribution tests: the square-finding net (trained once per module), a cat on
VGG11, a star on the trained mini VGG16; each made once per test session."""

from __future__ import annotations

import contextlib
import copy
import re
import threading

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torchvision.models.vgg import VGG
from torchvision.transforms._presets import ImageClassification

from vggviz import attribution as A
from vggviz.analysis import analyze
from vggviz.images import load_image_file, sample_images
from vggviz.layers import UnknownLayer, find_layer, named_layers
from vggviz.variants import make_features
from vggviz.weights import LoadedModel


from attribution_support import one_thread, train_square_net


@pytest.fixture(scope="session")
def square_net():
    with one_thread():
        return train_square_net()


@pytest.fixture(scope="session")
def cat11(vgg11):
    return analyze(vgg11, load_image_file(sample_images()["Cat"]))


@pytest.fixture(scope="session")
def star16(vgg16_mini):
    import io

    from vggviz.images import load_image
    from vggviz.shapes import draw_plain

    buf = io.BytesIO()
    draw_plain("star").save(buf, "PNG")
    return analyze(vgg16_mini, load_image(buf.getvalue(), "star.png"))
