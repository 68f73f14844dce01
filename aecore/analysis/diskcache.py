"""Results kept on disk, keyed by what they were made from: shipped in weights/, else cached
under weights/.cache/ (git-ignored).

A key is a hash of everything the result depends on: weights checksums from the manifest, a
fingerprint of the images, the method and its settings. A changed input gives a new key, so a
stale file is never read; files are written atomically, so a half-written one never is either.
A cache file is named by its key. A shipped file (written by `python -m aecore.export`, read
before the cache so a fresh clone computes nothing) has a fixed name and holds its key: it is
used only while the key matches, and a damaged or stale one is ignored.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aecore.data.fashion_mnist import FILES, find_dataset_dir, not_found_message, read_dataset_dir
from aecore.errors import DatasetNotFound
from aecore.files import atomic_write_bytes, atomic_write_json, sha256_of
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


def shipped_dir(kind: str, weights_dir=None) -> Path:
    """Where the export command ships results that depend on the weights in `weights_dir`."""
    return resolve_dir(weights_dir) / kind


def shipped_data_dir(kind: str) -> Path:
    """Where it ships results that depend on the images only: the project's weights/."""
    return WEIGHTS_DIR / kind


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
    """Names the installed training images by their file's content (sha256 of the compressed
    file, ~40 ms) without decoding them, so the same images give the same key on every machine
    (raises DatasetNotFound)."""
    return make_key("train-images", sha256_of(_dataset_dir() / FILES["x_train"]))


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


# --- shipped results: fixed names, each holding the key it was made under ---------------------

SHIPPED_KEY = "__key__"   # the key's entry in a shipped .npz


def read_shipped_json(path: Path, key: str) -> dict | None:
    """The result in a shipped JSON file if it was made under `key`, else None."""
    try:
        stored = json.loads(path.read_text())
        if stored["key"] == key and isinstance(stored["result"], dict):
            return stored["result"]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def read_shipped_arrays(path: Path, key: str) -> dict[str, np.ndarray] | None:
    """The arrays in a shipped .npz file if it was made under `key`, else None."""
    try:
        with np.load(path) as stored:
            if str(stored[SHIPPED_KEY]) != key:
                return None
            return {name: stored[name] for name in stored.files if name != SHIPPED_KEY}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error):
        return None


def write_shipped_arrays(path: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays, **{SHIPPED_KEY: np.array(key)})
    atomic_write_bytes(path, buffer.getvalue())


def _shipped_or_cached(found, from_cache: Callable, compute: Callable, write: Callable,
                       ship: bool):
    """`found` (a current shipped result) if any; else the cache's, or with `ship` a fresh
    result written to the shipped file."""
    if found is not None:
        return found
    if not ship:
        return from_cache()
    result = compute()
    write(result)
    return result


def stored_json(key: str, shipped: Path, cached: Path, compute: Callable[[], dict],
                ship: bool = False) -> dict:
    """A JSON result: from the shipped file when it was made under `key`, else from the cache
    (or computed and cached there). `ship` (the export command): computed and written to the
    shipped file instead, unless that one is already current."""
    return _shipped_or_cached(
        read_shipped_json(shipped, key), lambda: cached_json(cached, compute), compute,
        lambda result: atomic_write_json(shipped, {"key": key, "result": result}), ship)


def stored_arrays(key: str, shipped: Path, cached: Path,
                  compute: Callable[[], dict[str, np.ndarray]], ship: bool = False
                  ) -> dict[str, np.ndarray]:
    """`stored_json` for named arrays (.npz)."""
    return _shipped_or_cached(
        read_shipped_arrays(shipped, key), lambda: cached_arrays(cached, compute), compute,
        lambda arrays: write_shipped_arrays(shipped, key, arrays), ship)
