"""The Draw page in a real browser: a triangle and a circle drawn with the mouse on the canvas
(streamlit-drawable-canvas) each get an answer as the page's first metric, "Top-1"; and the live
camera (streamlit-webrtc) fed by Chromium's fake camera with a video file of a rendered shape
processes frames and shows a class. Screenshots land in artifacts/screenshots/."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from st_browser import LONG, MAIN, open_page, screenshot, wait_idle
from test_pages import _assert_clean

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server
from vggviz.data import shapes

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
MINI = "variant=vgg16_mini&weights=shapes"
CANVAS = f"{MAIN} .st-key-draw_canvas_{{n}} canvas.upper-canvas"
METRIC = f'{MAIN} [data-testid="stMetric"]'


def first_metric(page) -> tuple[str, str]:
    m = page.locator(METRIC).first
    m.wait_for(state="visible")
    label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
    value = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return label, value


def stroke(page, points: list[tuple[float, float]], canvas: str) -> None:
    """One stroke with the mouse through ``points`` (canvas pixels), then wait for the answer."""
    box = page.locator(canvas).first.bounding_box()
    x0, y0 = box["x"], box["y"]
    page.mouse.move(x0 + points[0][0], y0 + points[0][1])
    page.mouse.down()
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        for t in np.linspace(0, 1, 6)[1:]:
            page.mouse.move(x0 + ax + (bx - ax) * t, y0 + ay + (by - ay) * t)
    page.mouse.up()
    page.wait_for_timeout(400)
    wait_idle(page)


TRIANGLE = [(160, 50), (270, 250), (50, 250), (160, 50)]
CIRCLE = [(160 + 100 * math.cos(2 * math.pi * k / 36), 160 + 100 * math.sin(2 * math.pi * k / 36)) for k in range(37)]


def test_a_triangle_and_a_circle_drawn_with_the_mouse(page, shots):
    open_page(page, f"draw?{MINI}")
    _assert_clean(page, "draw")
    assert "Draw something first" in page.locator(MAIN).inner_text()
    assert page.locator(METRIC).count() == 0

    stroke(page, TRIANGLE, CANVAS.format(n=0))
    _assert_clean(page, "draw: the triangle")
    label, triangle = first_metric(page)
    assert label == "Top-1" and triangle in shapes.CLASSES, (label, triangle)
    page.locator(f'{MAIN} [data-testid="stImage"] img').first.wait_for(state="visible")
    screenshot(page, shots, "draw-triangle")

    page.locator(f"{MAIN} .st-key-draw_clear button").first.click()
    page.wait_for_timeout(300)
    wait_idle(page)
    assert page.locator(METRIC).count() == 0                      # cleared: no answer
    stroke(page, CIRCLE, CANVAS.format(n=1))
    _assert_clean(page, "draw: the circle")
    label, circle = first_metric(page)
    assert label == "Top-1" and circle in shapes.CLASSES, (label, circle)
    # A network that knows its shapes tells an outline triangle from an outline circle (today's
    # bundled models: triangle against crescent; models trained on outlines: against circle or ring).
    assert circle != triangle
    screenshot(page, shots, "draw-circle")


# --------------------------------------------------------------------------- the live camera


def write_y4m(path: Path, picture: Image.Image, frames: int = 10, fps: int = 10) -> Path:
    """``picture`` as a still video in YUV4MPEG2 (4:2:0, BT.601 full range), the format
    Chromium's --use-file-for-fake-video-capture reads."""
    rgb = np.asarray(picture.convert("RGB"), dtype=np.float32)
    h, w = rgb.shape[:2]
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b

    def sub(c):           # 2×2 average
        return c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    planes = [np.clip(p + 0.5, 0, 255).astype(np.uint8).tobytes() for p in (y, sub(u), sub(v))]
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            f.write(b"FRAME\n")
            for p in planes:
                f.write(p)
    return path


def test_the_live_camera_runs_frames_of_a_shape_through_the_network(browser, tmp_path, shots):
    scene = Image.new("RGB", (320, 240), "white")
    scene.paste(shapes.draw_plain("triangle", size=200, scale=0.6), (60, 20))
    video = write_y4m(tmp_path / "triangle.y4m", scene)
    cam = browser.browser_type.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    with streamlit_server(env={"VGGVIZ_CAMERA": "1"}, log=ROOT / "artifacts" / "streamlit-camera-test.log") as srv:
        ctx = cam.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
        page = ctx.new_page()
        page.set_default_timeout(LONG)
        page.base_url = srv.url  # type: ignore[attr-defined]
        try:
            open_page(page, f"draw?{MINI}")
            page.get_by_role("tab", name=re.compile("Live camera")).click()
            wait_idle(page)
            frame = page.frame_locator('iframe[title*="webrtc"]').first
            frame.get_by_role("button", name="Start the camera").click()
            # The status fragment polls once a second: wait for a class and processed frames.
            page.wait_for_function(
                """() => Array.from(document.querySelectorAll('[data-testid="stMetric"]'))
                       .some(m => m.innerText.startsWith('Top-1'))""", timeout=LONG)
            _assert_clean(page, "draw: camera")
            metrics = {}
            for m in page.locator(METRIC).all():
                label = m.locator('[data-testid="stMetricLabel"]').inner_text().strip()
                metrics[label] = m.locator('[data-testid="stMetricValue"]').inner_text().strip()
            assert metrics["Top-1"] in shapes.CLASSES, metrics
            assert int(metrics["Frames"]) > 0 and float(metrics["Frames per second"]) >= 0, metrics
            screenshot(page, shots, "draw-camera")
        finally:
            ctx.close()
            cam.close()

        # A browser without a camera (the shared Chromium has no fake device): one line, the page goes on.
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(LONG)
        page.base_url = srv.url  # type: ignore[attr-defined]
        try:
            open_page(page, f"draw?{MINI}")
            page.get_by_role("tab", name=re.compile("Live camera")).click()
            wait_idle(page)
            frame = page.frame_locator('iframe[title*="webrtc"]').first
            frame.get_by_role("button", name="Start the camera").click()
            # streamlit-webrtc shows the browser's own error for a missing device in one line
            # ("NotFoundError: Requested device not found"); its translated texts cover the others.
            frame.get_by_text(re.compile("No camera found|Camera permission refused|NotFoundError|NotAllowedError"))\
                .first.wait_for(timeout=60_000)
            _assert_clean(page, "draw: no camera")
            assert page.locator(f'{MAIN} [data-testid="stTab"]').count() == 2      # the page is still there
            screenshot(page, shots, "draw-no-camera")
        finally:
            ctx.close()
