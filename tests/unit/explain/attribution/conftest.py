"""Fixtures of the attribution tests: the square-finding net (trained once per module), a cat on
VGG11, a star on the trained mini VGG16; each made once per test session."""

from __future__ import annotations

import pytest
from attribution_support import one_thread, train_square_net

from vggviz.data.images import load_image_file, sample_images
from vggviz.inference.analysis import analyze


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

    from vggviz.data.images import load_image
    from vggviz.data.shapes import draw_plain

    buf = io.BytesIO()
    draw_plain("star").save(buf, "PNG")
    return analyze(vgg16_mini, load_image(buf.getvalue(), "star.png"))
