"""A class at once: N browser sessions open a freshly started server together.

Every session (its own Chromium context) opens the site root and, as soon as the sidebar's
page links appear, clicks one of the other pages, normally before its first page has loaded
(each session records whether it did). Session i clicks page 1 + i mod (pages - 1), so
together they visit every page. Measured: exception boxes that ever appeared in any session,
tracebacks in the server log, sessions that never reached a working page, time to a working
page (p50, max) and the server's memory afterwards.
"""

from __future__ import annotations

import asyncio
import json
import time

from bench import browser
from bench.server import LOG_DIR, AppServer
from bench.single_user import page_paths
from bench.targets import Row, load1, measured, median, percentile

SESSION_TIMEOUT_MS = 600_000   # 20 sessions on 2 busy cores: slow, but never a hang

FIRST_PAGE_DONE = """() => { const a = document.querySelector('[data-testid="stApp"]');
  const s = a && a.getAttribute('data-test-script-state');
  const imgs = [...document.querySelectorAll('[data-testid="stMain"] img')];
  return !!a && !['initial', 'running', 'rerunRequested'].includes(s) && imgs.length > 0
    && imgs.every((i) => i.complete); }"""


async def one_session(chromium, url: str, path: str) -> dict:
    """Open the site, click the link to `path` as soon as it shows, wait for a working page."""
    context = await chromium.new_context(viewport=browser.VIEWPORT)
    page = await context.new_page()
    await page.add_init_script(browser.WATCH_EXCEPTIONS)
    t0 = time.monotonic()
    out = {"path": path, "working": False, "seconds": None, "early_click": None, "error": ""}
    try:
        await page.goto(url, wait_until="commit", timeout=SESSION_TIMEOUT_MS)
        link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first
        await link.wait_for(state="visible", timeout=SESSION_TIMEOUT_MS)
        out["early_click"] = not await page.evaluate(FIRST_PAGE_DONE)
        await link.click(timeout=SESSION_TIMEOUT_MS)
        handle = await page.wait_for_function(browser.WORKING, arg=[path, 300, 0], polling=100,
                                              timeout=SESSION_TIMEOUT_MS)
        value = await handle.json_value()
        if value == "exception":
            out["error"] = "exception box on the page"
        else:
            out["working"] = True
            out["seconds"] = browser.settled_at(value) - t0
    except Exception as exc:  # a timeout or a closed page: this session did not work
        out["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
    finally:
        out["exceptions"] = await page.evaluate(browser.SEEN_EXCEPTIONS)
        await context.close()
    return out


async def all_sessions(url: str, n: int) -> list[dict]:
    from playwright.async_api import async_playwright

    paths = [path for _, path in page_paths()[1:]]
    async with async_playwright() as pw:
        chromium = await browser.launch_async(pw)
        try:
            return await asyncio.gather(*(one_session(chromium, url, paths[i % len(paths)])
                                          for i in range(n)))
        finally:
            await chromium.close()


def run(n: int) -> list[Row]:
    with AppServer("sessions.log") as server:
        server.wait_healthy()
        load_before = load1()
        results = asyncio.run(all_sessions(server.url, n))
        rss, peak = server.rss()
        tracebacks = server.tracebacks()
    (LOG_DIR / "sessions.json").write_text(json.dumps(results, indent=1) + "\n")
    return rows_for(results, tracebacks, rss, peak, load_before, n)


def rows_for(results: list[dict], tracebacks: int, rss: float, peak: float, load_before: float,
             n: int) -> list[Row]:
    """The sessions rows from the per-session results (pure: tested)."""
    boxes = sum(len(r["exceptions"]) for r in results)
    broken = [r for r in results if not r["working"]]
    early = sum(bool(r["early_click"]) for r in results)
    times = [r["seconds"] for r in results if r["seconds"] is not None]
    first_box = next((r["exceptions"][0] for r in results if r["exceptions"]), "")
    first_box = " | ".join(first_box.splitlines()[:2])
    load = max(load_before, load1())
    rows = [
        measured("sessions", f"{n} sessions at once: exception boxes + server tracebacks",
                 boxes + tracebacks, "", "session_exceptions", load=load,
                 note=f"{boxes} boxes, {tracebacks} tracebacks in the server log"
                      + (f"; first: {first_box[:100]}" if first_box else "")),
        measured("sessions", f"{n} sessions at once: sessions without a working page",
                 len(broken), "", "sessions_not_working", load=load,
                 note=f"{early} of {n} clicked a page link before their first page had loaded"
                      + (f"; e.g. {broken[0]['error']}" if broken else "")),
    ]
    if times:
        rows.append(measured("sessions", f"{n} sessions: time to a working page, p50",
                             median(times), "s", load=load, note="open → link clicked → idle"))
        rows.append(measured("sessions", f"{n} sessions: time to a working page, max",
                             max(times), "s", load=load,
                             note=f"p90 {percentile(times, 90):.1f} s"))
    rows.append(measured("memory", f"server RSS after {n} sessions visited every page", rss,
                         "MiB", "server_rss_mib", load=load, note=f"peak {peak:.0f} MiB"))
    return rows
