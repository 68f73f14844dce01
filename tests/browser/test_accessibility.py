"""Accessibility: axe-core finds no critical or serious violation on any page of the app.

Every entry of ui.pages.PAGES is audited (main area and sidebar) in the light and the dark
theme, and again after the main interactions: an upload, a drag on the latent plane, a model
change. Failures list the rule ids and the failing nodes; every audit is saved under
test-output/accessibility/.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from axe_audit import assert_accessible, axe_version, wait_until_drawn
from PIL import Image
from st_browser import assert_no_exception, screenshot, wait_for_app

import aecore
from aecore.runtime import store
from ui.pages import PAGES

FIRST_LOAD_MS = 180_000  # a cold server on a busy 2-core machine
SCHEMES = ("light", "dark")
# Relative luminance of the app's background: the dark theme must really be dark, and so on.
_BACKGROUND_IS_DARK = """() => {
  const [r, g, b] = getComputedStyle(document.querySelector('[data-testid="stApp"]'))
    .backgroundColor.match(/\\d+/g).map(Number);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b < 128;
}"""


def url_of(base: str, entry) -> str:
    return f"{base}/" if entry is PAGES[0] else f"{base}/{entry.url_path}"


def settle(page) -> None:
    wait_for_app(page, timeout=FIRST_LOAD_MS)
    assert_no_exception(page)
    wait_until_drawn(page)


def open_page(page, base: str, entry) -> None:
    page.goto(url_of(base, entry))
    settle(page)


def entry_for(stem: str):
    return next(p for p in PAGES if p.path.endswith(f"/{stem}.py"))


@pytest.fixture(params=SCHEMES)
def themed_page(browser, request):
    """A fresh page whose browser prefers the light or the dark colour scheme."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  color_scheme=request.param)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield request.param, page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        with contextlib.suppress(Exception):
            screenshot(page, f"FAILED-{request.node.name}")
    context.close()


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_page_has_no_serious_violations(themed_page, app_server, entry):
    scheme, page = themed_page
    open_page(page, app_server, entry)
    assert page.evaluate(_BACKGROUND_IS_DARK) == (scheme == "dark"), f"not the {scheme} theme"
    assert_accessible(page, f"{entry.url_path}-{scheme}")


def test_axe_core_is_bundled(page):
    """The audits run on the axe-core the Python package bundles (no network involved)."""
    page.set_content("<main><h1>x</h1></main>")
    version = axe_version(page)
    print(f"axe-core {version}")
    assert tuple(int(p) for p in version.split(".")[:2]) >= (4, 10)


# --- after interactions ----------------------------------------------------------------------

def upload(page, files) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        [str(f) for f in files])


def test_compare_after_an_upload(page, app_server, tmp_path, png_file):
    open_page(page, app_server, entry_for("compare"))
    page.locator('[data-testid="stRadio"]').first.get_by_text("Upload", exact=True).click()
    settle(page)
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"certainly not a picture")
    upload(page, [png_file, bad])
    page.get_by_text("not a picture format").first.wait_for()
    settle(page)
    assert page.get_by_text(png_file.name).count() >= 1
    assert_accessible(page, "compare-after-upload")


def drag_plane(page) -> None:
    """Drag the latent plane's marker from 30% to 70% of the plane and let go."""
    box = page.locator("canvas.latent-plane").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6, steps=8)
    page.mouse.up()


def chosen_planes(page) -> list[str]:
    """Titles of the planes chosen in the latent explorer's multiselect."""
    tags = page.locator('[data-testid="stMultiSelect"]').first.locator("[data-tag]")
    return [tags.nth(i).get_attribute("aria-label") for i in range(tags.count())]


def change_planes(page) -> None:
    """A model change: drop the last plane, then add a 2-D model that was not shown."""
    before = chosen_planes(page)
    page.get_by_role("button", name=f"Remove {before[-1]}").first.click()
    settle(page)
    assert_accessible(page, "latent_explorer-after-removing-a-plane", regions=("main",))
    titles = [aecore.get_spec(n).title for n in aecore.plane_models()]
    new = next((t for t in titles if t not in before), before[-1])
    page.locator('[data-testid="stMultiSelect"]').first.locator("input").click()
    page.get_by_role("option", name=new, exact=True).click()
    page.keyboard.press("Escape")
    settle(page)
    assert new in chosen_planes(page)


def test_latent_explorer_after_drag_upload_and_model_change(page, app_server, png_file):
    served = [n for n in aecore.plane_models() if store.weights_status().get(n) == "ok"]
    assert served, "no 2-D model has usable weights: the latent plane cannot be shown"
    open_page(page, app_server, entry_for("latent_explorer"))
    near = page.get_by_text("Near the marker").first
    before = near.inner_text()
    drag_plane(page)
    page.wait_for_function("""(old) => [...document.querySelectorAll('p')]
        .some((p) => p.innerText.includes('Near the marker') && p.innerText !== old)""",
                           arg=before, timeout=60_000)
    settle(page)
    assert_accessible(page, "latent_explorer-after-drag", regions=("main",))

    page.get_by_role("tab", name="Your picture").click()
    upload(page, [png_file])
    page.get_by_text("It lands at").wait_for(timeout=60_000)
    settle(page)
    assert_accessible(page, "latent_explorer-after-upload", regions=("main",))

    change_planes(page)
    assert_accessible(page, "latent_explorer-after-adding-a-plane", regions=("main",))


@pytest.fixture
def png_file(tmp_path):
    """A small grey garment-like PNG to upload."""
    arr = np.zeros((40, 30), np.uint8)
    arr[5:35, 6:24] = 200
    path = tmp_path / "my_shirt.png"
    Image.fromarray(arr).save(path)
    return path
