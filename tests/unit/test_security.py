"""Security basics for a server that strangers upload to.

* Uploaded bytes are never written to disk (decoding, analysis and Grad-CAM run with every
  write-mode file API patched to fail).
* A user-supplied weights file is read with ``weights_only=True``; a malicious pickle is
  refused with one line (:class:`vggviz.model.weights.WeightsError`) and its payload never runs.
* The upload limit is set in .streamlit/config.toml and agrees with vggviz.data.images.MAX_BYTES.
* Nothing in the app reaches the network except the ImageNet weight download in
  vggviz/model/weights.py: a grep over the sources, and a run with every socket connect refused.
* File names are shown as text, never HTML: tests/browser/test_pages.py uploads a file named
  ``<img src=x onerror=alert(1)>.png`` in Chromium; here the sources are checked for raw HTML.

The whole app with the network off: tests/app/test_app_security.py.
"""

from __future__ import annotations

import builtins
import io
import os
import pickle
import re
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from support import ROOT

SOURCES = [ROOT / "streamlit_app.py", *sorted((ROOT / "vggviz").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]


def _image_bytes(fmt: str, mode: str = "RGB", size=(96, 80)) -> bytes:
    rng = np.random.default_rng(7)
    im = Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).convert(mode)
    buf = io.BytesIO()
    im.save(buf, format=fmt)
    return buf.getvalue()


# --------------------------------------------------------------------------- no writes


class DiskWrite(AssertionError):
    pass


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


@pytest.fixture
def no_disk_writes(monkeypatch):
    """Every way of opening a file for writing raises DiskWrite (reading stays allowed)."""
    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file, mode="r", *a, **kw):
        if any(c in str(mode) for c in "wax+"):
            raise DiskWrite(f"open({file!r}, {mode!r})")
        return real_open(file, mode, *a, **kw)

    def guarded_os_open(path, flags, *a, **kw):
        if flags & _WRITE_FLAGS:
            raise DiskWrite(f"os.open({path!r}, {flags:#o})")
        return real_os_open(path, flags, *a, **kw)

    def refuse(name):
        def f(*a, **kw):
            raise DiskWrite(f"tempfile.{name}")
        return f

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    for name in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile",
                 "TemporaryDirectory"):
        monkeypatch.setattr(tempfile, name, refuse(name))
    monkeypatch.setattr(Path, "write_bytes", lambda self, *a: (_ for _ in ()).throw(DiskWrite(f"{self}.write_bytes")))
    monkeypatch.setattr(Path, "write_text", lambda self, *a, **k: (_ for _ in ()).throw(DiskWrite(f"{self}.write_text")))
    yield


def test_the_write_guard_works(tmp_path, no_disk_writes):
    with pytest.raises(DiskWrite):
        open(tmp_path / "x", "wb")
    with pytest.raises(DiskWrite):
        tempfile.NamedTemporaryFile()
    with pytest.raises(DiskWrite):
        os.open(tmp_path / "y", os.O_WRONLY | os.O_CREAT)


@pytest.mark.parametrize("fmt,mode", [("PNG", "RGB"), ("JPEG", "RGB"), ("GIF", "P"), ("TIFF", "RGB"),
                                      ("WEBP", "RGB"), ("BMP", "RGB"), ("PNG", "RGBA")])
def test_uploads_are_decoded_in_memory(no_disk_writes, fmt, mode):
    from vggviz.data.images import load_image

    img = load_image(_image_bytes(fmt, mode), f"upload.{fmt.lower()}")
    assert img.image.mode == "RGB" and img.image.size == (96, 80)


def test_bad_uploads_are_refused_in_memory(no_disk_writes):
    from vggviz.data.images import ImageError, load_image

    for data in (b"", b"not an image at all", _image_bytes("PNG")[:60]):
        with pytest.raises(ImageError):
            load_image(data, "bad.png")


def test_analysis_and_gradcam_write_nothing(no_disk_writes, vgg11):
    from vggviz.data.images import load_image
    from vggviz.explain.attribution import gradcam
    from vggviz.inference.analysis import analyze

    res = analyze(vgg11, load_image(_image_bytes("PNG", size=(120, 100)), "u.png"))
    cam = gradcam(vgg11, res)
    assert np.isfinite(cam.layer_map).all()


# --------------------------------------------------------------------------- weights files


