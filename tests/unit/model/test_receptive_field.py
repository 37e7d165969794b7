"""Receptive fields: the stack arithmetic, the paper's counts, the path-count grid, and the
published VGG fields through every path the app uses (layer table, explorer, unit boxes)."""

from __future__ import annotations

import numpy as np
import pytest

from vggviz.explain.erf import field_steps, variant_unit_field
from vggviz.model.receptive_field import (
    compare_stack,
    path_count_steps,
    path_counts,
    path_counts_1d,
    receptive_fields,
    stack_rf,
    unit_box,
    with_pointwise,
)
from vggviz.model.summary import summarize
from vggviz.model.variants import build


@pytest.mark.parametrize("n", range(1, 11))
def test_stack_of_3x3_sees_2n_plus_1(n):
    assert stack_rf(n, 3) == 2 * n + 1
    cmp = compare_stack(3, n, 64)
    assert cmp.rf == 2 * n + 1 and cmp.single_kernel == 2 * n + 1
    assert cmp.growth == [2 * i + 1 for i in range(1, n + 1)]
    assert (cmp.nonlinearities, cmp.single_nonlinearities) == (n, 1)


@pytest.mark.parametrize("c", [64, 512])
def test_weight_counts_match_the_paper(c):
    three = compare_stack(3, 3, c)
    assert (three.params, three.single_params) == (27 * c * c, 49 * c * c)
    assert three.saving == pytest.approx(1 - 27 / 49)          # 44.9 %
    five = compare_stack(3, 5, c)
    assert (five.rf, five.params, five.single_params) == (11, 5 * 9 * c * c, 121 * c * c)
    assert (five.macs_per_position, five.single_macs_per_position) == (45 * c * c, 121 * c * c)
    # general formula N·K²·C² against (N(K−1)+1)²·C²
    for k in (1, 3, 5, 7):
        for n in range(1, 7):
            cm = compare_stack(k, n, c)
            assert cm.params == n * k * k * c * c
            assert cm.single_params == (n * (k - 1) + 1) ** 2 * c * c


def test_cli_json_contract():
    j = compare_stack(3, 3, 64).to_json()
    assert {"rf", "params", "nonlinearities", "single"} <= set(j)
    assert {"kernel", "params", "nonlinearities"} <= set(j["single"])
    assert (j["rf"], j["single"]["kernel"], j["nonlinearities"], j["single"]["nonlinearities"]) == (7, 7, 3, 1)


def _explicit_box_convolution(kernel: int, layers: int) -> np.ndarray:
    """A delta convolved ``layers`` times with a K×K box of ones, by explicit shifted sums."""
    grid = np.ones((1, 1), dtype=np.int64)
    for _ in range(layers):
        h = grid.shape[0]
        out = np.zeros((h + kernel - 1, h + kernel - 1), dtype=np.int64)
        for dy in range(kernel):
            for dx in range(kernel):
                out[dy:dy + h, dx:dx + h] += grid
        grid = out
    return grid


@pytest.mark.parametrize("kernel,layers", [(3, 1), (3, 2), (3, 3), (3, 6), (5, 4), (7, 6), (1, 3)])
def test_path_counts_are_the_convolution_of_box_filters(kernel, layers):
    grid = path_counts(kernel, layers)
    np.testing.assert_array_equal(grid, _explicit_box_convolution(kernel, layers))
    side = stack_rf(layers, kernel)
    assert grid.shape == (side, side)
    assert int(grid.sum()) == kernel ** (2 * layers)          # one tap of K² per layer
    assert grid[0, 0] == 1                                     # a corner: one path only
    c = side // 2
    assert grid[c, c] == grid.max()                            # the centre: the most paths
    np.testing.assert_array_equal(grid, grid.T)
    np.testing.assert_array_equal(grid, grid[::-1, ::-1])


