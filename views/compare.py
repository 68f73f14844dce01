"""Compare reconstructions: the same images through any set of models, with per-image errors."""

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import compare, downloads, tables
from ui import address, cache, charts, chooser, gallery, sidebar
from ui import downloads as download

VIEWS = ("Reconstruction", "Difference", "Error heat")
LEGEND = {
    "Reconstruction": "Each cell: the model's reconstruction and its error on that image "
                      "(★ marks the best model for the image).",
    "Difference": "Reconstruction minus original: **red** where the model paints too much "
                  "ink, **blue** where it lost ink, white where it is right.",
    "Error heat": "Per-pixel cross-entropy above the floor (what a perfect copy would score): "
                  "black is perfect, red → yellow → white is worse. One scale for the whole "
                  "grid.",
}
WHAT = {"Reconstruction": "reconstruction", "Difference": "difference map (red: too much ink, "
        "blue: lost ink)", "Error heat": "per-pixel error heat map"}  # for the alt texts

st.title("Compare reconstructions")
st.caption("Pick images and models; the grid shows the originals on top and one row per model. "
           "Your choices are kept when you visit other pages.")
ADDRESS = address.bind("compare", [
    address.picks("models", "compare_models", aecore.list_models,
                  lambda: cache.ready_models() or aecore.list_models()[:1]),
    address.pick("view", "compare_view", VIEWS, VIEWS[0]),
    address.pick("error", "compare_metric", compare.METRICS, "BCE"),
    *chooser.address_params("compare", 8),
])


def _init(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _controls() -> tuple[list[str], str, str]:
    _init("compare_models", cache.ready_models() or aecore.list_models()[:1])
    _init("compare_view", VIEWS[0])
    _init("compare_metric", "BCE")
    a, b, c = st.columns([4, 3, 1.2], vertical_alignment="bottom")
    models = a.multiselect("Models", aecore.list_models(), key="compare_models",
                           format_func=lambda n: aecore.get_spec(n).title,
                           persist_state="session")
    view = b.radio("Show", VIEWS, horizontal=True, key="compare_view", persist_state="session")
    metric = c.selectbox("Error", list(compare.METRICS), key="compare_metric",
                         persist_state="session",
                         help="BCE and MSE: lower is better. SSIM: higher is better (1 = same).")
    return models, view, metric


def _reconstructions(models: list[str], images: np.ndarray) -> dict[str, np.ndarray]:
    """Reconstructions of the models that load; a notice (with a fix) for the others."""
    out = {}
    for name in models:
        if sidebar.model_or_notice(name, key="compare") is not None:
            out[name] = cache.reconstruct(name, images)
    return out


def _cells(view: str, images: np.ndarray, recon: np.ndarray, vmax: float) -> list:
    if view == "Difference":
        return list(compare.signed_difference_rgb(images, recon))
    if view == "Error heat":
        return list(compare.heat_rgb(compare.excess_bce_map(images, recon), vmax))
    return list(recon)


def _heat_scale(images: np.ndarray, recons: dict[str, np.ndarray]) -> float:
    """One top value for every heat map in the grid (99th percentile, so outliers don't rule)."""
    maps = [compare.excess_bce_map(images, r) for r in recons.values()]
    return float(np.percentile(np.concatenate([m.ravel() for m in maps]), 99)) if maps else 1.0


def _grid(images, captions, recons: dict[str, np.ndarray], view: str, metric: str) -> None:
    errors = {name: compare.per_image_errors(images, r, metric) for name, r in recons.items()}
    lower_better = compare.METRICS[metric][1]
    table = np.array(list(errors.values())) if errors else np.zeros((0, len(images)))
    best = (table.argmin(axis=0) if lower_better else table.argmax(axis=0)) if len(table) else []
    vmax = _heat_scale(images, recons) if view == "Error heat" else 1.0
    rows = [("**Original**", list(images), captions)]
    alts = [[gallery.alt_text(c) for c in captions]]
    for row, (name, recon) in enumerate(recons.items()):
        marks = [" ★" if len(recons) > 1 and best[i] == row else "" for i in range(len(images))]
        cell_captions = [f"{e:.3f}{marks[i]}" for i, e in enumerate(errors[name])]
        title = aecore.get_spec(name).title
        label = f"**{title}**  \nmean {metric} {errors[name].mean():.3f}"
        rows.append((label, _cells(view, images, recon, vmax), cell_captions))
        alts.append([gallery.alt_text(c, title, WHAT[view], f"{metric} {e:.3f}"
                                      + (", the best model for this image" if marks[i] else ""))
                     for i, (c, e) in enumerate(zip(captions, errors[name], strict=True))])
    gallery.image_grid(rows, alts=alts)
    st.caption(LEGEND[view])
    labels = ["Original", *(aecore.get_spec(n).title for n in recons)]
    download.offer("Download the grid (PNG)",
                   lambda: downloads.grid_png([r[1] for r in rows], labels),
                   "reconstructions.png", downloads.PNG, "compare_grid_png")


@st.fragment
@ADDRESS.synced
def explorer() -> None:
    """Image chooser, model choice and the grid; reruns on its own when a control changes."""
    images, captions = chooser.choose_images("compare", 8)
    models, view, metric = _controls()
    if len(images) == 0:
        return
    if not models:
        st.info("Choose at least one model above.")
        gallery.show_images(images, captions, alts=[gallery.alt_text(c) for c in captions])
        return
    recons = _reconstructions(models, images)
    _grid(images, captions, recons, view, metric)


explorer()

st.header("Test-set BCE per model")
recorded = tables.test_bce_by_model(cache.weights_status())
if recorded:
    st.plotly_chart(charts.bce_chart(recorded), key="compare_bce_chart")
    noisy = [aecore.get_spec(n) for n in recorded if aecore.get_spec(n).input_noise]
    st.caption("Measured on the whole test set when each model was trained. The axis starts "
               "just below the floor, the score of a perfect copy, so small gaps are visible."
               + "".join(f" The {s.title.lower()} is scored on noisy inputs (Gaussian, "
                         f"σ = {s.input_noise:g}) against clean targets." for s in noisy))
else:
    st.info("No model has recorded test results yet. Train one with "
            "`python -m aecore.train --model NAME` or the button above.")
