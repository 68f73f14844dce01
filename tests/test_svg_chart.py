"""The server-drawn SVG charts (ui.svg_chart) and the denoiser's sweep chart built on them."""

from __future__ import annotations

import base64
import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from aecore.analysis import denoise
from ui import svg_chart, sweep_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_nice_ticks_are_round_and_cover_the_range():
    assert svg_chart.nice_ticks(0, 1, 5) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert svg_chart.nice_ticks(5.3, 23.7, 5) == [10, 15, 20]
    assert svg_chart.nice_ticks(2, 2) == [2]


def test_fitted_range_holds_the_data_and_the_marks():
    s = svg_chart.Series("a", "#000", [0, 1], [5.3, 23.7], mark=(0.5, 30.0))
    lo, hi = svg_chart.fitted_range(svg_chart.Panel("t", "x", [s]))
    assert lo <= 5.3 and hi >= 30.0
    assert svg_chart.fitted_range(svg_chart.Panel("t", "x", [s], y_range=(0, 1))) == (0, 1)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_panels_draw_one_line_per_series_a_cross_per_mark_and_the_level_line():
    series = [svg_chart.Series("noisy <input>", "#999", [0, 0.5, 1], [math.nan, 2, 1]),
              svg_chart.Series("model", "#123", [0, 0.5, 1], [3, 2.5, 2], mark=(0.5, 2.4))]
    panels = [svg_chart.Panel("PSNR", "level", series, vline=0.5),
              svg_chart.Panel("SSIM", "level", series, y_range=(0, 1), vline=0.5)]
    root = parse(svg_chart.panels_svg(panels))
    assert len(root.findall(f"{SVG}polyline")) == 2 * 2   # NaN leaves a shorter line, not a gap
    assert len(root.findall(f"{SVG}path")) == 2           # one cross per panel
    dashed = [e for e in root.findall(f"{SVG}line") if e.get("stroke-dasharray")]
    assert len(dashed) == 2 and dashed[0].get("x1") == dashed[0].get("x2")
    texts = [t.text for t in root.findall(f"{SVG}text")]
    assert "noisy <input>" in texts and "PSNR" in texts and "SSIM" in texts


def test_dark_theme_uses_light_ink():
    panel = svg_chart.Panel("t", "x", [svg_chart.Series("a", "#000", [0, 1], [0, 1])])
    assert svg_chart.INK[True] in svg_chart.panels_svg([panel], dark=True)
    assert svg_chart.INK[True] not in svg_chart.panels_svg([panel], dark=False)


def sweep() -> denoise.Sweep:
    levels = np.linspace(0, 1, 5)
    return denoise.Sweep(levels, {denoise.NOISY: 20 - 10 * levels, "model": 22 - 5 * levels},
                         {denoise.NOISY: 1 - levels / 2, "model": 0.9 - levels / 4}, "gaussian", 50)


def test_sweep_chart_is_an_image_with_the_numbers_in_its_alt_text(monkeypatch):
    monkeypatch.setattr(sweep_chart, "label", lambda n: "Noisy" if n == denoise.NOISY else "M")
    page = sweep_chart.chart_html(sweep(), 0.5, {"model": (19.0, 0.8)})
    src = page.split('src="data:image/svg+xml;base64,')[1].split('"')[0]
    root = parse(base64.b64decode(src).decode("utf-8"))
    assert len(root.findall(f"{SVG}polyline")) == 2 * 2 and len(root.findall(f"{SVG}path")) == 2
    alt = page.split('alt="')[1].split('"')[0]
    assert "current level 0.5" in alt and "M 19.5 dB, SSIM 0.78" in alt
    assert "Your images: M 19.0 dB, SSIM 0.80." in alt


@pytest.mark.parametrize("level", [0.0, 1.0])
def test_sweep_chart_at_the_ends_of_the_range(monkeypatch, level):
    monkeypatch.setattr(sweep_chart, "label", lambda n: str(n))
    page = sweep_chart.chart_html(sweep(), level, {})
    assert f"current level {level:g}" in page and "Your images" not in page
