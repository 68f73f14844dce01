"""Download buttons whose files are made when clicked (by aecore.analysis.downloads), never on a
rerun, and which do not rerun the page."""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from aecore.analysis import downloads


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