class Payload:
    """Unpickling this runs ``exec``, which writes a marker file: code execution."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').write('pwned')",))


def test_malicious_weights_file_is_refused_without_running(tmp_path):
    from vggviz.model.weights import WeightsError, load_model

    marker = tmp_path / "marker.txt"
    evil = tmp_path / "vgg11-finetuned.pth"
    torch.save({"features.0.weight": torch.zeros(1), "x": Payload(marker)}, evil)

    # The payload is real: plain pickle runs it (in a copy, to keep the check honest).
    probe = tmp_path / "probe.txt"
    pickle.loads(pickle.dumps(Payload(probe)))
    assert probe.exists()

    with pytest.raises(WeightsError) as info:
        load_model("vgg11", str(evil), "cpu")
    msg = str(info.value)
    assert "\n" not in msg and evil.name in msg and len(msg) < 300, msg
    assert not marker.exists(), "the pickle's code ran while loading a weights file"


def test_weights_files_are_read_with_weights_only(tmp_path, monkeypatch):
    import vggviz.model.weights as W

    seen = []
    real = torch.load

    def spy(*a, **kw):
        seen.append(kw.get("weights_only"))
        return real(*a, **kw)

    monkeypatch.setattr(W.torch, "load", spy)
    f = tmp_path / "small.pth"
    torch.save({"features.0.weight": torch.zeros(3)}, f)
    with pytest.raises(W.WeightsError) as info:       # does not fit VGG11: refused, one line
        W.load_model("vgg11", str(f), "cpu")
    assert seen == [True]
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------- upload limit


def test_upload_limit_is_configured_and_matches_the_loader():
    from vggviz.data.images import MAX_BYTES, ImageError, load_image

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    limit_mb = cfg["server"]["maxUploadSize"]
    assert 1 <= limit_mb <= 50
    assert limit_mb * 1024 * 1024 == MAX_BYTES     # Streamlit counts its MB as MiB
    assert cfg["browser"]["gatherUsageStats"] is False
    with pytest.raises(ImageError, match="limit"):
        load_image(b"\0" * (MAX_BYTES + 1), "huge.png")


# --------------------------------------------------------------------------- network

_NET = re.compile(
    r"^\s*(import|from)\s+(urllib(?!\.parse\b)|socket|http|requests|httpx|aiohttp|urllib3|ftplib|smtplib)\b"   # urllib.parse only builds strings
    r"|load_state_dict_from_url|download_url_to_file|torch\.hub\.load\b|webbrowser",
    re.M,
)


def test_only_the_weights_module_can_reach_the_network():
    offenders = {str(p.relative_to(ROOT)) for p in SOURCES if _NET.search(p.read_text())}
    assert offenders <= {"vggviz/model/weights.py"}, f"network code outside vggviz/model/weights.py: {sorted(offenders)}"


def test_no_raw_html_from_the_app():
    """Names and messages go through st.text/st.error/markdown without unsafe HTML."""
    for p in SOURCES:
        text = p.read_text()
        assert "unsafe_allow_html=True" not in text, f"{p.name} renders raw HTML"
        # The one exception: the presenter view's constant stylesheet (no user data in it).
        text = text.replace("st.html(PRESENTER_CSS)", "")
        assert not re.search(r"\bst\.html\(|components\.v1\.html|components\.html\(", text), p.name
    from vggviz.app import ui

    assert "{" not in ui.PRESENTER_CSS.split("<style>")[0] and "<script" not in ui.PRESENTER_CSS.lower()


def test_analysis_and_gradcam_run_offline(offline, monkeypatch):
    monkeypatch.setenv("VGGVIZ_WEIGHTS", "random")
    from vggviz.data.images import load_image_file
    from vggviz.explain.attribution import gradcam
    from vggviz.inference.analysis import analyze
    from vggviz.model.weights import load_model

    loaded = load_model("vgg11", "random", "cpu")
    sample = sorted((ROOT / "assets" / "samples").glob("*.jpg"))[0]
    res = analyze(loaded, load_image_file(sample))
    cam = gradcam(loaded, res)
    assert len(res.top) == 5 and cam.layer_map.max() <= 1.0
    assert offline == [], f"tried to connect: {offline}"


def test_only_the_app_package_imports_streamlit():
    """The library returns plain data; only vggviz/app/ (and vggviz.boot, which imports nothing
    of Streamlit's) talks to Streamlit. Checked on the syntax tree, every import form."""
    import ast

    offenders = []
    for path in sorted((ROOT / "vggviz").rglob("*.py")):
        rel = path.relative_to(ROOT / "vggviz")
        if rel.parts[0] == "app":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders
