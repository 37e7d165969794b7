"""Helpers for driving the Streamlit app in Chromium (playwright sync API)."""

from __future__ import annotations

import re
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
SAMPLES = ROOT / "assets" / "samples"
APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
EXCEPTION = '[data-testid="stException"]'
MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'
LONG = 120_000   # ms: first VGG16 pass + Grad-CAM on 2 CPU cores, with the load of other tests



def wait_idle(page, timeout: float = LONG, quiet_s: float = 0.6) -> None:
    """Wait until the script has finished running and stayed finished for ``quiet_s``.

    Streamlit reruns are asynchronous: a widget change starts a rerun a moment later, so
    one look at the status is not enough."""
    deadline = time.monotonic() + timeout / 1000
    quiet_since = None
    while True:
        idle = page.locator(APP_IDLE).count() > 0
        now = time.monotonic()
        if idle:
            quiet_since = quiet_since or now
            if now - quiet_since >= quiet_s:
                return
        else:
            quiet_since = None
        if now > deadline:
            state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
            raise TimeoutError(f"app still busy after {timeout / 1000:.0f} s (script state {state})")
        page.wait_for_timeout(100)


def open_page(page, path: str) -> None:
    page.goto(f"{page.base_url}/{path}", wait_until="domcontentloaded")
    page.wait_for_selector('[data-testid="stApp"]', timeout=LONG)
    # The first run has begun once the sidebar exists.
    page.wait_for_selector(SIDEBAR, timeout=LONG)
    wait_idle(page)


def nav_to(page, path: str) -> None:
    """Change page inside the same session (keeps the uploaded image), via the sidebar nav."""
    # The links carry the view's query string (variant, sample, …) once the app writes it.
    link = page.locator(f'{SIDEBAR} a[href$="/{path}"], {SIDEBAR} a[href*="/{path}?"]').first
    link.click()
    page.wait_for_url(re.compile(rf"/{path}(\?|$)"), timeout=LONG)
    wait_idle(page)


def upload(page, path: Path | str, *, files=None) -> None:
    """Put a file into the sidebar uploader (replacing any earlier one) and wait for the rerun."""
    inp = page.locator(f'{SIDEBAR} .st-key-vggviz_upload input[type="file"]').first
    inp.set_input_files(files if files is not None else str(path))
    page.wait_for_timeout(300)
    wait_idle(page)


def select_variant(page, label: str) -> None:
    """Pick a variant in the sidebar's "VGG variant" selectbox (key vggviz_variant) by its
    shown label, e.g. "VGG11 (A)". Streamlit 1.67's selectbox is a react-aria combobox."""
    box = page.locator(f"{SIDEBAR} .st-key-vggviz_variant").get_by_role("combobox")
    if box.input_value() == label:
        return
    box.click()
    page.get_by_role("option", name=label, exact=True).click()
    page.wait_for_function(
        """([sel, want]) => { const e = document.querySelector(sel); return e && e.value === want; }""",
        arg=[f"{SIDEBAR} .st-key-vggviz_variant input", label],
    )
    page.wait_for_timeout(300)
    wait_idle(page)


def exceptions(page) -> list[str]:
    loc = page.locator(EXCEPTION)
    return [loc.nth(i).inner_text()[:500] for i in range(loc.count())]


def error_alerts(page) -> list[str]:
    loc = page.locator('[data-testid="stAlertContentError"]')
    return [loc.nth(i).inner_text() for i in range(loc.count())]


def loaded_images(page, scope: str = MAIN) -> int:
    """How many st.image pictures in ``scope`` have really decoded (naturalWidth > 0)."""
    return page.evaluate(
        """(scope) => Array.from(document.querySelectorAll(scope + ' [data-testid="stImage"] img'))
               .filter(i => i.complete && i.naturalWidth > 0).length""",
        scope,
    )


def screenshot(page, shots: Path, name: str) -> Path:
    """A full-page screenshot. Streamlit scrolls inside its own containers, not the body,
    so the viewport is stretched to the content's height for the shot and then restored."""
    path = shots / f"{name}.png"
    size = page.viewport_size or {"width": 1400, "height": 1000}
    height = page.evaluate(
        """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stMainBlockContainer"]',
                                '[data-testid="stSidebarContent"]', '[data-testid="stAppViewContainer"]']
               .map(s => document.querySelector(s)).filter(Boolean).map(e => e.scrollHeight), 0)"""
    )
    tall = max(size["height"], min(int(height) + 80, 12_000))
    try:
        if tall > size["height"]:
            page.set_viewport_size({"width": size["width"], "height": tall})
            page.wait_for_timeout(400)
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall > size["height"]:
            page.set_viewport_size(size)
    return path


def start_custom_run(page, **values) -> None:
    """On the Train page: the Custom run tab, its number fields set (``tr_epochs=1``, …), Train."""
    page.get_by_role("tab", name="Custom run").click()
    for key, value in values.items():
        box = page.locator(f"{MAIN} .st-key-{key} input").first
        box.fill(str(value))
        box.press("Enter")
        wait_idle(page)
    page.locator(f"{MAIN} .st-key-tr_train button").first.click()
