"""Autoencoder Explorer: `streamlit run app.py`. Registers the pages that exist and the sidebar."""

from pathlib import Path

import streamlit as st

from ui.common import sidebar

HERE = Path(__file__).resolve().parent
PAGES = [  # (file, title, icon); a page shows up once its file exists
    ("pages/overview.py", "Overview", ":material/home:"),
    ("pages/compare.py", "Compare reconstructions", ":material/compare:"),
    ("pages/denoiser.py", "Denoiser", ":material/blur_off:"),
    ("pages/latent_space.py", "Latent space", ":material/scatter_plot:"),
    ("pages/latent_explorer.py", "Latent explorer", ":material/explore:"),
    ("pages/training_curves.py", "Training curves", ":material/show_chart:"),
]


def available_pages() -> list:
    """st.Page objects for the page files present, the first one being the default."""
    present = [p for p in PAGES if (HERE / p[0]).is_file()]
    return [st.Page(path, title=title, icon=icon, default=i == 0)
            for i, (path, title, icon) in enumerate(present)]


st.set_page_config(page_title="Autoencoder Explorer", page_icon=":material/auto_awesome:",
                   layout="wide")
pages = available_pages()
if not pages:
    st.error("No page files found in pages/. Restore them from git: git checkout pages/")
    st.stop()
navigation = st.navigation(pages)
sidebar()
navigation.run()
