"""Real-browser fixtures: a Streamlit server for the app and Playwright pages in Debian Chromium.

Fixtures: `app_server` (base URL, session), `browser` (module), `page`, `app_page` (the app
loaded and idle), `screenshot` (callable). Helpers to import: see st_browser.py.
Set APP_FILE to serve another script (default app.py, relative to the repository root).
Without /usr/bin/chromium the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from pagetools import require_chromium
from st_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    ROOT,
    SCREENSHOTS,
    assert_no_exception,
    screenshot,
    serve,
    wait_for_app,
)

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome so `page` can screenshot failures."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def app_server():
    """The app ($APP_FILE, default app.py) served for the whole session; yields its base URL."""
    app = Path(os.environ.get("APP_FILE", "app.py"))
    app = app if app.is_absolute() else ROOT / app
    if not app.exists():
        pytest.fail(f"{app} does not exist (set APP_FILE to serve another script)", pytrace=False)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium through Playwright (never `playwright install`).

    Module scope on purpose: only one Playwright sync session may run per process, so another
    test file starting its own must not find this one still open.
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh page (1280x900); on test failure a screenshot lands in test-output/screenshots."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        with contextlib.suppress(Exception):
            screenshot(page, f"FAILED-{request.node.name}")
    context.close()


@pytest.fixture
def app_page(page, app_server):
    """The app's main page, loaded, idle and free of exceptions."""
    page.goto(app_server)
    wait_for_app(page)
    assert_no_exception(page)
    return page


@pytest.fixture(name="screenshot")
def screenshot_fixture():
    """`screenshot(page, name)` -> Path of test-output/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return screenshot
