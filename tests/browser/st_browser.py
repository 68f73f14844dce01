"""Helpers for browser tests: serve a Streamlit script, wait for it, check it, screenshot it.

Browser tests import them directly, e.g. `from st_browser import wait_for_app, screenshot`.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from pagetools import CHROMIUM, CHROMIUM_ARGS, in_ci  # noqa: F401  (for the browser tests)

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = ROOT / "test-output"
SCREENSHOTS = LOG_DIR / "screenshots"
STARTUP_TIMEOUT = 60.0  # seconds until /_stcore/health must answer

# True once the script has finished and stayed idle for `settle` ms (no rerun started meanwhile).
IDLE_JS = """
(settle) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  const busy = !app || ['initial', 'running', 'rerunRequested'].includes(state)
    || document.querySelector('[data-testid="stStatusWidgetRunningIcon"]') !== null;
  if (state === 'compilationError') return true;
  if (busy) { window.__aeIdleSince = undefined; return false; }
  window.__aeIdleSince = window.__aeIdleSince || Date.now();
  return Date.now() - window.__aeIdleSince >= settle;
}
"""


def wait_for_app(page, timeout: float = 60_000, settle: int = 300) -> None:
    """Wait until Streamlit has rendered the app and its script is no longer running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(IDLE_JS, arg=settle, timeout=timeout, polling=100)
    state = page.get_attribute('[data-testid="stApp"]', "data-test-script-state")
    assert state != "compilationError", "the app's script does not compile"


def assert_no_exception(page) -> None:
    """Fail with the traceback text if Streamlit shows any exception box."""
    boxes = page.locator('[data-testid="stException"]')
    if boxes.count():
        texts = "\n---\n".join(boxes.nth(i).inner_text() for i in range(boxes.count()))
        raise AssertionError(f"{boxes.count()} exception(s) shown in the app:\n{texts}")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG to test-output/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_") or "screenshot"
    path = SCREENSHOTS / (safe if safe.endswith(".png") else f"{safe}.png")
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _log_tail(path: Path, lines: int = 40) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextlib.contextmanager
def serve(app: Path, log_name: str = "streamlit-server.log", launcher: bool = False):
    """Run `streamlit run app` on a free port; yield its base URL once healthy; stop it after.

    launcher=True: start app.py as `make run` does, `python -m ui.serve` (with its warm-up).
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    if launcher and Path(app).resolve() != ROOT / "app.py":
        raise ValueError(f"ui.serve serves app.py only, not {app}")
    cmd = [
        sys.executable, *(["-m", "ui.serve"] if launcher else ["-m", "streamlit", "run", str(app)]),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]  # fmt: skip
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / log_name
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(url):
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{_log_tail(log_path)}")
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {STARTUP_TIMEOUT:.0f}s:\n"
                            f"{_log_tail(log_path)}")  # fmt: skip
            time.sleep(0.25)
        yield url
    finally:
        _stop(proc)
