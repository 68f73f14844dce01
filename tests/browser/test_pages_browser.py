"""Every page of the app in headless Chromium: no exception box, every image loaded, a screenshot.

Works with whatever weights/ holds (all, some or none): pages show notices, never tracebacks.
Screenshots go to test-output/screenshots/pages/.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from st_browser import ROOT, assert_no_exception, screenshot, serve, wait_for_app

from ui.pages import PAGES

ALWAYS_IMAGES = {"overview", "compare"}  # pages that always show test-set images
FIRST_LOAD_MS = 180_000  # TensorFlow import and model loading on a busy 2-core machine

# True once at least `min` <img> exist, all have loaded, and their number held for 500 ms.
_IMAGES_LOADED = """(min) => {
  const imgs = [...document.querySelectorAll('img')];
  const done = imgs.length >= min && imgs.every(i => i.complete && i.naturalWidth > 0);
  if (!done || window.__aeImgCount !== imgs.length) {
    window.__aeImgCount = imgs.length; window.__aeImgSince = Date.now(); return false;
  }
  return Date.now() - window.__aeImgSince >= 500;
}"""


def images_loaded(page, at_least: int = 0) -> int:
    """Wait until every <img> has loaded (and at least `at_least` exist); return the count."""
    page.wait_for_function(_IMAGES_LOADED, arg=at_least, timeout=60_000, polling=100)
    broken = page.evaluate("""() => [...document.querySelectorAll('img')]
        .filter(img => !(img.complete && img.naturalWidth > 0)).map(img => img.src)""")
    assert not broken, f"images that did not load: {broken}"
    return page.locator("img").count()


_PAGE_HEIGHT = """() => Math.max(...[...document.querySelectorAll(
    '[data-testid=stMain], [data-testid=stAppViewContainer], body')].map(e => e.scrollHeight))"""


def full_screenshot(page, name: str) -> Path:
    """Screenshot the whole page: Streamlit scrolls inside its main block, so grow the viewport."""
    size = page.viewport_size
    height = page.evaluate(_PAGE_HEIGHT)
    page.set_viewport_size({"width": size["width"],
                            "height": min(max(height, size["height"]), 6000)})
    try:
        images_loaded(page)
        return screenshot(page, name)
    finally:
        page.set_viewport_size(size)


def settle(page) -> None:
    wait_for_app(page, timeout=FIRST_LOAD_MS)
    assert_no_exception(page)


def open_page(page, base: str, url: str) -> None:
    page.goto(f"{base}/{url}")
    settle(page)


def png_bytes() -> bytes:
    arr = np.zeros((40, 30), np.uint8)
    arr[5:35, 6:24] = 200
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("entry", PAGES, ids=[Path(p.path).stem for p in PAGES])
def test_page_renders_with_images(page, app_server, entry):
    stem = Path(entry.path).stem
    open_page(page, app_server, "" if entry == PAGES[0] else entry.url_path)
    images_loaded(page, at_least=1 if stem in ALWAYS_IMAGES else 0)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "Data:" in sidebar.inner_text() and "Weights" in sidebar.inner_text()
    full_screenshot(page, f"pages/{stem}")


def _compare(page, base: str) -> None:
    open_page(page, base, "compare")
    images_loaded(page, at_least=1)


def _choose_mode(page, mode: str) -> None:
    page.locator('[data-testid="stRadio"]').first.get_by_text(mode, exact=True).click()
    settle(page)


def originals_shown(page, count: int) -> None:
    """Wait until the grid's first row shows `count` test images (captions '#index class')."""
    page.wait_for_function("""(n) => [...document.querySelectorAll(
        '.ae-gallery figcaption')].filter(c => /^(sample )?#\\d/.test(c.innerText))
        .length === n""", arg=count, timeout=60_000)


def test_compare_slider_changes_the_grid(page, app_server):
    _compare(page, app_server)
    originals_shown(page, 8)
    slider = page.locator('[data-testid="stSlider"] input[type="range"]').first
    slider.focus()
    for _ in range(3):
        slider.press("ArrowLeft")
    originals_shown(page, 5)
    settle(page)
    images_loaded(page, at_least=5)
    full_screenshot(page, "pages/compare_fewer_images")


def test_compare_upload_and_bad_upload(page, app_server, tmp_path):
    _compare(page, app_server)
    _choose_mode(page, "Upload")
    good, bad = tmp_path / "my_shirt.png", tmp_path / "broken.png"
    good.write_bytes(png_bytes())
    bad.write_bytes(b"certainly not a picture")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [str(good), str(bad)])
    page.get_by_text("not a picture format").first.wait_for()
    settle(page)
    assert page.locator('[data-testid="stAlertContentError"]').count() >= 1
    assert page.get_by_text("my_shirt.png").count() >= 1
    images_loaded(page)
    full_screenshot(page, "pages/compare_upload")


def test_compare_choice_survives_switching_pages(page, app_server):
    _compare(page, app_server)
    _choose_mode(page, "By test index")
    box = page.locator('[data-testid="stTextInput"] input').first
    box.fill("3, 4")
    box.press("Enter")
    originals_shown(page, 2)
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Overview").click()
    page.get_by_text("Same images, every model").wait_for()
    settle(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Compare").click()
    originals_shown(page, 2)
    settle(page)
    assert page.locator('[data-testid="stTextInput"] input').first.input_value() == "3, 4"
    images_loaded(page)


@pytest.mark.slow
def test_deep_link_on_a_fresh_server_loads_the_app_shell(page):
    """/compare as the very first request still runs app.py (sidebar, wide layout, titles)."""
    with serve(ROOT / "app.py", log_name="streamlit-deeplink.log") as url:
        open_page(page, url, "compare")
        sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
        assert "Data:" in sidebar and "Compare reconstructions" in sidebar
        images_loaded(page, at_least=1)
