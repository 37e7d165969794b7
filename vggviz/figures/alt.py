"""Alternative text for every picture the app shows, built from the data it shows: the layer,
the channel, the class, the value range and, for heat maps, where the map is strongest.

A screen reader reads it instead of the picture, so each text says what the picture is and
what it holds in one or two sentences, in the session's language (:mod:`vggviz.i18n`).
No streamlit here; pages pass the result as ``st.image(..., alt=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from vggviz.i18n import N_, _

__all__ = [
    "value_range",
    "strongest_region",
    "photo",
    "preprocessing_stage",
    "jitter_draw",
    "feature_grid",
    "filter_patches",
    "kernel_grid",
    "heat_overlay",
    "top_patch",
    "painted",
    "unit_pixels",
    "qr_code",
    "examples",
]

# Where the strongest part of a map lies, by thirds of its height and width.
_REGIONS = (
    (N_("top left"), N_("top centre"), N_("top right")),
    (N_("middle left"), N_("centre"), N_("middle right")),
    (N_("bottom left"), N_("bottom centre"), N_("bottom right")),
)


def _num(v: float) -> str:
    return f"{float(v):.3g}"


def _lo_hi(a) -> dict[str, str]:
    a = np.asarray(a, dtype=np.float32)
    return {"lo": _num(np.nanmin(a)), "hi": _num(np.nanmax(a))}


def value_range(a) -> str:
    """"values from LO to HI" of an array (3 significant digits)."""
    return _("values from {lo} to {hi}").format(**_lo_hi(a))


def strongest_region(heat) -> str:
    """The third of the picture (top left … bottom right) that holds the map's maximum."""
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32))
    h, w = heat.shape[-2:]
    r, c = np.unravel_index(int(np.argmax(heat)), (h, w))
    return _(_REGIONS[min(2, 3 * r // h)][min(2, 3 * c // w)])


def photo(name: str, image: Image.Image) -> str:
    """The current input image."""
    return _("Input image “{name}”, {w}×{h} px.").format(name=name, w=image.width, h=image.height)


_STAGES = {
    "original": N_("The original image, {w}×{h} px, with the network's centre crop outlined."),
    "resized": N_("The image resized to {w}×{h} px."),
    "cropped": N_("The centre crop the network sees, {w}×{h} px."),
    "normalised": N_("The normalised crop, {w}×{h} px: grey is the mean, black and white ±{range} standard deviations."),
}


def preprocessing_stage(stage: str, image: Image.Image, std_range: float = 3) -> str:
    """One step of the preprocessing (``original``, ``resized``, ``cropped``, ``normalised``;
    the normalised picture shows ±``std_range`` standard deviations as black and white)."""
    return _(_STAGES[stage]).format(w=image.width, h=image.height, range=std_range)


def jitter_draw(S: int, box: Sequence[int], flipped: bool, size: int) -> str:
    """One training-time view: rescaled to S, a crop at ``box``, maybe flipped."""
    text = (_("Training view: short side scaled to {S} px, a {size} px crop at ({x}, {y}), flipped.") if flipped
            else _("Training view: short side scaled to {S} px, a {size} px crop at ({x}, {y})."))
    return text.format(S=S, size=size, x=box[0], y=box[1])


def feature_grid(layer: str, acts, cols: int, rows: int, cmap: str) -> str:
    """A layer's channels tiled into one picture (``acts``: the (C, H, W) maps)."""
    acts = np.asarray(acts, dtype=np.float32)
    c, h, w = acts.shape
    strongest = int(np.argmax(acts.reshape(c, -1).max(axis=1)))
    return _("Feature maps of {layer}: {C} channels of {H}×{W} in a {cols}×{rows} grid, colour map {cmap} "
             "(dark low, bright high); {range}; the strongest unit is in channel {channel}.").format(
        layer=layer, C=c, H=h, W=w, cols=cols, rows=rows, cmap=cmap, range=value_range(acts), channel=strongest)


def filter_patches(layer: str, weights) -> str:
    """The first layer's filters as RGB patches (``weights``: (O, 3, kh, kw))."""
    w = np.asarray(weights, dtype=np.float32)
    return _("The {n} filters of {layer} as {kh}×{kw} colour patches on one shared scale; weights from {lo} to "
             "{hi}.").format(n=w.shape[0], layer=layer, kh=w.shape[2], kw=w.shape[3], **_lo_hi(w))


def kernel_grid(layer: str, weights, first: int, last: int, last_in: int) -> str:
    """Deeper kernels: output channels ``first``..``last`` by input channels 0..``last_in``."""
    w = np.asarray(weights, dtype=np.float32)[first:last + 1, :last_in + 1]
    return _("Kernels of {layer}: rows are output channels {first}–{last}, columns input channels 0–{last_in}; "
             "red positive, blue negative, white zero; weights from {lo} to {hi}.").format(
        layer=layer, first=first, last=last, last_in=last_in, **_lo_hi(w))


def heat_overlay(method: str, label: str, layer: str | None, heat, cmap: str) -> str:
    """An attribution map over the image (``heat``: the map in [0, 1], any size): the method,
    the class, the layer, where it is strongest and how much of the picture is above half."""
    heat = np.nan_to_num(np.asarray(heat, dtype=np.float32))
    top = float(heat.max())
    share = float((heat >= 0.5 * top).mean()) if top > 0 else 0.0
    if top <= 0:
        text = (_("{method} map of “{label}” at {layer}: zero everywhere.") if layer else
                _("{method} map of “{label}”: zero everywhere."))
        return text.format(method=method, label=label, layer=layer)
    text = (_("{method} map of “{label}” at {layer} over the image, colour map {cmap}: strongest at the {where}; "
              "{pct}% of the picture is above half the maximum.") if layer else
            _("{method} map of “{label}” over the image, colour map {cmap}: strongest at the {where}; "
              "{pct}% of the picture is above half the maximum."))
    return text.format(method=method, label=label, layer=layer, cmap=cmap, where=strongest_region(heat),
                       pct=f"{100 * share:.0f}")


def top_patch(layer: str, channel: int, value: float, source: str) -> str:
    """One of a channel's strongest image patches."""
    return _("Patch of {source} where {layer} channel {channel} fires hardest: value {value}.").format(
        source=source, layer=layer, channel=channel, value=_num(value))


def painted(layer: str, channel: int, value: float | None = None, step: int | None = None) -> str:
    """An image painted by gradient ascent to make a channel fire (``step``: while it forms)."""
    if step is not None:
        return _("Image being painted for {layer} channel {channel}, step {step}.").format(
            layer=layer, channel=channel, step=step)
    return _("Image painted to make {layer} channel {channel} fire: value {value} on it.").format(
        layer=layer, channel=channel, value=_num(value if value is not None else float("nan")))


def unit_pixels(pixels) -> str:
    """The 3×3 RGB pixels conv1_1 reads (``pixels``: (3, 3, 3) in the crop's 0..255 or 0..1)."""
    return _("The 3×3 pixels conv1_1 reads, enlarged; {range}.").format(range=value_range(pixels))


def qr_code(url: str) -> str:
    """The QR code of a share link."""
    return _("QR code of this link: {url}").format(url=url)


def examples(label: str, names: Sequence[str]) -> list[str]:
    """One text per thumbnail of a class's examples: the class and each image's name."""
    return [_("Example of “{label}”: {name}").format(label=label, name=n) for n in names]
