"""Latent space: every test image as a point (2-D codes as they are, wider codes projected)."""

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import projection, tables
from aecore.runtime import tsne
from ui import PALETTE_NOTE, address, cache, scatter, sidebar
from ui import downloads as download

CHART_KEY = "latent_space_chart"
SELECTED_KEY = "latent_space_selected"
METHOD_LABELS = {"pca": "PCA", "tsne": "t-SNE"}


@st.cache_data(show_spinner=False, max_entries=32)
def projected(name: str, stamp: tuple, method: str) -> projection.Projection:
    """The 2-D view of the model's test-set codes (t-SNE: stored, or made in another process)."""
    codes, split = cache.test_codes(name), cache.test_set()
    if method == "tsne" and codes.shape[1] > 2:
        return tsne.test_set_tsne(cache.get_model(name), split, codes)
    return projection.project(codes, method, labels=split.y)


@st.cache_data(show_spinner=False, max_entries=32)
def scatter_figure(name: str, stamp: tuple, method: str) -> dict:
    proj = projected(name, stamp, method)
    return scatter.scatter_figure(proj, cache.test_set().y[proj.index])


def intro() -> None:
    specs = [aecore.get_spec(n) for n in aecore.list_models()]
    planes = [s.title for s in specs if s.has_plane]
    sizes = tables.number_span([s.latent_dim for s in specs if not s.has_plane] or [2])
    st.title("Latent space")
    st.markdown(
        "Every test image, run through a model's encoder, becomes a point. "
        f"{len(planes)} models ({', '.join(planes)}) squeeze each image into just **two "
        "numbers**, so their codes are drawn exactly as they are (for the variational models, "
        "the mean of the small Gaussian cloud the encoder predicts). A variational model's loss "
        "pulls every cloud towards a standard normal, which is why its points pile up around the "
        "origin; a plain 2-D autoencoder has no such pull, and its points spread out with gaps. "
        f"The other models use {sizes} numbers; "
        "to draw those we have to **project** them down to two."
    )


def default_model() -> str:
    """The first 2-D model that can be served (else the first 2-D model, else the first)."""
    names = aecore.list_models()
    ready = set(cache.ready_models())
    planes = aecore.plane_models()
    return next((n for n in planes if n in ready), planes[0] if planes else names[0])


def choose_model() -> str:
    def label(name: str) -> str:
        spec = aecore.get_spec(name)
        return f"{spec.title} · {spec.latent_dim}-number code"

    names = aecore.list_models()
    return st.selectbox("Model", names, index=names.index(default_model()),
                        format_func=label, key="latent_space_model", persist_state="session")


def choose_method(spec: aecore.ModelSpec) -> str:
    """PCA or t-SNE for wide codes; nothing to choose for 2-D codes."""
    if spec.has_plane:
        st.caption("2-D codes: the axes are the model's own two latent numbers.")
        return "pca"  # ignored: 2-D codes are never projected
    method = st.segmented_control(
        "Projection", projection.METHODS, default="pca", required=True,
        format_func=METHOD_LABELS.get, key="latent_space_method", persist_state="session")
    return method or "pca"


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


ADDRESS = address.bind("latent_space", [
    address.pick("model", "latent_space_model", aecore.list_models, default_model),
    address.pick("projection", "latent_space_method", projection.METHODS, "pca"),
    address.whole("image", SELECTED_KEY, 0, lambda: len(cache.test_set().x) - 1, 0),
])


@st.fragment
@ADDRESS.synced
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
        scatter.selected_panel(name, stamp, split, int(index))
    with chart_col:
        fig = scatter.highlighted(scatter_figure(name, stamp, method), proj, int(index))
        st.plotly_chart(fig, key=CHART_KEY, on_select=store_selection, selection_mode="points")
    if not np.any(proj.index == int(index)):
        st.caption(f"Image {int(index)} is not among the {len(proj.index):,} plotted points.")
    scatter.projection_note(proj, aecore.get_spec(name), len(split.x))
    download.points(name, proj, split.y, codes=lambda: cache.test_codes(name))
    st.caption(f"{split.description}. Hover a point for its index and class; click it to see "
               "the image and its reconstruction. Click a class in the legend to hide it. "
               + PALETTE_NOTE)


intro()
model_name = choose_model()
model_spec = aecore.get_spec(model_name)
chosen_method = choose_method(model_spec)
if sidebar.model_or_notice(model_name, key="latent_space") is None:
    ADDRESS.write()
    st.stop()
try:
    cache.test_set()
except aecore.DatasetNotFound as exc:
    st.error(str(exc))
    st.stop()
if chosen_method == "tsne" and not model_spec.has_plane:
    with st.spinner(f"Running t-SNE on {projection.TSNE_SAMPLE:,} codes (once per model)…"):
        try:
            projected(model_name, tables.weights_stamp(model_name), chosen_method)
        except RuntimeError as exc:   # its process failed: say so instead of a traceback
            st.error(str(exc))
            st.stop()
explorer(model_name, tables.weights_stamp(model_name), chosen_method)
