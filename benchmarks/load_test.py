"""A classroom at once: N students (default 30) on one vggviz server, each uploading their own
image, reading the Forward-pass top-5 and opening Grad-CAM, in N browser contexts of ONE
headless Chromium (playwright's async API; each context is its own Streamlit session).

Checks and prints:
* users served / errors (an exception block, a timeout, a wrong or missing result);
* that each user sees THEIR image's result: the top-5 chart's classes must be the ones
  ``vggviz.inference.analysis.analyze`` gives for that image in this process (same seeded random
  weights), and the sidebar shows their own file name;
* p50 / p95 / max time from upload to the top-5 chart, and from there to the Grad-CAM image;
* the server's peak RSS (the process and its children), against a bound: the cached
  models once each + a fixed base + a per-user allowance for cached results.

    .venv/bin/python -m benchmarks.load_test                      # 30 users, vgg16, own server
    .venv/bin/python -m benchmarks.load_test --users 6 --variant vgg11
    .venv/bin/python -m benchmarks.load_test --url http://127.0.0.1:8501 --pid 1234

Needs /usr/bin/chromium (Debian's). Weights are seeded random (VGGVIZ_WEIGHTS=random) unless
--url points at a server started otherwise, in which case --no-verify is needed.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import math
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("VGGVIZ_WEIGHTS", "random")

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, cpu_seconds, rss_tree_mb, streamlit_server  # noqa: E402

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SIDEBAR = '[data-testid="stSidebar"]'
MAIN = '[data-testid="stMain"]'
EXCEPTION = '[data-testid="stException"]'

# Memory bound for the server, in MiB. What it may hold:
# * BASE_MB: Python + Streamlit + torch (its CPU kernels and thread pools) + plotly + captum,
#   and the transient buffers of the forward/backward passes running at the same moment
#   (a VGG16 pass at 224 holds ~60 MB of activations; glibc keeps freed arenas around);
# * each model in the cache ONCE (float32 weights: 4 bytes × 133–144 M parameters): the
#   students land on the default VGG16 before switching, so it is cached too;
# * PER_USER_MB for each user's cached results: one analysis of VGG16 keeps ≈ 13 M float16 +
#   2 M float32 values ≈ 35 MB, plus the rendered stages, figures and PNGs.
# One model copy per session would add ≥ 0.5 GB per user and break the bound at once.
BASE_MB = 1200
MODEL_MB = {"vgg11": 507, "vgg13": 508, "vgg16": 528, "vgg19": 549}
PER_USER_MB = 60
DEFAULT_VARIANT = "vgg16"


def rss_bound_mb(variant: str, users: int) -> float:
    def model(v: str) -> int:
        return MODEL_MB.get(v.removesuffix("_bn").removesuffix("_lrn").removesuffix("_c"), 560)

    models = model(DEFAULT_VARIANT) + (model(variant) if variant != DEFAULT_VARIANT else 0)
    return BASE_MB + models + PER_USER_MB * users


# --------------------------------------------------------------------------- images


def make_image(i: int) -> tuple[str, bytes]:
    """A distinct PNG for user ``i``: its own size, background, shapes and noise."""
    rng = np.random.default_rng(1000 + i)
    w, h = 224 + 13 * (i % 17), 200 + 11 * (i % 13)
    bg = tuple(int(v) for v in rng.integers(0, 256, 3))
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    for _ in range(3 + i % 5):
        x0, y0 = int(rng.integers(0, w - 40)), int(rng.integers(0, h - 40))
        x1, y1 = x0 + int(rng.integers(30, w // 2)), y0 + int(rng.integers(30, h // 2))
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        kind = int(rng.integers(0, 3))
        if kind == 0:
            d.ellipse((x0, y0, x1, y1), fill=colour)
        elif kind == 1:
            d.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            d.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour)
    noise = rng.normal(0, 8 + 3 * (i % 4), (h, w, 3))
    arr = np.clip(np.asarray(im, dtype=np.float32) + noise, 0, 255).astype(np.uint8)
    im = Image.fromarray(arr).filter(ImageFilter.GaussianBlur(0.5 * (i % 3)))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return f"student-{i:02d}.png", buf.getvalue()


def expected_top(variant: str, images: list[tuple[str, bytes]], topk: int = 5) -> list[list[int]]:
    """Each image's top-k class indices from vggviz.inference.analysis.analyze in this process."""
    import torch

    from vggviz.data.images import load_image
    from vggviz.inference.analysis import analyze
    from vggviz.model.weights import load_model

    loaded = load_model(variant, "random", "cpu")
    out = []
    with torch.inference_mode():
        for name, data in images:
            res = analyze(loaded, load_image(data, name), topk=topk)
            out.append([p.index for p in res.top])
    del loaded
    return out


