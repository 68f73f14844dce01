"""Streamlit-side helpers for the pages (aecore stays free of Streamlit)."""

# One colour per Fashion-MNIST class (matplotlib's tab10, as in the article's scatter plots).
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
