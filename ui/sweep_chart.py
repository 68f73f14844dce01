"""The denoiser's chart: PSNR and SSIM against noise level for the noisy input and each model."""

from __future__ import annotations

import math

import aecore
from aecore.analysis import denoise
from ui import svg_chart

NOISY_LABEL, NOISY_COLOUR = "Noisy input", "#9e9e9e"


def label(name: str) -> str:
    """What a curve or row is called: the noisy input, or the model's title."""
    return NOISY_LABEL if name == denoise.NOISY else aecore.get_spec(name).title


def colour(name: str) -> str:
    return NOISY_COLOUR if name == denoise.NOISY else aecore.model_color(name)


METRICS = (("PSNR (dB)", "psnr", None), ("SSIM", "ssim", (0.0, 1.0)))


def series(result: denoise.Sweep, metric: str, level: float, live: dict) -> list[svg_chart.Series]:
    """One line per curve of the sweep, with a cross for the chosen images at `level`."""
    out = []
    for name, values in getattr(result, metric).items():
        # The noisy input equals the original at level 0 (PSNR ∞): that point is left out.
        ys = [v if (lv > 0 or name != denoise.NOISY) else math.nan
              for lv, v in zip(result.levels, values, strict=True)]
        now = live.get(name)
        mark = None if now is None else (level, now[0] if metric == "psnr" else now[1])
        out.append(svg_chart.Series(label(name), colour(name), list(result.levels), ys, mark))
    return out


def describe(result: denoise.Sweep, level: float, live: dict) -> str:
    """The chart in words: what is drawn, and every curve's values at the current level."""
    at = result.at(level)
    parts = [f"{label(n)} {at[n][0]:.1f} dB, SSIM {at[n][1]:.2f}" for n in result.psnr
             if not (n == denoise.NOISY and level == 0)]
    mine = [f"{label(n)} {p:.1f} dB, SSIM {q:.2f}" for n, (p, q) in live.items()]
    text = ("Line charts of mean PSNR (left) and SSIM (right) against noise level from "
            f"{result.levels[0]:g} to {result.levels[-1]:g}; the dashed line marks the current "
            f"level {level:g}. The curves there: " + "; ".join(parts) + ".")
    return text + (" Your images: " + "; ".join(mine) + "." if mine else "")


def chart_html(result: denoise.Sweep, level: float, live: dict, dark: bool = False) -> str:
    """PSNR and SSIM against noise level per curve, the current level marked, as an image."""
    panels = [svg_chart.Panel(title, "noise level", series(result, metric, level, live),
                              y_range=y_range, vline=level)
              for title, metric, y_range in METRICS]
    return svg_chart.image_html(svg_chart.panels_svg(panels, dark), describe(result, level, live))
