"""Latent explorer: drag across 2-D latent planes side by side; the browser runs the decoders."""

import streamlit as st

import aecore
from ui import cache, planes, sidebar


def intro() -> None:
    titles = [planes.title(n) for n in aecore.plane_models()]
    st.title("Latent explorer")
    st.markdown(
        f"{len(titles)} of the models squeeze each picture into just **two numbers** "
        f"({', '.join(titles)}), so their whole latent space fits on a plane. The dots are the "
        "test images' codes (z_mean for the variational models), coloured by class. **Drag a "
        "marker**: the decoder runs in your browser and paints the picture for every point as "
        "you move; on release the page looks up what lies nearby. Put two planes side by side "
        "to see what a variational model's prior changes."
    )


def loaded(names: list[str]) -> dict:
    """The chosen models that load (a notice with the fix for the others)."""
    models = {name: sidebar.model_or_notice(name, key="lx") for name in names}
    return {name: model for name, model in models.items() if model is not None}


intro()
chosen = planes.choose_planes("lx_models")
if not chosen:
    st.info("Choose at least one plane.")
    st.stop()
models = loaded(chosen)
if not models:
    st.stop()
split = cache.test_set()
codes = {name: cache.test_codes(name) for name in models}
first = next(iter(models))

plane_box = st.container()
plane_cols = plane_box.columns(len(models))
st.subheader("The planes compared")
ready = cache.ready_models()
planes.comparison([n for n in aecore.plane_models() if n in ready])
grid_tab, interp_tab, upload_tab = st.tabs(["Manifold grid", "Interpolation", "Your picture"])
with upload_tab:
    extras = planes.your_image(models)
with interp_tab:
    path_model, path = planes.interpolation(list(models), split, codes[first])
points = {}
for col, name in zip(plane_cols, models, strict=True):
    with col:
        st.markdown(f"**{planes.title(name)}**")
        points[name] = planes.plane(name, codes[name], split,
                                    path=path if name == path_model else None,
                                    extra=extras.get(name))
        planes.near_marker(points[name], codes[name], split)
plane_box.caption(f"{split.description}. Arrow keys move a marker too (Shift: bigger steps).")
with grid_tab:
    planes.manifold(list(models), codes, points)
