"""The weights store: the manifest, checksums and verified paths (no Keras here).

Each model has a Keras `.weights.h5` file (for training and resuming) and serving files made
from it by `python -m aecore.export`: ONNX encoder and decoder (`onnx/`) and, for 2-D models,
the decoder's arrays for the browser (`browser/`). The manifest records every file's sha256;
nothing is served whose checksum does not match.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from aecore.errors import WeightsError
from aecore.files import atomic_write_json, sha256_of, sha256_of_unchanged
from aecore.models.registry import get_spec, list_models
from aecore.paths import WEIGHTS_DIR

try:
    import fcntl
except ImportError:  # Windows: trainings there run one at a time
    fcntl = None

DEFAULT_WEIGHTS_DIR = WEIGHTS_DIR
MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 2
SERVING_PARTS = ("encoder", "decoder")   # ONNX files every model serves from
BROWSER_PART = "browser"                 # the browser decoder's arrays (2-D models)


def resolve_dir(weights_dir: str | Path | None) -> Path:
    return Path(weights_dir) if weights_dir is not None else DEFAULT_WEIGHTS_DIR


def model_dir(name: str, weights_dir: str | Path | None = None) -> Path:
    """`weights_dir` if given, else where the model's spec keeps it (a lab model's own folder)
    or the default weights folder."""
    if weights_dir is None:
        with contextlib.suppress(KeyError):
            weights_dir = get_spec(name).weights_dir
    return resolve_dir(weights_dir)


def weights_file(name: str, weights_dir: str | Path | None = None) -> Path:
    return model_dir(name, weights_dir) / f"{name}.weights.h5"


def serving_file(name: str, part: str, weights_dir: str | Path | None = None) -> Path:
    """Where a serving file lives: onnx/<name>.<part>.onnx or browser/<name>.npz."""
    folder = model_dir(name, weights_dir)
    if part == BROWSER_PART:
        return folder / "browser" / f"{name}.npz"
    return folder / "onnx" / f"{name}.{part}.onnx"


def history_file(name: str, weights_dir: str | Path | None = None) -> Path:
    return model_dir(name, weights_dir) / "history" / f"{name}.json"


def retrain_hint(name: str) -> str:
    return f"Retrain it with: python -m aecore.train --model {name}"


def export_hint(name: str) -> str:
    return (f"Restore it with 'git checkout weights/' or rebuild it from the .weights.h5 file: "
            f"python -m aecore.export --model {name}")


# --- the manifest ---------------------------------------------------------------------------

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


def update_entry(name: str, change, weights_dir: str | Path | None = None) -> dict:
    """Apply `change(entry) -> entry` to one model's manifest entry under the lock."""
    folder = resolve_dir(weights_dir)
    with manifest_lock(folder):
        manifest = read_manifest(folder)
        manifest["version"] = MANIFEST_VERSION
        manifest["models"][name] = entry = change(dict(manifest["models"].get(name) or {}))
        atomic_write_json(folder / MANIFEST_NAME, manifest)
    return entry


def add_metrics(name: str, metrics: dict, weights_dir: str | Path | None = None) -> None:
    """Merge extra metrics into a model's manifest entry (weights and checksums untouched)."""
    def merge(entry: dict) -> dict:
        entry.setdefault("metrics", {}).update(metrics)
        return entry
    update_entry(name, merge, weights_dir)


def file_record(path: Path, folder: Path) -> dict:
    """{"file": path relative to the weights folder, "sha256", "bytes"} of a written file."""
    return {"file": path.relative_to(folder).as_posix(), "sha256": sha256_of(path),
            "bytes": path.stat().st_size}


# --- verification ---------------------------------------------------------------------------

def _entry(name: str, folder: Path) -> dict:
    entry = read_manifest(folder)["models"].get(name)
    if entry is None:
        raise WeightsError(f"No trained weights for '{name}': it has no entry in the manifest. "
                           f"{retrain_hint(name)}")
    return entry


def verified_file(name: str, record: dict | None, folder: Path, what: str, hint: str) -> Path:
    """The file a manifest record points to, after checking it exists and its checksum."""
    if not record or "file" not in record:
        raise WeightsError(f"No {what} for '{name}' in the manifest. {hint}")
    path = folder / record["file"]
    if not path.is_file():
        raise WeightsError(f"No trained weights for '{name}': its {what} {path} is missing. "
                           f"{hint}")
    if sha256_of_unchanged(path) != record.get("sha256"):
        raise WeightsError(f"{path} is damaged or was changed: its checksum does not match the "
                           f"manifest. {hint}")
    return path


def verified_entry(name: str, weights_dir: str | Path | None = None) -> dict:
    """The manifest entry of `name` after checking its Keras weights file (for training)."""
    folder = model_dir(name, weights_dir)
    entry = _entry(name, folder)
    record = {"file": entry.get("file", weights_file(name, folder).name),
              "sha256": entry.get("sha256")}
    verified_file(name, record, folder, "weights file", retrain_hint(name))
    return entry


def serving_paths(name: str, weights_dir: str | Path | None = None) -> tuple[dict, dict]:
    """(manifest entry, {part: verified path}) of the files the app serves `name` from."""
    folder = model_dir(name, weights_dir)
    entry = _entry(name, folder)
    serving = entry.get("serving") or {}
    parts = [*SERVING_PARTS, *([BROWSER_PART] if get_spec(name).has_plane else [])]
    paths = {part: verified_file(name, serving.get(part), folder, f"{part} export",
                                 export_hint(name))
             for part in parts}
    return entry, paths


def weights_status(weights_dir: str | Path | None = None,
                   names: list[str] | None = None) -> dict[str, str]:
    """'ok' or a one-line problem per variant: can the app serve it? (reads no model)"""
    status = {}
    for name in names or list_models():
        try:
            serving_paths(name, weights_dir)
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
