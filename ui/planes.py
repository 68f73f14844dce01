"""The latent explorer's parts: one draggable plane per 2-D model, what lies near each marker,
manifold grids, interpolation, an uploaded picture, and how the planes compare."""

from __future__ import annotations

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import compare, downloads, latent, tables
from aecore.data.uploads import tile_images
from ui import cache, datatable, gallery, sidebar
from ui import downloads as download
from ui.components import latent_plane

NEIGHBOURS, MIX_K = 8, 50
MAX_PLANES = 2
ENDPOINT_MODES = ("Class", "Test index", "Upload")
SPACINGS = ("Span of the codes", "Normal quantiles (article)", "Even")
GRID_WIDTH = 840  # pixels the manifold grids share


def title(name: str) -> str:
    return aecore.get_spec(name).title


# --- which planes, and each plane's marker ----------------------------------------------------

def default_planes() -> list[str]:
    """The first MAX_PLANES 2-D models, those that can be served first, in registry order."""
    options = aecore.plane_models()
    ready = set(cache.ready_models())
    return ([n for n in options if n in ready] + [n for n in options if n not in ready])[
        :MAX_PLANES]


def choose_planes(key: str) -> list[str]:
    """Up to MAX_PLANES 2-D models; by default the first ready ones in registry order."""
    return st.multiselect("Planes side by side", aecore.plane_models(), default=default_planes(),
                          max_selections=MAX_PLANES, format_func=title, key=key)


def plane_key(name: str) -> str:
    """The component's key for a model's plane; its state holds the last released point."""
    return f"lx_plane_{name}"


def current_point(name: str) -> tuple[float, float]:
    state = st.session_state.get(plane_key(name)) or {}
    p = state.get("point") or (0.0, 0.0)
    return float(p[0]), float(p[1])


def go_to(points: dict) -> None:
    """Move markers (button callback): {model: (x, y)}; each component follows its `point`."""
    for name, xy in points.items():
        st.session_state[plane_key(name)] = {
            "point": [round(float(xy[0]), 5), round(float(xy[1]), 5)]}


def plane(name: str, codes, split, path=None, extra=None) -> tuple[float, float]:
    """Mount one model's plane; returns the marker's released point."""
    result = latent_plane(plane_key(name), cache.browser_export(name), codes, split.y,
                          aecore.CLASS_NAMES, point=current_point(name), path=path, extra=extra,
                          label=f"Latent plane of {title(name)}")
    return float(result.point[0]), float(result.point[1])


# --- near the marker ------------------------------------------------------------------------

def near_marker(point, z, split) -> None:
    st.markdown(f"**Near the marker** z = ({point[0]:.2f}, {point[1]:.2f}) — the "
                f"{NEIGHBOURS} test images whose codes are closest:")
    idx = latent.nearest(z, point, NEIGHBOURS)
    gallery.show_images(split.x[idx], [aecore.CLASS_NAMES[int(split.y[i])] for i in idx],
                        alts=[f"{gallery.alt_text(f'#{i} {aecore.CLASS_NAMES[int(split.y[i])]}')}"
                              f", code number {rank} nearest to the marker"
                              for rank, i in enumerate(idx, start=1)])
    mix = latent.class_mix(split.y, latent.nearest(z, point, MIX_K), len(aecore.CLASS_NAMES))
    order = [int(c) for c in np.argsort(-mix, kind="stable") if mix[c] > 0]
    st.caption(f"Class mix of the {MIX_K} nearest: "
               + ", ".join(f"{aecore.CLASS_NAMES[c]} {mix[c]:.0%}" for c in order))


# --- how the planes compare -----------------------------------------------------------------

