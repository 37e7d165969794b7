"""The learned weights as pictures: conv1's filters as colour patches, a deeper layer's kernels
as a grid, and per-layer weight distributions.

No streamlit here. Images are built with numpy and PIL (the colour tables of
:mod:`vggviz.figures.maps`); plotly only for the distributions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw, ImageFont

from vggviz.figures.maps import SEPARATOR, colormap_lut, colour_index
from vggviz.i18n import _

__all__ = ["filter_patches", "kernel_grid", "weight_histogram"]


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def filter_patches(weight: np.ndarray, scale: int = 16, cols: int = 8, label: bool = True) -> Image.Image:
    """conv1_1's filters as colour patches: each (3, k, k) filter is shown as a k×k RGB
    picture (its weights on the R, G, B inputs), enlarged ``scale``× with nearest neighbour.

    All filters share ONE range (the min and max over every weight → 0..255), so brightness
    and colour are comparable between patches; mid-grey is not zero unless the range is
    symmetric. Each patch is labelled with its output channel.
    """
    w = np.asarray(weight, dtype=np.float32)
    if w.ndim != 4 or w.shape[1] != 3:
        raise ValueError(f"filter_patches expects (O, 3, k, k) RGB filters, got shape {w.shape}")
    o, _in, kh, kw = w.shape
    lo, hi = float(w.min()), float(w.max())
    pix = colour_index(w, lo, hi).transpose(0, 2, 3, 1)                      # (O, k, k, 3)
    pix = np.repeat(np.repeat(pix, scale, axis=1), scale, axis=2)
    ph, pw = kh * scale, kw * scale
    cols = min(cols, o)
    rows = math.ceil(o / cols)
    pad, lab = max(4, scale // 4), (14 if label else 0)
    img = Image.new("RGB", (cols * (pw + pad) + pad, rows * (ph + pad + lab) + pad), SEPARATOR)
    draw, font = ImageDraw.Draw(img), _font(11)
    for i in range(o):
        r, c = divmod(i, cols)
        x, y = pad + c * (pw + pad), pad + r * (ph + pad + lab)
        img.paste(Image.fromarray(pix[i], "RGB"), (x, y + lab))
        if label:
            draw.text((x, y), str(i), fill=(60, 60, 60), font=font)
    return img


def _select(n: int, out_channels) -> list[int]:
    if out_channels is None:
        return list(range(n))
    if isinstance(out_channels, slice):
        return list(range(n))[out_channels]
    sel = [int(i) for i in out_channels]
    bad = [i for i in sel if not 0 <= i < n]
    if bad:
        raise ValueError(f"output channel {bad[0]} does not exist (0..{n - 1})")
    return sel


def kernel_grid(
    weight: np.ndarray,
    out_channels: slice | Sequence[int] | None = slice(0, 16),
    max_in: int = 64,
    cmap: str = "RdBu_r",
    cell: int | None = None,
) -> Image.Image:
    """A deeper conv's kernels: one row per selected output channel, holding its k×k kernel
    on each of the first ``max_in`` input channels. Diverging colours on a symmetric scale
    (±max |w| over what is shown): white = 0, red positive, blue negative."""
    w = np.asarray(weight, dtype=np.float32)
    if w.ndim != 4:
        raise ValueError(f"kernel_grid expects an (O, I, k, k) weight, got shape {w.shape}")
    o, i_n, kh, kw = w.shape
    outs = _select(o, out_channels)
    if not outs:
        raise ValueError("no output channels selected")
    n_in = max(1, min(int(max_in), i_n))
    sub = w[outs, :n_in]                                                  # (R, I, k, k)
    vmax = float(np.abs(sub).max()) or 1.0
    scale = cell or max(2, 18 // max(kh, kw))
    pix = colormap_lut(cmap)[colour_index(sub, -vmax, vmax)]                  # (R, I, k, k, 3)
    pix = np.repeat(np.repeat(pix, scale, axis=2), scale, axis=3)
    ch, cw, gap, left = kh * scale, kw * scale, 1, 44
    rows, n = len(outs), n_in
    body = np.empty((rows, ch + gap + 1, n, cw + gap, 3), dtype=np.uint8)
    body[...] = SEPARATOR
    body[:, :ch, :, :cw] = pix.transpose(0, 2, 1, 3, 4)
    body = body.reshape(rows * (ch + gap + 1), n * (cw + gap), 3)
    font = _font(11)
    header = f"input channels 0-{n - 1} ->   (colour scale -{vmax:.3g} .. +{vmax:.3g})"
    width = max(left + body.shape[1], left + int(np.ceil(font.getlength(header))) + 4)   # narrow grids: whole header
    img = Image.new("RGB", (width, body.shape[0] + 16), SEPARATOR)
    img.paste(Image.fromarray(np.ascontiguousarray(body), "RGB"), (left, 16))
    draw = ImageDraw.Draw(img)
    draw.text((left, 1), header, fill=(60, 60, 60), font=font)
    for r, oc in enumerate(outs):
        draw.text((2, 16 + r * (ch + gap + 1) + max(0, ch // 2 - 6)), f"out {oc}", fill=(60, 60, 60), font=font)
    return img


def weight_histogram(weights: dict[str, np.ndarray], bins: int = 81) -> go.Figure:
    """Per-layer weight distributions as density curves on one shared, symmetric axis
    (histograms computed here, so the figure stays small whatever the layer size)."""
    fig = go.Figure()
    if not weights:
        return fig
    arrays = {k: np.asarray(v, dtype=np.float32).ravel() for k, v in weights.items()}
    lim = max(float(np.abs(a).max()) for a in arrays.values()) or 1.0
    edges = np.linspace(-lim, lim, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    for name, a in arrays.items():
        counts, _edges = np.histogram(a, bins=edges)
        density = counts / (a.size * (edges[1] - edges[0]))
        std = float(a.std(dtype=np.float64))
        fig.add_scatter(x=centres, y=density, mode="lines", line=dict(shape="hvh", width=2),
                        name=f"{name} (σ={std:.3g}, n={a.size:,})",
                        hovertemplate=name + _("<br>w ≈ %{{x:.4f}}<br>density %{{y:.3g}}").format()
                        + "<extra></extra>")
    fig.update_layout(height=420, margin=dict(l=10, r=10, t=30, b=10), xaxis_title=_("weight value"),
                      yaxis_title=_("density (area 1 per layer)"), legend=dict(orientation="v"))
    return fig
