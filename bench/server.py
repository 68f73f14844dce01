"""A fresh app server as `make run` starts it (`python -m ui.serve`): its URL, log, memory."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.targets import count_tracebacks

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "test-output" / "bench"
HEALTH_TIMEOUT_S = 120.0
OPTIONS: list[str] = []   # extra "--section.key=value" options for an A/B run (python -m bench
                          # --server-option runner.postScriptGC=false); none in `make bench`
# How the server is started: as `make run` does (ui/serve.py: `streamlit run app.py` plus the
# warm-up thread), or plain `streamlit run app.py` for an A/B (python -m bench --launcher
# streamlit).
LAUNCHERS = {"make-run": ["-m", "ui.serve"], "streamlit": ["-m", "streamlit", "run", "app.py"],
             # not the app: a title and one picture, for the framework's own cold start
             "floor": ["-m", "streamlit", "run", "bench/floor_app.py"]}
LAUNCHER = "make-run"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict[str, str]:
    path = Path(f"/proc/{pid}/status")
    if not path.is_file():
        return {}
    return dict(line.split(":", 1) for line in path.read_text().splitlines() if ":" in line)


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MiB: psutil if installed, else /proc."""
    fields = proc_status(pid)
    peak = int(fields["VmHWM"].split()[0]) / 1024 if "VmHWM" in fields else None
    try:
        import psutil
    except ImportError:
        if not fields:
            raise RuntimeError("no psutil and no /proc: cannot read the server's memory") from None
        now = int(fields["VmRSS"].split()[0]) / 1024
    else:
        now = psutil.Process(pid).memory_info().rss / 1024 ** 2
    return now, peak if peak is not None else now


class AppServer:
    """The app (`python -m ui.serve`, as `make run` starts it) on a free port with the
    project's own config.

    Only the port, address and headless mode are set on the command line, so the file
    watcher, usage statistics and post-run GC are what `make run` gets.
    """

    def __init__(self, log_name: str, launcher: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        self.log_path = LOG_DIR / log_name
        self.launcher = launcher or LAUNCHER
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> float:
        """Start the process; returns its start time (time.monotonic)."""
        cmd = [sys.executable, *LAUNCHERS[self.launcher], "--server.headless", "true",
               "--server.port", str(self.port), "--server.address", "127.0.0.1",
               *(f"--{option}" for option in OPTIONS)]
        with open(self.log_path, "w") as log:
            self.started = time.monotonic()
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return self.started

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def wait_healthy(self, poll_s: float = 0.05) -> float:
        """Seconds from start until /_stcore/health answers."""
        deadline = self.started + HEALTH_TIMEOUT_S
        while not self.healthy():
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}: "
                                   f"{self.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not healthy after {HEALTH_TIMEOUT_S:.0f} s")
            time.sleep(poll_s)
        return time.monotonic() - self.started

    def rss(self) -> tuple[float, float]:
        return rss_mib(self.proc.pid)

    def log_text(self) -> str:
        with contextlib.suppress(OSError):
            return self.log_path.read_text(errors="replace")
        return ""

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def tracebacks(self) -> int:
        return count_tracebacks(self.log_text())

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)

    def __enter__(self) -> AppServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
