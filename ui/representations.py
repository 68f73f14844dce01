"""The test set as model codes, as PCA coordinates or as raw pixels, for the retrieval and the
AE-vs-PCA pages: cached arrays in memory, measured neighbour scores on disk."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import pca, retrieval, tables
from aecore.analysis.metrics import bce
from aecore.analysis.neighbours import NeighbourIndex
from ui import cache

MODEL, PCA, PIXELS = "model", "pca", "pixels"


@dataclass(frozen=True)
class Representation:
    """One way to turn an image into numbers."""

    kind: str                 # MODEL, PCA or PIXELS
    dims: int
    model: str | None = None

    @property
    def label(self) -> str:
        if self.kind == MODEL:
            return f"{self.model} codes"
        return f"PCA-{self.dims}" if self.kind == PCA else "raw pixels"


def of_model(name: str) -> Representation:
    return Representation(MODEL, aecore.get_spec(name).latent_dim, name)


def pca_of(dims: int) -> Representation:
    return Representation(PCA, dims)


RAW = Representation(PIXELS, aecore.data.PIXELS)


def every(models: list[str]) -> list[Representation]:
    """Each model's codes, PCA at each of their sizes, and raw pixels."""
    sizes = sorted({aecore.get_spec(n).latent_dim for n in models})
    return [*(of_model(n) for n in models), *(pca_of(d) for d in sizes), RAW]


def served_models() -> list[str]:
    """The models that serve; with none, says how to get one and stops the page."""
    models = cache.ready_models()
    if not models:
        st.info("No model can be served yet; train one with "
                "`python -m aecore.train --model basic`.")
        st.stop()
    return models


def pca_available() -> bool:
    """Whether PCA can be fitted (it needs the training images); says so when not."""
    try:
        basis()
        return True
    except aecore.DatasetNotFound:
        st.info("PCA is fitted on the training images, which are not installed: install the "
                "dataset (`sudo apt-get install dataset-fashion-mnist`) to compare with PCA.")
        return False


@st.cache_resource(show_spinner="Fitting PCA on the training images (first time only)…")
def basis() -> pca.PCA:
    """PCA of the training images (raises DatasetNotFound without the dataset)."""
    return pca.training_pca()


@st.cache_resource(show_spinner=False)
def test_fingerprint() -> str:
    split = cache.test_set()
    return retrieval.test_set_key(split.x, split.y)


@st.cache_resource(show_spinner=False)
def test_split() -> aecore.DataSplit:
    """The test set as one shared read-only object (`cache.test_set` hands out copies)."""
    return cache.test_set()


@st.cache_resource(show_spinner=False, max_entries=8)
def _rows(rep: Representation, stamp: tuple) -> np.ndarray:
    if rep.kind == MODEL:
        return cache.test_codes(rep.model)
    if rep.kind == PCA:
        return basis().encode(test_split().x, rep.dims)
    return retrieval.features(test_split().x)


def rows(rep: Representation) -> np.ndarray:
    """The test set in this representation (n, dims); shared and read-only."""
    return _rows(rep, _stamp(rep))


@st.cache_resource(show_spinner=False, max_entries=8)
def _index(rep: Representation, stamp: tuple) -> NeighbourIndex:
    return NeighbourIndex(rows(rep))


def nearest(rep: Representation, image: np.ndarray, k: int, skip: int | None = None):
    """Indices of the k test images nearest to `image` in this representation."""
    return retrieval.nearest(_index(rep, _stamp(rep)), encode(rep, image[None])[0], k, skip)


def encode(rep: Representation, images: np.ndarray) -> np.ndarray:
    """New images (n, 28, 28) in this representation."""
    if rep.kind == MODEL:
        return cache.get_model(rep.model).encode(images)
    if rep.kind == PCA:
        return basis().encode(images, rep.dims)
    return retrieval.features(images)


def key_parts(rep: Representation) -> tuple:
    """What the representation's numbers depend on: the weights, or the PCA basis."""
    if rep.kind == MODEL:  # the manifest's checksums, verified by cache.ready_models()
        entry = tables.read_manifest_safely().get(rep.model, {})
        return retrieval.model_key_parts(rep.model, entry, test_fingerprint())
    if rep.kind == PCA:
        return retrieval.pca_key_parts(rep.dims, basis().components, test_fingerprint())
    return retrieval.pixels_key_parts(test_fingerprint())


def _stamp(rep: Representation) -> tuple:
    """Changes with the test images and, for codes, with the model's weights."""
    weights = tables.weights_stamp(rep.model) if rep.kind == MODEL else ()
    return test_fingerprint(), weights


@st.cache_data(show_spinner="Measuring nearest neighbours in the test set (first time only)…",
               max_entries=64)
def _scores(rep: Representation, stamp: tuple) -> retrieval.NeighbourScores:
    return retrieval.cached_neighbour_scores(key_parts(rep), lambda: rows(rep),
                                             test_split().y, data_only=rep.kind != MODEL)


def scores(rep: Representation) -> retrieval.NeighbourScores:
    """Precision@k, k-NN accuracy and search timings over the whole test set (disk-cached)."""
    return _scores(rep, _stamp(rep))


@st.cache_data(show_spinner=False)
def floor_bce() -> float:
    """BCE(x, x) of the test images: what a perfect reconstruction scores."""
    x = test_split().x
    return bce(x, x)


@st.cache_data(show_spinner="Scoring PCA at every size (first time only)…", max_entries=8)
def pca_curve(sizes: tuple[int, ...]) -> dict[int, float]:
    """Test BCE of PCA reconstructions at each size (disk-cached)."""
    return pca.cached_bce_by_size(basis(), cache.test_set().x, sizes)


@st.cache_data(show_spinner="Scoring a model on clean test images (first time only)…",
               max_entries=32)
def _model_bce(name: str, stamp: tuple) -> tuple[float, bool]:
    model, split = cache.get_model(name), cache.test_set()
    recorded = model.entry.get("metrics", {}).get("test_bce")
    if recorded is not None and not model.spec.input_noise and split.source == "full":
        return float(recorded), False
    return pca.clean_bce(model, split.x, codes=lambda: cache.test_codes(name)), True


def model_bce(name: str) -> tuple[float, bool]:
    """(test BCE on clean input, whether it was computed here rather than read from the
    manifest, which scores the denoiser on noisy input)."""
    return _model_bce(name, tables.weights_stamp(name))
