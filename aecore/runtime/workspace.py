"""A session's own models (the lab's): one temporary folder per app session, bounded and removed.

Each `Workspace` owns `<lab root>/session-XXXX/` with `models/<name>/` (a weights folder per model:
manifest, .weights.h5, ONNX, history) and `job/` (the running job's progress file, preview strip
and stop file). Its `specs` are what the registry shows this session (`registry.session_specs`).
The folder goes when the session ends (`release`), and `sweep` removes any folder whose session
has not been seen for `AE_LAB_TTL_SECONDS` (a server that crashed, a session left open).
No Keras here: the app process uses it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path

from aecore.analysis import downloads
from aecore.files import atomic_write_bytes, atomic_write_json
from aecore.models import lab
from aecore.models.registry import ModelSpec
from aecore.runtime import store
from aecore.training.jobs import TrainingJob

LAB_DIR_ENV = "AE_LAB_DIR"             # where session folders go (default: the temp folder)
TTL_ENV = "AE_LAB_TTL_SECONDS"
DEFAULT_TTL = 3 * 3600.0               # a session unseen this long loses its models
MAX_MODELS = 6                         # per session: bounded disk (a dense model is ~1-3 MB)
MAX_UPLOAD_BYTES = 64 * 1024 * 1024    # per file inside an uploaded zip
ALIVE = ".alive"                       # touched whenever the session is seen


def lab_root() -> Path:
    return Path(os.environ.get(LAB_DIR_ENV) or Path(tempfile.gettempdir()) / "ae-lab")


def ttl_seconds() -> float:
    try:
        return float(os.environ.get(TTL_ENV) or DEFAULT_TTL)
    except ValueError:
        return DEFAULT_TTL


def sweep(root: Path | None = None, max_age: float | None = None) -> list[Path]:
    """Remove session folders not seen for `max_age` seconds; returns what was removed."""
    root, max_age = root or lab_root(), ttl_seconds() if max_age is None else max_age
    removed = []
    for folder in root.glob("session-*") if root.is_dir() else []:
        stamp = folder / ALIVE
        with contextlib.suppress(OSError):
            seen = (stamp if stamp.exists() else folder).stat().st_mtime
            if time.time() - seen > max_age:
                store.remove_tree(folder)
                removed.append(folder)
    return removed


class Workspace:
    """One session's lab models, its current job, and their folder."""

    def __init__(self, root: Path | None = None, cancel=None):
        """`cancel(ticket)` ends a queued or running job (the queue's) when the session ends.
        The folder is made when the first job needs it: sessions that never train cost nothing."""
        root = root or lab_root()
        sweep(root)
        self.folder = root / f"session-{uuid.uuid4().hex[:16]}"
        self.cancel = cancel
        self.specs: dict[str, ModelSpec] = {}   # replaced, never changed in place (threads)
        self.ticket = None                      # the current or last job's queue ticket
        self.pending: ModelSpec | None = None   # the spec that job will add
        self.closed = False

    # -- the folder ---------------------------------------------------------------------------
    def touch(self) -> None:
        """Note that the session is alive (sweep spares it)."""
        if self.folder.is_dir():
            with contextlib.suppress(OSError):
                (self.folder / ALIVE).touch()

    def exists(self) -> bool:
        return self.folder.is_dir()

    def model_folder(self, name: str) -> Path:
        return self.folder / "models" / name

    @property
    def job_folder(self) -> Path:
        return self.folder / "job"

    @property
    def progress_file(self) -> Path:
        return self.job_folder / "progress.json"

    # -- models -------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.ticket is not None and not self.ticket.is_final

    @property
    def full(self) -> bool:
        return len(self.specs) >= MAX_MODELS

    def add(self, spec: ModelSpec) -> None:
        self.specs = {**self.specs, spec.name: spec}

    def remove(self, name: str) -> None:
        self.specs = {k: v for k, v in self.specs.items() if k != name}
        store.remove_tree(self.model_folder(name))

    def rename(self, name: str, title: str) -> None:
        """A new display name (the file name stays)."""
        if name in self.specs and lab.unmarked(title):
            self.add(replace(self.specs[name], title=lab.marked(title)))

    def prune(self) -> list[str]:
        """Forget models whose folder is gone (swept after the time limit); returns them."""
        gone = [n for n, s in self.specs.items() if not Path(s.weights_dir).is_dir()]
        for name in gone:
            self.remove(name)
        return gone

    # -- jobs ---------------------------------------------------------------------------------
    def _check_room(self) -> None:
        """One job at a time per session, and at most MAX_MODELS models (raises LabError)."""
        if self.busy:
            raise lab.LabError("Your previous job has not finished yet.")
        if self.full:
            raise lab.LabError(f"You have {MAX_MODELS} models: remove one to make another.")

    def _prepare(self, spec: ModelSpec, **extra) -> TrainingJob:
        store.remove_tree(self.job_folder)
        self.job_folder.mkdir(parents=True)
        self.touch()
        self.pending = spec
        return TrainingJob(spec.name, weights_dir=spec.weights_dir,
                           progress_file=str(self.progress_file),
                           stop_file=str(self.job_folder / "stop"), spec=lab.spec_json(spec),
                           **extra)

    def training_job(self, name: str, title: str, settings: lab.LabSettings) -> TrainingJob:
        """The job that trains a new model (raises LabError for bad knobs or names)."""
        self._check_room()
        if name in self.specs or not lab.NAME_PATTERN.match(name):
            raise lab.LabError(f"Choose another name than {name!r}.")
        folder = self.model_folder(name)
        store.remove_tree(folder)
        return self._prepare(lab.make_spec(name, title, settings, str(folder)))

    def import_job(self, files: list[tuple[str, bytes]], taken: list[str]) -> TrainingJob:
        """The job that serves an uploaded model (`files`: (file name, bytes) pairs)."""
        self._check_room()
        data, weights, history = read_upload(files)
        name = lab.free_name(str(data.get("name") or "uploaded"), [*taken, *self.specs])
        folder = self.model_folder(name)
        store.remove_tree(folder)
        spec = lab.spec_from_file(data, str(folder), name=name)
        upload = folder / "upload.weights.h5"
        atomic_write_bytes(upload, weights)
        if history is not None:
            atomic_write_json(store.history_file(name, folder), {**history, "model": name})
        return self._prepare(spec, import_weights=str(upload))

    def finished(self, ticket) -> None:
        """The queue's on_done: a finished model joins the session; anything else leaves no
        file behind. After `release`, everything goes."""
        spec, self.pending = self.pending, None
        if ticket.state == "done" and spec is not None and not self.closed:
            self.add(spec)
        elif spec is not None:
            store.remove_tree(Path(spec.weights_dir))
        if self.closed:
            store.remove_tree(self.folder)

    def release(self) -> None:
        """The session ended: cancel its job, forget and delete its models."""
        self.closed = True
        self.specs = {}
        if self.busy and self.cancel is not None:
            self.cancel(self.ticket)   # `finished` removes the folder once the worker is gone
        else:
            store.remove_tree(self.folder)


