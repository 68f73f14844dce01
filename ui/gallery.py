"""Crisp image rows and grids (PNG, nearest-neighbour upscaling) with text alternatives.

A row or grid is one `st.html` block: a CSS grid of figures whose PNGs are inlined as data
URIs. A slider step that replaces 18 images then sends one element and the browser makes no
image requests (with one `st.image` each it fetched 18 files and laid out 18 elements).

Every image gets an alt text: pass `alts=` (see `alt_text` for the wording: which test image,
its class, which model made it and its error); without them a default is built from the
captions and row labels, never left empty.
"""

from __future__ import annotations

import base64
import html
import math
import re
from collections.abc import Sequence

import numpy as np
import streamlit as st

from aecore.data.uploads import tile_images, to_png_bytes

_TEST_CAPTION = re.compile(r"^(sample )?#(\d+) (.+)$")  # the chooser's "#752 Sneaker"

GAP_REM = 0.75           # between pictures
CAPTION_ROOM = 4.5       # a column with a caption is at least this wide: "Pullover" on one line
# Labelled grids: the room the longest words need (Chromium, Source Sans at 1 rem = 16 px):
LABEL_ROOM = 7.5         # a bold row label's ("(convolutional,", 115 px)
CELL_ROOM = 3.4          # a caption's under a picture ("shirt/top", 52 px)
STRIP_ROOM = 2.5         # a picture in a strip beside its label (no caption)

# Page-wide (ui/stylesheet.py adds it once per run). Captions keep the text colour:
# theme-proof contrast.
RULES = f"""
.ae-gallery {{ display: grid; gap: {GAP_REM}rem; align-items: start; margin-bottom: 0.5rem; }}
.ae-gallery figure {{ margin: 0; min-width: 0; }}
.ae-gallery img {{ display: block; width: 100%; height: auto; image-rendering: pixelated; }}
.ae-gallery figcaption {{ font-size: 0.875rem; text-align: center; overflow-wrap: anywhere;
                         padding-top: 0.25rem; line-height: 1.3; }}
.ae-gallery .ae-label {{ grid-column: 1; align-self: center; overflow-wrap: anywhere; }}
.ae-gallery .ae-note {{ align-self: center; font-size: 0.875rem; }}
.ae-gallery-box {{ container-type: inline-size; }}   /* labelled grids: see narrow_box */
"""
CSS = f"<style>{RULES}</style>"


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


def show_images(images, captions: Sequence[str] | None = None, columns: int | None = None,
                alts: Sequence[str] | None = None) -> None:
    """One row of images (wrapping after `columns`) with optional captions and text alternatives."""
    images = list(images)
    if not images:
        return
    figures = []
    for i, img in enumerate(images):
        caption = _nth(captions, i)
        alt = _nth(alts, i) or plain(caption or "") or f"Image {i + 1} of {len(images)}"
        figures.append(_figure(img, alt, caption))
    _show_grid(figures, row_columns(columns or len(images), CAPTION_ROOM if captions else 0))


def row_columns(count: int, narrowest: float) -> str:
    """CSS grid columns for a row of `count` images: `count` equal columns, or, where the row
    is too narrow for columns of `narrowest` rem (a caption's longest word), as many as fit, the
    rest wrapping to the next line (two side-by-side Latent explorer planes on a laptop)."""
    share = f"(100% - {count - 1} * {GAP_REM}rem) / {count} - 1px"   # 1px: never drops one
    return f"repeat(auto-fill, minmax(max({narrowest}rem, calc({share})), 1fr))"


def _grid_alt(label: str, column: str | None, caption: str | None, i: int) -> str:
    """Default alt of a grid cell: row label, what the column shows, the cell's caption."""
    parts = [plain(label) or "Image", plain(column) if column else f"image {i + 1}"]
    return ": ".join(parts) + (f", {plain(caption)}" if caption and caption != column else "")


def image_grid(rows: Sequence[tuple[str, Sequence, Sequence[str] | None]],
               label_width: float = 1.4, min_columns: int = 8,
               alts: Sequence[Sequence[str]] | None = None) -> None:
    """Show `image_grid_html` (same arguments) on the page."""
    markup = image_grid_html(rows, label_width, min_columns, alts)
    if markup:
        st.html(markup)


def image_grid_html(rows: Sequence[tuple[str, Sequence, Sequence[str] | None]],
                    label_width: float = 1.4, min_columns: int = 8,
                    alts: Sequence[Sequence[str]] | None = None) -> str:
    """Labelled rows of images: rows = [(label, images, captions), ...], all the same length.

    Rows shorter than `min_columns` keep that column width, so a few images don't spread out.
    alts: one list per row; by default row label + the caption of that column in the nearest
    captioned row (this one or above) + the cell's caption.
    """
    width = max((len(list(images)) for _, images, _ in rows), default=0)
    if width == 0:
        return ""
    cells, above = [], None  # above: captions of the nearest captioned row (what a column shows)
    for r, (label, images, captions) in enumerate(rows):
        cells.append(f'<div class="ae-label">{markdown_html(label)}</div>')
        above = captions or above
        for i, img in enumerate(images):
            caption = _nth(captions, i)
            alt = (_nth(alts[r], i) if alts and r < len(alts) else None) or _grid_alt(
                label, _nth(above, i), caption, i)
            cells.append(_figure(img, alt, caption))
    columns = max(width, min_columns)
    tracks = f"{label_track(label_width)} repeat({columns}, minmax(0, 1fr))"
    return labelled(grid_html(cells, tracks), columns)


