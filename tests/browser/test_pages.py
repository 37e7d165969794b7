"""Every page of the real app in headless Chromium: it loads, shows its title and no
exception; an uploaded image flows through Forward pass, Feature maps, Filters and Grad-CAM;
bad uploads get one line and the next good upload works; file names are text, not HTML.

Full-page screenshots of each page go to artifacts/screenshots/ (look at them)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw
from st_browser import (
    MAIN,
    SAMPLES,
    SIDEBAR,
    error_alerts,
    exceptions,
    loaded_images,
    nav_to,
    open_page,
    screenshot,
    select_variant,
    start_custom_run,
    upload,
    wait_idle,
)

from vggviz import registry

pytestmark = pytest.mark.browser

PAGES = [spec.file or spec.url_path for spec in sorted(registry.PAGES, key=lambda s: s.lesson)]   # /home opens the start page
CHART = f'{MAIN} [data-testid="stPlotlyChart"] .js-plotly-plot, {MAIN} .js-plotly-plot'
IMAGE_PAGES = ["feature_maps", "filters", "gradcam"]


def _png_bytes(size=(160, 120), colour=(200, 60, 40)) -> bytes:
    im = Image.new("RGB", size, colour)
    ImageDraw.Draw(im).ellipse((20, 20, size[0] - 20, size[1] - 20), fill=(30, 90, 200))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


def _assert_clean(page, where: str) -> None:
    """No exception, and no dialog or toast the test did not ask for (Streamlit's "Page not
    found" is a dialog over the page)."""
    exc = exceptions(page)
    assert not exc, f"{where}: exception shown: {exc[0]}"
    extra = page.evaluate(
        """() => Array.from(document.querySelectorAll('[role="dialog"], [data-testid="stDialog"], [data-testid="stToast"]'))
               .filter(e => e.offsetParent !== null || e.getClientRects().length).map(e => e.innerText.slice(0, 200))""")
    assert not extra, f"{where}: unexpected dialog or toast: {extra}"


def _title(page) -> str:
    h1 = page.locator(f"{MAIN} h1").first
    h1.wait_for(state="visible")
    text = h1.inner_text().strip()
    assert text, "the page's title is empty"
    return text


def _wait_chart(page) -> None:
    page.locator(CHART).first.wait_for(state="visible")
    # Plotly has drawn bars (not an empty axis frame).
    page.wait_for_function(
        """() => document.querySelectorAll('.js-plotly-plot .plot .point, .js-plotly-plot .bars path').length > 0"""
    )


def _wait_images(page, at_least: int = 1) -> int:
    page.wait_for_function(
        """(n) => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stImage"] img'))
               .filter(i => i.complete && i.naturalWidth > 0).length >= n""",
        arg=at_least,
    )
    return loaded_images(page)


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_error(page, shots, path):
    """A fresh session on each page: no exception block, a visible title."""
    open_page(page, path)
    _assert_clean(page, path)
    _title(page)
    screenshot(page, shots, f"{PAGES.index(path) + 1:02d}-{path}-no-image")


def test_image_flow_on_default_vgg16(page, shots):
    """The default VGG16: upload a sample, see the top-5 chart, then the image pages."""
    open_page(page, "forward_pass")
    sample = sorted(SAMPLES.glob("*.jpg"))[0]
    upload(page, sample)
    assert sample.name in page.locator(SIDEBAR).inner_text()
    _wait_chart(page)
    _assert_clean(page, "forward_pass")
    screenshot(page, shots, "05-forward_pass-vgg16")
    for path in IMAGE_PAGES + ["fully_conv", "receptive_field"]:
        nav_to(page, path)
        _assert_clean(page, path)
        _title(page)
        if path in IMAGE_PAGES:
            n = _wait_images(page)
            assert n >= 1, f"{path}: no image decoded"
        screenshot(page, shots, f"{PAGES.index(path) + 1:02d}-{path}-vgg16")


def test_image_flow_on_vgg11(page, shots):
    """A second variant, chosen in the sidebar, through the same pages."""
    open_page(page, "forward_pass")
    select_variant(page, "VGG11 (A)")
    upload(page, sorted(SAMPLES.glob("*.jpg"))[-1])
    _wait_chart(page)
    _assert_clean(page, "forward_pass vgg11")
    for path in IMAGE_PAGES:
        nav_to(page, path)
        _assert_clean(page, f"{path} vgg11")
        assert _wait_images(page) >= 1
    screenshot(page, shots, "10-gradcam-vgg11")


def test_mini_family_on_every_image_page(page, shots):
    """No internet needed: the mini VGG16 trained on shapes, a shape picture uploaded, and every
    image page shows learned results (the top class is the shape) with no error."""
    open_page(page, "forward_pass")
    select_variant(page, "mini VGG16 (D) · trained on shapes, works offline")
    upload(page, SAMPLES / "shapes_star.png")
    _wait_chart(page)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot text')).some(t => t.textContent.includes('star'))""")
    _assert_clean(page, "forward_pass mini")
    assert not error_alerts(page), error_alerts(page)
    assert "Weights in use: shapes" in page.locator(SIDEBAR).inner_text()
    screenshot(page, shots, "13-forward_pass-vgg16_mini")
    for path in IMAGE_PAGES + ["fully_conv", "receptive_field", "architecture", "compare"]:
        nav_to(page, path)
        _assert_clean(page, f"{path} mini")
        _title(page)
        assert not error_alerts(page), f"{path} mini: {error_alerts(page)}"
        if path in IMAGE_PAGES:
            assert _wait_images(page) >= 1, f"{path} mini: no image decoded"
        screenshot(page, shots, f"14-{path}-vgg16_mini")


def test_bad_uploads_get_one_line_and_the_next_upload_works(page, shots):
    open_page(page, "forward_pass")
    select_variant(page, "VGG11 (A)")
    bad = [
        {"name": "notes.png", "mimeType": "image/png", "buffer": b"this is text, not a picture\n" * 4},
        {"name": "empty.png", "mimeType": "image/png", "buffer": b""},
    ]
    for i, f in enumerate(bad):
        upload(page, None, files=[f])
        page.locator(f'{SIDEBAR} [data-testid="stAlertContentError"]').first.wait_for(state="visible")
        errors = error_alerts(page)
        assert errors, f"{f['name']}: no error shown"
        msg = errors[0].strip()
        assert "\n" not in msg and len(msg) < 300, f"not one line: {msg!r}"
        assert f["name"] in msg, msg
        _assert_clean(page, f["name"])
        screenshot(page, shots, f"11-bad-upload-{i + 1}")
    good = {"name": "good.png", "mimeType": "image/png", "buffer": _png_bytes()}
    upload(page, None, files=[good])
    _wait_chart(page)
    assert not error_alerts(page), error_alerts(page)
    _assert_clean(page, "good upload after bad ones")
    assert "good.png" in page.locator(SIDEBAR).inner_text()


def test_file_name_is_text_not_html(page, shots):
    """A file named like an HTML tag is shown as those characters; nothing is injected."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, "forward_pass")
    select_variant(page, "VGG11 (A)")
    name = "<img src=x onerror=alert(1)>.png"
    upload(page, None, files=[{"name": name, "mimeType": "image/png", "buffer": _png_bytes()}])
    # Also a bad file with the same kind of name: the error message quotes it.
    evil_bad = "<b id=injected>bold</b>.png"
    wait_idle(page)
    assert name in page.locator(SIDEBAR).inner_text()
    upload(page, None, files=[{"name": evil_bad, "mimeType": "image/png", "buffer": b"nope"}])
    page.locator(f'{SIDEBAR} [data-testid="stAlertContentError"]').first.wait_for(state="visible")
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("#injected").count() == 0
    assert "<b id=injected>bold</b>" in " ".join(error_alerts(page))
    page.wait_for_timeout(500)
    assert not dialogs, f"script ran: {dialogs}"
    _assert_clean(page, "html-like file name")
    screenshot(page, shots, "12-html-file-name")


def test_deep_link_on_a_fresh_server(browser, shots):
    """A student's bookmark to a page may be the server's very first visitor. The page must
    still run inside the app (shared sidebar with the model and image pickers), not alone.

    Streamlit treats a folder named ``pages/`` next to the entry point as an old-style
    multipage app until some session has run ``st.navigation``; a fresh server whose first
    visitor opens /gradcam then runs pages/gradcam.py alone, for every visitor, until
    someone opens "/". Naming the folder anything else (e.g. ``app_pages/``) avoids it."""
    from benchmarks.server import streamlit_server

    with streamlit_server() as srv:
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        pg.base_url = srv.url
        try:
            for path in ("gradcam", "architecture"):
                open_page(pg, path)
                sidebar = pg.locator(SIDEBAR).inner_text()
                if "VGG variant" not in sidebar:
                    screenshot(pg, shots, f"00-deep-link-{path}-fresh-server")
                assert "VGG variant" in sidebar and "Sample image" in sidebar, (
                    f"/{path} as the first visit of a fresh server ran without the app's "
                    f"sidebar (old-style pages/ app); sidebar shows: {sidebar[:200]!r}")
                _assert_clean(pg, path)
        finally:
            ctx.close()


def test_train_page_runs_a_tiny_run_to_the_end(page, shots):
    """The Train page: a custom run on a tiny budget is queued, polled live and finishes with
    its accuracy, curves and a .pth download, without an exception."""
    open_page(page, "train")
    _assert_clean(page, "train")
    assert _title(page) == "Train it yourself"
    start_custom_run(page, tr_train_size=256, tr_val_size=64, tr_epochs=1, tr_seed=31337)
    page.locator(f'{MAIN} [data-testid="stDownloadButton"]').first.wait_for(state="visible")
    wait_idle(page)
    _assert_clean(page, "train after the run")
    text = page.locator(MAIN).inner_text()
    assert "held-out accuracy" in text and "Training time" in text and ".pth" in text
    # the loss and accuracy curves (the reference's charts wait, hidden, in the Experiments tab)
    page.locator(CHART).filter(visible=True).first.wait_for(state="visible")
    screenshot(page, shots, "13-train-done")


def _click_unit(page, chart, row: int, col: int) -> None:
    """Click the centre of unit (row, col) of a clickable channel map: data → pixels with
    plotly's own axis functions, relative to the chart (playwright scrolls it into view and
    clicks where it is then, so a layout shift between the two steps does not matter)."""
    xy = chart.evaluate(
        """(gd, rc) => { const L = gd._fullLayout;
               return [L.xaxis._offset + L.xaxis.l2p(rc[1]), L.yaxis._offset + L.yaxis.l2p(rc[0])]; }""",
        [row, col])
    chart.click(position={"x": xy[0], "y": xy[1]})
    wait_idle(page)


def _number(page, label_start: str) -> int:
    box = page.locator(f'{MAIN} [data-testid="stNumberInput"]').filter(has_text=label_start).locator("input")
    return int(box.input_value())


def test_clicking_a_unit_shows_its_arithmetic(page, shots):
    """The mini VGG16 on a star: on One unit, a click on the channel map selects that unit (the
    row and column inputs follow, and the ReLU value changes to the clicked unit's), and
    "Step back" opens the strongest input's unit in the layer before."""
    open_page(page, "forward_pass")
    select_variant(page, "mini VGG16 (D) · trained on shapes, works offline")
    upload(page, SAMPLES / "shapes_star.png")
    _wait_chart(page)
    nav_to(page, "unit")
    _assert_clean(page, "unit")
    chart = page.locator(f"{MAIN} .js-plotly-plot").first
    chart.wait_for(state="visible")
    assert (_number(page, "Row"), _number(page, "Column")) == (8, 8)       # relu3_1 is 16×16 at 64 px: the centre
    _click_unit(page, chart, 5, 9)
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('[data-testid="stNumberInput"] input')).map(i => i.value).join(',').endsWith('5,9')""")
    assert (_number(page, "Row"), _number(page, "Column")) == (5, 9)
    _assert_clean(page, "unit after a click")
    assert not error_alerts(page), error_alerts(page)
    text = page.locator(MAIN).inner_text()
    assert "at (5, 9)" in text and "Σ terms" in text
    screenshot(page, shots, "07-unit-vgg16_mini-clicked")
    page.get_by_role("button", name="Step back").click()
    wait_idle(page)
    page.get_by_text("pool2 passes on the largest").wait_for()
    _assert_clean(page, "unit after a step back")


def test_a_channel_paints_itself_as_you_watch(page, shots):
    """The mini VGG16 (no image needed): its strongest patches show, and Visualise paints an
    image step by step, then gives its value against noise."""
    open_page(page, "channel")
    select_variant(page, "mini VGG16 (D) · trained on shapes, works offline")
    _assert_clean(page, "channel")
    page.get_by_text("Searched", exact=False).first.wait_for()
    assert page.locator(f'{MAIN} [data-testid="stImage"]').count() >= 12
    page.get_by_role("tab", name="An image it would love").click()
    page.get_by_role("button", name="Visualise").click()
    page.get_by_text("Value on this image").wait_for(timeout=120_000)
    wait_idle(page)
    _assert_clean(page, "channel after Visualise")
    assert not error_alerts(page), error_alerts(page)
    assert "× noise" in page.locator(MAIN).inner_text()
    screenshot(page, shots, "08-channel-vgg16_mini")


def test_a_link_reproduces_the_view_and_follows_the_controls(page, shots):
    """/feature_maps?variant=vgg11&sample=cat&layer=conv2_1 in a fresh context shows that view
    (the named controls hold the named values, the sample's maps shown); changing a control
    rewrites the address; a bad value falls back with one line."""
    open_page(page, "feature_maps?variant=vgg11&sample=cat&layer=conv2_1")
    _assert_clean(page, "linked feature maps")
    assert page.locator(f"{SIDEBAR} .st-key-vggviz_variant").get_by_role("combobox").input_value() == "VGG11 (A)"
    assert page.locator(f"{SIDEBAR} .st-key-vggviz_sample").get_by_role("combobox").input_value() == "Cat"
    assert page.locator(f"{MAIN} .st-key-fm_layer").get_by_role("combobox").input_value().startswith("conv2_1")
    assert _wait_images(page, 1) >= 1
    assert "layer=conv2_1" in page.url and "variant=vgg11" in page.url
    page.locator(f"{MAIN} .st-key-fm_order").get_by_text("strongest unit").click()
    wait_idle(page)
    page.wait_for_function("() => location.search.includes('order=max')")
    screenshot(page, shots, "14-linked-view")
    open_page(page, "gradcam?variant=vgg11&sample=cat&layer=conv9_9")
    _assert_clean(page, "bad link")
    assert "conv9_9" in page.locator(MAIN).inner_text() and "default is shown" in page.locator(MAIN).inner_text()


def test_compare_tables_show_no_none(page, shots):
    """Chromium once showed "None" where A-LRN and C have no accuracy (AppTest saw a blank)."""
    open_page(page, "compare")
    _assert_clean(page, "compare")
    page.locator(f'{MAIN} [data-testid="stDataFrame"], {MAIN} [data-testid="stTable"]').first.wait_for()
    js = """() => Array.from(document.querySelectorAll('[data-testid="stMain"] [data-testid="stTable"] td,'
                 + '[data-testid="stMain"] [data-testid="stDataFrame"] [role="gridcell"]')).map(c => c.innerText.trim())"""
    page.wait_for_function(f"() => ({js})().filter(t => t).length > 10", timeout=60_000)   # the grid's cells drawn
    cells = page.evaluate(js)
    assert cells and not [c for c in cells if c in ("None", "nan", "NaN")], [c for c in cells if c in ("None", "nan")][:5]


# Every page's own link parameters, in a fresh browser context each: the view opens with
# them (the app writes the address from its controls' values, so a parameter still in the
# address after the run is a control that holds it), no note that a default was shown instead.
MINI = "variant=vgg16_mini&sample=shapes%20star"
LINKS = {
    "architecture": "variant=vgg11&size=160",
    "compare": "variant=vgg13",
    "receptive_field": "n=4&k=5&c=32&cin=256&red=64",
    "forward_pass": f"{MINI}&seed=42",
    "feature_maps": f"{MINI}&layer=relu3_1&order=max&scale=layer",
    "unit": f"{MINI}&layer=relu4_2&channel=7&row=3&col=5",
    "channel": f"{MINI}&layer=relu4_2&channel=5",
    "filters": f"{MINI}&layer=conv3_1",
    "gradcam": f"{MINI}&layer=relu4_3&opacity=0.7&cmap=magma",
    "fully_conv": f"{MINI}&size=128&averaging=positions&flip=1",
    "draw": MINI,
    "transfer": MINI,
    "train": "variant=vgg11_mini",
}


@pytest.mark.parametrize("path", list(LINKS))
def test_every_pages_link_opens_its_view(browser, server, warm_app, shots, path):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    page.base_url = server.url
    try:
        query = LINKS[path]
        open_page(page, f"{path}?{query}")
        _assert_clean(page, f"link to {path}")
        assert "default is shown" not in page.locator(MAIN).inner_text(), page.locator(MAIN).inner_text()[:300]
        for pair in query.split("&"):
            assert pair.replace("%20", "+") in page.url.replace("%20", "+"), (pair, page.url)
        if "sample=" in query and path in ("forward_pass", "feature_maps", "filters", "gradcam"):   # st.image pages
            assert _wait_images(page, 1) >= 1
        screenshot(page, shots, f"link-{path}")
    finally:
        ctx.close()
