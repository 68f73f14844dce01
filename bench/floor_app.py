"""The framework's floor for a cold start: the Overview's title and one picture, nothing else.

`make bench` cold-starts this with `streamlit run` (same config, same browser, same measure as
the app) so BENCHMARKS.md can say how much of the app's cold start is Streamlit's own on the
machine at hand, and how much is the app's.
"""

import streamlit as st

# A plain grey 28x28 PNG, inlined as the app inlines its pictures (no numpy or PIL to import).
GREY_SQUARE = ("iVBORw0KGgoAAAANSUhEUgAAABwAAAAcCAAAAABXZoBIAAAAFElEQVR4nGNowAMYRiVHJUclYQAA"
               "14+IEGRJUUcAAAAASUVORK5CYII=")

st.title("Autoencoder Explorer")
st.html(f'<img alt="A grey square" width="84" src="data:image/png;base64,{GREY_SQUARE}">')
