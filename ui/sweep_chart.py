"""The denoiser's chart: PSNR and SSIM against noise level for the noisy input and each model."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import aecore
from aecore.analysis import denoise

NOISY_LABEL, NOISY_COLOUR = "Noisy input", "#9e9e9e"


def label(name: str) -> str:
    """What a curve or row is called: the noisy input, or the model's title."""
    return NOISY_LABEL if name == denoise.NOISY else aecore.get_spec(name).title


def colour(name: str) -> str:
    return NOISY_COLOUR if name == denoise.NOISY else aecore.model_color(name)


def add_curve(fig: go.Figure, name: str, col: int, levels, values, level: float, now) -> None:
    """One line of the sweep, plus a cross for the chosen images at the current level."""
    keep = levels > 0 if name == denoise.NOISY else np.ones(len(levels), bool)  # level 0: ∞ dB
    fig.add_scatter(x=levels[keep], y=values[keep], mode="lines", name=label(name),
                    line={"color": colour(name)}, legendgroup=name, showlegend=col == 1,
                    row=1, col=col)
    if now is not None:
        fig.add_scatter(x=[level], y=[now], mode="markers", legendgroup=name, showlegend=False,
                        marker={"color": colour(name), "size": 11, "symbol": "x"},
                        name=f"{label(name)}, your images", row=1, col=col)


def curve_figure(result: denoise.Sweep, level: float, live: dict) -> go.Figure:
    """PSNR and SSIM against noise level per curve, the current level marked."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("PSNR (dB)", "SSIM"))
    for name in result.psnr:
        now = live.get(name, (None, None))
        add_curve(fig, name, 1, result.levels, result.psnr[name], level, now[0])
        add_curve(fig, name, 2, result.levels, result.ssim[name], level, now[1])
    for col in (1, 2):
        fig.add_vline(x=level, line_dash="dash", line_color="grey", row=1, col=col)
        fig.update_xaxes(title_text="noise level", range=[0, 1], row=1, col=col)
    fig.update_yaxes(range=[0, 1], row=1, col=2)
    fig.update_layout(height=340, margin={"t": 40, "b": 10, "l": 10, "r": 10},
                      legend={"orientation": "h", "y": -0.25})
    return fig
