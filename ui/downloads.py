"""Download buttons whose files are made when clicked (by aecore.analysis.downloads), never on a
rerun, and which do not rerun the page."""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from aecore.analysis import downloads
from aecore.data import CLASS_NAMES


def offer(label: str, make: Callable[[], bytes], file_name: str, mime: str, key: str,
          help: str | None = None) -> None:
    """A download button; `make()` builds the file on click."""
    st.download_button(label, data=make, file_name=file_name, mime=mime, key=key, help=help,
                       on_click="ignore", icon=":material/download:")


def model(name: str, key: str, weights_dir=None) -> None:
    """The model's Keras weights, spec and manifest entry as one zip."""
    offer(f"Download `{name}` (zip)", functools.partial(downloads.model_zip, name, weights_dir),
          f"{name}.zip", downloads.ZIP, key,
          help=f"{name}.weights.h5 (Keras), {name}.spec.json (the registry entry) and "
               f"{name}.manifest.json (how it was trained, its checksums and scores)")


def points(name: str, proj, labels, codes: Callable[[], object]) -> None:
    """A latent scatter's points (and, when they are a projection, the full codes) as CSV.

    proj: an aecore.analysis.projection.Projection; labels: every test image's class;
    codes: gives the test set's full codes (called only on click).
    """
    a, b = st.columns(2)
    with a:
        offer("Download these points (CSV)",
              lambda: downloads.projection_csv(proj, labels, CLASS_NAMES),
              f"{name}-{proj.method}.csv", downloads.CSV, f"points_csv_{name}",
              help="Test index, class and the two plotted coordinates of every point")
    if proj.is_projection:
        with b:
            offer("Download the full codes (CSV)",
                  lambda: downloads.codes_csv(codes(), labels, CLASS_NAMES),
                  f"{name}-codes.csv", downloads.CSV, f"codes_csv_{name}",
                  help="Test index, class and every number of each test image's code")
