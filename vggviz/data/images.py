"""Safe loading of user images: any bytes in, an upright 8-bit RGB picture (or one clear error) out.

Uploads are untrusted. Pillow can be made to allocate gigabytes by a few hundred bytes
of header (a "decompression bomb"), half-decodes truncated files into grey, and raises a
zoo of exception types on crafted input. VGG, on the other hand, wants one thing: an RGB
image at least 32×32. :func:`load_image` sits between the two:

* it refuses empty, oversized, non-image, truncated and bomb files with an
  :class:`ImageError` whose text is one line a user can act on;
* it normalises everything else to an upright 8-bit RGB image (16-bit and float
  rescaled by their real range, transparency composited on white, CMYK and palettes
  converted, first frame of animations, EXIF orientation applied, colour profiles
  converted to sRGB, very large images reduced) and records each step in ``notes``.

Everything happens in memory (``BytesIO``); uploaded bytes are never written to disk.
Pillow's global settings (``Image.MAX_IMAGE_PIXELS``, ``ImageFile.LOAD_TRUNCATED_IMAGES``)
are left untouched; the bomb warning is turned into an error only inside a local
``warnings.catch_warnings()`` block. (Before Python 3.14 that block swaps the process-wide
filter list for its duration, so a bomb warning raised at that moment by an unrelated
thread would also be promoted to an error: harmless here, since nothing else opens images.)

Longer than 400 lines on purpose: every defence against a hostile or odd image file (bombs,
truncation, 16-bit, CMYK, EXIF, HTML names) in one place, so that no path skips one.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import pathlib
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from vggviz.errors import VggvizError
from vggviz.errors import one_line as _one_line
from vggviz.i18n import N_, Text

__all__ = [
    "ImageError",
    "LoadedImage",
    "MIN_SIDE",
    "MAX_PIXELS",
    "MAX_SIDE_KEEP",
    "MAX_BYTES",
    "SUPPORTED_TYPES",
    "load_image",
    "load_image_file",
    "sample_images",
]

MIN_SIDE = 32                     # VGG's five 2×2 poolings need at least 32×32
MAX_PIXELS = 50_000_000           # refused from the header, before decoding
MAX_SIDE_KEEP = 2048              # longer decoded images are reduced to this long side
MAX_BYTES = 25 * 1024 * 1024      # refused before Pillow sees the data

SUPPORTED_TYPES = ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]

# Pillow format names we let Image.open try. Restricting them keeps exotic decoders
# (EPS runs Ghostscript, for instance) away from untrusted bytes. The JPEG opener also
# returns "MPO" images: the multi-picture JPEGs many cameras and phones write.
_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "DIB", "GIF", "TIFF")
_KINDS = "PNG, JPEG, WebP, BMP, GIF or TIFF"

_GRAY_NOTE = N_("grayscale image converted to RGB")

_SAMPLES_DIR = pathlib.Path(__file__).resolve().parents[2] / "assets" / "samples"

_ORIENTATION_TAG = 0x0112
_TRANSPOSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class ImageError(VggvizError):
    """An image that cannot be used; ``str(e)`` is one line: what is wrong and what to do (a
    :class:`~vggviz.i18n.Text`: in the reader's language)."""


@dataclass(frozen=True)
class LoadedImage:
    """A decoded, normalised image and what was done to it."""

    image: Image.Image               # RGB, upright, 8-bit, fully loaded, no file behind it
    digest: str                      # sha256 hex of the raw bytes (cache key)
    name: str                        # file name as given (display as TEXT only)
    format: str                      # Pillow's format name: "PNG", "JPEG", "MPO", ...
    original_size: tuple[int, int]   # (width, height) from the file, before any change
    notes: tuple[str, ...]           # one line per change made, in order


# --------------------------------------------------------------------------- helpers


def _label(name: str) -> str:
    """The file name as it appears inside messages: one line, short, quoted."""
    return f"“{_one_line(name, 60) or 'image'}”"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _fmt(value: float) -> str:
    """A pixel value for a note: integers without decimals, floats with a few digits."""
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


# --------------------------------------------------------------------------- loading


def load_image(data: bytes, name: str = "image") -> LoadedImage:
    """Decode ``data`` into an upright 8-bit RGB image, or raise :class:`ImageError`.

    For any bytes, the only exception this raises is :class:`ImageError`
    (a ``TypeError`` if ``data`` is not bytes-like at all).
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"load_image expects bytes, got {type(data).__name__}")
    name = str(name)
    label = _label(name)

    if not data:
        raise ImageError(Text(N_("The file {file} is empty (0 bytes); upload a {kinds} image."), file=label,
                              kinds=_KINDS))
    if len(data) > MAX_BYTES:
        raise ImageError(Text(
            N_("The file {file} is {size}, over the {limit} limit; resize or compress it and upload it again."),
            file=label, size=_mb(len(data)), limit=_mb(MAX_BYTES)))
    digest = hashlib.sha256(data).hexdigest()

    with warnings.catch_warnings():
        # Local only: Pillow's bomb *warning* (between 1× and 2× its own pixel limit)
        # becomes an exception here; its bomb *error* (above 2×) is one already.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # Pillow's chatter about odd metadata in a file we either load or refuse anyway.
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        im = _open(data, label)
        try:
            fmt = str(im.format or "image")
            notes: list[str] = []
            original_size = _check_size(im, label)
            frames = _frame_count(im, fmt, label)
            if frames > 1:
                notes.append(_frames_note(fmt, frames))
            _draft(im, original_size)
            _decode(im, fmt, label)
            rgb = _normalise(im, fmt, label, notes)
        finally:
            im.close()

    if max(original_size) > MAX_SIDE_KEEP:
        try:
            rgb.thumbnail((MAX_SIDE_KEEP, MAX_SIDE_KEEP), Image.Resampling.LANCZOS)
        except Exception as exc:  # pragma: no cover - memory exhaustion and the like
            raise ImageError(Text(N_("{file} could not be reduced in size ({reason}); downscale it and try again."),
                                  file=label, reason=_one_line(exc, 80))) from exc
        w, h = original_size
        notes.append(Text(N_("large image ({w}×{h}) reduced to {width}×{height} to fit {side} px"),
                          w=w, h=h, width=rgb.width, height=rgb.height, side=MAX_SIDE_KEEP))
    rgb.info = {}
    return LoadedImage(
        image=rgb,
        digest=digest,
        name=name,
        format=fmt,
        original_size=original_size,
        notes=tuple(n if isinstance(n, Text) else _one_line(n) for n in notes),
    )


def load_image_file(path: str | os.PathLike[str]) -> LoadedImage:
    """Read an image file from disk and :func:`load_image` it; any failure is an :class:`ImageError`."""
    p = pathlib.Path(path)
    label = _label(str(p))
    try:
        if not p.is_file():
            raise ImageError(Text(N_("There is no image file at {file}; check the path or upload the image instead."),
                                  file=label))
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ImageError(Text(
                N_("The file {file} is {size}, over the {limit} limit; resize or compress it and try again."),
                file=label, size=_mb(size), limit=_mb(MAX_BYTES)))
        data = p.read_bytes()
    except ImageError:
        raise
    except (OSError, ValueError) as exc:
        reason = _one_line(getattr(exc, "strerror", None) or exc, 80)
        raise ImageError(Text(N_("The file {file} could not be read ({reason}); check that it exists and is readable."),
                              file=label, reason=reason)) from exc
    return load_image(data, p.name)


def sample_images() -> dict[str, pathlib.Path]:
    """Display name → path of each bundled sample photo, sorted by display name."""
    if not _SAMPLES_DIR.is_dir():
        return {}
    found: dict[str, pathlib.Path] = {}
    for path in sorted(_SAMPLES_DIR.iterdir()):
        if path.is_file() and path.suffix.lower().lstrip(".") in SUPPORTED_TYPES:
            title = path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
            found.setdefault(title, path)
    return dict(sorted(found.items()))


# --------------------------------------------------------------------------- steps


def _open(data: bytes, label: str) -> Image.Image:
    """Image.open (lazy: header only) with every failure mapped to an ImageError."""
    Image.init()  # registers the plugins; cheap after the first call
    formats = [f for f in _FORMATS if f in Image.OPEN]
    try:
        return Image.open(io.BytesIO(data), formats=formats)
    except Image.UnidentifiedImageError as exc:
        raise ImageError(Text(N_("{file} is not an image Pillow can read; upload a {kinds} file."),
                              file=label, kinds=_KINDS)) from exc
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb(label) from exc
    except MemoryError as exc:
        raise _bomb(label) from exc
    except Exception as exc:
        raise ImageError(Text(N_("{file} has a damaged image header and cannot be read; "
                                 "re-save it as a {kinds} file and try again."), file=label, kinds=_KINDS)) from exc


def _bomb(label: str) -> ImageError:
    return ImageError(Text(
        N_("{file} declares an enormous image (over {mp} megapixels, possibly a decompression bomb) "
           "and was refused before decoding; downscale it and try again."), file=label, mp=MAX_PIXELS // 1_000_000))


def _check_size(im: Image.Image, label: str) -> tuple[int, int]:
    """Refuse, from the header alone, images that are too large or too small."""
    try:
        w, h = (int(v) for v in im.size)
    except Exception as exc:
        raise ImageError(Text(N_("{file} has a damaged image header; re-save it and try again."), file=label)) from exc
    if w <= 0 or h <= 0:
        raise ImageError(Text(N_("{file} claims a size of {w}×{h} pixels, which is invalid; re-save it and try again."),
                              file=label, w=w, h=h))
    if w * h > MAX_PIXELS:
        raise ImageError(Text(
            N_("{file} is {w}×{h} pixels ({mp} megapixels), over the {limit}-megapixel limit, and was refused "
               "before decoding; downscale it and try again."),
            file=label, w=w, h=h, mp=f"{w * h / 1e6:.0f}", limit=MAX_PIXELS // 1_000_000))
    if w < MIN_SIDE or h < MIN_SIDE:
        raise ImageError(Text(N_("{file} is only {w}×{h} pixels; VGG needs at least {min}×{min}: upload a larger image."),
                              file=label, w=w, h=h, min=MIN_SIDE))
    return w, h


def _frame_count(im: Image.Image, fmt: str, label: str) -> int:
    """How many frames the file holds (1 for stills); leaves ``im`` on frame 0."""
    try:
        n = int(getattr(im, "n_frames", 1) or 1)
        if n > 1:
            im.seek(0)
        return max(n, 1)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        raise _bomb(label) from exc
    except Exception as exc:
        raise ImageError(Text(N_("{file} is a damaged or truncated {format} file (its frames cannot be read); "
                                 "re-save or re-export it and try again."), file=label, format=fmt)) from exc


def _frames_note(fmt: str, frames: int) -> str:
    if fmt == "TIFF":
        return Text(N_("multi-page TIFF: first of {n} pages used"), n=frames)
    if fmt == "MPO":
        return Text(N_("multi-picture JPEG (MPO): first of {n} pictures used"), n=frames)
    return Text(N_("animated {format}: first of {n} frames used"), format=fmt, n=frames)


def _draft(im: Image.Image, size: tuple[int, int]) -> None:
    """Let JPEG decode large images at 1/2, 1/4 or 1/8 scale, never below MAX_SIDE_KEEP."""
    w, h = size
    long_side = max(w, h)
    if long_side <= 2 * MAX_SIDE_KEEP or not hasattr(im, "draft"):
        return
    want = (
        max(1, math.ceil(w * MAX_SIDE_KEEP / long_side)),
        max(1, math.ceil(h * MAX_SIDE_KEEP / long_side)),
    )
    try:
        im.draft(None, want)
    except Exception:
        pass  # only an optimisation; a full decode follows either way


def _decode(im: Image.Image, fmt: str, label: str) -> None:
    """Decode the pixels; truncated or corrupt data is refused, never half-decoded."""
    try:
        im.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        raise _bomb(label) from exc
    except Exception as exc:
        raise ImageError(Text(N_("{file} is a damaged or truncated {format} file and cannot be decoded; "
                                 "re-save or re-export it and try again."), file=label, format=fmt)) from exc


def _normalise(im: Image.Image, fmt: str, label: str, notes: list[str]) -> Image.Image:
    """Upright, 8-bit RGB, sRGB, no alpha; appends a note for each change."""
    try:
        icc = im.info.get("icc_profile") if isinstance(im.info, dict) else None
        im = _upright(im, notes)
        rgb = _to_rgb(im, icc, notes)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        raise _bomb(label) from exc
    except Exception as exc:
        raise ImageError(Text(N_("{file} uses an image layout that cannot be converted to RGB (mode {mode}); "
                                 "re-save it as an 8-bit RGB PNG or JPEG and try again."),
                              file=label, mode=_one_line(im.mode, 20))) from exc
    if rgb.mode != "RGB":  # pragma: no cover - defensive
        rgb = rgb.convert("RGB")
    return rgb


def _upright(im: Image.Image, notes: list[str]) -> Image.Image:
    """Apply the EXIF orientation tag; a broken EXIF block is ignored, not fatal."""
    try:
        orientation = int(im.getexif().get(_ORIENTATION_TAG, 1))
    except Exception:
        return im
    method = _TRANSPOSE.get(orientation)
    if method is None:
        return im
    try:
        upright = ImageOps.exif_transpose(im)
    except Exception:
        upright = im.transpose(method)  # EXIF rewrite failed; the pixels can still turn
    if upright is None:  # pragma: no cover - only with in_place=True
        upright = im
    notes.append(Text(N_("rotated upright from its EXIF orientation (tag {tag})"), tag=orientation))
    return upright


def _to_rgb(im: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    mode = im.mode
    if mode in ("RGB", "RGBX"):
        if "transparency" in im.info:  # colour-keyed transparency (PNG tRNS)
            return _to_srgb(_on_white(im.convert("RGBA"), notes), icc, notes)
        return _to_srgb(im.convert("RGB"), icc, notes)
    if mode == "CMYK":
        rgb = _profile_convert(im, icc, notes)
        if rgb is None:
            rgb = im.convert("RGB")
            notes.append(Text(N_("CMYK converted to RGB")))
        return rgb
    if mode == "1":
        notes.append(Text(N_("1-bit black-and-white image converted to RGB")))
        return im.convert("L").convert("RGB")
    if mode.startswith("I") or mode == "F":
        return _rescale_to_rgb(im, notes)
    if mode in ("P", "PA"):
        notes.append(Text(N_("palette image converted to RGB")))
        if mode == "PA" or "transparency" in im.info:
            return _on_white(im.convert("RGBA"), notes)
        return im.convert("RGB")
    if mode in ("L", "LA", "La"):
        notes.append(Text(_GRAY_NOTE))
        if mode != "L" or "transparency" in im.info:
            return _on_white(im.convert("RGBA"), notes)
        return im.convert("RGB")
    if mode in ("RGBA", "RGBa"):
        return _to_srgb(_on_white(im.convert("RGBA"), notes), icc, notes)
    # YCbCr, HSV, LAB, ... : whatever Pillow can convert directly.
    notes.append(Text(N_("{mode} image converted to RGB"), mode=_one_line(mode, 12)))
    return im.convert("RGB")


def _on_white(rgba: Image.Image, notes: list[str]) -> Image.Image:
    """Composite an RGBA image on white; note it only when something was transparent."""
    lo, _hi = rgba.getchannel("A").getextrema()
    if lo < 255:
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        rgba = Image.alpha_composite(background, rgba)
        notes.append(Text(N_("transparent areas composited on white")))
    return rgba.convert("RGB")


def _rescale_to_rgb(im: Image.Image, notes: list[str]) -> Image.Image:
    """16-bit, 32-bit integer or float grayscale → 8-bit RGB using the image's own min..max."""
    mode = im.mode
    if mode == "F":
        kind = N_("floating-point")
    elif mode.startswith("I;16"):
        kind = N_("16-bit")
    else:
        kind = N_("32-bit integer")
    if mode.startswith("I;16") and mode not in ("I;16", "I;16L", "I;16B", "I;16N"):
        im = im.convert("I")  # unusual 16-bit layouts: let Pillow widen them first
    with np.errstate(all="ignore"):  # NaN/inf in float files are handled explicitly
        values = np.asarray(im).astype(np.float64)  # signalling NaNs would warn here
        finite = np.isfinite(values)
        if not finite.any():
            values = np.zeros(values.shape)
            lo = hi = 0.0
        else:
            lo = float(values[finite].min())
            hi = float(values[finite].max())
            values = np.where(finite, values, lo)
        if hi > lo:
            scaled = (values - lo) * (255.0 / (hi - lo))
            notes.append(Text(N_("{kind} image rescaled to 8 bits (values {lo}..{hi} mapped to 0..255)"),
                              kind=Text(kind), lo=_fmt(lo), hi=_fmt(hi)))
        else:
            # A flat image has no range to stretch; place its one value on the usual scale.
            top = 65535.0 if kind == "16-bit" else (1.0 if kind == "floating-point" and 0 <= lo <= 1 else 255.0)
            scaled = np.full(values.shape, np.clip(lo / top, 0.0, 1.0) * 255.0)
            notes.append(Text(N_("{kind} image with a single value ({value}) converted to 8 bits"),
                              kind=Text(kind), value=_fmt(lo)))
        gray = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    notes.append(Text(_GRAY_NOTE))
    return Image.fromarray(gray).convert("RGB")


def _profile_convert(im: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image | None:
    """Convert ``im`` to sRGB through its ICC profile; None if there is none or it fails."""
    if not icc:
        return None
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        description = _one_line(ImageCms.getProfileDescription(source), 60) or "unnamed"
        if im.mode == "RGB" and "srgb" in description.lower():
            return None
        out = ImageCms.profileToProfile(
            im, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception:
        return None
    if out is None or out.mode != "RGB":
        return None
    what = N_("CMYK converted to RGB") if im.mode == "CMYK" else N_("colours converted to sRGB")
    notes.append(Text(N_("{what} using its colour profile ({profile})"), what=Text(what), profile=description))
    return out


def _to_srgb(rgb: Image.Image, icc: bytes | None, notes: list[str]) -> Image.Image:
    converted = _profile_convert(rgb, icc, notes)
    return rgb if converted is None else converted
