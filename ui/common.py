"""Streamlit helpers every page shares: cached models and data, crisp images, the sidebar,
the "train it now" notice and the image chooser whose choices survive page switches."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import numpy as np
import streamlit as st

import aecore
import aecore.codes
from aecore import compare, zoo
from aecore.images import to_png_bytes

UPLOAD_TYPES = None  # any file: read_image explains what it cannot read
MAX_UPLOADS = 16
MODES = ("Random", "By class", "By test index", "Upload")
STATUS_ICON = {"ok": ":green[●]", "missing": ":orange[○]", "damaged": ":red[✖]"}


def freeze_long_lived_objects() -> None:
    """Move everything alive now out of the garbage collector's view.

    After every script run Streamlit calls keras.backend.clear_session(), which runs a full
    gc.collect(): with TensorFlow loaded that scans ~400k objects (0.4-0.7 s per rerun). Frozen
    objects (imports, cached models) are skipped, so the collection takes microseconds.
    """
    gc.collect()
    gc.freeze()


def leave_pages_directory_mode() -> None:
    """Make a deep link on a fresh server (e.g. /compare) load the app shell too.

    Until app.py has called st.navigation once, Streamlit treats the pages/ folder as an
    old-style multipage app and runs pages/<name>.py alone: no sidebar, no wide layout. Every
    page imports this module first, so switch that mode off here and rerun through app.py.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
        from streamlit.runtime.scriptrunner import get_script_run_ctx
    except ImportError:  # internals moved: deep links then work as Streamlit decides
        return
    if get_script_run_ctx() is not None and getattr(PagesManager, "uses_pages_directory", None):
        PagesManager.uses_pages_directory = False
        st.rerun()


freeze_long_lived_objects()
leave_pages_directory_mode()


# --- cached data and models -----------------------------------------------------------------

@st.cache_data(show_spinner="Loading the test set…")
def test_set() -> aecore.DataSplit:
    """The full test set, or the shipped sample when the dataset is not installed."""
    return aecore.load_test_set()


@st.cache_data(show_spinner=False)
def data_description() -> str:
    """Where the images come from, in words (full test set or shipped sample)."""
    return test_set().description


@st.cache_resource(show_spinner="Loading model…", max_entries=32)
def _load_model(name: str, stamp: tuple) -> aecore.TrainedModel:
    model = aecore.load_model(name)
    freeze_long_lived_objects()  # the model lives as long as the cache
    return model


def get_model(name: str) -> aecore.TrainedModel:
    """The trained model (cached until its weights file changes); raises WeightsError."""
    return _load_model(name, zoo.weights_stamp(name))


@st.cache_data(show_spinner="Encoding the test set (first time only)…", max_entries=16)
def _test_codes(name: str, stamp: tuple) -> np.ndarray:
    return aecore.codes.test_set_codes(_load_model(name, stamp), test_set())


def test_codes(name: str) -> np.ndarray:
    """Codes (n, latent_dim) of every test image (z_mean for VAEs), stored beside the weights."""
    return _test_codes(name, zoo.weights_stamp(name))


@st.cache_data(show_spinner=False)
def _weights_status(stamp: tuple) -> dict[str, str]:
    return aecore.weights_status()


def weights_status() -> dict[str, str]:
    """aecore.weights_status(), recomputed only when a weights file changes."""
    return _weights_status(zoo.weights_stamp())


def status_kinds() -> dict[str, str]:
    """'ok' / 'missing' / 'damaged' per model."""
    return {name: zoo.status_kind(msg) for name, msg in weights_status().items()}


def ready_models() -> list[str]:
    """Models whose weights are present and verified."""
    return [name for name, kind in status_kinds().items() if kind == "ok"]


@st.cache_data(show_spinner="Counting parameters…")
def parameter_counts() -> dict[str, int | None]:
    """Weights per model (builds each architecture once per process)."""
    counts = {}
    for name in aecore.list_models():
        try:
            counts[name] = zoo.parameter_count(name)
        except Exception:  # a broken builder must not break the overview
            counts[name] = None
    return counts


@st.cache_data(show_spinner=False, max_entries=256)
def _reconstruct(name: str, stamp: tuple, images: np.ndarray) -> np.ndarray:
    return _load_model(name, stamp).reconstruct(images)


def reconstruct(name: str, images: np.ndarray) -> np.ndarray:
    """Cached reconstructions of `images` by model `name`; raises WeightsError."""
    if len(images) == 0:
        return np.zeros((0, 28, 28), np.float32)
    return _reconstruct(name, zoo.weights_stamp(name), np.ascontiguousarray(images, np.float32))