def markdown_html(text: str) -> str:
    """The little markdown a row label uses (**bold**, `code`, line breaks) as safe HTML."""
    out = html.escape(text, quote=False)
    out = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", out)
    out = re.sub(r"`(.+?)`", r"<code>\1</code>", out)
    return re.sub(r" *\n", "<br>", out)


def _figure(img, alt: str, caption: str | None, max_width: int | None = None) -> str:
    """One image with its text alternative and caption: the 28×28 PNG inlined as a data URI,
    scaled up by the browser (`image-rendering: pixelated` keeps the pixels square)."""
    data = base64.b64encode(to_png_bytes(img, 1)).decode("ascii")  # 0.1 ms: no cache
    cap = f"<figcaption>{html.escape(caption, quote=False)}</figcaption>" if caption else ""
    limit = f' style="max-width: {max_width}px"' if max_width else ""
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}"{limit}>'
            f"{cap}</figure>")


def label_track(share: float) -> str:
    """The label column: `share` of the width, never narrower than a label's longest word."""
    return f"minmax({LABEL_ROOM}rem, {share}fr)"


def labelled(grid: str, columns: int) -> str:
    """A grid of row labels and `columns` picture columns in a box that watches its own width
    (a phone, a narrow window, a column of the page). Where the box is too narrow for the label
    and every column to hold their longest words, each label goes above its row; where it is
    too narrow even for the columns alone, a row takes two lines."""
    above = LABEL_ROOM + columns * (CELL_ROOM + GAP_REM)
    two_lines = columns * CELL_ROOM + (columns - 1) * GAP_REM
    return narrow_box(grid, f"ae-cols-{columns}", [
        (above, f"repeat({columns}, minmax(0, 1fr))"),
        (two_lines, f"repeat({math.ceil(columns / 2)}, minmax(0, 1fr))")])


def labelled_strips(grid: str, pictures: int) -> str:
    """Labelled strips of `pictures` pictures each: the label goes above its strip where the
    box leaves less than STRIP_ROOM per picture beside the label."""
    return narrow_box(grid, f"ae-strips-{pictures}",
                      [(LABEL_ROOM + pictures * STRIP_ROOM, "minmax(0, 1fr)")])


def narrow_box(grid: str, name: str, steps: list[tuple[float, str]]) -> str:
    """`grid` in a box named `name` with container rules: below each width (rem, widest first)
    the grid takes those columns and its labels go above their rows."""
    box = f".ae-gallery-box.{name}"   # more specific than RULES' .ae-gallery .ae-label
    rules = "".join(
        f"@container (max-width: {width:.2f}rem) {{ {box} > .ae-gallery {{ "
        f"grid-template-columns: {tracks} !important; }} "
        f"{box} .ae-label {{ grid-column: 1 / -1; }} }}"
        for width, tracks in steps)
    return f'<div class="ae-gallery-box {name}">{grid}<style>{rules}</style></div>'


def grid_html(cells: list[str], columns: str) -> str:
    """A CSS grid of labels and figures (styled by `RULES`)."""
    return (f'<div class="ae-gallery" style="grid-template-columns: {columns}">'
            + "".join(cells) + "</div>")


def _show_grid(cells: list[str], columns: str) -> None:
    """One st.html block: a CSS grid of labels and figures (one element, no image requests)."""
    st.html(grid_html(cells, columns))


def strip_rows(rows: Sequence[tuple[str, np.ndarray | None, str]],
               widths: tuple[float, float] = (1.0, 3.0), zoom: int = 3) -> None:
    """Labelled rows of one picture each: rows = [(label, images or None, alt or note), ...].

    A row's images are shown side by side as one strip, at most `zoom` times their size; a row
    without images shows its note (markdown: bold, code) instead.
    """
    cells = []
    for label, images, text in rows:
        cells.append(f'<div class="ae-label">{markdown_html(label)}</div>')
        if images is None:
            cells.append(f'<div class="ae-note">{markdown_html(text)}</div>')
            continue
        tiles = strip(images)
        cells.append(_figure(tiles, text or plain(label), None, max_width=tiles.shape[1] * zoom))
    pictures = max((len(images) for _, images, _ in rows if images is not None), default=1)
    st.html(labelled_strips(grid_html(cells, f"{label_track(widths[0])} {widths[1]}fr"), pictures))


def picture(image, alt: str, caption: str | None = None, width: int | None = None) -> None:
    """One picture (an image or a strip made with `strip`) with its alt text and caption,
    as wide as the column or at most `width` pixels."""
    _show_grid([_figure(image, alt, caption)], f"minmax(0, {f'{width}px' if width else '1fr'})")


def strip(images) -> np.ndarray:
    """Images side by side in one array, one white pixel between them."""
    return tile_images(np.asarray(images), cols=len(images), pad=1, pad_value=1.0)


def strip_png(images, scale: int = 3) -> bytes:
    """Images side by side in one crisp PNG (fast for long rows without captions)."""
    return png(strip(images), scale)
