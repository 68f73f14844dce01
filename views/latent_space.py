"""Latent space: every test image as a point (2-D codes as they are, wider codes projected)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import projection, tables
from ui import CLASS_COLORS, cache, gallery, sidebar

CHART_KEY = "latent_space_chart"
SELECTED_KEY = "latent_space_selected"
METHOD_LABELS = {"pca": "PCA", "tsne": "t-SNE"}


@st.cache_data(show_spinner=False, max_entries=32)
def projected(name: str, stamp: tuple, method: str) -> projection.Projection:
    """The 2-D view of the model's test-set codes."""
    return projection.project(cache.test_codes(name), method, labels=cache.test_set().y)


@st.cache_data(show_spinner=False, max_entries=256)
def code_of(name: str, stamp: tuple, index: int) -> np.ndarray:
    """One image's code (cached, so reruns do not copy the whole array of codes)."""
    return cache.test_codes(name)[index]


@st.cache_data(show_spinner=False, max_entries=32)
def scatter_figure(name: str, stamp: tuple, method: str) -> dict:
    """One WebGL trace per class; customdata holds the test-set index of every point.

    Cached as a plain dict: unpickling a go.Figure re-validates every trace on each rerun.
    """
    proj = projected(name, stamp, method)
    labels = cache.test_set().y[proj.index]
    fig = go.Figure()
    for c, class_name in enumerate(aecore.CLASS_NAMES):
        rows = np.flatnonzero(labels == c)
        fig.add_trace(go.Scattergl(
            x=proj.points[rows, 0], y=proj.points[rows, 1], mode="markers", name=class_name,
            customdata=proj.index[rows],
            marker={"size": 4, "opacity": 0.7, "color": CLASS_COLORS[c]},
            hovertemplate=f"#%{{customdata}} {class_name}<extra></extra>"))
    x_title, y_title = proj.axis_titles()
    fig.update_layout(height=560, margin={"t": 10, "b": 10, "l": 10, "r": 10},
                      xaxis_title=x_title, yaxis_title=y_title, hovermode="closest",
                      legend={"itemsizing": "constant"})
    fig.update_yaxes(scaleanchor="x", scaleratio=1)
    return fig.to_dict()


def intro() -> None:
    st.title("Latent space")
    st.markdown(
        "Every test image, run through a model's encoder, becomes a point. The two variational "
        "models squeeze each image into just **two numbers** (the mean of the small Gaussian "
        "cloud the encoder predicts), so their codes are drawn exactly as they are. Their loss "
        "pulls every cloud towards a standard normal, which is why the points pile up around "
        "the origin, and images that look alike land near each other. The other models use "
        "32 to 512 numbers; to draw those we have to **project** them down to two."
    )


def choose_model() -> str:
    def label(name: str) -> str:
        spec = aecore.get_spec(name)
        return f"{spec.title} · {spec.latent_dim}-number code"

    return st.selectbox("Model", aecore.list_models(), index=aecore.list_models().index("vae_mlp"),
                        format_func=label, key="latent_space_model", persist_state="session")


def choose_method(spec: aecore.ModelSpec) -> str:
    """PCA or t-SNE for wide codes; nothing to choose for 2-D codes."""
    if spec.latent_dim == 2:
        st.caption("2-D codes: the axes are the model's own two latent numbers (z_mean).")
        return "pca"  # ignored: 2-D codes are never projected
    method = st.segmented_control(
        "Projection", projection.METHODS, default="pca", required=True,
        format_func=METHOD_LABELS.get, key="latent_space_method", persist_state="session")
    return method or "pca"


def projection_note(proj: projection.Projection, spec: aecore.ModelSpec, count: int) -> None:
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


def store_selection() -> None:
    """Chart callback: remember the clicked point's test-set index."""
    index = projection.selected_index(st.session_state.get(CHART_KEY))
    if index is not None:
        st.session_state[SELECTED_KEY] = index


def keep_selection_in_range(count: int) -> None:
    """A remembered index must fit the current data (the sample is smaller than the test set)."""
    try:
        index = int(st.session_state.get(SELECTED_KEY, 0))
    except (TypeError, ValueError):
        index = 0
    st.session_state[SELECTED_KEY] = min(max(index, 0), count - 1)


def highlighted(fig: dict, proj: projection.Projection, index: int) -> dict:
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


def selected_panel(name: str, stamp: tuple, split: aecore.DataSplit, index: int) -> None:
    """The selected test image beside the model's reconstruction of it, and its code."""
    prefix = "#" if split.source == "full" else "sample #"
    st.markdown(f"**{prefix}{index} · {aecore.CLASS_NAMES[int(split.y[index])]}**")
    image = split.x[index]
    recon = cache.reconstruct(name, image[None])[0]
    gallery.show_images([image, recon], ["input", "decoded"], scale=5)
    code = code_of(name, stamp, index)
    if len(code) == 2:
        st.caption(f"z_mean = ({code[0]:.2f}, {code[1]:.2f})")
    else:
        st.caption(f"Code: {len(code)} numbers, {np.mean(np.abs(code) < 0.01):.0%} near zero.")


@st.fragment
def explorer(name: str, stamp: tuple, method: str) -> None:
    """The scatter and the selected image; selecting a point reruns only this part."""
    split = cache.test_set()
    proj = projected(name, stamp, method)
    keep_selection_in_range(len(split.x))
    chart_col, side_col = st.columns([3, 1])
    with side_col:
        index = st.number_input(f"Selected image (0–{len(split.x) - 1})", 0, len(split.x) - 1,
                                step=1, key=SELECTED_KEY,
                                help="Click a point in the chart, or type an index.")
        selected_panel(name, stamp, split, int(index))
    with chart_col:
        fig = highlighted(scatter_figure(name, stamp, method), proj, int(index))
        st.plotly_chart(fig, key=CHART_KEY, on_select=store_selection, selection_mode="points")
    if not np.any(proj.index == int(index)):
        st.caption(f"Image {int(index)} is not among the {len(proj.index):,} plotted points.")
    projection_note(proj, aecore.get_spec(name), len(split.x))
    st.caption(f"{split.description}. Hover a point for its index and class; click it to see "
               "the image and its reconstruction. Click a class in the legend to hide it.")


intro()
model_name = choose_model()
model_spec = aecore.get_spec(model_name)
chosen_method = choose_method(model_spec)
if sidebar.model_or_notice(model_name, key="latent_space") is None:
    st.stop()
try:
    cache.test_set()
except aecore.DatasetNotFound as exc:
    st.error(str(exc))
    st.stop()
if chosen_method == "tsne" and model_spec.latent_dim != 2:
    with st.spinner("Running t-SNE on 2,000 codes (10–60 seconds, once per model)…"):
        projected(model_name, tables.weights_stamp(model_name), chosen_method)
explorer(model_name, tables.weights_stamp(model_name), chosen_method)
