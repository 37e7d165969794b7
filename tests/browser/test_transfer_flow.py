""""Teach it your own classes" in a real browser: the mini VGG16, three classes filled with
generated shapes plus a photo from Chromium's fake camera, the new last layer trained with the
last block fine-tuned too; the held-out accuracies, a prediction and Grad-CAM appear, with no
exception and no unexpected dialog or toast. A screenshot lands in artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest
from st_browser import LONG, MAIN, error_alerts, open_page, screenshot, select_variant, wait_idle
from test_pages import _assert_clean

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture()
def camera_page(browser, server, warm_app):
    """A page in a Chromium whose camera is the fake device (a moving test pattern)."""
    cam = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA, headless=True)
    ctx = cam.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.base_url = server.url  # type: ignore[attr-defined]
    yield pg
    ctx.close()
    cam.close()


def _set_number(page, key: str, value: int) -> None:
    box = page.locator(f"{MAIN} .st-key-{key} input").first
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_timeout(300)
    wait_idle(page)


def _click(page, key: str) -> None:
    page.locator(f"{MAIN} .st-key-{key} button").first.click()
    page.wait_for_timeout(300)
    wait_idle(page)


def test_transfer_flow_with_fine_tuning_and_a_camera_photo(camera_page, shots):
    page = camera_page
    open_page(page, "transfer")
    select_variant(page, "mini VGG16 (D) · trained on shapes, works offline")
    _assert_clean(page, "transfer")
    _set_number(page, "own_n", 3)
    for i in range(3):
        _set_number(page, f"own_count_{i}", 6)
        _click(page, f"own_fill_{i}")
    main = page.locator(MAIN)
    assert main.inner_text().count("6 images") == 3

    # one photo from the (fake) camera joins class 1
    page.locator(MAIN).get_by_text("…or take a photo").first.click()
    shoot = page.locator(f"{MAIN} .st-key-own_cam_0 button", has_text=re.compile("Take Photo", re.I)).first
    shoot.wait_for(state="visible")
    page.wait_for_timeout(1500)                   # the fake stream's first frames
    shoot.click()
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stMain"]').innerText.includes('7 images')""", timeout=LONG)
    wait_idle(page)

    # fine-tune the last block too, briefly
    page.locator(f"{MAIN} .st-key-own_ft label").first.click()
    page.wait_for_timeout(300)
    wait_idle(page)
    _set_number(page, "own_ft_epochs", 2)
    _click(page, "own_train")
    page.get_by_text("Held-out, fine-tuned").first.wait_for(state="visible", timeout=LONG)
    text = main.inner_text()
    assert re.search(r"Held-out accuracy\s*\n?\s*\d+%", text), text[:2000]
    assert re.search(r"Held-out, frozen features\s*\n?\s*\d+%", text)
    assert "Trained on 15 images, tested on 4 held-out images" in text
    # a prediction for a generated shape and its Grad-CAM
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stMain"]').innerText.includes('Your layer says')""",
        timeout=LONG)
    wait_idle(page)
    text = main.inner_text()
    assert re.search(r"Your layer says (circle|square|triangle) \(\d", text), text[-1500:]
    assert "Grad-CAM of your class" in text
    assert page.locator(f"{MAIN} .js-plotly-plot").count() >= 2           # the PCA and the probabilities
    _assert_clean(page, "transfer trained")
    assert not error_alerts(page), error_alerts(page)
    screenshot(page, shots, "12-transfer-trained")
