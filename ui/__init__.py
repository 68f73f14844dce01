"""Streamlit-side helpers for the pages (aecore stays free of Streamlit)."""
