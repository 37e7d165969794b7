"""Feature maps as pictures: the colour maps (and overlays) every image figure uses, one tiled
image per layer, interactive heatmaps for one channel, how the maps shrink and multiply.
The learned weights are drawn by :mod:`vggviz.figures.filters`, predictions by
:mod:`vggviz.figures.prediction`.

No streamlit here. Grids are built with numpy only (a 256-entry colour lookup table, integer
nearest-neighbour resampling, one reshape to tile), so the largest VGG16 layer
(64 × 224 × 224) renders as one image in a few tens of milliseconds; plotly is used only
where interaction pays (one channel, per-layer summaries, weight distributions).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw
from plotly.subplots import make_subplots

from vggviz.i18n import _

if TYPE_CHECKING:
    from vggviz.inference.analysis import Analysis

__all__ = [
    "GridImage",
    "ORDERS",
    "SEPARATOR",
    "channel_order",
    "NORMALISE",
    "colormap_lut",
    "colorize",
    "colour_index",
    "HEATMAP_COLORMAPS",
    "overlay",
    "feature_grid",
    "channel_heatmap",
    "channel_stats",
    "layer_overview",
    "crop_outline",
    "to_png",
]

ORDERS = ("index", "mean", "max")
NORMALISE = ("per-channel", "layer")
SEPARATOR = (255, 255, 255)


# --------------------------------------------------------------------------- colours


@lru_cache(maxsize=32)
def colormap_lut(name: str = "viridis") -> np.ndarray:
    """A matplotlib colormap as a read-only (256, 3) uint8 lookup table (built once per name).
    Raises ValueError for an unknown name."""
    import matplotlib  # the colormap registry only; pyplot is never imported

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise ValueError(f"unknown colormap {name!r}; try viridis, magma, gray or RdBu_r") from None
    rgba = cmap(np.linspace(0.0, 1.0, 256))
    lut = np.round(rgba[:, :3] * 255).astype(np.uint8)
    lut.setflags(write=False)
    return lut


@lru_cache(maxsize=32)
def _lut_rgbx(name: str) -> np.ndarray:
    """The LUT packed as one little-endian uint32 per colour (R, G, B, 255), plus a 257th
    entry for the separator colour: one gather per pixel of the whole tiled image, decoded
    by Pillow's "RGBX" raw mode."""
    lut = np.vstack([colormap_lut(name), np.array(SEPARATOR, np.uint8)]).astype(np.uint32)
    packed = (lut[:, 0] | (lut[:, 1] << 8) | (lut[:, 2] << 16) | np.uint32(0xFF000000)).astype("<u4")
    packed.setflags(write=False)
    return packed


def colour_index(a: np.ndarray, lo, hi) -> np.ndarray:
    """Values → uint8 colour indices, ``lo``..``hi`` → 0..255, rounded (broadcasting;
    a flat range maps to 0)."""
    lo = np.asarray(lo, dtype=np.float32)
    span = np.asarray(hi, dtype=np.float32) - lo
    scale = np.where(span > 0, np.float32(255) / np.where(span > 0, span, 1), np.float32(0)).astype(np.float32)
    out = np.multiply(a, scale, dtype=np.float32)
    out += (np.float32(0.5) - lo * scale).astype(np.float32)      # (a - lo) * scale + 0.5
    np.clip(out, 0, 255.5, out=out)
    return out.astype(np.uint8)


def colorize(a: np.ndarray, cmap: str = "viridis", vmin: float | None = None,
             vmax: float | None = None) -> np.ndarray:
    """A 2-D (or N-D) array → uint8 RGB (..., 3) through the colormap, ``vmin``..``vmax``
    (default: the array's own range) spread over the 256 colours."""
    a = np.asarray(a, dtype=np.float32)
    lo = float(a.min()) if vmin is None else vmin
    hi = float(a.max()) if vmax is None else vmax
    return colormap_lut(cmap)[colour_index(a, lo, hi)]


HEATMAP_COLORMAPS = ("jet", "turbo", "inferno", "viridis", "magma", "gray")   # offered for attribution maps


