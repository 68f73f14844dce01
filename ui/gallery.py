"""Crisp image rows and grids (PNG, nearest-neighbour upscaling) with text alternatives."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import streamlit as st

from aecore.data.uploads import tile_images, to_png_bytes


def png(img, scale: int = 4) -> bytes:
    """Crisp PNG bytes of a grey (28, 28) or colour (28, 28, 3) image in [0, 1]."""
    return to_png_bytes(img, scale)


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
        cols[i % len(cols)].image(png(img, scale), caption=caption, output_format="PNG",
                                 width="stretch", alt=_nth(alts, i) or caption or "image")


def image_grid(rows: Sequence[tuple[str, Sequence, Sequence[str] | None]], scale: int = 3,
               label_width: float = 1.4, min_columns: int = 8,
               alts: Sequence[Sequence[str]] | None = None) -> None:
    """Labelled rows of images: rows = [(label, images, captions), ...], all the same length.

    Rows shorter than `min_columns` keep that column width, so a few images don't spread out.
    """
    width = max((len(list(images)) for _, images, _ in rows), default=0)
    if width == 0:
        return
    for r, (label, images, captions) in enumerate(rows):
        label_col, *cells = st.columns([label_width] + [1] * max(width, min_columns))
        label_col.markdown(label)
        for i, img in enumerate(images):
            caption = _nth(captions, i)
            alt = _nth(alts[r], i) if alts else None
            cells[i].image(png(img, scale), caption=caption, output_format="PNG",
                           width="stretch", alt=alt or f"{label}, image {i + 1}")


def strip_png(images, scale: int = 3) -> bytes:
    """Images side by side in one crisp PNG (fast for long rows without captions)."""
    return png(tile_images(np.asarray(images), cols=len(images), pad=1, pad_value=1.0), scale)