def comparison(names: list[str]) -> None:
    """Reconstruction (manifest) against how much of the plane the codes leave empty (computed)."""
    manifest = tables.read_manifest_safely()
    rows = {n: tables.plane_row(n, manifest.get(n), cache.test_codes(n)) for n in names}
    datatable.show(list(rows.values()), formats={"Test BCE": ".4f", "KL (nats per image)": ".2f",
                                                 "Empty cells": ".1%"})
    n = latent.COVER_CELLS
    st.caption(
        f"Test BCE as recorded when each model was trained (lower rebuilds better). Empty "
        f"cells: the box from the {latent.COVER_QUANTILE:.0%} to the "
        f"{1 - latent.COVER_QUANTILE:.0%} percentile of the test codes on each axis, cut into "
        f"{n}×{n} cells; the share that no test code falls into. Between models with the same "
        "layers, a KL term pulls a VAE's codes towards a standard normal and fills its plane at "
        "some cost in reconstruction; a plain autoencoder spends everything on reconstruction "
        "and leaves gaps, where decoding is guesswork.")
    for sentence in tables.plane_tradeoffs(rows):
        st.markdown(f"- {sentence}")


# --- manifold grids -------------------------------------------------------------------------

@st.cache_data(show_spinner="Decoding the grid…", max_entries=16)
def _grid(name: str, stamp: tuple, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    return cache.get_model(name).decode(latent.grid_points(xs, ys))


def grid_axes(spacing: str, n: int, codes, limit: float, share: float):
    """(xs, ys, caption) of the grid for one model's codes."""
    if spacing == SPACINGS[0]:
        tail = latent.COVER_QUANTILE
        lo, hi = np.quantile(codes, tail, axis=0), np.quantile(codes, 1 - tail, axis=0)
        xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
        return xs, ys, (f"z₁ in [{lo[0]:.2f}, {hi[0]:.2f}], z₂ in [{lo[1]:.2f}, {hi[1]:.2f}]: "
                        f"the codes' {tail:.0%}–{1 - tail:.0%} percentiles.")
    if spacing == SPACINGS[2]:
        axis = latent.grid_axis(n, linear_limit=limit)
        return axis, axis, f"Codes evenly spaced in [−{limit}, {limit}] (keras.io uses ±1)."
    tail = (1 - share) / 2
    axis = latent.grid_axis(n, tail=tail)
    return axis, axis, (f"norm.ppf(linspace({tail:.4g}, {1 - tail:.4g}, {n})) on both axes: "
                        f"±{axis[-1]:.2f}.")


def grid_controls() -> tuple[int, str, float, float]:
    a, b, c = st.columns(3)
    n = a.slider("Grid size", 5, 30, 15, key="lx_grid_n")
    spacing = b.radio("Spacing", SPACINGS, key="lx_grid_spacing")
    limit, share = 1.0, 0.99
    if spacing == SPACINGS[2]:
        limit = c.slider("Range ±", 0.5, 4.0, 1.0, 0.25, key="lx_grid_limit")
    elif spacing == SPACINGS[1]:
        share = c.slider("Central share of the prior", 0.50, 0.998, 0.99, 0.001,
                         key="lx_grid_share", format="%.3f")
    return n, spacing, limit, share


def manifold(names: list[str], codes: dict, points: dict) -> None:
    """Each decoder applied to a regular grid of codes, side by side; rings mark the markers."""
    st.markdown("Each decoder applied to a regular grid of codes, like the article's figure. "
                "The ring marks the marker's position.")
    n, spacing, limit, share = grid_controls()
    for col, name in zip(st.columns(len(names)), names, strict=True):
        xs, ys, note = grid_axes(spacing, n, codes[name], limit, share)
        images = _grid(name, tables.weights_stamp(name), xs, ys)
        column, row = latent.grid_position(points[name], xs, ys)
        marked = latent.ring(tile_images(images, cols=n, pad=0), (column * 28, row * 28), 10)
        scale = max(1, GRID_WIDTH // len(names) // (n * 28))
        col.image(gallery.png(marked, scale=scale), output_format="PNG",
                  caption=f"{title(name)}: {n}×{n} codes, z₁ left to right, z₂ bottom to top",
                  alt=f"{title(name)}'s decoder on a {n}×{n} grid of codes ({note}); a ring "
                      f"marks the marker at z = ({points[name][0]:.2f}, {points[name][1]:.2f})")
        col.caption(note)
        with col:
            download.offer("Download the grid (PNG)",
                           lambda images=images: downloads.manifold_png(images, n),
                           f"{name}-grid-{n}x{n}.png", downloads.PNG, f"lx_grid_png_{name}")


# --- interpolation --------------------------------------------------------------------------

def endpoint(label: str, key: str, split, z, default_class: int):
    """One interpolation end: (image, caption), or (None, message) when there is none yet."""
    mode = st.radio(label, ENDPOINT_MODES, horizontal=True, key=f"{key}_mode")
    if mode == "Class":
        cls = st.selectbox("Class", range(len(aecore.CLASS_NAMES)), index=default_class,
                           key=f"{key}_class", format_func=lambda c: aecore.CLASS_NAMES[c])
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


def interpolation(planes: list[str], split, z) -> tuple[str | None, np.ndarray | None]:
    """Frames between two images for any model; returns (model, path) to draw on its plane."""
    names = aecore.list_models()
    a, b = st.columns([2, 1])
    name = a.selectbox("Model", names, index=names.index(planes[0]), format_func=title,
                       key="lx_interp_model")
    steps = b.slider("Frames", 3, 20, 10, key="lx_interp_steps")
    left, right = st.columns(2)
    with left:
        img_a, cap_a = endpoint("From", "lx_a", split, z, 0)
    with right:
        img_b, cap_b = endpoint("To", "lx_b", split, z, len(aecore.CLASS_NAMES) - 1)
    if img_a is None or img_b is None:
        st.info(cap_a if img_a is None else cap_b)
        return None, None
    model = sidebar.model_or_notice(name, key="lx_interp")
    if model is None:
        return None, None
    za, zb = model.encode(np.stack([img_a, img_b]))
    path = latent.interpolation_path(za, zb, steps)
    gallery.show_images([img_a, img_b], [f"From: {cap_a}", f"To: {cap_b}"], columns=6,
                        alts=[f"From: {gallery.alt_text(cap_a)}", f"To: {gallery.alt_text(cap_b)}"])
    st.image(gallery.strip_png(model.decode(path), scale=3), output_format="PNG",
             alt=f"{steps} pictures decoded by {title(name)} along the straight line from "
                 f"{gallery.subject(cap_a)} to {gallery.subject(cap_b)}",
             caption=f"{steps} codes on the straight line between the two pictures' codes "
                     f"({model.spec.latent_dim} numbers each), decoded by {title(name)}")
    if name in planes:
        st.caption(f"The dashed line on the {title(name)} plane above is this path.")
        return name, path
    if model.spec.has_plane:
        st.caption("This path lives in a plane that is not shown above.")
    return None, None


# --- your picture ---------------------------------------------------------------------------

def your_image(models: dict) -> dict:
    """Upload a picture: where it lands on each plane and how it comes back. {model: overlay}."""
    file = st.file_uploader("A picture of a garment (light on dark works best)",
                            key="lx_upload")
    if file is None:
        st.info("Upload a picture to see where it lands on the planes.")
        return {}
    try:
        image = aecore.read_image(file.getvalue())
    except aecore.InvalidImage as exc:
        st.error(str(exc))
        return {}
    codes = {name: model.encode(image[None])[0] for name, model in models.items()}
    recons = [models[name].decode(z[None])[0] for name, z in codes.items()]
    errors = [float(compare.per_image_errors(image[None], r[None])[0]) for r in recons]
    gallery.show_images([image, *recons], ["Your picture (28×28)",
                        *(f"Reconstruction: {title(n)}" for n in codes)], columns=4,
                        alts=["Your picture, shrunk to 28×28 pixels", *(
                            gallery.alt_text(file.name, title(n), score=f"BCE {e:.3f}")
                            for n, e in zip(codes, errors, strict=True))])
    st.markdown("It lands at " + "; ".join(f"z = ({z[0]:.2f}, {z[1]:.2f}) on the {title(n)} "
                                          "plane" for n, z in codes.items())
                + ": the black marker.")
    st.button("Move the markers there", key="lx_goto_upload", on_click=go_to, args=(codes,))
    return {n: {"xy": [float(z[0]), float(z[1])], "label": "your picture"}
            for n, z in codes.items()}