def overlay(
    image: Image.Image,
    heat: np.ndarray,
    alpha: float = 0.5,
    cmap: str = "jet",
    crop_box: Sequence[float] | None = None,
) -> Image.Image:
    """``image`` blended with ``heat`` (H, W) in [0, 1] coloured by ``cmap`` (any matplotlib
    colormap; :data:`HEATMAP_COLORMAPS` are the ones the Grad-CAM page offers): ``(1 - alpha) ·
    image + alpha · colour``. With ``crop_box`` (what the network saw), the part outside it
    is shown dimmed and uncoloured and the box is outlined."""
    img = np.asarray(image.convert("RGB"), dtype=np.float32)
    heat = np.asarray(heat, dtype=np.float32)
    if heat.shape != img.shape[:2]:
        raise ValueError(f"heatmap shape {heat.shape} does not match the image ({img.shape[0]}, {img.shape[1]})")
    a = float(np.clip(alpha, 0.0, 1.0))
    idx = np.clip(np.nan_to_num(heat) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    colour = colormap_lut(cmap)[idx].astype(np.float32)
    out = (1.0 - a) * img + a * colour
    if crop_box is not None:
        l, t, r, b = (int(round(v)) for v in crop_box)
        inside = np.zeros(heat.shape, dtype=bool)
        inside[max(t, 0):max(b, 0), max(l, 0):max(r, 0)] = True
        out = np.where(inside[..., None], out, img * 0.45)
    pic = Image.fromarray(np.clip(out + 0.5, 0, 255).astype(np.uint8), "RGB")
    if crop_box is not None:
        width = max(2, round(min(pic.size) / 200))
        ImageDraw.Draw(pic).rectangle([l, t, r - 1, b - 1], outline=(255, 255, 255), width=width)
    return pic


# --------------------------------------------------------------------------- feature grid


@dataclass(frozen=True, eq=False)
class GridImage:
    """A layer's channels tiled into one picture.

    Tile ``p`` (row-major: row ``p // cols``, column ``p % cols``) shows channel ``order[p]``;
    its top-left pixel is at ``(x, y) = (col * (tile_w + sep), row * (tile + sep))``.
    """

    image: Image.Image           # RGB
    order: np.ndarray            # channel index at each tile position
    cols: int
    rows: int
    tile: int                    # tile height in px (= width for square maps)
    tile_w: int
    sep: int                     # separator width in px
    normalise: str
    cmap: str

    def channel_at(self, x: int, y: int) -> int | None:
        """The channel under pixel (x, y) of :attr:`image`, or None on a separator or blank tile."""
        col, dx = divmod(int(x), self.tile_w + self.sep)
        row, dy = divmod(int(y), self.tile + self.sep)
        if dx >= self.tile_w or dy >= self.tile or col >= self.cols or row >= self.rows:
            return None
        p = row * self.cols + col
        return int(self.order[p]) if p < len(self.order) else None

    def position(self, channel: int) -> int:
        """Tile position (0-based, row-major) of ``channel``."""
        hits = np.flatnonzero(self.order == channel)
        if not len(hits):
            raise KeyError(channel)
        return int(hits[0])


def channel_order(acts: np.ndarray, order: str = "index") -> np.ndarray:
    """Channel indices: as they are, or by mean / max activation, largest first (stable)."""
    c = acts.shape[0]
    if order == "index":
        return np.arange(c)
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}; choose one of: {', '.join(ORDERS)}")
    flat = acts.reshape(c, -1)
    key = flat.mean(axis=1, dtype=np.float64) if order == "mean" else flat.max(axis=1).astype(np.float64)
    return np.argsort(-key, kind="stable")


def _grid_shape(c: int) -> tuple[int, int]:
    cols = math.ceil(math.sqrt(c))
    return cols, math.ceil(c / cols)


