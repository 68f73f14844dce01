"""The one table of targets (issue #9), measured rows and how a value is judged against them.

Everything here is pure: no timing, no app, no browser (tests/test_bench.py covers it).
"""

from __future__ import annotations

import math
import os
import statistics
from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    op: str        # "<=" (at most) or ">=" (at least)
    limit: float
    unit: str
    slack: float = 1.0   # ">=" passes at limit * slack (frame counting at 60 Hz, see FPS_SLACK)

    def met(self, value: float) -> bool:
        if self.op == "<=":
            return value <= self.limit
        return value >= self.limit * self.slack

    def __str__(self) -> str:
        sign = "≤" if self.op == "<=" else "≥"
        return f"{sign} {self.limit:g}{'' if self.unit in ('', '×') else ' '}{self.unit}"


FPS_SLACK = 0.975  # rAF runs at 60 Hz: a perfect drag counts 58.5-60 frames a second

TARGETS: dict[str, Target] = {
    "cold_start_s": Target("<=", 3.0, "s"),
    "session_exceptions": Target("<=", 0, ""),
    "sessions_not_working": Target("<=", 0, ""),
    "server_rss_mib": Target("<=", 250, "MiB"),
    "slider_p50_ms": Target("<=", 150, "ms"),
    "slider_p95_ms": Target("<=", 250, "ms"),
    "decode_vs_predict": Target(">=", 1000, "×"),
    "drag_fps_mlp": Target(">=", 60, "fps", slack=FPS_SLACK),
    "drag_fps_conv": Target(">=", 30, "fps", slack=FPS_SLACK),
}

PASS, FAIL, INFO, MISSING, ERROR = "PASS", "FAIL", "INFO", "MISSING", "ERROR"
STATUSES = (PASS, FAIL, INFO, MISSING, ERROR)


@dataclass
class Row:
    section: str
    name: str
    value: float | None
    unit: str
    target: str    # the Target as text; "" for informational rows
    status: str    # one of STATUSES
    load: float    # 1-minute load average when the row was measured
    note: str = ""


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def measured(section: str, name: str, value: float, unit: str, target: str | None = None,
             note: str = "", load: float | None = None) -> Row:
    """A row judged against TARGETS[target] (PASS/FAIL), or informational without a target."""
    load = load1() if load is None else load
    if target is None:
        return Row(section, name, value, unit, "", INFO, load, note)
    goal = TARGETS[target]
    return Row(section, name, value, unit, str(goal), PASS if goal.met(value) else FAIL, load,
               note)


def missing(section: str, name: str, note: str, target: str | None = None) -> Row:
    """A row that could not be measured: a model without servable weights, a tool not installed."""
    return Row(section, name, None, "", str(TARGETS[target]) if target else "", MISSING, load1(),
               note)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    pos = (len(ordered) - 1) * q / 100
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def median(values: list[float]) -> float:
    return statistics.median(values)


CONV_OPS = ("conv2d", "conv2d_transpose")


def decoder_kind(export_layers: list[dict] | None = None, family: str = "",
                 architecture: str = "") -> str:
    """"conv" or "mlp": from the shipped browser decoder's ops, else from the spec.

    Without an export (weights missing) the spec decides: family "conv", or convolutions in
    the decoder half of a VAE's architecture line (what follows "sample").
    """
    if export_layers is not None:
        return "conv" if any(op.get("op") in CONV_OPS for op in export_layers) else "mlp"
    if family == "conv":
        return "conv"
    decoder_half = architecture.split("sample")[-1] if "sample" in architecture else architecture
    return "conv" if "conv" in decoder_half.lower() else "mlp"


def fps_target(kind: str) -> str:
    """The TARGETS key for a latent-plane decoder of this kind."""
    return "drag_fps_conv" if kind == "conv" else "drag_fps_mlp"


def count_tracebacks(log_text: str) -> int:
    """Python tracebacks in a server log."""
    return log_text.count("Traceback (most recent call last)")
