"""Streamlit-side helpers for the pages (aecore stays free of Streamlit)."""

# One colour AND one marker shape per Fashion-MNIST class, so that no class is told apart by
# colour alone (WCAG 1.4.1). The colours are Okabe & Ito's colour-blind-safe palette (without
# black, which vanishes on the dark theme) plus grey and two of Paul Tol's (wine, olive); the
# shapes are Plotly marker symbols, which the latent plane draws too.
CLASS_COLORS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2",
                "#D55E00", "#CC79A7", "#999999", "#882255", "#999933")
CLASS_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "triangle-down",
                 "cross", "x", "star", "hexagon", "pentagon")
PALETTE_NOTE = "Colour-blind safe: each class has its own colour and its own marker shape."
