"""One visitor on a fresh server: cold start, every page once, server memory, Denoiser slider.

Cold start: the server is started as `make run` starts it (bench/server.py) with Chromium
already open; the clock runs from the process start until the first page's title and all its
images are loaded and the script is idle (then one more animation frame: painted). Repeated on
fresh servers; the last server then serves one visitor who clicks through every page (server
RSS after) and moves the Denoiser's noise slider with the keyboard (bench/slider.py).
"""

from __future__ import annotations

import re
import time

from bench import browser, slider
from bench.server import AppServer
from bench.targets import Row, load1, measured, median, missing

LAUNCHED = {"make-run": "make run (ui.serve)", "streamlit": "streamlit run app.py"}


def page_paths() -> list[tuple[str, str]]:
    """(title, URL path) of every page, the first at the site root."""
    from ui.pages import PAGES

    return [(p.title, "" if i == 0 else p.url_path) for i, p in enumerate(PAGES)]


# Seconds from navigation start in the page: scripts loaded and run (DOMContentLoaded), the
# app's first message to the server (its run request), the script's last message, and now.
BROWSER_PHASES = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {scripts: nav ? nav.domContentLoadedEventEnd : null,
          request: window.__aeSent[0] ?? null, last: window.__aeRecv.slice(-1)[0] ?? null,
          painted: performance.now()};
}"""


def phase_note(health: float, navigated: float, phases: dict) -> str:
    """Where a cold start's seconds went, as text (seconds since the server was started)."""
    names = {"scripts": "Streamlit's scripts loaded", "request": "first run requested",
             "last": "run's last message", "painted": "painted"}
    parts = [f"health {health:.1f} s"] + [
        f"{label} {navigated + phases[key] / 1000:.1f} s" for key, label in names.items()
        if phases.get(key) is not None]
    return "; ".join(parts)


def warm_up_note(log: str) -> str:
    """The launcher's warm-up steps as its log line gives them ("" when there was none)."""
    found = re.search(r"warm-up done: (.*)", log)
    return f"; warm-up thread: {found.group(1).strip()}" if found else ""


def cold_start(pw, log_name: str, launcher: str | None = None
               ) -> tuple[AppServer, float, float, str]:
    """(running server, seconds to the first page painted, seconds to /health, where the
    seconds went)."""
    chromium = browser.launch(pw)
    page = chromium.new_context(viewport=browser.VIEWPORT).new_page()
    page.add_init_script(browser.WATCH_EXCEPTIONS)
    page.add_init_script(browser.WATCH_WEBSOCKET)  # for the slider's breakdown
    server = AppServer(log_name, launcher)
    started = server.start()
    try:
        health = server.wait_healthy()
        navigated = time.monotonic() - started
        page.goto(server.url, wait_until="commit")
        browser.wait_working(page, "", settle_ms=0, min_images=1)
        page.evaluate(browser.NEXT_FRAME)  # the frame that paints what the probe saw
        painted = time.monotonic()
        phases = page.evaluate(BROWSER_PHASES)
        server.page, server.chromium = page, chromium
        note = phase_note(health, navigated, phases) + warm_up_note(server.log_text())
        return server, painted - started, health, note
    except BaseException:
        server.stop()
        chromium.close()
        raise


def visit_every_page(page, server: AppServer) -> list[tuple[str, float, float]]:
    """Click each page's sidebar link in turn: (title, seconds to a working page, RSS after)."""
    visits = []
    for title, path in page_paths():
        link = page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first
        t0 = time.monotonic()
        link.click()
        seconds = browser.wait_working(page, path) - t0
        visits.append((title, seconds, server.rss()[0]))
    return visits


def run(quick: bool, cold_starts: int) -> list[Row]:
    from playwright.sync_api import sync_playwright

    rows: list[Row] = []
    with sync_playwright() as pw:
        runs, loads, health, notes = [], [], [], []
        server = None
        for i in range(1 if quick else cold_starts):
            if server is not None:
                server.stop()
                server.chromium.close()
            server, seconds, ready, note = cold_start(pw, f"cold-start-{i + 1}.log")
            runs.append(seconds)
            notes.append(note)
            health.append(ready)
            loads.append(load1())
        try:
            listed = ", ".join(f"{s:.1f}" for s in runs)
            rows.append(measured(
                "cold start", f"{LAUNCHED[server.launcher]} → Overview title + images painted",
                median(runs),
                "s", "cold_start_s", load=max(loads),
                note=f"median of {len(runs)} fresh servers: {listed} s; /_stcore/health "
                     f"answered after {median(health):.1f} s; first: {notes[0]}"))
            rows += one_visitor(server, passes=1 if quick else 3)
        finally:
            server.stop()
            server.chromium.close()
        rows.append(framework_floor(pw, 1 if quick else cold_starts))
    return rows


FLOOR = ("framework floor: a Streamlit app of one title and one picture (bench/floor_app.py), "
         "same config, browser and measure")


def framework_floor(pw, count: int) -> Row:
    """The same cold start of bench/floor_app.py (a title and one picture): what Streamlit,
    Python and the browser cost on this machine before the app does anything. A failure here
    is a MISSING row: the app's rows above it stand."""
    runs, loads, notes = [], [], []
    try:
        for i in range(count):
            server, seconds, _, note = cold_start(pw, f"cold-start-floor-{i + 1}.log", "floor")
            server.stop()
            server.chromium.close()
            runs.append(seconds)
            loads.append(load1())
            notes.append(note)
    except Exception as exc:  # a browser or server problem: say it, keep the section's rows
        return missing("cold start", FLOOR, f"{type(exc).__name__}: {exc}")
    listed = ", ".join(f"{s:.1f}" for s in runs)
    return measured("cold start", FLOOR, median(runs), "s", load=max(loads),
                    note=f"median of {count} fresh servers: {listed} s; the app's cold start "
                         f"minus this is the app's own share; first: {notes[0]}")


def one_visitor(server: AppServer, passes: int) -> list[Row]:
    page = server.page
    rows = []
    for title, seconds, rss in visit_every_page(page, server):
        rows.append(measured("one visitor", f"first visit: {title}", seconds, "s",
                             note=f"link clicked → page idle, images loaded; server RSS "
                                  f"after: {rss:.0f} MiB"))
    rss, peak = server.rss()
    rows.append(measured("memory", "server RSS after one visitor saw every page", rss, "MiB",
                         "server_rss_mib", note=f"peak {peak:.0f} MiB"))
    rows += slider.run(page, passes)
    rss, peak = server.rss()
    rows.append(measured("memory", "server RSS after the slider runs", rss, "MiB",
                         "server_rss_mib", note=f"peak {peak:.0f} MiB"))
    return rows
