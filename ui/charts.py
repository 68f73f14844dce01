"""Bar chart of the recorded test BCE per model, with the floor and the article's numbers."""

from __future__ import annotations

import plotly.graph_objects as go

import aecore
from aecore.analysis.metrics import FLOOR_BCE


def bce_chart(values: dict[str, float]) -> go.Figure:
    """Bars of recorded test BCE, with the floor and the article's numbers for reference."""
    names = list(values)
    fig = go.Figure(go.Bar(x=names, y=[values[n] for n in names], name="our test BCE",
                           text=[f"{values[n]:.4f}" for n in names], textposition="outside",
                           hovertext=[aecore.get_spec(n).title for n in names],
                           marker_color=[aecore.model_color(n) for n in names]))
    article = [(n, aecore.get_spec(n).article_bce) for n in names]
    article = [(t, v) for t, v in article if v is not None]
    if article:
        fig.add_scatter(x=[t for t, _ in article], y=[v for _, v in article], mode="markers",
                        name="the article", marker={"symbol": "diamond", "size": 11,
                                                    "color": "#e45756"})
    fig.add_hline(y=FLOOR_BCE, line_dash="dot", line_color="#555")
    fig.add_scatter(x=[None], y=[None], mode="lines", name=f"floor {FLOOR_BCE} (a perfect copy)",
                    line={"dash": "dot", "color": "#555"})
    top = max([*values.values(), *(v for _, v in article)])
    low = FLOOR_BCE - 0.02
    fig.update_layout(yaxis={"title": "test BCE (per pixel)",
                             "range": [low, top + 0.12 * (top - low)]},
                      height=380, margin={"t": 30, "b": 10}, legend={"orientation": "h"})
    return fig
