"""Autoencoder Explorer: `streamlit run app.py`. Registers the pages and the sidebar."""

import streamlit as st

import ui.preload  # noqa: F401  (first: the same imports in the same order for every session)
from ui import lab_session, stylesheet
from ui.pages import FAVICON, PAGES
from ui.sidebar import sidebar

st.set_page_config(page_title="Autoencoder Explorer", page_icon=FAVICON, layout="wide")
stylesheet.add_to_page()
navigation = st.navigation([st.Page(p.path, title=p.title, icon=p.icon, default=i == 0)
                            for i, p in enumerate(PAGES)])
lab_session.attach()   # this session's own models (the Lab's) join the registry
sidebar()
navigation.run()
