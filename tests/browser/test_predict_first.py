"""Predict first in a real browser: a teacher's link (?predict=1) opens the Architecture page with
its figures hidden behind a question; a text answer gets one line, a number reveals the verdict,
the explanation and the figures."""

from __future__ import annotations

import pytest
from st_browser import LONG, MAIN, SHOTS, error_alerts, exceptions, open_page, screenshot, wait_idle

pytestmark = pytest.mark.browser
CHART = f"{MAIN} .js-plotly-plot"


@pytest.fixture
def page(browser, warm_app):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.base_url = warm_app.url  # type: ignore[attr-defined]
    yield pg
    ctx.close()


def check(page, text: str) -> None:
    box = page.locator(f"{MAIN} .st-key-vggviz_quiz_in_architecture_conv1_1_params input").first
    box.fill(text)
    page.locator(MAIN).get_by_role("button", name="Check my prediction").click()
    page.wait_for_timeout(300)
    wait_idle(page)


def test_answer_then_see_the_figure(page):
    open_page(page, "architecture?variant=vgg16_mini&predict=1")
    page.locator(MAIN).get_by_text("How many parameters (weights and biases) does conv1_1 of vgg16_mini have?").wait_for()
    assert page.locator(CHART).count() == 0, "the figures wait for the answer"
    assert page.locator(f'{MAIN} [data-testid="stMetric"]').count() == 0
    check(page, "a few hundred")
    assert [e for e in error_alerts(page) if "is not a number" in e], error_alerts(page)
    assert page.locator(CHART).count() == 0
    check(page, "224")                  # 3·3·3·8 + 8
    ok = page.locator(f'{MAIN} [data-testid="stAlertContentSuccess"]').first
    ok.wait_for(state="visible")
    assert "right (the answer is 224)" in ok.inner_text() and "8 biases" in ok.inner_text()
    page.locator(CHART).first.wait_for(state="visible", timeout=LONG)
    assert page.locator(f'{MAIN} [data-testid="stMetric"]').count() == 6
    assert not exceptions(page)
    screenshot(page, SHOTS, "quiz_revealed")
