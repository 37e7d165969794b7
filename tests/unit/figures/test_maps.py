"""Rendering: tiles land where GridImage says, sorting, colour tables, one channel, overlays."""

from __future__ import annotations

import io

import matplotlib
import numpy as np
import pytest
from PIL import Image

from vggviz.figures import maps


def tile_pixels(grid: maps.GridImage, pos: int) -> np.ndarray:
    """The (tile, tile_w, 3) pixels of tile position ``pos``, cut by the documented geometry."""
    row, col = divmod(pos, grid.cols)
    y, x = row * (grid.tile + grid.sep), col * (grid.tile_w + grid.sep)
    return np.asarray(grid.image)[y: y + grid.tile, x: x + grid.tile_w]


def constant_layer(c: int = 10, side: int = 5) -> np.ndarray:
    """Channel k is the constant k."""
    return np.broadcast_to(np.arange(c, dtype=np.float32)[:, None, None], (c, side, side)).copy()


# --------------------------------------------------------------------------- LUT


def test_lut_matches_matplotlib_and_is_cached():
    lut = maps.colormap_lut("viridis")
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert not lut.flags.writeable
    ref = np.round(matplotlib.colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)
    np.testing.assert_array_equal(lut, ref)
    assert maps.colormap_lut("viridis") is lut          # built once


def test_gray_lut_is_identity_ramp_and_colorize_uses_it():
    lut = maps.colormap_lut("gray")
    np.testing.assert_array_equal(lut, np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1))
    rgb = maps.colorize(np.array([[0.0, 0.5, 1.0]]), "gray")
    np.testing.assert_array_equal(rgb[0, :, 0], [0, 128, 255])


def test_unknown_colormap_is_a_value_error():
    with pytest.raises(ValueError, match="unknown colormap"):
        maps.colormap_lut("no-such-map")


# --------------------------------------------------------------------------- grid


def test_grid_layout_is_near_square_and_tiles_map_to_channels():
    acts = constant_layer(10)
    grid = maps.feature_grid(acts, normalise="layer", cmap="gray")
    assert (grid.cols, grid.rows) == (4, 3)
    assert grid.tile == grid.tile_w and grid.tile % 5 == 0        # whole-factor enlargement
    w = grid.cols * (grid.tile_w + grid.sep) - grid.sep
    h = grid.rows * (grid.tile + grid.sep) - grid.sep
    assert grid.image.size == (w, h) and grid.image.mode == "RGB"
    np.testing.assert_array_equal(grid.order, np.arange(10))
    lut = maps.colormap_lut("gray")
    for pos in range(10):
        expected = lut[round(pos * 255 / 9)]
        assert (tile_pixels(grid, pos) == expected).all(), pos
    # the two unused positions are blank (separator colour)
    for pos in (10, 11):
        assert (tile_pixels(grid, pos) == maps.SEPARATOR).all()
        row, col = divmod(pos, grid.cols)
        assert grid.channel_at(col * (grid.tile_w + grid.sep), row * (grid.tile + grid.sep)) is None


def test_known_pattern_appears_in_its_tile_only():
    rng = np.random.default_rng(1)
    acts = rng.uniform(0, 1, (20, 6, 6)).astype(np.float32)
    acts[13] = 0
    acts[13, 2, 4] = 1.0                                          # one bright unit in channel 13
    grid = maps.feature_grid(acts, order="index", cmap="gray")   # per-channel normalisation
    assert grid.position(13) == 13
    tile = tile_pixels(grid, 13)
    f = grid.tile // 6
    bright = np.zeros((6, 6), bool)
    bright[2, 4] = True
    expected = np.where(np.kron(bright, np.ones((f, f), bool)), 255, 0)
    np.testing.assert_array_equal(tile[..., 0], expected)
    # channel_at finds channel 13 at the bright block's centre, and a separator between tiles
    row, col = divmod(13, grid.cols)
    x = col * (grid.tile_w + grid.sep) + 4 * f + f // 2
    y = row * (grid.tile + grid.sep) + 2 * f + f // 2
    assert grid.channel_at(x, y) == 13
    assert np.asarray(grid.image)[y, x, 0] == 255
    assert grid.channel_at(grid.tile_w, 0) is None                # the first vertical separator


