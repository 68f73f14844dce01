"""Helpers for AppTest page tests: untrained weights recorded like real ones, one page run."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from aecore.runtime import store

PAGES = Path(__file__).resolve().parent.parent / "pages"


def record_untrained(folder: Path, names) -> Path:
    """Random-weight models stored (with manifest) in `folder`: fast, and enough for layout."""
    for name in names:
        store.record_model(name, store.build_ready(name).autoencoder, {"metrics": {}}, folder)
    return folder


def run_page(page: str, monkeypatch, folder: Path, timeout: int, **state) -> AppTest:
    """Run pages/<page>.py once against the weights in `folder`, with session state set."""
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", folder)
    at = AppTest.from_file(str(PAGES / f"{page}.py"), default_timeout=timeout)
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()
