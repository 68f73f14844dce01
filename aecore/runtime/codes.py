"""Codes of the whole test set per model, computed once and kept beside the weights.

Encoding 10,000 images takes seconds for the convolutional models on a laptop CPU, so pages
read the codes from `weights/codes/` (shipped for the 2-D VAEs) or from a cache the first run
writes to `weights/.cache/codes/`. A stored file is used only if it was made from the same
weights file (sha256) and the same images (full test set or sample).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import numpy as np

from aecore.data import DataSplit
from aecore.files import atomic_write_bytes
from aecore.runtime.api import TrainedModel
from aecore.runtime.store import model_dir


def code_files(name: str, source: str, weights_dir=None) -> tuple[Path, Path]:
    """(shipped file, runtime cache file) for one model and one image set."""
    folder = model_dir(name, weights_dir)
    filename = f"{name}-{source}.npz"
    return folder / "codes" / filename, folder / ".cache" / "codes" / filename


def read_codes(path: Path, weights_sha256: str, count: int) -> np.ndarray | None:
    """The stored codes if they belong to these weights and this many images, else None."""
    try:
        with np.load(path) as stored:
            if str(stored["weights_sha256"]) == weights_sha256 and len(stored["codes"]) == count:
                return stored["codes"]
    except (OSError, KeyError, ValueError):
        return None
    return None


def write_codes(path: Path, codes: np.ndarray, weights_sha256: str) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, codes=codes.astype(np.float32), weights_sha256=weights_sha256)
    atomic_write_bytes(path, buffer.getvalue())


def stored_or_made(paths: tuple[Path, Path], sha: str, read, make, write):
    """Something made from a model's weights (sha256 `sha`): read from the shipped or the
    cached path, else made now and written to the cached one. Without a sha nothing is read
    or written; a read-only install works, just without a cache."""
    shipped, cached = paths
    for path in (shipped, cached):
        found = read(path) if sha else None
        if found is not None:
            return found
    made = make()
    if sha:
        with contextlib.suppress(OSError):
            write(cached, made)
    return made


def test_set_codes(model: TrainedModel, split: DataSplit, weights_dir=None) -> np.ndarray:
    """Flat codes (n, latent_dim) of `split` (z_mean for VAEs), from storage when possible."""
    sha = model.entry.get("sha256", "")
    return stored_or_made(code_files(model.name, split.source, weights_dir), sha,
                          lambda path: read_codes(path, sha, len(split.x)),
                          lambda: model.encode(split.x),
                          lambda path, codes: write_codes(path, codes, sha))


def ship_codes(model: TrainedModel, split: DataSplit, weights_dir=None) -> Path:
    """Write the codes into the shipped folder (used for the 2-D models)."""
    shipped, _ = code_files(model.name, split.source, weights_dir)
    write_codes(shipped, model.encode(split.x), model.entry["sha256"])
    return shipped