# --- files people take home and bring back ---------------------------------------------------

def model_zip(spec: ModelSpec) -> bytes:
    """The model's .weights.h5, spec JSON and manifest entry (aecore.analysis.downloads), plus
    its training history, as one zip."""
    buffer = io.BytesIO(downloads.model_zip(spec.name, spec.weights_dir))
    history = store.history_file(spec.name)
    if history.is_file():
        with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
            archive.write(history, f"{spec.name}.history.json")
    return buffer.getvalue()


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if any(m.file_size > MAX_UPLOAD_BYTES for m in members):
                raise lab.LabError("A file in the zip is too large for a Lab model.")
            return [(Path(m.filename).name, archive.read(m)) for m in members]
    except zipfile.BadZipFile as exc:
        raise lab.LabError(f"The zip could not be read ({exc}).") from exc


def read_upload(files: list[tuple[str, bytes]]) -> tuple[dict, bytes, dict | None]:
    """(spec JSON, weights bytes, history or None) from a Lab zip, or from a `.weights.h5` and
    its `.spec.json` uploaded side by side (raises LabError saying what is missing)."""
    found = []
    for name, data in files:
        found += _unzip(data) if name.lower().endswith(".zip") else [(name, data)]
    by_kind = {}
    for name, data in found:
        for kind in (".weights.h5", ".spec.json", ".history.json"):
            if name.lower().endswith(kind):
                by_kind[kind] = data
        if name.lower().endswith(".json") and not name.lower().endswith(
                (".history.json", ".manifest.json")):
            by_kind.setdefault(".spec.json", data)
    if ".weights.h5" not in by_kind or ".spec.json" not in by_kind:
        raise lab.LabError("Upload the zip the Lab gave you, or its .weights.h5 file together "
                           "with its .spec.json file.")
    spec, history = _json(by_kind[".spec.json"], "spec"), None
    if ".history.json" in by_kind:
        history = _json(by_kind[".history.json"], "history")
    return spec, by_kind[".weights.h5"], history


def _json(data: bytes, what: str) -> dict:
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise lab.LabError(f"The {what} file is not valid JSON ({exc}).") from exc
    if not isinstance(value, dict):
        raise lab.LabError(f"The {what} file does not hold a JSON object.")
    return value