def test_path_counts_known_values():
    assert path_counts_1d(3, 2) == [1, 2, 3, 2, 1]
    assert path_counts_1d(2, 4) == [1, 4, 6, 4, 1]             # binomial for K = 2
    assert int(path_counts(3, 3)[3, 3]) == 49                  # 7 × 7 at the centre of 7×7


def test_path_count_steps_grow_on_one_canvas():
    steps = path_count_steps(3, 4)
    assert len(steps) == 4 and all(g.shape == (9, 9) for g in steps)
    for i, g in enumerate(steps, start=1):
        support = int((g.sum(0) > 0).sum())
        assert support == 2 * i + 1
        assert int(g.sum()) == 9 ** i


def test_one_by_one_adds_no_field_but_a_relu_and_c_squared():
    for c in (64, 512):
        pw = with_pointwise(3, c)
        assert pw["rf_with_1x1"] == pw["rf"] == 3
        assert pw["params_with_1x1"] - pw["params"] == c * c
        assert (pw["nonlinearities"], pw["nonlinearities_with_1x1"]) == (1, 2)
    one = compare_stack(1, 3, 64)
    assert one.rf == 1 and one.params == 3 * 64 * 64 and one.single_params == 64 * 64


@pytest.mark.parametrize("variant,layer,rf", [
    ("vgg16", "conv5_3", 196), ("vgg16", "pool5", 212), ("vgg11", "pool5", 150),
    ("vgg16_bn", "pool5", 212), ("vgg19", "pool5", 268),   # 212 + a fourth 3×3 in blocks 3–5: 2·(4+8+16)
])
def test_published_fields_through_every_path(variant, layer, rf):
    # 1. the layer table (what the Architecture page and the explorer's chart show)
    row = summarize(variant, 224).row(layer)
    assert row.rf == rf
    # 2. the explorer's unit boxes (theoretical field drawn on the image)
    top, left, bottom, right = variant_unit_field(variant, layer, 3, 3)
    assert bottom - top == right - left == rf
    # 3. the one function, fed the built model's layer geometry directly
    pairs = field_steps(build(variant, device="meta"))
    names = [lay.name for lay, _ in pairs]
    assert receptive_fields(lay.geometry() for lay, _ in pairs)[names.index(layer)].rf == rf


def test_config_c_loses_field_to_its_1x1_layers():
    # D has a third 3×3 in blocks 3–5 where C has a 1×1: 2·(4 + 8 + 16) = 56 px less at pool5
    assert summarize("vgg16", 224).row("pool5").rf - summarize("vgg16_c", 224).row("pool5").rf == 56


def test_unit_box_centres_follow_the_jump():
    steps = receptive_fields([(3, 1, 1), (2, 2, 0), (3, 1, 1)])
    # after conv-pool-conv: rf 3 → 4 → 8, jump 1 → 2 → 2
    assert [(s.rf, s.jump) for s in steps] == [(3, 1), (4, 2), (8, 2)]
    a = unit_box(steps, 2, 0, 0)
    b = unit_box(steps, 2, 0, 1)
    assert b[1] - a[1] == 2 and b[3] - a[3] == 2 and a[2] - a[0] == 8
    assert a[0] < 0                                           # the corner unit sees padding


def test_channel_reduction_saving_by_hand():
    from vggviz.model.receptive_field import channel_reduction

    r = channel_reduction(256, 64, 256, 3, 56)
    assert r.direct_params == 9 * 256 * 256 == 589_824
    assert (r.reduce_params, r.conv_params, r.bottleneck_params) == (256 * 64, 9 * 64 * 256, 163_840)
    assert r.ratio == pytest.approx(3.6)
    assert r.bottleneck_macs == 163_840 * 56 * 56 and r.direct_macs == 589_824 * 56 * 56
    assert channel_reduction(64, 64, 64).ratio < 1          # no reduction: the 1×1 only adds weights
    with pytest.raises(ValueError, match="reduced channels"):
        channel_reduction(256, 0, 256)
