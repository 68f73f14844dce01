"""The page-wide CSS of the ui modules, added once per run (app.py) as one element."""

from __future__ import annotations

import streamlit as st

from ui import a11y, datatable, formulas, gallery

SHEETS = (
    a11y.CSS,         # accent-coloured text that no theme colour makes readable in both themes
    gallery.CSS,      # picture grids and strips
    datatable.CSS,    # tables
    formulas.CSS,     # MathML formulas
)


def add_to_page() -> None:
    st.html("".join(SHEETS))
