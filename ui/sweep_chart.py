"""The denoiser's chart: PSNR and SSIM against noise level for the noisy input and each model."""

from __future__ import annotations

import numpy as np

import aecore
from aecore.analysis import denoise

NOISY_LABEL, NOISY_COLOUR = "Noisy input", "#9e9e9e"


def label(name: str) -> str:
    """What a curve or row is called: the noisy input, or the model's title."""
    return NOISY_LABEL if name == denoise.NOISY else aecore.get_spec(name).title


def colour(name: str) -> str:
    return NOISY_COLOUR if name == denoise.NOISY else aecore.model_color(name)


AXES = ({"x": "x", "y": "y", "title": "PSNR (dB)", "domain": [0.0, 0.45]},
        {"x": "x2", "y": "y2", "title": "SSIM", "domain": [0.55, 1.0]})


def curve_traces(name: str, axes: dict, levels, values, level: float, now) -> list[dict]:
    """One line of the sweep, plus a cross for the chosen images at the current level."""
    keep = levels > 0 if name == denoise.NOISY else np.ones(len(levels), bool)  # level 0: ∞ dB
    traces = [{"type": "scatter", "x": levels[keep].tolist(), "y": values[keep].tolist(),
               "mode": "lines", "name": label(name), "line": {"color": colour(name)},
               "legendgroup": name, "showlegend": axes["x"] == "x",
               "xaxis": axes["x"], "yaxis": axes["y"]}]
    if now is not None:
        traces.append({"type": "scatter", "x": [level], "y": [now], "mode": "markers",
                       "legendgroup": name, "showlegend": False,
                       "marker": {"color": colour(name), "size": 11, "symbol": "x"},
                       "name": f"{label(name)}, your images",
                       "xaxis": axes["x"], "yaxis": axes["y"]})
    return traces


def curve_figure(result: denoise.Sweep, level: float, live: dict) -> dict:
    """PSNR and SSIM against noise level per curve, the current level marked.

    A plain figure dict (st.plotly_chart takes it as it is): building it with make_subplots,
    add_scatter and add_vline cost several times more on every slider step.
    """
    traces = []
    for name in result.psnr:
        now = live.get(name, (None, None))
        for axes, values, value in ((AXES[0], result.psnr[name], now[0]),
                                    (AXES[1], result.ssim[name], now[1])):
            traces += curve_traces(name, axes, result.levels, values, level, value)
    layout = {"height": 340, "margin": {"t": 40, "b": 10, "l": 10, "r": 10},
              "legend": {"orientation": "h", "y": -0.25},
              "shapes": [{"type": "line", "x0": level, "x1": level, "y0": 0, "y1": 1,
                          "xref": a["x"], "yref": f"{a['y']} domain",
                          "line": {"dash": "dash", "color": "grey"}} for a in AXES],
              "annotations": [{"text": a["title"], "showarrow": False, "xref": "paper",
                               "yref": "paper", "x": sum(a["domain"]) / 2, "y": 1.0,
                               "xanchor": "center", "yanchor": "bottom"} for a in AXES]}
    for i, a in enumerate(AXES):
        suffix = "" if i == 0 else str(i + 1)
        layout[f"xaxis{suffix}"] = {"domain": a["domain"], "range": [0, 1], "anchor": a["y"],
                                    "title": {"text": "noise level"}}
        layout[f"yaxis{suffix}"] = {"anchor": a["x"], **({"range": [0, 1]} if i else {})}
    return {"data": traces, "layout": layout}
