"""Latent explorer: drag through a VAE's 2-D latent space while the browser runs the decoder."""

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import latent, tables
from aecore.data.uploads import tile_images
from ui import cache, gallery, sidebar
from ui.components import latent_plane

PLANE = "lx_plane"  # the component's key; its state holds the last released point
NEIGHBOURS, MIX_K = 8, 50
ENDPOINT_MODES = ("Class", "Test index", "Upload")


# --- cached model outputs (keyed by the weights' stamp, so retraining refreshes them) ---------

@st.cache_data(show_spinner="Decoding the grid…", max_entries=16)
def _grid(name: str, stamp: tuple, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return cache.get_model(name).decode(latent.grid_points(xs, ys))


def title(name: str) -> str:
    return aecore.get_spec(name).title


# --- the marker's position ------------------------------------------------------------------

def current_point() -> tuple[float, float]:
    state = st.session_state.get(PLANE) or {}
    p = state.get("point") or (0.0, 0.0)
    return float(p[0]), float(p[1])


def go_to(xy) -> None:
    """Move the marker (button callback): the component follows its `point`."""
    st.session_state[PLANE] = {"point": [round(float(xy[0]), 5), round(float(xy[1]), 5)]}


# --- sections -------------------------------------------------------------------------------

def near_marker(point, z, split) -> None:
    st.markdown(f"**Near the marker** z = ({point[0]:.2f}, {point[1]:.2f}) — the "
                f"{NEIGHBOURS} test images whose codes are closest:")
    idx = latent.nearest(z, point, NEIGHBOURS)
    gallery.show_images(split.x[idx], [aecore.CLASS_NAMES[int(split.y[i])] for i in idx], scale=3)
    mix = latent.class_mix(split.y, latent.nearest(z, point, MIX_K), len(aecore.CLASS_NAMES))
    order = [int(c) for c in np.argsort(-mix, kind="stable") if mix[c] > 0]
    st.caption(f"Class mix of the {MIX_K} nearest: "
               + ", ".join(f"{aecore.CLASS_NAMES[c]} {mix[c]:.0%}" for c in order))


def manifold(name: str, point) -> None:
    st.markdown("The decoder applied to a regular grid of codes, like the article's figure. "
                "The ring marks the marker's position.")
    a, b, c = st.columns(3)
    n = a.slider("Grid size", 5, 30, 15, key="lx_grid_n")
    spacing = b.radio("Spacing", ("Normal quantiles (article)", "Even"), key="lx_grid_spacing")
    if spacing == "Even":
        limit = c.slider("Range ±", 0.5, 4.0, 1.0, 0.25, key="lx_grid_limit")
        axis = latent.grid_axis(n, linear_limit=limit)
        st.caption(f"Codes evenly spaced in [−{limit}, {limit}] (keras.io uses ±1).")
    else:
        share = c.slider("Central share of the prior", 0.50, 0.998, 0.99, 0.001,
                         key="lx_grid_share", format="%.3f")
        axis = latent.grid_axis(n, tail=(1 - share) / 2)
        st.caption(f"norm.ppf(linspace({(1 - share) / 2:.4g}, {1 - (1 - share) / 2:.4g}, {n})) "
                   f"on both axes: ±{axis[-1]:.2f}.")
    images = _grid(name, tables.weights_stamp(name), axis, axis)
    grid = tile_images(images, cols=n, pad=0)
    col, row = latent.grid_position(point, axis, axis)
    marked = latent.ring(grid, (col * 28, row * 28), radius=10)
    st.image(gallery.png(marked, scale=max(1, 840 // (n * 28))), output_format="PNG",
             caption=f"{n}×{n} codes, z₁ left to right, z₂ bottom to top")


def endpoint(label: str, key: str, split, z, default_class: int):
    """One interpolation end: (image, caption), or (None, message) when there is none yet."""
    mode = st.radio(label, ENDPOINT_MODES, horizontal=True, key=f"{key}_mode")
    if mode == "Class":
        cls = st.selectbox("Class", range(10), index=default_class, key=f"{key}_class",
                           format_func=lambda c: aecore.CLASS_NAMES[c])
        i = latent.class_representative(z, split.y, cls)
    elif mode == "Test index":
        i = int(st.number_input("Test index", 0, len(split.x) - 1, default_class,
                                key=f"{key}_index"))
    else:
        file = st.file_uploader("Picture", key=f"{key}_file")
        if file is None:
            return None, "Upload a picture."
        try:
            return aecore.read_image(file.getvalue()), file.name[:18]
        except aecore.InvalidImage as exc:
            return None, str(exc)
    return split.x[i], f"#{i} {aecore.CLASS_NAMES[int(split.y[i])]}"


def interpolation(plane_model: str, split, z):
    """Frames between two images for any model; returns the 2-D path when it is the plane's."""
    names = aecore.list_models()
    a, b = st.columns([2, 1])
    name = a.selectbox("Model", names, index=names.index(plane_model), format_func=title,
                       key="lx_interp_model")
    steps = b.slider("Frames", 3, 20, 10, key="lx_interp_steps")
    left, right = st.columns(2)
    with left:
        img_a, cap_a = endpoint("From", "lx_a", split, z, 0)
    with right:
        img_b, cap_b = endpoint("To", "lx_b", split, z, 9)
    if img_a is None or img_b is None:
        st.info(cap_a if img_a is None else cap_b)
        return None
    model = sidebar.model_or_notice(name, key="lx_interp")
    if model is None:
        return None
    za, zb = model.encode(np.stack([img_a, img_b]))
    path = latent.interpolation_path(za, zb, steps)
    frames = model.decode(path)
    gallery.show_images([img_a, img_b], [f"From: {cap_a}", f"To: {cap_b}"], scale=2, columns=6)
    st.image(gallery.strip_png(frames, scale=3), output_format="PNG",
             caption=f"{steps} codes on the straight line between the two pictures' codes "
                     f"({model.spec.latent_dim} numbers each), decoded by {title(name)}")
    if name == plane_model:
        st.caption("The dashed line on the plane above is this path.")
        return path
    if model.spec.latent_dim == 2:
        st.caption("This path lives in another model's latent plane, so it is not drawn above.")
    return None


def your_image(model):
    """Upload a picture: where it lands and how it comes back. Returns the plane overlay."""
    file = st.file_uploader("A picture of a garment (light on dark works best)",
                            key="lx_upload")
    if file is None:
        st.info("Upload a picture to see where it lands on the plane.")
        return None
    try:
        image = aecore.read_image(file.getvalue())
    except aecore.InvalidImage as exc:
        st.error(str(exc))
        return None
    zu = model.encode(image[None])[0]
    recon = model.decode(zu[None])[0]
    gallery.show_images([image, recon], ["Your picture (28×28)", "Reconstruction"], scale=4,
                       columns=4)
    st.markdown(f"It lands at z = ({zu[0]:.2f}, {zu[1]:.2f}), the black marker on the plane.")
    st.button("Move the marker there", key="lx_goto_upload", on_click=go_to, args=(zu,))
    return {"xy": [float(zu[0]), float(zu[1])], "label": "your picture"}


# --- the page -------------------------------------------------------------------------------

st.title("Latent explorer")
st.markdown(
    "The variational autoencoders squeeze each picture into just **two numbers**, so their "
    "whole latent space fits on a plane. The dots are the test images' codes (z_mean), "
    "coloured by class. **Drag the marker**: the decoder runs in your browser and paints "
    "the picture for every point as you move; on release the page looks up what lies nearby."
)
name = st.radio("Model", aecore.plane_models(), format_func=title, horizontal=True, key="lx_model")
model = sidebar.model_or_notice(name, key="lx")
if model is None:
    st.stop()
split = cache.test_set()
z = cache.test_codes(name)

plane_box = st.container()
near_box = st.container()
grid_tab, interp_tab, upload_tab = st.tabs(["Manifold grid", "Interpolation", "Your picture"])
with upload_tab:
    extra = your_image(model)
with interp_tab:
    path = interpolation(name, split, z)
with plane_box:
    result = latent_plane(PLANE, cache.browser_export(name), z, split.y,
                          aecore.CLASS_NAMES, point=current_point(), path=path, extra=extra)
    st.caption(f"{split.description}. Arrow keys move the marker too (Shift: bigger steps).")
point = (float(result.point[0]), float(result.point[1]))
with near_box:
    near_marker(point, z, split)
with grid_tab:
    manifold(name, point)
