"""The image chooser every page shares: random, one per class, by test index, or uploads.

Choices live in st.session_state under keys starting with f"{key}_img_", so they survive
switching pages.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import compare
from ui import address, cache

UPLOAD_TYPES = None  # any file: read_image explains what it cannot read
MAX_UPLOADS = 16
MODES = ("Random", "By class", "By test index", "Upload")


def _init(key: str, value) -> None:
    if key not in st.session_state:
        st.session_state[key] = value


def _dataset_caption(split: aecore.DataSplit, index: int) -> str:
    prefix = "#" if split.source == "full" else "sample #"
    return f"{prefix}{index} {aecore.CLASS_NAMES[int(split.y[index])]}"


def _new_draw(key: str) -> None:
    st.session_state[f"{key}_img_seed"] = int(st.session_state.get(f"{key}_img_seed", 0)) + 1


def _choose_random(key: str, split: aecore.DataSplit, n_default: int) -> np.ndarray:
    _init(f"{key}_img_count", n_default)
    _init(f"{key}_img_seed", 0)
    a, b, c = st.columns([3, 2, 1], vertical_alignment="bottom")
    count = a.slider("How many images", 1, 16, key=f"{key}_img_count", persist_state="session")
    seed = b.number_input("Seed", 0, 1_000_000, step=1, key=f"{key}_img_seed",
                          persist_state="session")
    c.button("New draw", key=f"{key}_img_redraw", on_click=_new_draw, args=(key,))
    return compare.pick_random(len(split.x), count, seed)


def _choose_by_class(key: str, split: aecore.DataSplit) -> np.ndarray:
    _init(f"{key}_img_classes", list(aecore.CLASS_NAMES))
    _init(f"{key}_img_seed", 0)
    a, b, c = st.columns([5, 2, 1], vertical_alignment="bottom")
    classes = a.multiselect("Classes (one image each)", aecore.CLASS_NAMES,
                            key=f"{key}_img_classes", persist_state="session")
    seed = b.number_input("Seed", 0, 1_000_000, step=1, key=f"{key}_img_seed",
                          persist_state="session")
    c.button("New draw", key=f"{key}_img_redraw", on_click=_new_draw, args=(key,))
    if not classes:
        st.info("Pick at least one class.")
    wanted = [aecore.CLASS_NAMES.index(c) for c in classes]
    return compare.pick_per_class(split.y, wanted, seed)


def _choose_by_index(key: str, split: aecore.DataSplit, n_default: int) -> np.ndarray:
    _init(f"{key}_img_indices", ", ".join(str(i) for i in range(n_default)))
    text = st.text_input(f"Test indices (0–{len(split.x) - 1}; commas or ranges like 10-15)",
                         key=f"{key}_img_indices", persist_state="session")
    try:
        return np.asarray(compare.parse_indices(text, len(split.x)), dtype=np.int64)
    except ValueError as exc:
        st.error(str(exc))
        return np.zeros(0, dtype=np.int64)


def _read_uploads(files) -> tuple[list[tuple[str, np.ndarray]], list[str]]:
    """Decode uploaded files; (name, image) for good ones, messages for bad ones."""
    good, bad = [], []
    for f in files:
        try:
            good.append((f.name, aecore.read_image(f.getvalue())))
        except aecore.InvalidImage as exc:
            bad.append(f"**{f.name}**: {exc}")
    return good, bad


def _forget_uploads(key: str) -> None:
    st.session_state[f"{key}_img_uploads"] = []
    st.session_state[f"{key}_img_upload_errors"] = []


def _choose_upload(key: str) -> tuple[np.ndarray, list[str]]:
    _init(f"{key}_img_uploads", [])
    _init(f"{key}_img_upload_errors", [])
    files = st.file_uploader(
        "Upload pictures (a light garment on a dark background works best; others are "
        "inverted and shrunk to 28×28)", accept_multiple_files=True, type=UPLOAD_TYPES,
        key=f"{key}_img_files", on_change=_forget_uploads, args=(key,))
    if files and len(files) > MAX_UPLOADS:
        st.warning(f"Using the first {MAX_UPLOADS} of your {len(files)} pictures.")
        files = files[:MAX_UPLOADS]
    if files:
        good, bad = _read_uploads(files)
        st.session_state[f"{key}_img_uploads"] = good
        st.session_state[f"{key}_img_upload_errors"] = bad
    for message in st.session_state[f"{key}_img_upload_errors"]:
        st.error(message)
    kept = st.session_state[f"{key}_img_uploads"]
    if kept and not files:
        a, b = st.columns([5, 1], vertical_alignment="center")
        a.caption("Showing your earlier upload: " + ", ".join(name for name, _ in kept))
        b.button("Clear", key=f"{key}_img_clear_uploads", on_click=_forget_uploads, args=(key,))
    if not kept and not st.session_state[f"{key}_img_upload_errors"]:
        st.info("Upload one or more pictures to see how each model reconstructs them.")
    if not kept:
        return np.zeros((0, 28, 28), np.float32), []
    return np.stack([img for _, img in kept]), [name[:18] for name, _ in kept]


def choose_images(key: str, n_default: int = 8) -> tuple[np.ndarray, list[str]]:
    """Controls for picking images; returns (images (n, 28, 28), captions).

    Modes: random (seeded), one per class, by test index, or uploaded pictures. Every choice
    is kept in st.session_state under keys starting with f"{key}_img_", so it survives
    switching pages.
    """
    try:
        split = cache.test_set()
    except aecore.DatasetNotFound as exc:
        st.error(str(exc))
        return np.zeros((0, 28, 28), np.float32), []
    _init(f"{key}_img_mode", MODES[0])
    mode = st.radio("Images", MODES, horizontal=True, key=f"{key}_img_mode",
                    persist_state="session", label_visibility="collapsed")
    if mode == "Upload":
        return _choose_upload(key)
    if mode == "By class":
        picks = _choose_by_class(key, split)
    elif mode == "By test index":
        picks = _choose_by_index(key, split, n_default)
    else:
        picks = _choose_random(key, split, n_default)
    return split.x[picks], [_dataset_caption(split, int(i)) for i in picks]


# --- the chooser's state in the page address (ui.address) ------------------------------------

def _test_set_size() -> int:
    return len(cache.test_set().x)


def _parse_indices(text: str) -> str:
    compare.parse_indices(text, _test_set_size())  # raises ValueError with what to type
    return ", ".join(address.split_list(text))


def _parse_classes(text: str) -> list[str]:
    if address.slug(text) == "all":
        return list(aecore.CLASS_NAMES)
    return address.many(aecore.CLASS_NAMES, allow_empty=True)(text)


def _format_classes(classes) -> str:
    return "all" if list(classes) == list(aecore.CLASS_NAMES) else address.fmt_many(classes)


def address_params(key: str, n_default: int = 8) -> list[address.Param]:
    """The chooser's choices as address parameters: `images=12+408+77` (test indices),
    `classes=trouser+sandal` (one per class), `n` and `seed` (random draws)."""
    mode = f"{key}_img_mode"

    def in_mode(*modes):
        return lambda: st.session_state.get(mode, MODES[0]) in modes

    return [
        address.Param("images", f"{key}_img_indices", _parse_indices,
                      lambda text: address.join_list(address.split_list(text)),
                      when=in_mode("By test index"), implies={mode: "By test index"}),
        address.Param("classes", f"{key}_img_classes", _parse_classes, _format_classes,
                      when=in_mode("By class"), implies={mode: "By class"}),
        address.Param("n", f"{key}_img_count", address.integer(1, 16), default=n_default,
                      when=in_mode("Random"), implies={mode: "Random"}),
        address.Param("seed", f"{key}_img_seed", address.integer(0, 1_000_000), default=0,
                      when=in_mode("Random", "By class")),
    ]
