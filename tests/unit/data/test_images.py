"""Tests for vggviz.data.images: a corpus of bad and awkward images, built in code, plus a small fuzz.

Every bad input must raise ImageError with one clear line; every awkward-but-valid input
must come out as an upright 8-bit RGB image with a note saying what was done; and a good
image must still load after each failure (no state left behind).
"""

from __future__ import annotations

import dataclasses
import io
import random
import struct
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageFile

from vggviz.data import images
from vggviz.data.images import (
    MAX_BYTES,
    MAX_PIXELS,
    MAX_SIDE_KEEP,
    MIN_SIDE,
    SUPPORTED_TYPES,
    ImageError,
    LoadedImage,
    load_image,
    load_image_file,
    sample_images,
)

# --------------------------------------------------------------------------- builders


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


def noise(size=(96, 64), seed=0) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims width×height RGB pixels."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


GOOD = encode(noise(), "PNG")


def assert_good_still_loads() -> None:
    out = load_image(GOOD, "good.png")
    assert out.image.mode == "RGB" and out.image.size == (96, 64)


def error_of(data: bytes, name: str = "upload.bin") -> str:
    with pytest.raises(ImageError) as info:
        load_image(data, name)
    message = str(info.value)
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert message.strip() == message and message
    assert_good_still_loads()
    return message


def rgb_at(out: LoadedImage, xy) -> tuple[int, int, int]:
    return out.image.getpixel(xy)


def close(a, b, tol=12) -> bool:
    return all(abs(int(x) - int(y)) <= tol for x, y in zip(a, b, strict=True))


# --------------------------------------------------------------------------- refusals

_HALF_PNG = encode(noise((200, 150)), "PNG")
_HALF_JPEG = encode(noise((200, 150)), "JPEG", quality=90)

