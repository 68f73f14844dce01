"""The Lab in Chromium: press Train on tiny settings, watch the epoch advance with a curve and a
reconstruction strip, press Stop, then find the model on Compare and see it reconstruct; the
session's folder goes when the tab closes."""

from __future__ import annotations

import re
import time

import pytest
from pagetools import in_ci
from st_browser import assert_no_exception, screenshot, wait_for_app

from aecore.data import find_dataset_dir
from aecore.runtime.workspace import lab_root

TRAINING_MS = 600_000   # a trainer starting and its epochs on a busy 2-core machine
TITLE = "Browser model"
EPOCH = re.compile(r"Epoch (\d+) of 50")


def sessions() -> set:
    return set(lab_root().glob("session-*")) if lab_root().is_dir() else set()


def slider_to(page, label: str, key: str) -> None:
    """Move the labelled (select_)slider to an end with the keyboard (`key`: Home or End)."""
    slider = page.locator('[data-testid="stSlider"]', has_text=label).get_by_role("slider")
    slider.focus()
    slider.press(key)
    wait_for_app(page)


def type_into(page, label: str, text: str) -> None:
    box = page.locator('[data-testid="stTextInput"]', has_text=label).locator("input")
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def tiny_settings(page) -> None:
    """Plain 2-D, one hidden layer of 16, 50 epochs on 500 images: quick epochs, long run.
    Every change waits for its rerun (the page keeps its knobs in the address)."""
    page.locator('[data-testid="stSelectbox"]', has_text="Variant").click()
    page.get_by_role("option", name="Plain 2-D", exact=True).click()
    page.get_by_text("A 2-D code without the VAE").wait_for()
    wait_for_app(page)
    type_into(page, "Hidden layers", "16")
    slider_to(page, "Epochs", "End")
    slider_to(page, "Training images", "Home")
    type_into(page, "Name", TITLE)
    assert "epochs=50" in page.url and "images=500" in page.url, page.url


def epoch_shown(page) -> int:
    """The epoch the progress bar shows (waits for the first)."""
    text = page.get_by_text(EPOCH).first
    text.wait_for(timeout=TRAINING_MS)
    return int(EPOCH.search(text.inner_text()).group(1))


def test_train_watch_stop_then_compare(page, app_server):
    if find_dataset_dir() is None:
        assert not in_ci(), "Fashion-MNIST is not installed (CI=true: an error, not a skip)"
        pytest.skip("training needs the Fashion-MNIST dataset")
    before = sessions()
    page.goto(f"{app_server}/lab")
    wait_for_app(page)
    tiny_settings(page)
    page.get_by_role("button", name="Train").click()
    first = epoch_shown(page)
    page.wait_for_function("""([re, first]) => [...document.querySelectorAll('p, div')]
        .some(e => { const m = e.innerText && e.innerText.match(new RegExp(re));
                     return m && Number(m[1]) > first; })""",
                           arg=[EPOCH.pattern, first], timeout=TRAINING_MS, polling=250)
    page.locator(".js-plotly-plot .scatterlayer path").first.wait_for(timeout=120_000)  # curves
    assert page.get_by_alt_text(re.compile("Reconstructions after epoch")).count() == 1
    screenshot(page, "lab-training")
    page.get_by_role("button", name="Stop").click()
    page.get_by_text(f"{TITLE} · yours is ready").wait_for(timeout=TRAINING_MS)
    assert page.get_by_text("stopped early").count() >= 1
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "lab-done")

    page.locator('[data-testid="stSidebarNav"] a', has_text="Compare").click()
    page.get_by_role("heading", name="Compare reconstructions").wait_for()
    wait_for_app(page)
    models = page.locator('[data-testid="stMultiSelect"]').first
    if models.get_by_text(f"{TITLE} · yours").count() == 0:  # not chosen by default: choose it
        models.locator("input").click()
        page.get_by_role("option", name=f"{TITLE} · yours", exact=True).click()
        page.keyboard.press("Escape")
    page.get_by_text(re.compile(f"{TITLE} · yours")).last.wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    assert page.get_by_alt_text(re.compile(TITLE)).count() >= 1   # its reconstructions
    screenshot(page, "lab-on-compare")

    mine = sessions() - before
    page.context.close()
    deadline = time.monotonic() + 60
    while mine & sessions():
        assert time.monotonic() < deadline, f"{mine & sessions()} outlived its session"
        time.sleep(0.5)
