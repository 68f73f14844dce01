"""A class opens a freshly started server at once: several sessions in separate browser contexts,
each clicking through the sidebar's page links before its first page has finished loading.
No session may ever show an exception box, and every session ends on a working page. The
server is started as `make run` starts it (ui/serve.py), so its warm-up runs meanwhile.
"""

from __future__ import annotations

import asyncio
import warnings
from urllib.parse import urlsplit

import pytest
from pagetools import require_chromium
from st_browser import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, LOG_DIR, ROOT, serve

from ui.pages import PAGES

SESSIONS = 6
CLICKS = 3                 # page links each session clicks, one right after the other
LOAD_MS = 90_000           # first load on a fresh server, six at once, busy 2-core machine

# Records every exception box that ever appears, even one a later rerun removes.
WATCH_EXCEPTIONS = """
window.__aeExceptions = [];
new MutationObserver(() => {
  for (const box of document.querySelectorAll('[data-testid="stException"]')) {
    if (!box.__aeSeen) { box.__aeSeen = true; window.__aeExceptions.push(box.innerText); }
  }
}).observe(document, {childList: true, subtree: true});
"""
SCRIPT_STATE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app ? app.getAttribute('data-test-script-state') : 'initial';
}"""


def page_path(entry) -> str:
    """The path a page link leads to ("" for the first page: the app's root)."""
    return "" if entry == PAGES[0] else f"/{entry.url_path}"


def route(session: int) -> list:
    """The pages a session clicks: each session starts at a different page of the list."""
    return [PAGES[(session + 1 + step) % len(PAGES)] for step in range(CLICKS)]


async def nav_link(page, entry):
    link = page.locator('[data-testid="stSidebarNav"] a', has_text=entry.title)
    await link.first.wait_for(state="attached", timeout=LOAD_MS)  # as soon as the nav exists
    return link.first


async def run_session(browser, base: str, session: int) -> dict:
    """Open the app, click through `route(session)` without waiting, then let it settle."""
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(WATCH_EXCEPTIONS)
    page = await context.new_page()
    page.set_default_timeout(LOAD_MS)
    try:
        await page.goto(base, wait_until="commit")
        states = []
        for entry in route(session):
            link = await nav_link(page, entry)
            states.append(await page.evaluate(SCRIPT_STATE))
            await link.click(force=True, no_wait_after=True)  # no waiting for the page to settle
        await page.wait_for_function(IDLE_JS, arg=500, timeout=LOAD_MS, polling=100)
        last = route(session)[-1]
        title = page.locator("h1").first
        await title.wait_for(state="visible", timeout=LOAD_MS)
        boxes = page.locator('[data-testid="stException"]')
        return {"session": session, "states": states, "url": page.url, "expected": last,
                "title": await title.inner_text(), "shown": await boxes.count(),
                "seen": await page.evaluate("() => window.__aeExceptions")}
    except Exception:
        await page.screenshot(path=str(LOG_DIR / f"screenshots/sessions-{session}.png"))
        raise
    finally:
        await context.close()


async def open_class(base: str) -> list[dict]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                          args=CHROMIUM_ARGS)
        try:
            return await asyncio.gather(*(run_session(browser, base, i)
                                          for i in range(SESSIONS)))
        finally:
            await browser.close()


@pytest.mark.slow
def test_a_class_opens_a_fresh_server_at_once_and_clicks_around():
    require_chromium("async_api")
    (LOG_DIR / "screenshots").mkdir(parents=True, exist_ok=True)
    # Served as `make run` serves it: the warm-up thread imports and loads while the sessions'
    # first runs do the same (they must wait for it, never see half-made modules or caches).
    with serve(ROOT / "app.py", log_name="streamlit-sessions.log", launcher=True) as base:
        results = asyncio.run(open_class(base))
    log = (LOG_DIR / "streamlit-sessions.log").read_text(errors="replace")
    for result in results:
        where = f"session {result['session']}"
        assert not result["seen"] and not result["shown"], f"{where}: {result['seen']}"
        final = urlsplit(result["url"]).path.rstrip("/")
        assert final in {page_path(e) for e in PAGES}, f"{where} ended on {result['url']}"
        assert result["title"].strip(), f"{where}: no page title"
    lost = [r for r in results if urlsplit(r["url"]).path.rstrip("/") != page_path(r["expected"])]
    if lost:  # seen under heavy load: reported, not failed (the page shown still works)
        warnings.warn(f"{len(lost)} of {SESSIONS} sessions ended on another page than the last "
                      "link clicked: " + "; ".join(f"{r['session']}: {r['url']} (clicked "
                                                   f"{r['expected'].url_path})" for r in lost),
                      stacklevel=1)
    busy = [r for r in results if set(r["states"]) - {"notRunning"}]
    assert busy, f"no click landed while a page was still running: {results}"
    assert "Traceback" not in log, log[-3000:]
    assert "warm-up done: imports" in log and "missing ScriptRunContext" not in log, log[-3000:]