def clear_model_caches() -> None:
    """Forget cached models, reconstructions and the weights status (after training)."""
    _load_model.clear()
    _reconstruct.clear()
    _weights_status.clear()


# --- missing weights ------------------------------------------------------------------------

def model_or_notice(name: str, key: str = "") -> aecore.TrainedModel | None:
    """The model, or None after a warning with the fix and a one-click quick training."""
    try:
        return get_model(name)
    except aecore.WeightsError as exc:
        st.warning(f"**{aecore.get_spec(name).title}** cannot be shown: {exc}")
    except Exception as exc:  # a broken file can fail in Keras/h5py in many ways
        st.error(f"**{aecore.get_spec(name).title}** could not be loaded ({exc}). "
                 f"Retrain it with: python -m aecore.train --model {name}")
    if st.button("Train a quick version now", key=f"train_{key}_{name}",
                 help="A few epochs on this machine; the page reloads when it is done."):
        train_quick(name)
    return None


def train_quick(name: str) -> None:
    """Train the quick preset with a progress bar, then reload the app with the new weights."""
    import keras  # heavy: only when someone actually trains

    from aecore.train import train_model

    try:
        data = aecore.load_fashion_mnist(allow_download=False)
    except aecore.DatasetNotFound as exc:
        st.error(f"Training needs the full dataset. {exc}")
        return
    epochs = aecore.get_spec(name).train.quick_epochs
    bar = st.progress(0.0, text=f"Training {name}: starting…")

    class Progress(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("val_loss", float("nan"))
            bar.progress(min((epoch + 1) / epochs, 1.0),
                         text=f"Training {name}: epoch {epoch + 1}/{epochs}, val_loss {loss:.4f}")

    try:
        train_model(name, "quick", callbacks=[Progress()], data=data, verbose=0)
    except Exception as exc:
        st.error(f"Training {name} failed: {exc}")
        return
    clear_model_caches()
    st.rerun()


# --- images ---------------------------------------------------------------------------------

def png(img, scale: int = 4) -> bytes:
    """Crisp PNG bytes of a grey (28, 28) or colour (28, 28, 3) image in [0, 1]."""
    return to_png_bytes(img, scale)


def show_images(images, captions: Sequence[str] | None = None, scale: int = 3,
                columns: int | None = None) -> None:
    """One row of images with optional captions."""
    images = list(images)
    if not images:
        return
    cols = st.columns(columns or len(images))
    for i, img in enumerate(images):
        caption = captions[i] if captions is not None and i < len(captions) else None
        cols[i % len(cols)].image(png(img, scale), caption=caption, output_format="PNG",
                                 width="stretch")


def image_grid(rows: Sequence[tuple[str, Sequence, Sequence[str] | None]], scale: int = 3,
               label_width: float = 1.4, min_columns: int = 8) -> None:
    """Labelled rows of images: rows = [(label, images, captions), ...], all the same length.

    Rows shorter than `min_columns` keep that column width, so a few images don't spread out.
    """
    width = max((len(list(images)) for _, images, _ in rows), default=0)
    if width == 0:
        return
    for label, images, captions in rows:
        label_col, *cells = st.columns([label_width] + [1] * max(width, min_columns))
        label_col.markdown(label)
        for i, img in enumerate(images):
            caption = captions[i] if captions else None
            cells[i].image(png(img, scale), caption=caption, output_format="PNG", width="stretch")


def strip_png(images, scale: int = 3) -> bytes:
    """Images side by side in one crisp PNG (fast for long rows without captions)."""
    from aecore.images import tile_images

    return png(tile_images(np.asarray(images), cols=len(images), pad=1, pad_value=1.0), scale)


# --- the shared image chooser ----------------------------------------------------------------

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
        split = test_set()
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


# --- sidebar --------------------------------------------------------------------------------

def sidebar() -> None:
    """Where the images come from and which models have usable weights."""
    with st.sidebar:
        try:
            st.caption(f"**Data:** {data_description()}")
        except aecore.DatasetNotFound as exc:
            st.error(str(exc))
        try:
            status = weights_status()
        except Exception as exc:  # never let the sidebar break a page
            st.error(f"Could not check the weights: {exc}")
            return
        lines = []
        for name, message in status.items():
            kind = zoo.status_kind(message)
            note = "" if kind == "ok" else f" — {kind}"
            lines.append(f"{STATUS_ICON[kind]} `{name}`{note}")
        st.caption("**Weights**  \n" + "  \n".join(lines))
        problems = {n: m for n, m in status.items() if m != "ok"}
        if problems:
            with st.expander("How to fix the weights"):
                for name, message in problems.items():
                    st.caption(f"`{name}`: {message}")