BAD = {
    # case: (bytes, substrings the message must contain)
    "empty": (b"", ["empty"]),
    "text": (b"hello, this is a text file\nnot a picture\n", ["not an image Pillow can read", "PNG, JPEG"]),
    "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", ["not an image"]),
    "random": (bytes(random.Random(1).randrange(256) for _ in range(4096)), ["not an image"]),
    "truncated png": (_HALF_PNG[: len(_HALF_PNG) // 2], ["truncated PNG"]),
    "truncated jpeg": (_HALF_JPEG[: len(_HALF_JPEG) // 2], ["truncated JPEG"]),
    "bomb header": (png_header_only(100_000, 100_000), ["decompression bomb", "before decoding"]),
    "bomb warning range": (png_header_only(10_000, 10_000), ["decompression bomb"]),
    "oversized": (png_header_only(8000, 7000), ["8000×7000", "megapixel", "before decoding"]),
    "tiny": (encode(noise((16, 16)), "PNG"), ["only 16×16 pixels", "at least 32×32"]),
    "thin": (encode(noise((100, 16)), "PNG"), ["only 100×16 pixels"]),
    "too many bytes": (b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_BYTES, ["25.0 MB limit"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_images_are_refused_with_one_clear_line(case):
    data, expected = BAD[case]
    message = error_of(data, "upload.bin")
    for part in expected:
        assert part in message, (case, message)


def test_bad_image_messages_are_distinct():
    kinds = ["empty", "text", "truncated png", "bomb header", "oversized", "tiny", "too many bytes"]
    messages = {error_of(BAD[k][0], "same.png") for k in kinds}
    assert len(messages) == len(kinds)


def test_bomb_header_is_small_and_refused_before_decoding(monkeypatch):
    data = BAD["bomb header"][0]
    assert len(data) < 500
    # If decoding were attempted the test would notice: load() must never be reached.
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: pytest.fail("decoded a bomb"))
    for claim in [(100_000, 100_000), (10_000, 10_000), (8000, 7000)]:
        with pytest.raises(ImageError):
            load_image(png_header_only(*claim))


def test_limits_and_pillow_globals_untouched():
    assert MIN_SIDE == 32 and MAX_PIXELS == 50_000_000 and MAX_SIDE_KEEP == 2048
    assert MAX_BYTES == 25 * 1024 * 1024
    assert SUPPORTED_TYPES == ["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"]
    filters = list(warnings.filters)
    pixels = Image.MAX_IMAGE_PIXELS
    for data, _ in BAD.values():
        with pytest.raises(ImageError):
            load_image(data)
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    assert Image.MAX_IMAGE_PIXELS == pixels
    assert list(warnings.filters) == filters


def test_message_name_is_one_line_but_name_kept_as_given():
    weird = "evil\nname\r\x1b[31m.png"
    message = error_of(b"", weird)
    assert "evil name" in message
    assert load_image(GOOD, weird).name == weird


def test_non_bytes_is_a_type_error_and_bytearray_works():
    with pytest.raises(TypeError):
        load_image("not bytes")  # type: ignore[arg-type]
    assert load_image(bytearray(GOOD)).image.size == (96, 64)


# --------------------------------------------------------------------------- conversions


def test_good_png_basic_fields():
    out = load_image(GOOD, "good.png")
    import hashlib

    assert out.digest == hashlib.sha256(GOOD).hexdigest()
    assert out.name == "good.png" and out.format == "PNG"
    assert out.original_size == (96, 64) and out.notes == ()
    assert np.array_equal(np.asarray(out.image), np.asarray(noise()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        out.name = "x"  # frozen


def test_16bit_png_narrow_range_is_stretched_not_clipped():
    ramp = np.tile(np.linspace(1000, 1100, 64).astype(np.uint16), (48, 1))
    src = Image.fromarray(ramp)
    assert src.mode.startswith("I;16")
    data = encode(src, "PNG")
    out = load_image(data, "depth.png")
    arr = np.asarray(out.image)
    assert out.image.mode == "RGB"
    assert arr.min() == 0 and arr.max() == 255  # the 1000..1100 range uses all of 0..255
    row = arr[0, :, 0].astype(int)
    assert np.all(np.diff(row) >= 0) and len(np.unique(row)) > 30  # ordering kept, not clipped
    assert any("16-bit" in n and "1000..1100" in n for n in out.notes), out.notes


def test_16bit_big_endian_tiff():
    ramp = np.tile(np.arange(40000, 40064, dtype=np.uint16), (40, 1))
    src = Image.frombytes("I;16B", (64, 40), ramp.astype(">u2").tobytes())
    out = load_image(encode(src, "TIFF"), "be.tif")
    arr = np.asarray(out.image)[..., 0]
    assert arr[0, 0] == 0 and arr[0, -1] == 255
    assert any("16-bit" in n for n in out.notes)


def test_float_tiff_is_rescaled_by_its_range():
    values = np.tile(np.linspace(-1.0, 3.0, 50, dtype=np.float32), (40, 1))
    values[0, 0] = np.nan
    data = encode(Image.fromarray(values), "TIFF")
    out = load_image(data, "float.tif")
    arr = np.asarray(out.image)[..., 0].astype(int)
    assert arr[5, 0] == 0 and arr[5, -1] == 255
    assert np.all(np.diff(arr[5]) >= 0)
    assert any("floating-point" in n for n in out.notes), out.notes


def test_32bit_integer_image():
    values = np.tile(np.arange(-500, -436, dtype=np.int32), (40, 1))
    out = load_image(encode(Image.fromarray(values), "TIFF"), "i32.tif")
    arr = np.asarray(out.image)[..., 0]
    assert arr[0, 0] == 0 and arr[0, -1] == 255


def test_flat_16bit_image_does_not_divide_by_zero():
    flat = Image.fromarray(np.full((40, 40), 65535, dtype=np.uint16))
    out = load_image(encode(flat, "PNG"))
    assert rgb_at(out, (3, 3)) == (255, 255, 255)


def test_cmyk_jpeg_becomes_rgb():
    data = encode(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG", quality=95)
    out = load_image(data, "print.jpg")
    assert out.image.mode == "RGB" and out.format == "JPEG"
    assert close(rgb_at(out, (30, 20)), (255, 0, 0), tol=20)
    assert any("CMYK" in n for n in out.notes)


def test_palette_png_with_transparency_is_white_where_transparent():
    pal = Image.new("P", (40, 40), 1)
    pal.putpalette([0, 0, 0, 0, 0, 255] + [0] * (254 * 3))
    pal.paste(0, (0, 0, 10, 10))
    data = encode(pal, "PNG", transparency=0)
    out = load_image(data, "pal.png")
    assert rgb_at(out, (2, 2)) == (255, 255, 255)
    assert rgb_at(out, (30, 30)) == (0, 0, 255)
    assert any("palette" in n for n in out.notes)
    assert any("composited on white" in n for n in out.notes)


def test_palette_png_without_transparency():
    pal = Image.new("P", (40, 40), 0)
    pal.putpalette([0, 128, 0] * 256)
    out = load_image(encode(pal, "PNG"))
    assert rgb_at(out, (5, 5)) == (0, 128, 0)
    assert not any("white" in n for n in out.notes)


def test_rgba_transparent_pixel_comes_out_white():
    rgba = Image.new("RGBA", (40, 40), (255, 0, 0, 255))
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    rgba.putpixel((1, 0), (255, 0, 0, 128))
    out = load_image(encode(rgba, "PNG"), "alpha.png")
    assert rgb_at(out, (0, 0)) == (255, 255, 255)
    assert close(rgb_at(out, (1, 0)), (255, 127, 127), tol=2)
    assert rgb_at(out, (20, 20)) == (255, 0, 0)
    assert "transparent areas composited on white" in out.notes


def test_opaque_rgba_has_no_composite_note():
    out = load_image(encode(Image.new("RGBA", (40, 40), (1, 2, 3, 255)), "PNG"))
    assert rgb_at(out, (0, 0)) == (1, 2, 3) and out.notes == ()


@pytest.mark.parametrize(
    "mode,fill,expected",
    [("1", 1, (255, 255, 255)), ("L", 77, (77, 77, 77)), ("LA", (77, 0), (255, 255, 255))],
)
def test_gray_modes_become_rgb(mode, fill, expected):
    out = load_image(encode(Image.new(mode, (40, 40), fill), "PNG"))
    assert out.image.mode == "RGB" and rgb_at(out, (5, 5)) == expected
    assert out.notes


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
def test_animation_uses_first_frame(fmt):
    frames = [Image.new("RGB", (48, 40), c) for c in [(255, 0, 0), (0, 255, 0), (0, 0, 255)]]
    kw = {"lossless": True} if fmt == "WEBP" else {}
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0, **kw)
    out = load_image(data, f"anim.{fmt.lower()}")
    assert close(rgb_at(out, (20, 20)), (255, 0, 0), tol=3)
    assert f"animated {fmt}: first of 3 frames used" in out.notes, out.notes


def test_exif_rotated_jpeg_comes_out_upright():
    # Stored 60×40, red top-left quadrant. Orientation 6 = "rotate 90° clockwise to view",
    # so the viewer sees 40×60 with red in the top-RIGHT quadrant.
    stored = Image.new("RGB", (60, 40), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 30, 20))
    exif = Image.Exif()
    exif[0x0112] = 6
    data = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
    out = load_image(data, "phone.jpg")
    assert out.original_size == (60, 40)
    assert out.image.size == (40, 60)
    red, blue = (255, 0, 0), (0, 0, 255)
    assert close(rgb_at(out, (30, 10)), red, tol=40)   # top right
    assert close(rgb_at(out, (10, 10)), blue, tol=40)  # top left
    assert close(rgb_at(out, (10, 50)), blue, tol=40)
    assert close(rgb_at(out, (30, 50)), blue, tol=40)
    assert any("EXIF orientation" in n for n in out.notes)


def test_exif_orientation_1_is_silent():
    exif = Image.Exif()
    exif[0x0112] = 1
    out = load_image(encode(noise(), "JPEG", exif=exif.tobytes()))
    assert out.notes == ()


@pytest.mark.parametrize(
    "size,fmt,expected",
    [((3000, 1500), "PNG", (2048, 1024)), ((5000, 1000), "JPEG", (2048, 410))],
)
def test_huge_image_is_reduced(size, fmt, expected):
    big = Image.linear_gradient("L").resize(size).convert("RGB")
    out = load_image(encode(big, fmt), "big")
    assert out.original_size == size
    assert out.image.width == expected[0] and abs(out.image.height - expected[1]) <= 1
    w, h = size
    assert any(f"({w}×{h}) reduced" in n and "2048 px" in n for n in out.notes), out.notes


def test_formats_other_than_supported_are_refused():
    # Pillow can read these, but they are not on the upload list (and EPS would run Ghostscript).
    for fmt in ["PPM", "TGA", "PCX"]:
        message = error_of(encode(noise(), fmt), f"x.{fmt.lower()}")
        assert "not an image" in message


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF"])
def test_each_supported_format_loads(fmt):
    out = load_image(encode(noise(), fmt), "x")
    assert out.image.mode == "RGB" and out.image.size == (96, 64)


# --------------------------------------------------------------------------- files & samples


def test_load_image_file(tmp_path):
    path = tmp_path / "pic.png"
    path.write_bytes(GOOD)
    out = load_image_file(path)
    assert out.name == "pic.png" and out.image.size == (96, 64)
    for bad in [tmp_path / "missing.png", tmp_path]:
        with pytest.raises(ImageError) as info:
            load_image_file(bad)
        assert "\n" not in str(info.value)


def test_sample_images_load_and_are_licensed():
    samples = sample_images()
    assert len(samples) >= 3
    assert list(samples) == sorted(samples)
    licences = (images._SAMPLES_DIR / "LICENSES.md").read_text(encoding="utf-8")
    total = 0
    for path in samples.values():
        assert path.is_file()
        total += path.stat().st_size
        out = load_image_file(path)
        assert out.image.mode == "RGB" and max(out.image.size) <= 512
        assert min(out.image.size) >= MIN_SIDE
        line = next(row for row in licences.splitlines() if row.startswith(f"| `{path.name}`"))
        assert "CC0" in line or "public domain" in line.lower()
    assert total < 1.5 * 1024 * 1024


# --------------------------------------------------------------------------- fuzz


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if op < 0.5 and b:
            for _ in range(rng.randint(1, 8)):
                b[rng.randrange(len(b))] = rng.randrange(256)
        elif op < 0.7:
            del b[rng.randrange(len(b) + 1):]
        elif op < 0.85 and b:
            i = rng.randrange(len(b))
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif b:
            i = rng.randrange(len(b))
            del b[i : i + rng.randint(1, 32)]
    return bytes(b)


def test_fuzz_any_bytes_load_or_raise_image_error():
    rng = random.Random(1234)
    bases = [
        encode(noise((48, 40), 1), "PNG"),
        encode(noise((48, 40), 2), "JPEG", quality=80),
        encode(Image.new("RGBA", (40, 40), (1, 2, 3, 100)), "PNG"),
        encode(noise((40, 36), 3), "GIF"),
        encode(noise((40, 36), 4), "TIFF"),
        encode(noise((40, 36), 5), "WEBP"),
        encode(noise((40, 36), 6), "BMP"),
    ]
    magics = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a", b"II*\x00", b"RIFF", b"BM"]
    cases = []
    for _ in range(60):
        junk = bytes(rng.randrange(256) for _ in range(rng.randint(0, 600)))
        cases.append(rng.choice(magics + [b""]) + junk)
    for i in range(270):
        cases.append(_mutate(rng, bases[i % len(bases)]))
    loaded = refused = 0
    for data in cases:
        try:
            out = load_image(data, "fuzz")
        except ImageError as exc:
            assert "\n" not in str(exc) and str(exc)
            refused += 1
        else:
            assert out.image.mode == "RGB" and min(out.image.size) >= MIN_SIDE
            assert out.image.width * out.image.height <= MAX_PIXELS
            loaded += 1
    assert loaded + refused == len(cases) >= 300
    assert refused > 50 and loaded > 0
    assert_good_still_loads()