def test_sort_by_mean_and_max_put_the_strongest_channel_first():
    rng = np.random.default_rng(2)
    acts = rng.uniform(0, 1, (16, 8, 8)).astype(np.float32)
    acts[11] += 5.0                                               # brightest on average
    acts[3, 0, 0] = 100.0                                         # the single largest value
    by_mean = maps.feature_grid(acts, order="mean", normalise="layer", cmap="gray")
    by_max = maps.feature_grid(acts, order="max", normalise="layer", cmap="gray")
    assert by_mean.order[0] == 11
    assert by_max.order[0] == 3
    means = acts.reshape(16, -1).mean(1)
    assert (np.diff(means[by_mean.order]) <= 0).all()
    assert sorted(by_mean.order.tolist()) == list(range(16))
    # the tile content follows the order: tile 0 of the mean grid is channel 11's pixels
    lo, hi = acts.min(), acts.max()
    expect = np.round((acts[11] - lo) / (hi - lo) * 255).astype(np.uint8)
    f = by_mean.tile // 8
    np.testing.assert_array_equal(tile_pixels(by_mean, 0)[::f, ::f, 0], expect)


def test_float16_input_and_large_maps_are_subsampled_within_max_side():
    acts = np.zeros((64, 224, 224), np.float16)
    acts[5, 100:120, 100:120] = 3
    grid = maps.feature_grid(acts, max_side=800)
    assert max(grid.image.size) <= 800
    assert grid.tile < 224
    assert grid.channel_at(0, 0) == 0
    # a flat (all-zero) channel renders as the colormap's first colour, not noise
    assert (tile_pixels(grid, 0) == maps.colormap_lut("viridis")[0]).all()


def test_grid_rejects_bad_input():
    with pytest.raises(ValueError):
        maps.feature_grid(np.zeros((4, 4)))
    with pytest.raises(ValueError):
        maps.feature_grid(np.zeros((4, 4, 4)), order="sideways")
    with pytest.raises(ValueError):
        maps.feature_grid(np.zeros((4, 4, 4)), normalise="global")


# --------------------------------------------------------------------------- one channel


def test_channel_stats_and_heatmap():
    z = np.array([[-1.0, 0.0], [2.0, 3.0]], np.float32)
    s = maps.channel_stats(z)
    assert s == pytest.approx({"min": -1.0, "max": 3.0, "mean": 1.0, "std": float(np.std(z)), "active": 0.5})
    fig = maps.channel_heatmap(z, "conv1_1 channel 0")
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), z)
    assert fig.layout.yaxis.autorange == "reversed"
    assert "%{z" in fig.data[0].hovertemplate


def test_crop_outline_dims_outside_only():
    img = Image.new("RGB", (100, 60), (200, 200, 200))
    out = maps.crop_outline(img, (20, 0, 80, 60))
    a = np.asarray(out)
    assert a[30, 5].max() < 200 and (a[30, 50] == 200).all()


def test_to_png_round_trips():
    img = Image.new("RGB", (7, 5), (1, 2, 3))
    back = Image.open(io.BytesIO(maps.to_png(img)))
    assert back.format == "PNG" and back.size == (7, 5) and back.getpixel((0, 0)) == (1, 2, 3)


def test_translated_hover_templates_keep_plotlys_placeholders():
    import re

    from vggviz import i18n

    placeholder = re.compile(r"%\{\{[^{}]*\}\}")
    templates = {en: zh for en, zh in i18n.catalogue("zh").items() if "%{{" in en}
    assert templates
    for en, zh in templates.items():
        assert sorted(placeholder.findall(en)) == sorted(placeholder.findall(zh)), (en, zh)
        filled = zh.format(**{f: "F" for f in i18n.fields(zh) if f})
        assert re.search(r"%\{[a-z]", filled), zh                           # .format() leaves plotly's %{…}
    with i18n.using("zh"):
        fig = maps.channel_heatmap(np.zeros((2, 2)))
    assert "%{z:.4f}" in fig.data[0].hovertemplate and "值" in fig.data[0].hovertemplate


# --------------------------------------------------------------------------- attribution overlay (moved from test_attribution)


def test_overlay(vgg11):
    from vggviz.data.images import load_image_file, sample_images
    from vggviz.explain.attribution import gradcam
    from vggviz.inference.analysis import analyze

    cat11 = analyze(vgg11, load_image_file(sample_images()["Cat"]))
    img = cat11.preprocessed.stages["original"]
    box = cat11.preprocessed.crop_box
    heat = gradcam(vgg11, cat11).image_map(box, img.size)
    pic = maps.overlay(img, heat, alpha=0.6, cmap="inferno", crop_box=box)
    assert pic.size == img.size and pic.mode == "RGB"
    arr = np.asarray(pic)
    assert tuple(arr[box[1], (box[0] + box[2]) // 2]) == (255, 255, 255)      # the box outline
    assert np.array_equal(np.asarray(maps.overlay(img, heat, alpha=0.0)), np.asarray(img))
    with pytest.raises(ValueError, match="unknown colormap"):
        maps.overlay(img, heat, cmap="nope")
    with pytest.raises(ValueError, match="does not match"):
        maps.overlay(img, heat[:-1])
    for name in maps.HEATMAP_COLORMAPS:
        maps.colormap_lut(name)
