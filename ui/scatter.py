"""The latent-space scatter: one WebGL trace per class, a ring on the selected point, the
selected image's panel, and what a projection hides."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import compare
from aecore.analysis.projection import Projection
from ui import CLASS_COLORS, CLASS_SYMBOLS, cache, gallery


def scatter_figure(proj: Projection, labels: np.ndarray) -> dict:
    """One WebGL trace per class; customdata holds the test-set index of every point.

    A plain dict: unpickling a cached go.Figure re-validates every trace on each rerun.
    `labels` are the classes of the projected rows (proj.index).
    """
    fig = go.Figure()
    for c, class_name in enumerate(aecore.CLASS_NAMES):
        rows = np.flatnonzero(labels == c)
        fig.add_trace(go.Scattergl(
            x=proj.points[rows, 0], y=proj.points[rows, 1], mode="markers", name=class_name,
            customdata=proj.index[rows],
            marker={"size": 5, "opacity": 0.7, "color": CLASS_COLORS[c],
                    "symbol": CLASS_SYMBOLS[c]},
            hovertemplate=f"#%{{customdata}} {class_name}<extra></extra>"))
    x_title, y_title = proj.axis_titles()
    fig.update_layout(height=560, margin={"t": 10, "b": 10, "l": 10, "r": 10},
                      xaxis_title=x_title, yaxis_title=y_title, hovermode="closest",
                      legend={"itemsizing": "constant",
                              "title": {"text": "Class (colour + shape)"}})
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig.to_dict()


def highlighted(fig: dict, proj: Projection, index: int) -> dict:
    """Mark the selected image's point with a ring (fig is a fresh copy from the cache)."""
    rows = np.flatnonzero(proj.index == index)
    if len(rows):
        x, y = proj.points[rows[0]]
        fig["data"].append({
            "type": "scattergl", "x": [float(x)], "y": [float(y)], "mode": "markers",
            "name": "selected", "showlegend": False, "hoverinfo": "skip",
            "marker": {"size": 16, "color": "rgba(0,0,0,0)",
                       "line": {"width": 3, "color": "black"}}})
    return fig


def projection_note(proj: Projection, spec: aecore.ModelSpec, count: int) -> None:
    """Say plainly when the points are a projection of wider codes, and what that loses."""
    if proj.method == "pca":
        share = sum(proj.explained or (0.0, 0.0))
        st.info(
            f"**This is a projection.** The {spec.latent_dim}-number codes are flattened onto "
            f"the two directions along which they vary most (PCA), which keep {share:.0%} of "
            "their variance. Points that overlap here can be far apart in the full code.")
    elif proj.method == "tsne":
        st.info(
            f"**This is a projection.** t-SNE places {len(proj.points):,} class-balanced test "
            f"images (of {count:,}) so that images with similar {spec.latent_dim}-number codes "
            "stay neighbours. Clusters are meaningful; distances between clusters and their "
            "sizes are not.")


@st.cache_data(show_spinner=False, max_entries=256)
def code_of(name: str, stamp: tuple, index: int) -> np.ndarray:
    """One image's code (cached, so reruns do not copy the whole array of codes)."""
    return cache.test_codes(name)[index]


def selected_panel(name: str, stamp: tuple, split: aecore.DataSplit, index: int) -> None:
    """The selected test image beside the model's reconstruction of it, and its code."""
    prefix = "#" if split.source == "full" else "sample #"
    st.markdown(f"**{prefix}{index} · {aecore.CLASS_NAMES[int(split.y[index])]}**")
    image = split.x[index]
    recon = cache.reconstruct(name, image[None])[0]
    shown = f"{prefix}{index} {aecore.CLASS_NAMES[int(split.y[index])]}"
    error = float(compare.per_image_errors(image[None], recon[None])[0])
    gallery.show_images([image, recon], ["input", "decoded"], alts=[
        gallery.alt_text(shown),
        gallery.alt_text(shown, aecore.get_spec(name).title, score=f"BCE {error:.3f}")])
    code = code_of(name, stamp, index)
    if len(code) == 2:
        symbol = "z_mean" if aecore.get_spec(name).is_vae else "z"
        st.caption(f"{symbol} = ({code[0]:.2f}, {code[1]:.2f})")
    else:
        st.caption(f"Code: {len(code)} numbers, {np.mean(np.abs(code) < 0.01):.0%} near zero.")
