"""Latent explorer: drag across 2-D latent planes side by side; the browser runs the decoders."""

import streamlit as st

import aecore
from ui import address, cache, planes, sidebar

MARKER_LIMIT = 1000.0  # a marker further out than this in a link is ignored


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


def in_state(key: str, *values):
    return lambda: st.session_state.get(key, values[0]) in values


def endpoint_params(end: str, key: str, default_class: int) -> list[address.Param]:
    """An interpolation end: a class (`from=sandal`) or a test image (`from_index=123`)."""
    mode = f"{key}_mode"
    return [address.pick(end, f"{key}_class", range(len(aecore.CLASS_NAMES)), default_class,
                         label=lambda c: aecore.CLASS_NAMES[c], implies={mode: "Class"},
                         when=in_state(mode, "Class")),
            address.whole(f"{end}_index", f"{key}_index", 0, lambda: len(cache.test_set().x) - 1,
                          implies={mode: "Test index"}, when=in_state(mode, "Test index"))]


ADDRESS = address.bind("latent_explorer", [
    address.picks("planes", "lx_models", aecore.plane_models, planes.default_planes,
                  limit=planes.MAX_PLANES),
    *(address.marker(f"at_{n}", planes.plane_key(n), MARKER_LIMIT) for n in aecore.plane_models()),
    address.whole("grid", "lx_grid_n", 5, 30, 15),
    address.pick("spacing", "lx_grid_spacing", planes.SPACINGS, planes.SPACINGS[0]),
    address.num("range", "lx_grid_limit", 0.5, 4.0, 1.0, step=0.25,
                when=in_state("lx_grid_spacing", planes.SPACINGS[2])),
    address.num("share", "lx_grid_share", 0.5, 0.998, 0.99, step=0.001,
                when=in_state("lx_grid_spacing", planes.SPACINGS[1])),
    address.pick("path", "lx_interp_model", aecore.list_models,
                 lambda: (st.session_state.get("lx_models") or planes.default_planes())[0]),
    address.whole("frames", "lx_interp_steps", 3, 20, 10),
    *endpoint_params("from", "lx_a", 0),
    *endpoint_params("to", "lx_b", len(aecore.CLASS_NAMES) - 1),
])
intro()
chosen = planes.choose_planes("lx_models")
if not chosen:
    st.info("Choose at least one plane.")
    ADDRESS.write()
    st.stop()
models = loaded(chosen)
if not models:
    ADDRESS.write()
    st.stop()
split = cache.test_set()
codes = {name: cache.test_codes(name) for name in models}
first = next(iter(models))

plane_box = st.container()
plane_cols = plane_box.columns(len(models))
st.header("The planes compared")
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
ADDRESS.write()
