"""The server alone: N simulated students (default 30) that speak Streamlit's own websocket
protocol to one vggviz server, with no browser, so the times are the server's, not Chromium's.

Each student is one Streamlit session, driven the way the browser's front end drives it:

1. ``GET /_stcore/health`` (which sets the ``_streamlit_xsrf`` cookie), then a websocket to
   ``/_stcore/stream`` with the subprotocols ``streamlit, <xsrf token>`` and that cookie;
2. a ``rerun_script`` BackMsg (``ClientState``) with ``page_name="forward_pass"``, as when the
   browser opens ``/forward_pass``; the ForwardMsgs give the session id (``new_session``), the
   pages and their script hashes (``navigation``) and the sidebar's widgets with their ids;
3. for a variant other than VGG16: a rerun with the ``vggviz_variant`` selectbox's new value
   (``string_value``: the option as the sidebar formats it);
4. the upload, as the front end's file_uploader does it: a ``file_urls_request`` BackMsg, the
   ``file_urls_response``'s upload URL, a multipart ``PUT /_stcore/upload_file/{session}/{file}``
   with the ``X-Xsrftoken`` header, then a rerun whose ``vggviz_upload`` widget holds a
   ``FileUploaderState`` with one ``UploadedFileInfo`` (name, size, file id, URLs);
5. the top-5: the first ``plotly_chart`` element in the main area (``delta_path[0] == 0``) whose
   bars are labelled ``"label (index)"``; its classes are read from the figure's JSON;
6. Grad-CAM: a rerun with the page's ``page_script_hash`` (as a click on the sidebar link
   sends), then the first ``imgs`` element in the main area; its ``/media/…`` URL is fetched and
   decoded, as the browser's ``<img>`` would.

"Done" after each step is the script's ``script_finished`` (not ``FINISHED_EARLY_FOR_RERUN``).
An error is an ``exception`` element, an error ``alert``, ``page_not_found``, a closed socket,
a timeout, a wrong result (top-1 not the in-process ``vggviz.inference.analysis.analyze`` of the same
image on the same seeded weights), or the sidebar not showing the user's own file name.

    .venv/bin/python -m benchmarks.load_server --users 30 --variant vgg16
    .venv/bin/python -m benchmarks.load_server --users 3 --variant vgg11_mini --json
    .venv/bin/python -m benchmarks.load_server --url http://127.0.0.1:8501 --pid 1234
    .venv/bin/python -m benchmarks.load_server --url http://127.0.0.1:8080 --client-cookie vggviz_client=u0,u1,u2,u3   # behind deploy/'s nginx

The last line printed is JSON: users, errors, p50_s / p95_s / max_s (upload → top-5 chart),
gradcam_p95_s (Grad-CAM page → its image), floor_s (N × one in-process analysis on one core ÷
cores: what the server could do at best), server_cpu_s and peak_rss_mb (the server's, when its pid is
known; server_cpu_per_student_s counts from the students' arrival, after the start page has
imported the app and loaded the default model), and more. Loopback servers only; at most MAX_USERS users; the whole run is bounded by
``--timeout``. Weights are seeded random (``VGGVIZ_WEIGHTS=random``); the mini family uses its
bundled shapes weights, as the sidebar does.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import io
import ipaddress
import json
import math
import os
import socket
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("VGGVIZ_WEIGHTS", "random")

from benchmarks.common import median_seconds, torch_threads  # noqa: E402
from benchmarks.load_test import make_image as make_photo_like  # noqa: E402
from benchmarks.load_test import pct
from benchmarks.server import cpu_seconds, rss_tree_mb, streamlit_server  # noqa: E402
from vggviz.serving.scheduler import cores  # noqa: E402  (the server's own count: affinity and CPU quota)

MAX_USERS = 200
TIMED_ANALYSES = 5                # one-core analyses timed for the floor (median)
DEFAULT_VARIANT = "vgg11"
MAIN, SIDEBAR = 0, 1              # delta_path[0]: streamlit's RootContainer
UPLOAD_KEY, VARIANT_KEY = "vggviz_upload", "vggviz_variant"
FORWARD_PAGE, GRADCAM_PAGE = "forward_pass", "gradcam"
JSON_KEYS = ("users", "errors", "p50_s", "p95_s", "max_s", "gradcam_p95_s", "floor_s",
             "server_cpu_s", "peak_rss_mb")


# --------------------------------------------------------------------------- loopback only


def check_loopback(url: str) -> str:
    """``url`` without a trailing slash, or ValueError unless it is http(s) on a loopback host."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http URL: {url!r}")
    host = parts.hostname
    try:
        addrs = {ai[4][0] for ai in socket.getaddrinfo(host, parts.port or 80, proto=socket.IPPROTO_TCP)}
    except OSError as e:
        raise ValueError(f"cannot resolve {host!r}: {e}") from None
    if not addrs or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addrs):
        raise ValueError(f"refusing a non-loopback server {host!r} ({', '.join(sorted(addrs))}): "
                         "this load client only talks to a server on this machine")
    return url.rstrip("/")


