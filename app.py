"""Autoencoder Explorer: `streamlit run app.py`. Registers the pages and the sidebar."""

import streamlit as st

import ui.preload  # noqa: F401  (first: the same imports in the same order for every session)
from ui import a11y, datatable, formulas, gallery, lab_session
from ui.pages import PAGES
from ui.sidebar import sidebar

st.set_page_config(page_title="Autoencoder Explorer", page_icon=":material/auto_awesome:",
                   layout="wide")
a11y.contrast_css()   # accent-coloured text that no theme colour makes readable in both themes
gallery.stylesheet()
datatable.stylesheet()
formulas.stylesheet()
navigation = st.navigation([st.Page(p.path, title=p.title, icon=p.icon, default=i == 0)
                            for i, p in enumerate(PAGES)])
lab_session.attach()   # this session's own models (the Lab's) join the registry
sidebar()
navigation.run()