# --------------------------------------------------------------------------- one user


@dataclass
class UserResult:
    user: int
    name: str
    ok: bool = False
    error: str = ""
    shown_top: list[int] = field(default_factory=list)
    expected_top: list[int] = field(default_factory=list)
    own_name_shown: bool = False
    t_result: float = math.nan     # upload → top-5 chart (s)
    t_gradcam: float = math.nan    # top-5 shown → Grad-CAM image decoded (s)
    t_total: float = math.nan      # page open → Grad-CAM image (s)


async def wait_idle(page, timeout_s: float, quiet_s: float = 0.6) -> None:
    deadline = time.monotonic() + timeout_s
    quiet_since = None
    while True:
        idle = await page.locator(APP_IDLE).count() > 0
        now = time.monotonic()
        if idle:
            quiet_since = quiet_since or now
            if now - quiet_since >= quiet_s:
                return
        else:
            quiet_since = None
        if now > deadline:
            raise TimeoutError(f"app still busy after {timeout_s:.0f} s")
        await page.wait_for_timeout(150)


async def select_variant(page, label: str, timeout_s: float) -> None:
    box = page.locator(f"{SIDEBAR} .st-key-vggviz_variant").get_by_role("combobox")
    if await box.input_value() == label:
        return
    # Under load a rerun can close the list between opening it and picking the option (the
    # classroom test once waited 300 s on an option that was gone): open it again, a few times.
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    for attempt in range(5):
        await box.click()
        try:
            await page.get_by_role("option", name=label, exact=True).click(timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt == 4:
                raise
            await page.keyboard.press("Escape")
            await wait_idle(page, timeout_s)
    await page.wait_for_timeout(300)
    await wait_idle(page, timeout_s)


async def shown_top(page) -> list[int]:
    """Class indices on the top-5 chart's y axis, most likely first ("label (index)" ticks)."""
    ticks = await page.eval_on_selector_all(
        f"{MAIN} .js-plotly-plot g.ytick text", "els => els.map(e => e.textContent)")
    idx = []
    for t in ticks:
        t = (t or "").strip()
        if t.endswith(")") and "(" in t:
            try:
                idx.append(int(t.rsplit("(", 1)[1][:-1]))
            except ValueError:
                pass
    return idx[::-1]  # plotly lists the bottom tick first; the chart puts the top-1 on top


async def exceptions(page) -> list[str]:
    loc = page.locator(EXCEPTION)
    return [(await loc.nth(i).inner_text())[:300] for i in range(await loc.count())]


async def run_user(browser, url: str, i: int, image: tuple[str, bytes], expected: list[int] | None,
                   variant_label: str | None, timeout_s: float, shots: Path | None) -> UserResult:
    name, data = image
    r = UserResult(user=i, name=name, expected_top=expected or [])
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await ctx.new_page()
    page.set_default_timeout(timeout_s * 1000)
    t0 = time.monotonic()
    step = "open"
    try:
        await page.goto(f"{url}/forward_pass", wait_until="domcontentloaded")
        await page.wait_for_selector(f"{SIDEBAR} .st-key-vggviz_upload")
        await wait_idle(page, timeout_s)
        if variant_label:
            step = "select variant"
            await select_variant(page, variant_label, timeout_s)
        step = "upload"
        t_up = time.monotonic()
        await page.locator(f'{SIDEBAR} .st-key-vggviz_upload input[type="file"]').set_input_files(
            [{"name": name, "mimeType": "image/png", "buffer": data}])
        step = "top-5 chart"
        await page.wait_for_function(
            """() => document.querySelectorAll('[data-testid="stMain"] .js-plotly-plot g.ytick text').length >= 5""")
        r.t_result = time.monotonic() - t_up
        await wait_idle(page, timeout_s)
        r.shown_top = await shown_top(page)
        r.own_name_shown = name in await page.locator(SIDEBAR).inner_text()
        if exc := await exceptions(page):
            raise RuntimeError(f"exception on Forward pass: {exc[0]}")
        step = "Grad-CAM"
        t_g = time.monotonic()
        await page.locator(f'{SIDEBAR} a[href$="/gradcam"], {SIDEBAR} a[href*="/gradcam?"]').first.click()
        await page.wait_for_url(re.compile(r"/gradcam(\?|$)"))     # the links carry the view's query string
        await page.wait_for_function(
            """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stImage"] img'))
                   .some(i => i.complete && i.naturalWidth > 0)""")
        await wait_idle(page, timeout_s)
        r.t_gradcam = time.monotonic() - t_g
        r.t_total = time.monotonic() - t0
        if exc := await exceptions(page):
            raise RuntimeError(f"exception on Grad-CAM: {exc[0]}")
        if shots is not None:
            await page.screenshot(path=str(shots / f"load-user-{i:02d}-gradcam.png"), full_page=True)
        problems = []
        if not r.own_name_shown:
            problems.append("own file name not in the sidebar")
        if expected is not None and r.shown_top[:1] != expected[:1]:
            problems.append(f"top-1 shown {r.shown_top[:1]} != expected {expected[:1]}")
        if expected is not None and len(set(r.shown_top) & set(expected)) < 4:
            problems.append(f"top-5 shown {r.shown_top} vs expected {expected}")
        r.error = "; ".join(problems)
        r.ok = not problems
    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the others
        r.error = f"{step}: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"
        if shots is not None:
            try:
                await page.screenshot(path=str(shots / f"load-user-{i:02d}-FAILED.png"), full_page=True)
            except Exception:
                pass
    finally:
        await ctx.close()
    return r


# --------------------------------------------------------------------------- the class


class RssSampler(threading.Thread):
    def __init__(self, pid: int | None, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak, self.samples = pid, every, 0.0, []
        self._halt = threading.Event()

    def run(self) -> None:
        while self.pid and not self._halt.is_set():
            mb = rss_tree_mb(self.pid)
            self.samples.append(mb)
            self.peak = max(self.peak, mb)
            self._halt.wait(self.every)

    def stop(self) -> float:
        self._halt.set()
        self.join(5)
        return self.peak


def pct(values: list[float], q: float) -> float:
    vals = sorted(v for v in values if not math.isnan(v))
    if not vals:
        return math.nan
    k = (len(vals) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return vals[lo] + (vals[hi] - vals[lo]) * (k - lo)


async def _classroom(url: str, images, expected, variant_label, timeout_s, shots, ramp_s):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # Someone opens the start page first (as the teacher does); the students follow.
            ctx = await browser.new_context()
            page = await ctx.new_page()
            await page.goto(url + "/", wait_until="domcontentloaded")
            await page.wait_for_selector(f"{SIDEBAR} .st-key-vggviz_upload", timeout=timeout_s * 1000)
            await wait_idle(page, timeout_s)
            await ctx.close()

            async def user(i):
                await asyncio.sleep(ramp_s * i)
                return await run_user(browser, url, i, images[i], expected[i] if expected else None,
                                      variant_label, timeout_s, shots)

            t0 = time.monotonic()
            results = await asyncio.gather(*(user(i) for i in range(len(images))))
            return results, time.monotonic() - t0
        finally:
            await browser.close()


def run_load(users: int = 30, variant: str = "vgg16", url: str | None = None, pid: int | None = None,
             verify: bool = True, timeout_s: float = 600, screenshots: Path | None = None,
             ramp_s: float = 0.0, quiet: bool = False) -> dict:
    """Run the classroom and return a summary dict (see ``main`` for what it prints)."""
    from vggviz.model.variants import VARIANTS

    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    images = [make_image(i) for i in range(users)]
    expected = None
    if verify:
        t = time.monotonic()
        expected = expected_top(variant, images)
        say(f"expected top-5 of {users} images computed in-process in {time.monotonic() - t:.1f} s")
    variant_label = None if variant == "vgg16" else VARIANTS[variant].label
    if screenshots is not None:
        screenshots.mkdir(parents=True, exist_ok=True)

    cpu: dict[str, float] = {}

    def go(base_url: str, server_pid: int | None):
        sampler = RssSampler(server_pid)
        sampler.start()
        rss_before = rss_tree_mb(server_pid) if server_pid else math.nan
        cpu_before = cpu_seconds(server_pid) if server_pid else math.nan
        # In its own thread: asyncio.run refuses to start inside a running loop (pytest with
        # playwright's sync API, which keeps one, in the same process).
        with ThreadPoolExecutor(1) as ex:
            results, wall = ex.submit(asyncio.run, _classroom(base_url, images, expected, variant_label,
                                                              timeout_s, screenshots, ramp_s)).result()
        peak = sampler.stop()
        rss_after = rss_tree_mb(server_pid) if server_pid else math.nan
        cpu["server_s"] = (cpu_seconds(server_pid) if server_pid else math.nan) - cpu_before
        return results, wall, rss_before, peak, rss_after

    if url:
        results, wall, rss_before, peak, rss_after = go(url.rstrip("/"), pid)
    else:
        with streamlit_server(env={"VGGVIZ_WEIGHTS": "random"},
                              log=ROOT / "artifacts" / "streamlit-load-test.log") as srv:
            say(f"server {srv.url} (pid {srv.pid}) up, RSS {srv.rss_mb():.0f} MB")
            results, wall, rss_before, peak, rss_after = go(srv.url, srv.pid)

    errors = [r for r in results if not r.ok]
    t_res = [r.t_result for r in results if r.ok]
    t_gc = [r.t_gradcam for r in results if r.ok]
    t_tot = [r.t_total for r in results if r.ok]
    bound = rss_bound_mb(variant, users)
    summary = {
        "users": users,
        "variant": variant,
        "served": len(results) - len(errors),
        "errors": len(errors),
        "error_details": [f"user {r.user}: {r.error}" for r in errors],
        "correct": sum(1 for r in results if r.ok),
        "wall_s": wall,
        "result_p50_s": pct(t_res, 50), "result_p95_s": pct(t_res, 95), "result_max_s": max(t_res, default=math.nan),
        "gradcam_p50_s": pct(t_gc, 50), "gradcam_p95_s": pct(t_gc, 95),
        "total_p50_s": pct(t_tot, 50), "total_p95_s": pct(t_tot, 95),
        "server_cpu_s": cpu.get("server_s", math.nan),
        "rss_start_mb": rss_before, "rss_peak_mb": peak, "rss_end_mb": rss_after,
        "rss_bound_mb": bound,
        "rss_within_bound": (not math.isnan(peak) and peak > 0 and peak < bound) if (pid or not url) else None,
        "results": [asdict(r) for r in results],
        "cpus": os.cpu_count(),
    }
    return summary


def report(s: dict) -> str:
    lines = [
        f"classroom load: {s['users']} users on {s['variant']} (random weights), {s['cpus']} CPUs",
        f"  users served correctly: {s['served']}/{s['users']}   errors: {s['errors']}",
        f"  upload → top-5 chart:      p50 {s['result_p50_s']:.1f} s   p95 {s['result_p95_s']:.1f} s   max {s['result_max_s']:.1f} s",
        f"  top-5 → Grad-CAM image:    p50 {s['gradcam_p50_s']:.1f} s   p95 {s['gradcam_p95_s']:.1f} s",
        f"  page open → Grad-CAM:      p50 {s['total_p50_s']:.1f} s   p95 {s['total_p95_s']:.1f} s   (all users done in {s['wall_s']:.1f} s)",
        f"  server CPU time during the run: {s['server_cpu_s']:.0f} s ({s['server_cpu_s'] / max(1, s['users']):.1f} s per user; "
        f"the rest of {s['wall_s'] * (s['cpus'] or 1):.0f} core-seconds went to Chromium and this script)",
        f"  server RSS: start {s['rss_start_mb']:.0f} MB, peak {s['rss_peak_mb']:.0f} MB, end {s['rss_end_mb']:.0f} MB "
        f"(bound {s['rss_bound_mb']:.0f} MB: {'ok' if s['rss_within_bound'] else 'EXCEEDED' if s['rss_within_bound'] is False else 'not measured'})",
    ]
    lines += [f"  ERROR {d}" for d in s["error_details"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--users", type=int, default=30)
    ap.add_argument("--variant", default="vgg16")
    ap.add_argument("--url", help="an already running server (default: start one)")
    ap.add_argument("--pid", type=int, help="that server's pid, to sample its memory")
    ap.add_argument("--no-verify", action="store_true", help="skip the in-process top-5 check")
    ap.add_argument("--timeout", type=float, default=600, help="per user, seconds")
    ap.add_argument("--ramp", type=float, default=0.0, help="seconds between users' arrivals")
    ap.add_argument("--screenshots", type=Path, help="folder for a screenshot per user")
    ap.add_argument("--json", type=Path, help="write the full summary here")
    a = ap.parse_args(argv)
    s = run_load(a.users, a.variant, a.url, a.pid, not a.no_verify, a.timeout, a.screenshots, a.ramp)
    print(report(s))
    if a.json:
        a.json.write_text(json.dumps(s, indent=2, default=float))
    return 0 if s["errors"] == 0 and s["rss_within_bound"] is not False else 1


if __name__ == "__main__":
    sys.exit(main())
