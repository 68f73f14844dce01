"""Results kept on disk under weights/.cache/ (git-ignored), keyed by what they were made from.

A key is a hash of everything the result depends on: weights checksums from the manifest, a
fingerprint of the images, the method and its settings. A changed input gives a new key, so a
stale file is never read; files are written atomically, so a half-written one never is either.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aecore.data.fashion_mnist import FILES, find_dataset_dir, not_found_message, read_dataset_dir
from aecore.errors import DatasetNotFound
from aecore.files import atomic_write_bytes
from aecore.paths import WEIGHTS_DIR
from aecore.runtime.store import resolve_dir

FINGERPRINT_STRIDE = 101   # every 101st value: cheap, and still changes with the images


def cache_dir(kind: str, weights_dir=None) -> Path:
    """Where results that depend on the weights in `weights_dir` are kept."""
    return resolve_dir(weights_dir) / ".cache" / kind


def data_cache_dir(kind: str) -> Path:
    """Where results that depend on the images only (PCA, raw pixels) are kept: the project's
    own weights/.cache, whichever weights folder is being served."""
    return WEIGHTS_DIR / ".cache" / kind


def make_key(*parts) -> str:
    """A short hex digest of JSON-able parts."""
    payload = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(payload).hexdigest()[:24]


def fingerprint(array: np.ndarray) -> str:
    """Identifies an array of images or labels without hashing every byte."""
    arr = np.ascontiguousarray(array)
    digest = hashlib.sha256(f"{arr.shape}{arr.dtype}".encode())
    digest.update(arr.reshape(-1)[::FINGERPRINT_STRIDE].tobytes())
    return digest.hexdigest()[:24]


def _dataset_dir() -> Path:
    folder = find_dataset_dir()
    if folder is None:
        raise DatasetNotFound(not_found_message())
    return folder


def training_set_key() -> str:
    """Names the installed training images by their file's path, size and time, without
    reading them (raises DatasetNotFound)."""
    path = (_dataset_dir() / FILES["x_train"]).resolve()
    info = path.stat()
    return make_key(str(path), info.st_size, info.st_mtime_ns)


def read_training_set() -> tuple[np.ndarray, np.ndarray]:
    """(x_train, y_train), read for filling a cache and not kept afterwards: the app holds
    the 188 MB of training images only while it computes."""
    (x_train, y_train), _ = read_dataset_dir(_dataset_dir())
    return x_train, y_train


def serving_checksums(entry: dict) -> dict:
    """The sha256 of each serving file recorded in a manifest entry (what a model computes)."""
    serving = entry.get("serving") or {}
    return {part: record["sha256"] for part, record in serving.items()
            if isinstance(record, dict) and "sha256" in record}


def cached_arrays(path: Path, compute: Callable[[], dict[str, np.ndarray]]
                  ) -> dict[str, np.ndarray]:
    """Arrays stored at `path` (named by their key), or computed and stored there."""
    with contextlib.suppress(OSError, ValueError, KeyError), np.load(path) as stored:
        return {name: stored[name] for name in stored.files}
    arrays = compute()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with contextlib.suppress(OSError):  # a read-only install works, just without the cache
        atomic_write_bytes(path, buffer.getvalue())
    return arrays


def cached_json(path: Path, compute: Callable[[], dict]) -> dict:
    """A JSON result stored at `path` (named by its key), or computed and stored there."""
    with contextlib.suppress(OSError, ValueError):
        return json.loads(path.read_text())
    result = compute()
    with contextlib.suppress(OSError):
        atomic_write_bytes(path, json.dumps(result).encode())
    return result
