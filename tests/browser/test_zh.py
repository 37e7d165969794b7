"""The app in 简体中文 in a real browser: every page opened with ``?lang=zh`` shows its title
and the sidebar in Chinese, with no exception, dialog or toast, and a screenshot of each
(artifacts/screenshots/zh-*.png). The language switch in the sidebar changes the page at once
and writes ``lang`` into the address."""

from __future__ import annotations

import re

import pytest
from st_browser import MAIN, SIDEBAR, open_page, screenshot, wait_idle
from test_pages import PAGES, _assert_clean, _title

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")
LINK = "lang=zh&variant=vgg16_mini&weights=shapes&sample=shapes%20star"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_in_chinese(page, shots, path):
    open_page(page, f"{path}?{LINK}")
    _assert_clean(page, f"{path} in Chinese")
    title = _title(page)
    assert CJK.search(title), f"{path}: the title is not Chinese: {title!r}"
    side = page.locator(SIDEBAR).inner_text()
    assert "网络" in side and "权重" in side, side[:300]
    assert "lang=zh" in page.url
    screenshot(page, shots, f"zh-{PAGES.index(path) + 1:02d}-{path}")


def test_the_language_switch(page, shots):
    open_page(page, "architecture?variant=vgg16_mini")
    assert not CJK.search(_title(page))
    box = page.locator(f"{SIDEBAR} .st-key-vggviz_lang").get_by_role("combobox")
    box.click()
    page.get_by_role("option", name="简体中文").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('lang=zh')")
    assert CJK.search(_title(page))
    assert "VGG" in page.locator(MAIN).inner_text()
    _assert_clean(page, "after switching to Chinese")
