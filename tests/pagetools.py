"""Helpers the tests share: what skips locally but fails under CI=true, Debian Chromium,
untrained weights stored and exported like real ones, and one AppTest page run.

Recording and exporting a model costs a second or more (vae_conv ~8 s), so each model is made
once per test session (`UntrainedWeights`, the `untrained` fixture) and copied into the folders
the tests point the weights store at.
"""

from __future__ import annotations

import importlib
import os
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aecore.runtime import store
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# From /work/shared/reference/browser.md (verified with Debian chromium).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGE_FILES = {Path(p.path).stem: ROOT / p.path for p in PAGES}


def in_ci() -> bool:
    """CI=true (or 1/yes): what would skip locally must fail instead."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Skip locally; under CI=true fail instead (nothing CI can run may skip)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so this is an error rather than a skip)", pytrace=False)
    pytest.skip(reason)


def require_chromium(api: str = "sync_api") -> None:
    """Debian Chromium and playwright.<api>, else `unavailable` (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        unavailable(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    try:
        importlib.import_module(f"playwright.{api}")
    except ImportError:
        unavailable("playwright is not installed in this environment (pip install playwright)")


def require_shipped(name: str, manifest: dict) -> dict:
    """The shipped manifest entry of `name`; a model not shipped yet skips, but fails in CI."""
    if name not in manifest:
        unavailable(f"'{name}' has no shipped weights (no entry in weights/manifest.json)")
    return manifest[name]


class UntrainedWeights:
    """Random-weight models, recorded and exported once each into `root/<name>/`."""

    def __init__(self, root: Path):
        self.root = root

    def model_folder(self, name: str) -> Path:
        """A weights folder holding only `name`, recorded and exported on first use."""
        folder = self.root / name
        if not (folder / store.MANIFEST_NAME).is_file():
            from aecore.training.export import export_model
            from aecore.training.weights import build_ready, record_model

            record_model(name, build_ready(name).autoencoder, {"metrics": {}}, folder)
            export_model(name, folder)
        return folder

    def copy_into(self, folder: Path, names) -> Path:
        """Copy the models' files into `folder` and merge their manifest entries."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            source = self.model_folder(name)
            shutil.copytree(source, folder, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(store.MANIFEST_NAME, ".manifest.lock"))
            entry = store.read_manifest(source)["models"][name]
            store.update_entry(name, lambda _old, entry=entry: entry, folder)
        return folder


def run_page(page: str, monkeypatch, folder: Path, timeout: int, **state) -> AppTest:
    """Run views/<page>.py once against the weights in `folder`, with session state set."""
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", folder)
    at = AppTest.from_file(str(PAGE_FILES[page]), default_timeout=timeout)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


@dataclass(frozen=True)
class Figure:
    """One picture shown through ui.gallery (st.html) or st.image: alt, caption, source."""

    alt: str
    caption: str | None
    src: str


class _GalleryParser(HTMLParser):
    """Figures and row labels of a ui.gallery block (plain HTML, no nesting surprises)."""

    def __init__(self):
        super().__init__()
        self.figures: list[Figure] = []
        self.labels: list[str] = []
        self._img: dict | None = None
        self._text: list[str] | None = None   # collecting a caption or a label

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "br" and self._text is not None:
            self._text.append("\n")
        elif tag == "img":
            self._img = {"alt": attrs.get("alt", ""), "src": attrs.get("src", "")}
        elif tag == "figcaption" or "ae-label" in (attrs.get("class") or "").split():
            self._text = []

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self._img["caption"] = "".join(self._text)
            self._text = None
        elif tag == "div" and self._text is not None:
            self.labels.append("".join(self._text))
            self._text = None
        elif tag == "figure" and self._img is not None:
            self.figures.append(Figure(self._img["alt"], self._img.get("caption"),
                                       self._img["src"]))
            self._img = None


def _galleries(at) -> list[_GalleryParser]:
    parsers = []
    for body in html_blocks(at):
        if 'class="ae-gallery"' in body:
            parser = _GalleryParser()
            parser.feed(body)
            parsers.append(parser)
    return parsers


def flipbooks(at) -> list[dict]:
    """The data of every flipbook (ui/components/flipbook.py) on the page, in page order."""
    import json

    return [json.loads(el.proto.json)[0] for el in at.get("bidi_component")
            if el.proto.component_name.endswith("flipbook")]


def html_blocks(at) -> list[str]:
    """The HTML of every st.html block, then the frame each flipbook shows."""
    return ([block.proto.body for block in at.get("html")]
            + [book["frames"][book["index"]] for book in flipbooks(at)])


def figures(at) -> list[Figure]:
    """Every picture on the page: the galleries' figures in page order, then any st.image."""
    found = [f for parser in _galleries(at) for f in parser.figures]
    for image in at.image:
        found += [Figure("", c, u) for c, u in zip(image.captions, image.value, strict=False)]
    return found


def captions(at) -> list[str]:
    """The captions of every picture that has one, in page order."""
    return [f.caption for f in figures(at) if f.caption]


def gallery_labels(at) -> list[str]:
    """The row labels of every gallery grid (bold and line breaks gone), in page order."""
    return [label for parser in _galleries(at) for label in parser.labels]


class _TableParser(HTMLParser):
    """Header and rows of a ui.datatable table; numeric cells read from their data-value."""

    def __init__(self):
        super().__init__()
        self.columns: list[str] = []
        self.rows: list[list] = []
        self._cell: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and self._cell is None and self.columns:
            self.rows.append([])
        if tag in ("th", "td"):
            self._cell = {"tag": tag, "text": [], "value": attrs.get("data-value"),
                          "num": "num" in (attrs.get("class") or "").split()}

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"].append(data)

    def handle_endtag(self, tag):
        if tag not in ("th", "td") or self._cell is None:
            return
        cell, self._cell = self._cell, None
        text = "".join(cell["text"])
        if tag == "th":
            self.columns.append(text)
        elif cell["num"]:
            self.rows[-1].append(float(cell["value"]))
        else:
            self.rows[-1].append(cell["value"] if cell["value"] is not None else None)


def tables(at) -> list:
    """Every ui.datatable table on the page as a pandas DataFrame, in page order."""
    import pandas as pd

    found = []
    for block in at.get("html"):
        if 'class="ae-table"' in block.proto.body:
            parser = _TableParser()
            parser.feed(block.proto.body)
            found.append(pd.DataFrame(parser.rows, columns=parser.columns))
    return found
