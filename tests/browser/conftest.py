"""Browser tests: the real app (``streamlit run``) driven by Debian's Chromium through playwright.

One server and one browser per test session; each test gets a fresh browser context, which
is a fresh Streamlit session. Screenshots of every page land in ``artifacts/screenshots/``.

Without /usr/bin/chromium the tests are skipped on a developer's machine and FAIL in CI
(``CI=true``): .ci/run installs Debian's chromium, so a missing browser there is a bug.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from st_browser import LONG, SHOTS  # noqa: E402

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, chromium_available, streamlit_server  # noqa: E402


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if SHOTS.is_dir() and any(SHOTS.glob("*.png")):
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"screenshots of every page: {SHOTS}")


def _require_chromium() -> None:
    if chromium_available():
        return
    msg = f"{CHROMIUM} is missing (apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI: {msg}; the browser tests must run in CI", pytrace=False)
    pytest.skip(msg)


@pytest.fixture(scope="session")
def server():
    _require_chromium()
    with streamlit_server(log=ROOT / "artifacts" / "streamlit-browser-tests.log") as srv:
        yield srv


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def warm_app(browser, server):
    """Open the entry page once so the model is built before the timed flows.

    (It also makes the server see st.navigation; test_deep_link_on_a_fresh_server checks
    a fresh server without this help.)"""
    from st_browser import open_page

    ctx = browser.new_context()
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.base_url = server.url  # type: ignore[attr-defined]
    open_page(pg, "")
    ctx.close()
    return server


@pytest.fixture()
def page(browser, server, warm_app):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.set_default_timeout(LONG)
    pg.base_url = server.url  # type: ignore[attr-defined]
    yield pg
    ctx.close()


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


