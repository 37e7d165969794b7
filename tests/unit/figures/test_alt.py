"""Alternative text: built from the data (layer, channel, class, value range, where a map is
strongest), in the session's language."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from vggviz import i18n
from vggviz.figures import alt


def test_value_range_reads_the_array():
    assert alt.value_range(np.array([[-1.5, 0.25], [3.0, 2.0]])) == "values from -1.5 to 3"


@pytest.mark.parametrize(("r", "c", "where"), [(0, 0, "top left"), (5, 5, "centre"), (11, 0, "bottom left"),
                                               (0, 11, "top right"), (11, 6, "bottom centre")])
def test_strongest_region_is_the_third_holding_the_maximum(r, c, where):
    heat = np.zeros((12, 12), np.float32)
    heat[r, c] = 1.0
    assert alt.strongest_region(heat) == where


def test_heat_overlay_names_method_class_layer_place_and_share():
    heat = np.zeros((10, 10), np.float32)
    heat[:2, 8:] = 1.0                    # 4 % of the picture, top right
    text = alt.heat_overlay("Grad-CAM", "tabby cat", "conv5_3", heat, "inferno")
    assert text.startswith("Grad-CAM map of “tabby cat” at conv5_3")
    assert "inferno" in text and "top right" in text and "4%" in text
    assert "at conv" not in alt.heat_overlay("Saliency", "cat", None, heat, "inferno")
    assert "zero everywhere" in alt.heat_overlay("Grad-CAM", "cat", "conv5_3", np.zeros((4, 4)), "inferno")


def test_feature_grid_gives_shape_grid_range_and_strongest_channel():
    acts = np.zeros((6, 4, 5), np.float32)
    acts[4, 1, 2] = 7.5
    acts[1, 0, 0] = -2.0
    text = alt.feature_grid("conv2_1", acts, 3, 2, "viridis")
    for part in ("conv2_1", "6 channels of 4×5", "3×2 grid", "viridis", "from -2 to 7.5", "channel 4"):
        assert part in text, (part, text)


def test_filters_and_kernels_give_layer_and_weights():
    w = np.linspace(-0.5, 0.25, 8 * 3 * 3 * 3, dtype=np.float32).reshape(8, 3, 3, 3)
    assert alt.filter_patches("conv1_1", w) == (
        "The 8 filters of conv1_1 as 3×3 colour patches on one shared scale; weights from -0.5 to 0.25.")
    text = alt.kernel_grid("conv2_1", w, 2, 5, 1)
    assert "output channels 2–5" in text and "input channels 0–1" in text
    sub = w[2:6, :2]
    assert f"from {sub.min():.3g} to {sub.max():.3g}" in text


def test_pictures_of_images_give_their_size_and_names():
    im = Image.new("RGB", (40, 30))
    assert alt.photo("cat.jpg", im) == "Input image “cat.jpg”, 40×30 px."
    assert "40×30" in alt.preprocessing_stage("cropped", im)
    assert "±2.5" in alt.preprocessing_stage("normalised", im, 2.5)
    assert alt.jitter_draw(300, (10, 20, 234, 244), True, 224).endswith("crop at (10, 20), flipped.")
    assert alt.examples("dog", ["a.png", "b.png"]) == ["Example of “dog”: a.png", "Example of “dog”: b.png"]
    assert "channel 7" in alt.top_patch("conv3_1", 7, 12.345, "cat") and "12.3" in alt.top_patch("conv3_1", 7, 12.345, "cat")
    assert "step 4" in alt.painted("conv3_1", 7, step=4)
    assert "0.5" in alt.painted("conv3_1", 7, 0.5)
    assert "http://x/?a=1" in alt.qr_code("http://x/?a=1")
    assert "from 0 to 255" in alt.unit_pixels(np.array([0, 255]))


def test_in_chinese():
    heat = np.zeros((9, 9), np.float32)
    heat[4, 4] = 1
    with i18n.using("zh"):
        text = alt.heat_overlay("Grad-CAM", "猫", "conv5_3", heat, "inferno")
        assert "最强处在中央" in text and "conv5_3" in text
        assert alt.value_range(np.array([1.0, 2.0])) == "数值从 1 到 2"
