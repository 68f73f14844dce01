"""Crisp image rows and grids (PNG, nearest-neighbour upscaling) with text alternatives.

Every image gets an alt text: pass `alts=` (see `alt_text` for the wording: which test image,
its class, which model made it and its error); without them a default is built from the
captions and row labels, never left empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import streamlit as st

from aecore.data.uploads import tile_images, to_png_bytes

_TEST_CAPTION = re.compile(r"^(sample )?#(\d+) (.+)$")  # the chooser's "#752 Sneaker"


def png(img, scale: int = 4) -> bytes:
    """Crisp PNG bytes of a grey (28, 28) or colour (28, 28, 3) image in [0, 1].

    Cached by content: an unchanged image (the clean row while a slider moves) costs no
    encoding, and Streamlit then serves it under the same address, so the browser keeps it.
    """
    return _png(np.ascontiguousarray(img, dtype=np.float32), scale)


@st.cache_data(show_spinner=False, max_entries=4096)
def _png(img: np.ndarray, scale: int) -> bytes:
    return to_png_bytes(img, scale)


def plain(markdown: str) -> str:
    """A label without bold, code marks or line breaks ('**A**  \\nB' -> 'A, B')."""
    text = re.sub(r"\*\*|`", "", markdown)
    return re.sub(r"\s*\n\s*", ", ", text.replace("  \n", "\n")).strip(" ,")


def subject(caption: str) -> str:
    """What an image is, from its caption: 'test image #752 (Sneaker)' or 'your picture x.png'."""
    found = _TEST_CAPTION.match(caption.strip())
    if found is None:
        return f"your picture {caption}"
    kind = "sample image" if found[1] else "test image"
    return f"{kind} #{found[2]} ({found[3]})"


def alt_text(caption: str, model: str | None = None, what: str = "reconstruction",
             score: str | None = None) -> str:
    """Alt text of one image, e.g. "Basic autoencoder's reconstruction of test image #752
    (Sneaker), BCE 0.209"; without a model: "Test image #752 (Sneaker)"."""
    text = subject(caption)
    text = f"{model}'s {what} of {text}" if model else text[:1].upper() + text[1:]
    return f"{text}, {score}" if score else text


def _nth(items: Sequence[str] | None, i: int) -> str | None:
    return items[i] if items is not None and i < len(items) else None


def show_images(images, captions: Sequence[str] | None = None, scale: int = 3,
                columns: int | None = None, alts: Sequence[str] | None = None) -> None:
    """One row of images with optional captions and text alternatives."""
    images = list(images)
    if not images:
        return
    cols = st.columns(columns or len(images))
    for i, img in enumerate(images):
        caption = _nth(captions, i)
        alt = _nth(alts, i) or plain(caption or "") or f"Image {i + 1} of {len(images)}"
        cols[i % len(cols)].image(png(img, scale), caption=caption, output_format="PNG",
                                  width="stretch", alt=alt)


def _grid_alt(label: str, column: str | None, caption: str | None, i: int) -> str:
    """Default alt of a grid cell: row label, what the column shows, the cell's caption."""
    parts = [plain(label) or "Image", plain(column) if column else f"image {i + 1}"]
    return ": ".join(parts) + (f", {plain(caption)}" if caption and caption != column else "")


def image_grid(rows: Sequence[tuple[str, Sequence, Sequence[str] | None]], scale: int = 3,
               label_width: float = 1.4, min_columns: int = 8,
               alts: Sequence[Sequence[str]] | None = None) -> None:
    """Labelled rows of images: rows = [(label, images, captions), ...], all the same length.

    Rows shorter than `min_columns` keep that column width, so a few images don't spread out.
    alts: one list per row; by default row label + the caption of that column in the nearest
    captioned row (this one or above) + the cell's caption.
    """
    width = max((len(list(images)) for _, images, _ in rows), default=0)
    if width == 0:
        return
    above = None  # captions of the nearest row so far that has them (what a column shows)
    for r, (label, images, captions) in enumerate(rows):
        label_col, *cells = st.columns([label_width] + [1] * max(width, min_columns))
        label_col.markdown(label)
        above = captions or above
        for i, img in enumerate(images):
            caption = _nth(captions, i)
            alt = (_nth(alts[r], i) if alts and r < len(alts) else None) or _grid_alt(
                label, _nth(above, i), caption, i)
            cells[i].image(png(img, scale), caption=caption, output_format="PNG",
                           width="stretch", alt=alt)


def strip_png(images, scale: int = 3) -> bytes:
    """Images side by side in one crisp PNG (fast for long rows without captions)."""
    return png(tile_images(np.asarray(images), cols=len(images), pad=1, pad_value=1.0), scale)
