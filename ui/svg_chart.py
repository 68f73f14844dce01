"""Small line charts drawn on the server as SVG and shown as one inline image.

For a chart that changes on every slider step: the browser only decodes a picture, where a
Plotly chart would re-lay-out every panel (≈150 ms of the step on a 2-core machine). No
hover or zoom: what a reader needs is in the picture and in its alt text.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 960, 330
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM, GAP = 56, 12, 30, 84, 56
FONT = "font-family='Source Sans, sans-serif' font-size='14'"
INK = {False: "#31333F", True: "#FAFAFA"}   # Streamlit's text colours, light and dark theme


@dataclass(frozen=True)
class Series:
    """One line; `mark` is a point drawn as a cross (e.g. the current images' value)."""

    label: str
    colour: str
    x: Sequence[float]
    y: Sequence[float]
    mark: tuple[float, float] | None = None


@dataclass(frozen=True)
class Panel:
    """One plot: its series over x_range, an optional dashed vertical line at `vline`."""

    title: str
    x_title: str
    series: Sequence[Series]
    x_range: tuple[float, float] = (0.0, 1.0)
    y_range: tuple[float, float] | None = None   # None: fitted to the data
    vline: float | None = None
    ticks: int = 5
    extra_y: Sequence[float] = field(default_factory=tuple)  # values the fitted range must hold


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 × 10^k) covering [lo, hi]."""
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step + 1e-9) + 1)]


def fitted_range(panel: Panel) -> tuple[float, float]:
    """The panel's y range: given, or the data's (and marks') range padded to round ticks."""
    if panel.y_range is not None:
        return panel.y_range
    values = [v for s in panel.series for v in s.y if math.isfinite(v)]
    values += [s.mark[1] for s in panel.series if s.mark and math.isfinite(s.mark[1])]
    values += list(panel.extra_y)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    ticks = nice_ticks(lo, hi if hi > lo else lo + 1, panel.ticks)
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    return (min(ticks[0], math.floor(lo / step) * step),
            max(ticks[-1], math.ceil(hi / step) * step))


def _fmt(value: float) -> str:
    return f"{value:g}"


class _Frame:
    """Maps data to pixels inside one panel's plot area."""

    def __init__(self, left: float, width: float, x_range, y_range):
        self.left, self.width = left, width
        self.top, self.height = PAD_TOP, HEIGHT - PAD_TOP - PAD_BOTTOM
        self.x_range, self.y_range = x_range, y_range

    def x(self, value: float) -> float:
        lo, hi = self.x_range
        return self.left + (value - lo) / (hi - lo) * self.width

    def y(self, value: float) -> float:
        lo, hi = self.y_range
        return self.top + (1 - (value - lo) / (hi - lo)) * self.height


def _text(x: float, y: float, body: str, ink: str, anchor: str = "middle", extra: str = "") -> str:
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' fill='{ink}' {FONT}{extra}>"
            f"{body}</text>")


def _hline(frame: _Frame, y: float, ink: str, opacity: float) -> str:
    return (f"<line x1='{frame.left:.1f}' x2='{frame.left + frame.width:.1f}' y1='{y:.1f}' "
            f"y2='{y:.1f}' stroke='{ink}' stroke-opacity='{opacity}'/>")


def _axes(frame: _Frame, panel: Panel, ink: str) -> list[str]:
    """Grid lines, tick labels, the panel title and the x-axis title."""
    out = []
    for t in nice_ticks(*frame.y_range, panel.ticks):
        out += [_hline(frame, frame.y(t), ink, 0.15),
                _text(frame.left - 6, frame.y(t) + 5, _fmt(t), ink, "end")]
    bottom = frame.top + frame.height
    out += [_text(frame.x(t), bottom + 18, _fmt(t), ink)
            for t in nice_ticks(*frame.x_range, panel.ticks)]
    centre = frame.left + frame.width / 2
    return out + [_hline(frame, bottom, ink, 0.5),
                  _text(centre, PAD_TOP - 10, escape(panel.title), ink, extra=" font-weight='600'"),
                  _text(centre, bottom + 38, escape(panel.x_title), ink)]


def _series(frame: _Frame, s: Series) -> list[str]:
    """The line (gaps where y is not finite) and its cross."""
    out, run = [], []
    for x, y in [*zip(s.x, s.y, strict=True), (None, None)]:
        if x is not None and math.isfinite(y):
            run.append(f"{frame.x(x):.1f},{frame.y(y):.1f}")
            continue
        if len(run) > 1:
            out.append(f"<polyline points='{' '.join(run)}' fill='none' stroke='{s.colour}' "
                       "stroke-width='2.5' stroke-linejoin='round'/>")
        run = []
    if s.mark is not None and math.isfinite(s.mark[1]):
        cx, cy, r = frame.x(s.mark[0]), frame.y(s.mark[1]), 6
        out.append(f"<path d='M{cx - r:.1f},{cy - r:.1f}L{cx + r:.1f},{cy + r:.1f}"
                   f"M{cx - r:.1f},{cy + r:.1f}L{cx + r:.1f},{cy - r:.1f}' "
                   f"stroke='{s.colour}' stroke-width='3'/>")
    return out


def _vline(frame: _Frame, value: float, ink: str) -> str:
    x = frame.x(value)
    return (f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{frame.top}' y2='{frame.top + frame.height}' "
            f"stroke='{ink}' stroke-opacity='0.6' stroke-dasharray='6 4'/>")


def _legend(series: Sequence[Series], ink: str) -> list[str]:
    """One row under the panels: a short line in each series' colour and its label."""
    out, x, y = [], PAD_LEFT, HEIGHT - 14
    for s in series:
        out.append(f"<line x1='{x}' x2='{x + 24}' y1='{y - 5}' y2='{y - 5}' stroke='{s.colour}' "
                   "stroke-width='3'/>")
        out.append(_text(x + 30, y, escape(s.label), ink, "start"))
        x += 30 + 8 * len(s.label) + 28
    return out


def panels_svg(panels: Sequence[Panel], dark: bool = False) -> str:
    """Panels side by side with one legend (of the first panel's series) under them."""
    ink = INK[dark]
    width = (WIDTH - PAD_LEFT - PAD_RIGHT - GAP * (len(panels) - 1)) / len(panels)
    body = []
    for i, panel in enumerate(panels):
        frame = _Frame(PAD_LEFT + i * (width + GAP), width, panel.x_range, fitted_range(panel))
        body += _axes(frame, panel, ink)
        if panel.vline is not None:
            body.append(_vline(frame, panel.vline, ink))
        for s in panel.series:
            body += _series(frame, s)
    body += _legend(panels[0].series if panels else [], ink)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {HEIGHT}' "
            f"width='{WIDTH}' height='{HEIGHT}'>{''.join(body)}</svg>")


def image_html(svg: str, alt: str) -> str:
    """The chart as an <img> (st.html keeps no inline SVG), scaled to the column's width."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="ae-chart" src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}" '
            'style="width: 100%; max-width: 960px; height: auto">')
