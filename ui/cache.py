"""What the pages share across reruns: the test set, served models, reconstructions, codes.

Everything here is read-only and keyed by the weights files' stamps, so retraining or
re-exporting refreshes it; no page holds state beyond its own session.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import tables
from aecore.runtime import codes
from aecore.web.decoder_arrays import load_export


@st.cache_resource(show_spinner="Loading the test set…")
def test_set() -> aecore.DataSplit:
    """The full test set, or the shipped sample when the dataset is not installed.

    One shared, read-only copy for every session (cache_data would unpickle 31 MB per call).
    """
    return read_only(aecore.load_test_set())


def read_only(value):
    """Freeze the numpy arrays of a value shared by every session (a DataSplit or an array)."""
    for array in (value.x, value.y) if isinstance(value, aecore.DataSplit) else (value,):
        array.flags.writeable = False
    return value


@st.cache_data(show_spinner=False)
def data_description() -> str:
    """Where the images come from, in words (full test set or shipped sample)."""
    return test_set().description


@st.cache_resource(show_spinner="Loading model…", max_entries=32)
def _load_model(name: str, stamp: tuple) -> aecore.TrainedModel:
    return aecore.load_model(name)


def get_model(name: str) -> aecore.TrainedModel:
    """The served model (cached until its files change); raises WeightsError."""
    return _load_model(name, tables.weights_stamp(name))


@st.cache_resource(show_spinner="Encoding the test set (first time only)…", max_entries=16)
def _test_codes(name: str, stamp: tuple) -> np.ndarray:
    return read_only(codes.test_set_codes(_load_model(name, stamp), test_set()))


def test_codes(name: str) -> np.ndarray:
    """Codes (n, latent_dim) of every test image (z_mean for VAEs), stored beside the weights."""
    return _test_codes(name, tables.weights_stamp(name))


@st.cache_resource(show_spinner=False, max_entries=16)
def _browser_export(name: str, stamp: tuple) -> dict:
    return load_export(_load_model(name, stamp).browser_file)


def browser_export(name: str) -> dict:
    """The decoder's arrays for the in-browser decoder of a 2-D model."""
    return _browser_export(name, tables.weights_stamp(name))


@st.cache_data(show_spinner=False)
def _weights_status(stamp: tuple) -> dict[str, str]:
    return aecore.weights_status()


def weights_status() -> dict[str, str]:
    """aecore.weights_status(), recomputed only when a weights file changes."""
    return _weights_status(tables.weights_stamp())


def ready_models() -> list[str]:
    """Models whose serving files are present and verified, in registry order."""
    return [name for name, message in weights_status().items() if message == "ok"]


@st.cache_data(show_spinner=False, max_entries=256)
def _reconstruct(name: str, stamp: tuple, images: np.ndarray) -> np.ndarray:
    return _load_model(name, stamp).reconstruct(images)


def reconstruct(name: str, images: np.ndarray) -> np.ndarray:
    """Cached reconstructions of `images` by model `name`; raises WeightsError."""
    if len(images) == 0:
        return np.zeros((0, 28, 28), np.float32)
    return _reconstruct(name, tables.weights_stamp(name),
                        np.ascontiguousarray(images, np.float32))


def clear_model_caches() -> None:
    """Forget cached models, reconstructions and the weights status (after training)."""
    _load_model.clear()
    _reconstruct.clear()
    _weights_status.clear()
