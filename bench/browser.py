"""Headless Chromium for the benchmarks: launch arguments and the page probes (JavaScript).

Recipes from /work/shared/reference/browser.md (Debian chromium through Playwright).
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.machine import CHROMIUM

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
FIRST_LOAD_TIMEOUT_MS = 300_000   # a very busy machine: never hang, but give it time

# Every <img> under an element, including those in components' open shadow roots (a JS
# expression of `root`).
IMAGES_UNDER = """[root, ...[...root.querySelectorAll('*')].filter((e) => e.shadowRoot)
  .map((e) => e.shadowRoot)].flatMap((r) => [...r.querySelectorAll('img')])"""

# A working page: the script is idle, the URL is the expected page, the main block has its
# title and every image in it has loaded; true once that held for `settle` ms. Returns
# {"lag": ms since it first held} (so the caller can date it), "exception", or false.
WORKING = """([path, settle, minImages]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  const busy = !app || ['initial', 'running', 'rerunRequested'].includes(state)
    || document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') !== null;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!busy && document.querySelector('[data-testid="stException"]')) return "exception";
  const here = location.pathname.replace(/^\\/+|\\/+$/g, '');
  const imgs = main ? ((root) => """ + IMAGES_UNDER + """)(main) : [];
  const ok = !busy && main && main.querySelector('h1') && (path === null || here === path)
    && imgs.length >= minImages && imgs.every((i) => i.complete && i.naturalWidth > 0);
  if (!ok) { window.__aeSince = undefined; return false; }
  window.__aeSince = window.__aeSince ?? performance.now();
  const lag = performance.now() - window.__aeSince;
  return lag >= settle ? {lag} : false;
}"""

NEXT_FRAME = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"

# Every exception box that ever appears (kept even if a later run removes it).
WATCH_EXCEPTIONS = """(() => {
  window.__aeExceptions = new Set();
  const look = (node) => {
    if (node.nodeType !== 1) return;
    if (node.matches('[data-testid="stException"]')) window.__aeExceptions.add(node);
    node.querySelectorAll('[data-testid="stException"]')
      .forEach((e) => window.__aeExceptions.add(e));
  };
  new MutationObserver((muts) => muts.forEach((m) => m.addedNodes.forEach(look)))
    .observe(document, {childList: true, subtree: true});
})();"""

SEEN_EXCEPTIONS = """() => [...(window.__aeExceptions || [])]
  .map((e) => (e.innerText || e.textContent || '').trim().slice(0, 3000))"""

# Time stamps (performance.now) of every WebSocket message sent and received.
WATCH_WEBSOCKET = """(() => {
  window.__aeSent = []; window.__aeRecv = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (d) { window.__aeSent.push(performance.now());
    return send.call(this, d); };
  const Original = window.WebSocket;
  window.WebSocket = class extends Original {
    constructor(...a) { super(...a);
      this.addEventListener('message', () => window.__aeRecv.push(performance.now())); }
  };
})();"""


def settled_at(handle_value: dict) -> float:
    """time.monotonic() when a WORKING probe first held (its answer carries the lag)."""
    return time.monotonic() - handle_value["lag"] / 1000


def wait_working(page, path: str | None, settle_ms: int = 300, min_images: int = 0,
                 polling="raf", timeout: float = FIRST_LOAD_TIMEOUT_MS) -> float:
    """time.monotonic() when the page first worked; raises on an exception box."""
    page.evaluate("() => { window.__aeSince = undefined; }")   # not a previous wait's start
    handle = page.wait_for_function(WORKING, arg=[path, settle_ms, min_images],
                                    polling=polling, timeout=timeout)
    value = handle.json_value()
    if value == "exception":
        raise RuntimeError(f"exception shown on /{path}: {page.evaluate(SEEN_EXCEPTIONS)}")
    return settled_at(value)


def wait_rerun(page, path: str | None, recv_before: int, settle_ms: int = 300) -> float:
    """After an input: wait for the server's answer (WATCH_WEBSOCKET), then a working page."""
    page.wait_for_function("(n) => window.__aeRecv.length > n", arg=recv_before, polling=50,
                           timeout=FIRST_LOAD_TIMEOUT_MS)
    return wait_working(page, path, settle_ms=settle_ms)


def received(page) -> int:
    return page.evaluate("() => window.__aeRecv.length")


def chromium_problem() -> str | None:
    """Why the browser rows cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright)"
    return None


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)


async def launch_async(playwright):
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
