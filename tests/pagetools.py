"""Helpers for page tests: untrained weights stored and exported like real ones, one page run.

Recording and exporting a model costs a second or more (vae_conv ~8 s), so each model is made
once per test session (`UntrainedWeights`, the `untrained` fixture) and copied into the folders
the tests point the weights store at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from aecore.runtime import store
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = {Path(p.path).stem: ROOT / p.path for p in PAGES}


def in_ci() -> bool:
    """CI=true (or 1/yes): what would skip locally must fail instead."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require_shipped(name: str, manifest: dict) -> dict:
    """The shipped manifest entry of `name`; a model not shipped yet skips, but fails in CI."""
    if name not in manifest:
        message = f"'{name}' has no shipped weights (no entry in weights/manifest.json)"
        if in_ci():
            pytest.fail(f"{message}; CI=true requires every registry model to be shipped")
        pytest.skip(message)
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
