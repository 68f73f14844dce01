"""The weights store: atomic writes, a manifest with checksums, and verified loading."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np

from aecore.data import PACKAGE_ROOT

try:
    import fcntl
except ImportError:  # Windows: trainings there run one at a time
    fcntl = None
from aecore.errors import WeightsError
from aecore.models import Built
from aecore.specs import get_spec, list_models

DEFAULT_WEIGHTS_DIR = PACKAGE_ROOT / "weights"
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1


def resolve_dir(weights_dir: str | Path | None) -> Path:
    return Path(weights_dir) if weights_dir is not None else DEFAULT_WEIGHTS_DIR


def weights_file(name: str, weights_dir: str | Path | None = None) -> Path:
    return resolve_dir(weights_dir) / f"{name}.weights.h5"


def history_file(name: str, weights_dir: str | Path | None = None) -> Path:
    return resolve_dir(weights_dir) / "history" / f"{name}.json"


def retrain_hint(name: str) -> str:
    return f"Retrain it with: python -m aecore.train --model {name}"


# --- atomic writes -------------------------------------------------------------------------

def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def save_weights_atomically(model: keras.Model, path: Path) -> None:
    """`model.save_weights` into a temporary `.weights.h5` file, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{os.getpid()}-{path.name}")
    try:
        model.save_weights(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# --- fingerprints and checksums -------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fingerprint(name: str, model: keras.Model) -> str:
    """Hash of the variant's name and the ordered shapes of its weights."""
    shapes = [[list(w.shape), str(w.dtype)] for w in model.weights]
    payload = json.dumps({"model": name, "weights": shapes}, sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


# --- building, saving, loading --------------------------------------------------------------

def build_ready(name: str) -> Built:
    """A fresh, uncompiled build whose variables all exist (subclassed VAEs need one call)."""
    built = get_spec(name).build()
    if not built.autoencoder.built or built.autoencoder.weights == []:
        built.autoencoder(np.zeros((1, 28, 28), dtype="float32"))
    return built


def strip_optimizer(name: str, trained: keras.Model) -> Built:
    """Copy trained weights into a fresh uncompiled build, so the file has no optimizer state."""
    clean = build_ready(name)
    clean.autoencoder.set_weights(trained.get_weights())
    return clean


def read_manifest(weights_dir: str | Path | None = None) -> dict:
    path = resolve_dir(weights_dir) / MANIFEST_NAME
    if not path.is_file():
        return {"version": MANIFEST_VERSION, "models": {}}
    try:
        manifest = json.loads(path.read_text())
        if not isinstance(manifest.get("models"), dict):
            raise ValueError("no 'models' table")
    except (ValueError, AttributeError) as exc:
        raise WeightsError(
            f"{path} is damaged ({exc}). Restore it with 'git checkout weights/' or retrain: "
            "python -m aecore.train --model all"
        ) from exc
    return manifest


def record_model(name: str, trained: keras.Model, entry: dict,
                 weights_dir: str | Path | None = None) -> dict:
    """Save stripped weights atomically and add their manifest entry (checksum, fingerprint)."""
    folder = resolve_dir(weights_dir)
    clean = strip_optimizer(name, trained)
    path = weights_file(name, folder)
    save_weights_atomically(clean.autoencoder, path)
    full_entry = {
        **entry,
        "file": path.name,
        "sha256": sha256_of(path),
        "fingerprint": fingerprint(name, clean.autoencoder),
        "bytes": path.stat().st_size,
    }
    with manifest_lock(folder):
        manifest = read_manifest(folder)
        manifest["models"][name] = full_entry
        atomic_write_json(folder / MANIFEST_NAME, manifest)
    return full_entry


@contextlib.contextmanager
def manifest_lock(folder: Path):
    """Serialise manifest updates from trainings running side by side."""
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:
        yield
        return
    with open(folder / ".manifest.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def verified_entry(name: str, weights_dir: str | Path | None = None) -> dict:
    """The manifest entry of `name` after checking the file exists and its checksum matches."""
    folder = resolve_dir(weights_dir)
    entry = read_manifest(folder)["models"].get(name)
    path = weights_file(name, folder)
    if entry is None or not path.is_file():
        what = "has no entry in the manifest" if entry is None else f"file {path} is missing"
        raise WeightsError(f"No trained weights for '{name}': it {what}. {retrain_hint(name)}")
    if sha256_of(path) != entry.get("sha256"):
        raise WeightsError(
            f"{path} is damaged or was changed: its checksum does not match the manifest. "
            f"Restore it with 'git checkout {path.name}' or {retrain_hint(name).lower()}"
        )
    return entry


def load_built(name: str, weights_dir: str | Path | None = None) -> tuple[Built, dict]:
    """A fresh build with verified trained weights loaded, and its manifest entry."""
    entry = verified_entry(name, weights_dir)
    built = build_ready(name)
    if fingerprint(name, built.autoencoder) != entry.get("fingerprint"):
        raise WeightsError(
            f"The weights for '{name}' were trained for a different architecture than the current "
            f"code builds (fingerprint mismatch). {retrain_hint(name)}"
        )
    path = weights_file(name, weights_dir)
    try:
        built.autoencoder.load_weights(path)
    except Exception as exc:  # h5py/keras raise many types for a bad file
        raise WeightsError(f"{path} could not be read ({exc}). {retrain_hint(name)}") from exc
    return built, entry


def weights_status(weights_dir: str | Path | None = None) -> dict[str, str]:
    """'ok' or a one-line problem for every variant, without building any model."""
    status = {}
    for name in list_models():
        try:
            verified_entry(name, weights_dir)
            status[name] = "ok"
        except WeightsError as exc:
            status[name] = str(exc)
    return status


def read_history(name: str, weights_dir: str | Path | None = None) -> dict | None:
    path = history_file(name, weights_dir)
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def add_metrics(name: str, metrics: dict, weights_dir: str | Path | None = None) -> None:
    """Merge extra metrics into a model's manifest entry (weights and checksums untouched)."""
    folder = resolve_dir(weights_dir)
    with manifest_lock(folder):
        manifest = read_manifest(folder)
        manifest["models"][name].setdefault("metrics", {}).update(metrics)
        atomic_write_json(folder / MANIFEST_NAME, manifest)