# --------------------------------------------------------------------------- a tiny HTTP client


async def http(url: str, method: str = "GET", body: bytes = b"", headers: dict | None = None,
               timeout: float = 60) -> tuple[int, dict[str, list[str]], bytes]:
    """One HTTP/1.1 request over asyncio streams (no thread, no dependency):
    ``(status, headers in lower case → values, body)``."""
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    async def go():
        reader, writer = await asyncio.open_connection(host, port)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close",
                     f"Content-Length: {len(body)}"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *hdr_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        hdrs: dict[str, list[str]] = {}
        for ln in hdr_lines:
            k, _, v = ln.partition(":")
            hdrs.setdefault(k.strip().lower(), []).append(v.strip())
        if "chunked" in ",".join(hdrs.get("transfer-encoding", [])).lower():
            out, buf = bytearray(), rest
            while buf:
                size_s, _, buf = buf.partition(b"\r\n")
                size = int(size_s.split(b";")[0], 16)
                if size == 0:
                    break
                out += buf[:size]
                buf = buf[size + 2:]
            rest = bytes(out)
        return status, hdrs, rest

    return await asyncio.wait_for(go(), timeout)


def multipart(field_name: str, filename: str, content_type: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----vggviz" + uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field_name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------- images


def make_image(i: int, variant: str) -> tuple[str, bytes]:
    """A distinct PNG for user ``i``: for the mini family a shape drawn plainly with Pillow
    (its own class, colours, size and scale, and one pixel that only this user has), for the
    full-size family the load test's photo-like composition."""
    from vggviz.model.variants import VARIANTS

    if not VARIANTS[variant].mini:
        return make_photo_like(i)
    from vggviz.data.shapes import CLASSES, draw_plain

    pairs = [("black", "white"), ("white", "black"), ("#c0392b", "#f4f1de"), ("#1f4e79", "#fce4b0"),
             ("#2e7d32", "#eeeeee"), ("#f1c40f", "#34495e")]
    fill, bg = pairs[(i // len(CLASSES)) % len(pairs)]
    img = draw_plain(CLASSES[i % len(CLASSES)], size=64 + 16 * (i % 4), fill=fill, background=bg,
                     scale=0.45 + 0.05 * (i % 5))
    img.putpixel((0, 0), (i % 256, (i // 256) % 256, 101))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return f"student-{i:03d}.png", buf.getvalue()


def expected_top(variant: str, images: list[tuple[str, bytes]], weights: str) -> tuple[list[list[int]], float]:
    """Each image's top-5 class indices from ``vggviz.inference.analysis.analyze`` in this process, and
    the median seconds of one analysis on one core (one torch thread, after a warm-up pass),
    which sets the floor: N analyses ÷ cores, each core doing one at a time. (Timed with all
    threads, one analysis already keeps every core busy, and dividing its time by the cores
    again would count them twice: a floor no server could reach.)"""
    import torch

    from vggviz.data.images import load_image
    from vggviz.inference.analysis import analyze
    from vggviz.model.weights import load_model

    loaded = load_model(variant, weights, "cpu")
    out = []
    with torch.inference_mode():
        for name, data in images:
            out.append([p.index for p in analyze(loaded, load_image(data, name), topk=5).top])
        img = load_image(images[0][1], images[0][0])
        with torch_threads(1):
            analyze(loaded, img, topk=5)              # warm-up
            one_s = median_seconds(functools.partial(analyze, loaded, img, topk=5), TIMED_ANALYSES)
    del loaded
    gc.collect()
    return out, one_s


# --------------------------------------------------------------------------- one session


class ProtocolError(RuntimeError):
    pass


def _top_from_plotly(spec: str) -> list[int] | None:
    """Class indices of a top-k bar chart (``"label (index)"`` bars, most likely on top), or
    None when the figure is not one."""
    try:
        data = json.loads(spec).get("data") or []
    except (ValueError, AttributeError):
        return None
    if not data or data[0].get("type") != "bar":
        return None
    idx = []
    for label in data[0].get("y") or []:
        label = str(label).strip()
        if not (label.endswith(")") and "(" in label):
            return None
        try:
            idx.append(int(label.rsplit("(", 1)[1][:-1]))
        except ValueError:
            return None
    return idx[::-1] or None      # plotly lists the bottom bar first


class Session:
    """One Streamlit session over the websocket: sends BackMsgs, and folds the ForwardMsgs
    into what a front end would know (session id, pages, widget ids, elements of the run)."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None):
        self.base = base
        self.ws = None
        self.xsrf = ""
        # Sent with every request, as a browser sends its cookies: a balancer's sticky cookie
        # given beforehand (--client-cookie), and every cookie the server sets on the way.
        self.cookies: dict[str, str] = dict(cookies or {})
        self.session_id = ""
        self.pages: dict[str, str] = {}           # url path → page script hash
        self.widget_ids: dict[str, str] = {}      # user key → widget id
        self.variant_options: list[str] = []
        self.widget_states: dict[str, object] = {}  # widget id → WidgetState sent each rerun
        self.finished = 0                          # completed script runs
        self.running = False
        self.errors: list[str] = []
        self.main_charts: list[tuple[float, list[int]]] = []   # (time, top-k) of this run
        self.main_images: list[tuple[float, str]] = []         # (time, media url) of this run
        self.sidebar_texts: list[str] = []
        self.sidebar_markdown: list[str] = []
        self.alerts: list[tuple[int, str]] = []     # (Alert.Format: 1 error … 3 info, body) of this run
        self.file_urls: dict[str, object] = {}
        self._changed = asyncio.Event()
        self._reader: asyncio.Task | None = None
        self.closed = ""

    # ---------------------------------------------------------------- connection

    async def connect(self, timeout: float) -> None:
        from websockets.asyncio.client import connect

        status, hdrs, body = await http(self.base + "/_stcore/health", headers=self.cookie_headers(),
                                        timeout=timeout)
        if status != 200 or body.strip() != b"ok":
            raise ProtocolError(f"health: {status} {body[:80]!r}")
        for c in hdrs.get("set-cookie", []):
            name, _, rest = c.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
            if name.strip() == "_streamlit_xsrf":
                self.xsrf = rest.split(";", 1)[0]
        ws_url = "ws" + self.base[4:] + "/_stcore/stream"
        protocols = ["streamlit"] + ([self.xsrf] if self.xsrf else [])
        headers = self.cookie_headers()
        self.ws = await asyncio.wait_for(
            connect(ws_url, subprotocols=protocols, additional_headers=headers,
                    max_size=256 * 2**20, compression=None, open_timeout=timeout,
                    ping_interval=None),
            timeout)
        self._reader = asyncio.create_task(self._read())

    def cookie_headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:  # noqa: BLE001
                pass
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass

    async def _read(self) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        try:
            async for raw in self.ws:
                if isinstance(raw, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
                self._changed.set()
        except Exception as e:  # noqa: BLE001
            self.closed = f"{type(e).__name__}: {e}"
        else:
            self.closed = self.closed or "websocket closed by the server"
        self._changed.set()

    def _handle(self, msg) -> None:
        kind = msg.WhichOneof("type")
        now = time.monotonic()
        if kind == "new_session":
            self.running = True
            self.main_charts, self.main_images = [], []
            self.sidebar_texts, self.sidebar_markdown = [], []
            self.alerts = []
            if msg.new_session.initialize.session_id:
                self.session_id = msg.new_session.initialize.session_id
        elif kind == "navigation":
            for p in msg.navigation.app_pages:
                self.pages[p.url_pathname] = p.page_script_hash
        elif kind == "script_finished":
            status = msg.script_finished
            if status == 2:                     # FINISHED_EARLY_FOR_RERUN: another run follows
                return
            if status == 3:                     # a fragment's run
                return
            if status == 1:
                self.errors.append("script finished with a compile error")
            self.running = False
            self.finished += 1
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "file_urls_response":
            self.file_urls[msg.file_urls_response.response_id] = msg.file_urls_response
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            path = list(msg.metadata.delta_path)
            self._element(path[0] if path else MAIN, msg.delta.new_element, now)

    def _element(self, root: int, el, now: float) -> None:
        kind = el.WhichOneof("type")
        where = "sidebar" if root == SIDEBAR else "main"
        if kind == "exception":
            self.errors.append(f"exception in the {where}: {el.exception.type}: {el.exception.message[:200]}")
        elif kind == "alert" and el.alert.format == 1:      # Alert.Format.ERROR
            self.errors.append(f"error in the {where}: {el.alert.body[:200]}")
        if kind == "alert":
            self.alerts.append((el.alert.format, el.alert.body))
        elif kind == "selectbox" and el.selectbox.id.endswith("-" + VARIANT_KEY):
            self.widget_ids[VARIANT_KEY] = el.selectbox.id
            self.variant_options = list(el.selectbox.options)
        elif kind == "file_uploader" and el.file_uploader.id.endswith("-" + UPLOAD_KEY):
            self.widget_ids[UPLOAD_KEY] = el.file_uploader.id
        elif kind == "plotly_chart" and root == MAIN:
            top = _top_from_plotly(el.plotly_chart.spec)
            if top:
                self.main_charts.append((now, top))
        elif kind == "imgs" and root == MAIN and el.imgs.imgs:
            self.main_images.append((now, el.imgs.imgs[0].url))
        elif kind == "text" and root == SIDEBAR:
            self.sidebar_texts.append(el.text.body)
        elif kind == "markdown" and root == SIDEBAR:
            self.sidebar_markdown.append(el.markdown.body)

    # ---------------------------------------------------------------- waiting

    async def wait_for(self, predicate, deadline: float, what: str):
        while True:
            if self.errors:
                raise ProtocolError(self.errors[0])
            got = predicate()
            if got:
                return got
            if self.closed:
                raise ProtocolError(f"while waiting for {what}: {self.closed}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {what} after the time allowed")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 5.0))
            except TimeoutError:
                pass

    async def wait_done(self, since: int, deadline: float, what: str) -> None:
        await self.wait_for(lambda: self.finished > since and not self.running, deadline, what)

    # ---------------------------------------------------------------- BackMsgs

    async def _send(self, back) -> None:
        await self.ws.send(back.SerializeToString())

    async def rerun(self, page_name: str = "", page_hash: str = "", query: str = "") -> int:
        """Ask for a script run with the widget states set so far (``query``: the URL's query
        string, as a link opened in the browser sends it); returns the run counter to wait past."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        since = self.finished
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = query
        cs.page_name = page_name
        cs.page_script_hash = page_hash
        for ws in self.widget_states.values():
            cs.widget_states.widgets.add().CopyFrom(ws)
        self.running = True
        await self._send(back)
        return since

    def set_string(self, key: str, value: str) -> None:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        wid = self.widget_ids[key]
        st = WidgetState(id=wid)
        st.string_value = value
        self.widget_states[wid] = st

    async def upload(self, key: str, name: str, data: bytes, mime: str, deadline: float) -> None:
        """What the front end's file_uploader does: ask for upload URLs, PUT the file, then
        hold the widget's FileUploaderState for the next rerun."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        req_id = uuid.uuid4().hex
        back = BackMsg()
        back.file_urls_request.request_id = req_id
        back.file_urls_request.file_names.append(name)
        back.file_urls_request.session_id = self.session_id
        await self._send(back)
        (resp,) = await self.wait_for(lambda: (self.file_urls[req_id],) if req_id in self.file_urls else None,
                                      deadline, "upload URLs")
        if resp.error_msg or not resp.file_urls:
            raise ProtocolError(f"upload URLs refused: {resp.error_msg!r}")
        urls = resp.file_urls[0]
        body, ctype = multipart("file", name, mime, data)
        headers = {"Content-Type": ctype}
        if self.xsrf:
            headers |= {"X-Xsrftoken": self.xsrf}
        headers |= self.cookie_headers()
        target = urls.upload_url if "://" in urls.upload_url else self.base + urls.upload_url
        status, _, text = await http(target, "PUT", body, headers,
                                     timeout=max(1.0, deadline - time.monotonic()))
        if status not in (200, 204):
            raise ProtocolError(f"upload PUT: HTTP {status} {text[:120]!r}")
        wid = self.widget_ids[key]
        st = WidgetState(id=wid)
        info = st.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        self.widget_states[wid] = st


# --------------------------------------------------------------------------- one student


@dataclass
class UserResult:
    user: int
    name: str
    ok: bool = False
    error: str = ""
    shown_top: list[int] = field(default_factory=list)
    expected_top: list[int] = field(default_factory=list)
    own_name_shown: bool = False
    weights_shown: str = ""
    gradcam_size: list[int] = field(default_factory=list)
    t_result: float = math.nan     # upload starts → top-5 chart arrives (s)
    t_gradcam: float = math.nan    # Grad-CAM page asked → its image fetched and decoded (s)
    t_total: float = math.nan      # connect → Grad-CAM image (s)
    at_upload: float = math.nan    # when the upload started, seconds after this student connected
    reconnects: int = 0            # times this student's session was lost (a server restart) and begun again


def _weights_in_use(markdown: list[str]) -> str:
    for body in markdown:
        if body.startswith("Weights in use:"):
            text = body.split(":", 1)[1].replace("*", "").strip()
            return "random" if text.startswith("random") else text
    return ""


async def run_user(base: str, i: int, image: tuple[str, bytes], variant: str, expected: list[int] | None,
                   expected_weights: str, deadline: float, cookies: dict[str, str] | None = None,
                   on_connected=None) -> UserResult:
    name, data = image
    r = UserResult(user=i, name=name, expected_top=expected or [])
    s = Session(base, cookies)
    step = "connect"
    t0 = time.monotonic()
    try:
        await s.connect(max(1.0, min(60.0, deadline - t0)))
        step = "open Forward pass"
        since = await s.rerun(page_name=FORWARD_PAGE)
        await s.wait_done(since, deadline, "first run of Forward pass")
        if on_connected is not None:
            on_connected(i)
        for key in (UPLOAD_KEY, VARIANT_KEY):
            if key not in s.widget_ids:
                raise ProtocolError(f"no {key!r} widget in the sidebar")
        if variant != "vgg16":
            step = "select variant"
            from vggviz.model.variants import FULL_VARIANTS, MINI_VARIANTS

            order = FULL_VARIANTS + MINI_VARIANTS
            if len(s.variant_options) != len(order):
                raise ProtocolError(f"the variant selectbox has {len(s.variant_options)} options, expected {len(order)}")
            s.set_string(VARIANT_KEY, s.variant_options[order.index(variant)])
            since = await s.rerun(page_hash=s.pages.get(FORWARD_PAGE, ""))
            await s.wait_done(since, deadline, "the run after picking the variant")
        step = "upload"
        t_up = time.monotonic()
        r.at_upload = t_up - t0
        await s.upload(UPLOAD_KEY, name, data, "image/png", deadline)
        since = await s.rerun(page_hash=s.pages.get(FORWARD_PAGE, ""))
        step = "top-5 chart"
        t_chart, top = await s.wait_for(lambda: s.main_charts[0] if s.main_charts else None,
                                        deadline, "top-5 chart")
        r.t_result = t_chart - t_up
        r.shown_top = top
        await s.wait_done(since, deadline, "the end of the Forward-pass run")
        r.own_name_shown = name in s.sidebar_texts
        r.weights_shown = _weights_in_use(s.sidebar_markdown)
        step = "Grad-CAM"
        if GRADCAM_PAGE not in s.pages:
            raise ProtocolError("no Grad-CAM page in the navigation")
        t_g = time.monotonic()
        since = await s.rerun(page_hash=s.pages[GRADCAM_PAGE])
        await s.wait_done(since, deadline, "the end of the Grad-CAM run")
        for _attempt in range(3):      # a later run may replace (and drop) the first run's media file
            _, url = await s.wait_for(lambda: s.main_images[0] if s.main_images else None,
                                      deadline, "Grad-CAM image")
            status, _, png = await http(url if "://" in url else base + url, headers=s.cookie_headers(),
                                        timeout=max(1.0, deadline - time.monotonic()))
            if status == 200:
                break
            await asyncio.sleep(1.0)
        else:
            raise ProtocolError(f"Grad-CAM image {url}: HTTP {status}")
        with Image.open(io.BytesIO(png)) as im:
            im.load()
            r.gradcam_size = list(im.size)
        r.t_gradcam = time.monotonic() - t_g
        r.t_total = time.monotonic() - t0
        problems = []
        with Image.open(io.BytesIO(data)) as up:
            if r.gradcam_size != list(up.size):    # the overlay is drawn at the upload's size
                problems.append(f"Grad-CAM image is {r.gradcam_size}, the upload {list(up.size)}")
        if not r.own_name_shown:
            problems.append("own file name not in the sidebar")
        if expected is not None:
            if r.weights_shown != expected_weights:
                problems.append(f"server uses weights {r.weights_shown!r}, expected {expected_weights!r}")
            if r.shown_top[:1] != expected[:1]:
                problems.append(f"top-1 shown {r.shown_top[:1]} != expected {expected[:1]}")
        r.error = "; ".join(problems)
        r.ok = not problems
    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the others
        text = str(e).splitlines()[0][:300] if str(e) else ""
        r.error = f"{step}: {type(e).__name__}: {text}"
    finally:
        await s.close()
    return r


# --------------------------------------------------------------------------- the class


class ProcSampler(threading.Thread):
    """The server's RSS (process + children) every ``every`` seconds, and its CPU time."""

    def __init__(self, pid: int | None, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self._halt = threading.Event()

    def run(self) -> None:
        while self.pid and not self._halt.is_set():
            self.peak = max(self.peak, rss_tree_mb(self.pid))
            self._halt.wait(self.every)

    def stop(self) -> float:
        self._halt.set()
        self.join(5)
        return self.peak


def server_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of the server process (its threads) and its children."""
    if not pid:
        return math.nan
    try:
        import psutil  # type: ignore

        p = psutil.Process(pid)
        t = p.cpu_times()
        total = t.user + t.system
        for c in p.children(recursive=True):
            try:
                ct = c.cpu_times()
                total += ct.user + ct.system
            except psutil.Error:
                pass
        return total
    except ImportError:
        return cpu_seconds(pid)
    except Exception:  # noqa: BLE001
        return math.nan


def user_cookies(client_cookie: str | None, i: int) -> dict[str, str]:
    """``NAME=V1,V2,…`` → user ``i``'s cookie ``{NAME: V[i mod len]}`` (a balancer's sticky key
    that this simulated browser already holds); ``{}`` without one."""
    if not client_cookie:
        return {}
    name, _, values = client_cookie.partition("=")
    vals = [v.strip() for v in values.split(",") if v.strip()]
    if not name.strip() or not vals:
        raise ValueError(f"--client-cookie wants NAME=V1,V2,…, not {client_cookie!r}")
    return {name.strip(): vals[i % len(vals)]}


async def _healthy(base: str, deadline: float) -> bool:
    """Wait until the server at ``base`` answers its health check again (after a restart)."""
    while time.monotonic() < deadline:
        try:
            status, _hdrs, body = await http(base + "/_stcore/health", timeout=5)
            if status == 200 and body.strip() == b"ok":
                return True
        except (OSError, TimeoutError, ProtocolError):
            pass
        await asyncio.sleep(0.5)
    return False


async def _classroom(base: str, images, variant, expected, expected_weights, deadline, ramp_s, say,
                     client_cookie: str | None = None, on_students=None, reconnects: int = 0, on_connected=None):
    # Someone opens the start page first, as the teacher does (the server loads its default
    # model once); then the students come.
    teacher = Session(base, {k: "teacher" for k in user_cookies(client_cookie, 0)})
    try:
        await teacher.connect(max(1.0, min(60.0, deadline - time.monotonic())))
        since = await teacher.rerun(page_name="")
        await teacher.wait_done(since, deadline, "the start page")
    finally:
        await teacher.close()
    say("start page served; students arrive")
    if on_students is not None:
        on_students()

    async def user(i):
        await asyncio.sleep(ramp_s * i)
        lost = 0
        while True:
            coro = run_user(base, i, images[i], variant, expected[i] if expected else None,
                            expected_weights, deadline, user_cookies(client_cookie, i), on_connected)
            try:    # run_user keeps its own deadline; this only catches a step that ignores it
                r = await asyncio.wait_for(coro, max(1.0, deadline - time.monotonic() + 5))
            except TimeoutError:
                r = UserResult(user=i, name=images[i][0], error="TimeoutError: the run's --timeout ran out")
            r.reconnects = lost
            # A lost connection (the server restarted): reconnect as the browser does, a new
            # session with the same view, once the server answers again.
            if r.ok or lost >= reconnects or not await _healthy(base, deadline):
                return r
            lost += 1
            say(f"user {i}: connection lost ({r.error[:80]}); reconnecting")

    t0 = time.monotonic()
    results = await asyncio.gather(*(user(i) for i in range(len(images))))
    return results, time.monotonic() - t0


def run_load(users: int = 30, variant: str = DEFAULT_VARIANT, url: str | None = None, pid: int | None = None,
             verify: bool = True, timeout_s: float = 900, ramp_s: float = 0.0, quiet: bool = False,
             client_cookie: str | None = None, image_offset: int = 0, reconnects: int = 0,
             on_connected=None) -> dict:
    """Run the classroom over the protocol and return the summary (see the module doc)."""
    from vggviz.model.variants import VARIANTS, canonical
    from vggviz.model.weights import default_source

    variant = canonical(variant)
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    if not 1 <= users <= MAX_USERS:
        raise ValueError(f"--users must be 1 … {MAX_USERS}")
    if url:
        url = check_loopback(url)
    user_cookies(client_cookie, 0)      # a malformed value is refused before anything starts
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))
    t_start = time.monotonic()
    images = [make_image(image_offset + i, variant) for i in range(users)]
    weights = default_source(variant)
    t = time.monotonic()
    expected, one_s = expected_top(variant, images if verify else images[:1], weights)
    if not verify:
        expected = None
    say(f"{f'expected top-5 of {users} images' if verify else 'one analysis'} computed in-process "
        f"in {time.monotonic() - t:.1f} s ({variant}, weights {weights}); one analysis {1000 * one_s:.0f} ms")
    n_cores = cores()

    def go(base: str, server_pid: int | None):
        sampler = ProcSampler(server_pid)
        sampler.start()
        rss0 = rss_tree_mb(server_pid) if server_pid else math.nan
        cpu0 = server_cpu_s(server_pid)
        client0 = time.process_time()
        marks = {}
        deadline = t_start + timeout_s
        try:
            # In its own thread: asyncio.run refuses to start inside a running event loop.
            coro = asyncio.wait_for(_classroom(base, images, variant, expected, weights, deadline, ramp_s, say,
                                               client_cookie,
                                               lambda: marks.setdefault("cpu", server_cpu_s(server_pid)),
                                               reconnects, on_connected),
                                    max(1.0, deadline - time.monotonic() + 10))
            with ThreadPoolExecutor(1) as ex:
                results, wall = ex.submit(asyncio.run, coro).result()
        finally:
            peak = sampler.stop()
        cpu1 = server_cpu_s(server_pid)
        marks["client"] = time.process_time() - client0
        return results, wall, rss0, peak, (cpu1 - cpu0, cpu1 - marks.get("cpu", math.nan), marks["client"])

    if url:
        results, wall, rss0, peak, cpu = go(url, pid)
    else:
        env = {"VGGVIZ_WEIGHTS": "random", "MALLOC_ARENA_MAX": "2"}
        with streamlit_server(env=env, log=ROOT / "artifacts" / "streamlit-load-server.log") as srv:
            say(f"server {srv.url} (pid {srv.pid}) up, RSS {srv.rss_mb():.0f} MB")
            results, wall, rss0, peak, cpu = go(srv.url, srv.pid)

    ok = [r for r in results if r.ok]
    t_res = [r.t_result for r in ok]
    t_gc = [r.t_gradcam for r in ok]
    nan = math.nan
    return {
        "users": users,
        "errors": len(results) - len(ok),
        "p50_s": pct(t_res, 50), "p95_s": pct(t_res, 95), "max_s": max(t_res, default=nan),
        "gradcam_p50_s": pct(t_gc, 50), "gradcam_p95_s": pct(t_gc, 95),
        "floor_s": users * one_s / n_cores,
        "server_cpu_s": cpu[0],
        # from the students' arrival (after the start page: no imports, no default model load)
        "server_cpu_students_s": cpu[1],
        "server_cpu_per_student_s": cpu[1] / users,
        # this client's own CPU over the same run: it shares the machine with the server
        "client_cpu_s": cpu[2],
        "peak_rss_mb": peak if peak > 0 else nan,
        "variant": variant, "weights": weights, "correct": len(ok),
        "analysis_s": one_s, "cores": n_cores, "wall_s": wall, "ramp_s": ramp_s,
        "rss_start_mb": rss0,
        "reconnects": sum(r.reconnects for r in results),
        "error_details": [f"user {r.user}: {r.error}" for r in results if not r.ok],
        "results": [asdict(r) for r in results],
    }


def report(s: dict) -> str:
    lines = [
        f"server alone: {s['users']} protocol-level users on {s['variant']} (weights {s['weights']}), {s['cores']} cores",
        f"  users served correctly: {s['correct']}/{s['users']}   errors: {s['errors']}",
        f"  upload → top-5 chart:   p50 {s['p50_s']:.2f} s   p95 {s['p95_s']:.2f} s   max {s['max_s']:.2f} s",
        f"  floor (N × one analysis on one core {s['analysis_s']:.3f} s ÷ {s['cores']} cores): {s['floor_s']:.2f} s"
        + (f"   p95/floor {s['p95_s'] / s['floor_s']:.2f}   p50/floor {s['p50_s'] / s['floor_s']:.2f}" if s['floor_s'] else ""),
        f"  Grad-CAM page → image:  p50 {s['gradcam_p50_s']:.2f} s   p95 {s['gradcam_p95_s']:.2f} s   (all done in {s['wall_s']:.1f} s)",
        f"  server CPU {s['server_cpu_s']:.1f} s ({s['server_cpu_per_student_s']:.2f} s per student after the start page), RSS start {s['rss_start_mb']:.0f} MB, peak {s['peak_rss_mb']:.0f} MB",
        f"  this client's CPU meanwhile: {s['client_cpu_s']:.1f} s (on the same cores)",
    ]
    lines += [f"  ERROR {d}" for d in s["error_details"]]
    return "\n".join(lines)


def _clean(v):
    """JSON has no NaN: write null."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_clean(x) for x in v]
    return v


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=30, help=f"simulated students, 1 … {MAX_USERS}")
    ap.add_argument("--variant", default=DEFAULT_VARIANT)
    ap.add_argument("--url", help="an already running server on this machine (default: start one)")
    ap.add_argument("--pid", type=int, help="that server's pid, to sample its CPU time and memory")
    ap.add_argument("--ramp", type=float, default=0.0, help="seconds between students' arrivals")
    ap.add_argument("--timeout", type=float, default=900, help="the whole run, seconds")
    ap.add_argument("--client-cookie", metavar="NAME=V1,V2,…",
                    help="each user i also sends the cookie NAME=V[i mod len] with every request (a "
                         "balancer's sticky key, as a browser that already holds one; the teacher "
                         "sends NAME=teacher); see deploy/")
    ap.add_argument("--image-offset", type=int, default=0, metavar="K",
                    help="user i uploads generated image K+i (a second run against a warm server "
                         "then finds none of its images in the server's cache)")
    ap.add_argument("--no-verify", action="store_true",
                    help="skip the in-process top-1 check (a server not on seeded random weights)")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="print only the JSON line (the report goes to stderr); with FILE, also write "
                         "the full summary, per-user results included, there")
    a = ap.parse_args(argv)
    if a.pid and not a.url:
        ap.error("--pid needs --url (without --url the benchmark starts its own server)")
    try:
        s = run_load(a.users, a.variant, a.url, a.pid, not a.no_verify, a.timeout, a.ramp,
                     client_cookie=a.client_cookie, image_offset=a.image_offset)
    except ValueError as e:
        print(f"load_server: {e}", file=sys.stderr)
        return 2
    except Exception as e:  # noqa: BLE001 - the server did not start, the start page failed, …
        print(f"load_server: the run failed: {type(e).__name__}: {e}", file=sys.stderr)
        failed = {k: None for k in JSON_KEYS} | {"users": a.users, "errors": a.users,
                                                 "error_details": [f"{type(e).__name__}: {str(e)[:300]}"]}
        print(json.dumps(failed), flush=True)
        return 1
    text = report(s)
    print(text, file=sys.stderr if a.json else sys.stdout, flush=True)
    if a.json and a.json != "-":
        Path(a.json).write_text(json.dumps(_clean(s), indent=2))
    line = {k: s[k] for k in JSON_KEYS} | {k: s[k] for k in ("variant", "correct", "analysis_s", "cores",
                                                             "gradcam_p50_s", "wall_s", "client_cpu_s",
                                                             "server_cpu_per_student_s", "error_details")}
    print(json.dumps(_clean(line)), flush=True)
    return 0 if s["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