def _resample_index(n: int, size: int) -> np.ndarray:
    """Nearest-neighbour source indices mapping ``n`` pixels onto ``size``."""
    return np.minimum((np.arange(size) * n) // size, n - 1)


def feature_grid(
    acts: np.ndarray,
    order: str = "index",
    cmap: str = "viridis",
    max_side: int = 1600,
    normalise: str = "per-channel",
) -> GridImage:
    """Tile a layer's (C, H, W) maps into one RGB image in a near-square grid.

    ``normalise="per-channel"`` stretches each channel over the whole colormap (shows the
    pattern in every channel, even weak ones); ``"layer"`` uses one range for the whole layer
    (shows which channels are strong). Small maps are enlarged by a whole factor with nearest
    neighbour (pixels stay square and sharp); maps too large for ``max_side`` are subsampled.
    """
    acts = np.asarray(acts)
    if acts.ndim != 3 or 0 in acts.shape:
        raise ValueError(f"feature_grid expects a non-empty (C, H, W) array, got shape {acts.shape}")
    if normalise not in NORMALISE:
        raise ValueError(f"unknown normalise {normalise!r}; choose one of: {', '.join(NORMALISE)}")
    c, h, w = acts.shape
    if acts.dtype != np.float32:  # one conversion: numpy's float16 reductions are slow
        acts = acts.astype(np.float32)
    idx_order = channel_order(acts, order)
    cols, rows = _grid_shape(c)

    side = max(h, w)
    sep = 1 if side * max(cols, rows) <= 400 else 2
    avail = max(1, (max_side - sep * (max(cols, rows) - 1)) // max(cols, rows))
    scale = max(1, avail // side) if side <= avail else avail / side
    th, tw = max(1, int(h * scale)), max(1, int(w * scale))

    flat = acts.reshape(c, -1)
    if normalise == "per-channel":
        lo, hi = flat.min(axis=1)[:, None], flat.max(axis=1)[:, None]
    else:
        lo, hi = flat.min(), flat.max()
    if th < h or tw < w:  # subsample first: one gather along the flattened map (np.take is fast)
        sel = (_resample_index(h, th)[:, None] * w + _resample_index(w, tw)[None, :]).ravel()
        flat = np.take(flat, sel, axis=1)
    idx = colour_index(flat, lo, hi)[idx_order]                      # uint8, in tile order
    if th > h or tw > w:  # enlarge the uint8 indices (whole factors: np.repeat)
        idx = idx.reshape(c, h, w)
        idx = np.repeat(np.repeat(idx, th // h, axis=1), tw // w, axis=2)
    idx = idx.reshape(c, th, tw)

    # Lay the colour indices out as the picture (256 = separator), then one LUT gather.
    full_h, full_w = rows * (th + sep), cols * (tw + sep)
    canvas = np.full((full_h, full_w), 256, dtype=np.uint16)
    view = canvas.reshape(rows, th + sep, cols, tw + sep)
    n_full = c // cols
    if n_full:
        view[:n_full, :th, :, :tw] = idx[: n_full * cols].reshape(n_full, cols, th, tw).transpose(0, 2, 1, 3)
    if c > n_full * cols:
        view[n_full, :th, : c - n_full * cols, :tw] = idx[n_full * cols:].transpose(1, 0, 2)
    rgbx = np.take(_lut_rgbx(cmap), canvas)                          # (full_h, full_w) uint32
    height, width = full_h - sep, full_w - sep                        # no trailing separator
    image = Image.frombuffer("RGBX", (width, height), rgbx, "raw", "RGBX", full_w * 4, 1).convert("RGB")
    idx_order = idx_order.copy()
    idx_order.setflags(write=False)
    return GridImage(image=image, order=idx_order, cols=cols, rows=rows, tile=th, tile_w=tw,
                     sep=sep, normalise=normalise, cmap=cmap)


# --------------------------------------------------------------------------- one channel


def channel_heatmap(map2d: np.ndarray, title: str = "", colorscale: str = "Viridis") -> go.Figure:
    """One channel as an interactive heatmap: row 0 at the top (like the image), square
    pixels, the value under the cursor on hover."""
    z = np.asarray(map2d, dtype=np.float32)
    fig = go.Figure(go.Heatmap(
        z=z, colorscale=colorscale, colorbar=dict(title=_("value")),
        hovertemplate=_("x %{{x}}, y %{{y}}<br>value %{{z:.4f}}").format() + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", title=_("y (row)"))
    fig.update_xaxes(constrain="domain", title=_("x (column)"))
    fig.update_layout(title=dict(text=title, font=dict(size=14)), height=520,
                      margin=dict(l=10, r=10, t=50, b=10))
    return fig


def channel_stats(map2d: np.ndarray) -> dict:
    """min, max, mean, std and the fraction of positions > 0 ("active"), as floats."""
    z = np.asarray(map2d, dtype=np.float32)
    return {
        "min": float(z.min()), "max": float(z.max()), "mean": float(z.mean(dtype=np.float64)),
        "std": float(z.std(dtype=np.float64)), "active": float(np.count_nonzero(z > 0) / z.size),
    }


# --------------------------------------------------------------------------- whole network


def layer_overview(analysis: Analysis) -> go.Figure:
    """How the maps shrink and multiply: per layer the number of channels (bars) and the side
    of each map (line), and below, the mean activation and the share of active units."""
    rows = analysis.layer_stats()
    for r in rows:
        r["side"], r["values"] = r["height"], r["channels"] * r["height"] * r["width"]
    x = [r["name"] for r in rows]
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08,
                        row_heights=[0.55, 0.45], specs=[[{"secondary_y": True}], [{"secondary_y": True}]],
                        subplot_titles=(_("Maps get smaller and more numerous"),
                                        _("What the image does to each layer")))
    custom = [[r["side"], r["channels"], r["values"]] for r in rows]
    fig.add_bar(x=x, y=[r["channels"] for r in rows], name=_("channels (maps)"), marker_color="#4C78A8",
                customdata=custom, row=1, col=1, secondary_y=False,
                hovertemplate=_("%{{x}}: %{{customdata[1]}} maps of %{{customdata[0]}}×%{{customdata[0]}}"
                                "<br>%{{customdata[2]:,}} values").format() + "<extra></extra>")
    fig.add_scatter(x=x, y=[r["side"] for r in rows], name=_("map side (px)"), mode="lines+markers",
                    line=dict(color="#F58518", width=3), row=1, col=1, secondary_y=True,
                    hovertemplate=_("%{{x}}: %{{y}}×%{{y}} per map").format() + "<extra></extra>")
    fig.add_bar(x=x, y=[r["mean"] for r in rows], name=_("mean activation"), marker_color="#54A24B",
                row=2, col=1, secondary_y=False,
                hovertemplate=_("%{{x}}: mean %{{y:.4f}}").format() + "<extra></extra>")
    fig.add_scatter(x=x, y=[100 * r["active"] for r in rows], name=_("% of units > 0"), mode="lines+markers",
                    line=dict(color="#E45756", width=2), row=2, col=1, secondary_y=True,
                    hovertemplate=_("%{{x}}: %{{y:.1f}}% active").format() + "<extra></extra>")
    chans = sorted({r["channels"] for r in rows})
    sides = sorted({r["side"] for r in rows})
    def log_range(vals):   # room below the smallest bar, so that it shows
        return [math.log10(vals[0] / 2), math.log10(vals[-1] * 1.15)]

    fig.update_yaxes(title_text=_("channels (log scale)"), type="log", tickmode="array", tickvals=chans,
                     ticktext=[str(v) for v in chans], range=log_range(chans), row=1, col=1, secondary_y=False)
    fig.update_yaxes(title_text=_("map side in px (log scale)"), type="log", tickmode="array", tickvals=sides,
                     ticktext=[str(v) for v in sides], range=log_range(sides), showgrid=False,
                     row=1, col=1, secondary_y=True)
    fig.update_yaxes(title_text=_("mean activation"), row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text=_("% active"), range=[0, 100], tickmode="array", tickvals=[0, 25, 50, 75, 100],
                     showgrid=False, row=2, col=1, secondary_y=True)
    fig.update_layout(height=560, margin=dict(l=10, r=10, t=60, b=10), bargap=0.25,
                      legend=dict(orientation="h", y=-0.12))
    return fig


def crop_outline(image: Image.Image, box: tuple[int, int, int, int], color=(255, 64, 64)) -> Image.Image:
    """A copy of ``image`` with the crop box drawn on it and the cut-away parts dimmed."""
    base = image.convert("RGB")
    dim = Image.blend(base, Image.new("RGB", base.size, (0, 0, 0)), 0.55)
    dim.paste(base.crop(box), box[:2])
    width = max(2, round(max(base.size) / 200))
    ImageDraw.Draw(dim).rectangle([box[0], box[1], box[2] - 1, box[3] - 1], outline=color, width=width)
    return dim


def to_png(img: Image.Image, compress_level: int = 3) -> bytes:
    """PNG bytes of a PIL image, for downloads."""
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()
