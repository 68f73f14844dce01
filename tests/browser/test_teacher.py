"""Real browser, for the teacher: a copied address reopens the same view in a fresh browser,
downloads are real PNG/CSV files, and the lesson takes a prediction, reveals and advances.

Runs against the app as shipped (the `app_server` fixture), so it uses the shipped weights.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from PIL import Image
from st_browser import assert_no_exception, wait_for_app

import aecore

LOAD_MS = 240_000  # first loads on a busy 2-core machine


def level(page):
    """The Denoiser's noise level slider (a flipbook: ui/components/flipbook.py)."""
    return page.get_by_role("slider", name="Noise level")


def served_plane() -> str:
    """The first 2-D model the shipped weights can serve."""
    status = aecore.weights_status()
    return next(n for n in aecore.plane_models() if status[n] == "ok")


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page, timeout=LOAD_MS)
    assert_no_exception(page)


def settle(page) -> None:
    page.wait_for_timeout(300)  # let the rerun start before waiting for it to finish
    wait_for_app(page, timeout=LOAD_MS)
    assert_no_exception(page)


@pytest.fixture
def fresh(browser):
    """A second, unrelated browser context: no shared session, cookies or storage."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def download(page, button: str) -> tuple[str, bytes]:
    target = page.get_by_role("button", name=button).first
    target.wait_for(timeout=LOAD_MS)
    with page.expect_download(timeout=120_000) as info:
        target.click()
    done = info.value
    with open(done.path(), "rb") as handle:
        return done.suggested_filename, handle.read()


def test_a_copied_denoiser_address_reopens_the_same_view(page, fresh, app_server):
    open_page(page, f"{app_server}/denoiser")
    slider = level(page)
    slider.wait_for(timeout=LOAD_MS)
    assert slider.get_attribute("aria-valuetext") == "0.5"
    slider.focus()
    for value in ("0.55", "0.6", "0.65"):   # one step at a time: each is a rerun
        slider.press("ArrowRight")
        page.wait_for_url(re.compile(rf"level={re.escape(value)}(&|$)"), timeout=LOAD_MS)
        settle(page)
    page.get_by_text("By test index", exact=True).click()
    settle(page)
    field = page.get_by_label(re.compile("^Test indices"))
    field.fill("12, 408, 77")
    field.press("Enter")
    settle(page)
    page.wait_for_url(re.compile(r"level=0\.65.*images=12\+408\+77"))
    link = page.url

    open_page(fresh, link)
    assert fresh.url == link, "the address is kept as it was sent"
    assert level(fresh).get_attribute("aria-valuetext") == "0.65"
    assert fresh.get_by_label(re.compile("^Test indices")).input_value() == "12, 408, 77"
    fresh.get_by_text("#408", exact=False).first.wait_for(timeout=LOAD_MS)  # the linked images
    assert fresh.locator("[data-testid=stToast]").count() == 0, "a good link raises no notice"


def test_a_bad_link_shows_a_notice_not_an_error(page, app_server):
    page.goto(f"{app_server}/denoiser?level=banana&colour=red")
    text = page.wait_for_selector("[data-testid=stToast]", timeout=LOAD_MS).inner_text()
    assert "colour" in text and "level" in text
    wait_for_app(page, timeout=LOAD_MS)
    assert_no_exception(page)
    level(page).wait_for(timeout=LOAD_MS)   # the component mounts after the text around it
    assert level(page).get_attribute("aria-valuetext") == "0.5"
    assert "banana" not in page.url and "colour" not in page.url


def near_marker(page) -> str:
    text = (page.locator("[data-testid=stMarkdownContainer]", has_text="Near the marker")
            .first.inner_text())
    return re.search(r"z = \([^)]*\)", text).group(0)


def test_a_copied_latent_explorer_address_puts_the_marker_back(page, fresh, app_server):
    name = served_plane()
    open_page(page, f"{app_server}/latent_explorer?planes={name}")
    plane = page.locator("canvas.latent-plane").first
    plane.focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowUp"):
        plane.press(key)
    page.wait_for_url(re.compile(f"at_{name}="), timeout=60_000)
    settle(page)
    where = near_marker(page)
    assert where != "z = (0.00, 0.00)"

    open_page(fresh, page.url)
    assert near_marker(fresh) == where


def test_the_compare_grid_downloads_as_a_png(page, app_server):
    model = aecore.list_models()[0]
    open_page(page, f"{app_server}/compare?images=0-3&models={model}")
    name, data = download(page, "Download the grid (PNG)")
    assert name.endswith(".png")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.width > image.height > 0


def test_the_model_table_and_the_latent_points_download_as_csv(page, app_server):
    open_page(page, app_server)
    name, data = download(page, "Download the table (CSV)")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert name.endswith(".csv") and [r["model"] for r in rows] == aecore.list_models()

    plane = served_plane()
    open_page(page, f"{app_server}/latent_space?model={plane}")
    name, data = download(page, "Download these points (CSV)")
    rows = list(csv.DictReader(io.StringIO(data.decode())))
    assert name == f"{plane}-identity.csv"
    assert set(rows[0]) == {"index", "label", "class", "z1", "z2"} and len(rows) > 100
    assert {r["class"] for r in rows} <= set(aecore.CLASS_NAMES)


def test_the_lesson_takes_a_prediction_reveals_and_advances(page, fresh, app_server):
    open_page(page, f"{app_server}/lesson?step=3")
    assert page.get_by_role("heading", name=re.compile(r"^3\.")).count() == 1
    check = page.get_by_role("button", name="Check my prediction")
    assert check.is_disabled(), "no answer is picked in advance"
    page.locator("[data-testid=stRadio] [role=radiogroup] label").first.click()
    settle(page)
    check.click()
    settle(page)
    verdict = page.locator("[data-testid=stAlert]").filter(
        has_text=re.compile("You predicted it|Not quite")).first
    assert "rebuilds it best" in verdict.inner_text()

    page.get_by_role("button", name="Next →").click()
    settle(page)
    page.wait_for_url(re.compile(r"step=4"))
    assert page.get_by_role("heading", name=re.compile(r"^4\.")).count() == 1
    open_page(fresh, page.url)
    assert fresh.get_by_role("heading", name=re.compile(r"^4\.")).count() == 1
