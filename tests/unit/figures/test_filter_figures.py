"""The learned weights as pictures (vggviz.figures.filters): one shared range for conv1's
patches, a symmetric diverging scale for kernels, densities that integrate to one."""

from __future__ import annotations

import numpy as np
import pytest

from vggviz.figures import filters as filter_figures
from vggviz.figures import maps


def test_filter_patches_shape_and_one_shared_range():
    w = np.zeros((64, 3, 3, 3), np.float32)
    w[0, 0] = 1.0                       # filter 0: red input at the global max, G and B at 0
    w[1] = -1.0                         # filter 1: everything at the global min
    img = filter_figures.filter_patches(w, scale=10, label=False)
    pad = max(4, 10 // 4)
    assert img.size == (8 * (30 + pad) + pad, 8 * (30 + pad) + pad)
    a = np.asarray(img)
    np.testing.assert_array_equal(a[pad + 15, pad + 15], [255, 128, 128])        # filter 0: reddish
    np.testing.assert_array_equal(a[pad + 15, 2 * pad + 30 + 15], [0, 0, 0])     # filter 1: black
    np.testing.assert_array_equal(a[pad + 15, 3 * pad + 60 + 15], [128, 128, 128])  # zero: mid of [-1, 1]
    with pytest.raises(ValueError):
        filter_figures.filter_patches(np.zeros((8, 4, 3, 3)))


def test_kernel_grid_symmetric_diverging_scale():
    w = np.zeros((8, 4, 3, 3), np.float32)
    w[2, 1, 1, 1] = 0.5
    w[2, 1, 0, 0] = -0.5
    img = filter_figures.kernel_grid(w, out_channels=[2], max_in=4, cell=6)
    a = np.asarray(img)
    lut = maps.colormap_lut("RdBu_r")
    left, top, cw = 44, 16, 18
    k1 = a[top:top + cw, left + (cw + 1): left + (cw + 1) + cw]                  # input channel 1
    np.testing.assert_array_equal(k1[9, 9], lut[255])                            # +max: red end
    np.testing.assert_array_equal(k1[2, 2], lut[0])                              # -max: blue end
    np.testing.assert_array_equal(k1[2, 9], lut[128])                            # zero: the middle
    assert img.size[0] >= left + 4 * (cw + 1)
    # a grid narrower than its header is widened so the header is whole (the mini's 8 channels)
    header_w = filter_figures._font(11).getlength("input channels 0-3 ->   (colour scale -0.5 .. +0.5)")
    assert img.size[0] >= left + header_w
    assert (a[16:, left + 4 * (cw + 1):] == maps.SEPARATOR).all()              # the extra width is blank
    with pytest.raises(ValueError):
        filter_figures.kernel_grid(w, out_channels=[99])


def test_weight_histogram_densities_integrate_to_one():
    rng = np.random.default_rng(3)
    fig = filter_figures.weight_histogram({"conv1_1": rng.normal(0, 0.1, (64, 3, 3, 3)),
                                 "conv1_2": rng.normal(0, 0.02, (64, 64, 3, 3))})
    assert len(fig.data) == 2
    for tr in fig.data:
        x, y = np.asarray(tr.x), np.asarray(tr.y)
        assert np.sum(y) * (x[1] - x[0]) == pytest.approx(1.0)
    assert fig.data[0].name.startswith("conv1_1")
