"""The machine a benchmark ran on: CPU, cores, memory, Python, package versions, load, date."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import subprocess
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("streamlit", "onnxruntime", "numpy", "keras", "tensorflow-cpu", "tensorflow",
            "playwright", "plotly")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 ** 2, 1)
    return None


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def python_loop_seconds(repeats: int = 5) -> float:
    """Single-core speed, to compare machines: the best of `repeats` pure-Python loops of ten
    million additions (the server's work is Python on one core; a VM twice as slow here
    starts the app about twice as slowly)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        sum(range(10_000_000))
        best = min(best, time.perf_counter() - start)
    return best


def package_versions() -> dict[str, str]:
    out = {}
    for pkg in PACKAGES:
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def command_output(cmd: list[str]) -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                              timeout=20).stdout.strip()
    return ""


def describe() -> dict:
    """Everything BENCHMARKS.md says about the machine (load: 1, 5, 15 minutes, now)."""
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": usable_cores(),
        "logical_cpus": os.cpu_count(),
        "memory_gib": memory_gib(),
        "python_loop_s": round(python_loop_seconds(), 3),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "chromium": command_output([CHROMIUM, "--version"]) if Path(CHROMIUM).exists() else "",
        "commit": command_output(["git", "describe", "--always", "--dirty"]),
        "load_average": [round(v, 2) for v in os.getloadavg()],
    }
