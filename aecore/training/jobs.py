"""Training jobs that run outside the web process, through any `concurrent.futures.Executor`.

The app submits a `TrainingJob` to an executor (locally the training queue behind
`job_queue.QueueExecutor`; a deployment may pass a cluster's, e.g. Dask's
`Client.get_executor()`), reads the job's
progress file while it runs, and reads the weights store when it is done. This module imports
no Keras: only the worker does, inside `run_job`.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class TrainingJob:
    """What to train and where to report; plain values, so any executor can ship it."""

    name: str
    preset: str = "quick"
    weights_dir: str | None = None
    progress_file: str | None = None
    epochs: int | None = None
    limit: int | None = None
    exclude_class: int | None = None   # train and validate without this class (anomaly page)
    time_limit: float | None = None    # seconds; see train_model
    spec: dict | None = None           # a lab model's spec as JSON values (not in the registry)
    stop_file: str | None = None       # when this file appears, training stops (best kept)
    import_weights: str | None = None  # lab: serve this uploaded .weights.h5 instead of training


def default_workers() -> int:
    """One training at a time per two cores (each uses both of its cores well)."""
    return max(1, (os.cpu_count() or 2) // 2)


PHASE_TRAINING, PHASE_SAVING = "training", "saving"   # a progress file's "phase"


def preview_file(progress_file: str | Path) -> Path:
    """Where a job writes its preview strip (uint8 (2, n, 28, 28): inputs, reconstructions)."""
    return Path(progress_file).with_suffix(".preview.npy")


def read_progress(path: str | Path | None) -> dict:
    """The last progress a job wrote ({} before its first epoch or when unreadable)."""
    if not path:
        return {}
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def job_data(job: TrainingJob):
    """The training data when the job changes it (a class left out), else None (the default)."""
    if job.exclude_class is None:
        return None
    from aecore.analysis.anomaly import without_class
    from aecore.data import load_fashion_mnist

    return without_class(load_fashion_mnist(allow_download=False), job.exclude_class)


def run_job(job: TrainingJob) -> dict:
    """Train in this (worker) process; returns the manifest entry's JSON-able summary."""
    if job.spec is not None:
        from aecore.training.lab import run_lab_job

        return run_lab_job(job)
    from aecore.training.progress import ProgressFile
    from aecore.training.train import train_model

    callbacks = [ProgressFile(job.progress_file, asdict(job))] if job.progress_file else []
    entry = train_model(job.name, job.preset, epochs=job.epochs, weights_dir=job.weights_dir,
                        limit=job.limit, verbose=0, callbacks=callbacks, data=job_data(job),
                        time_limit=job.time_limit)
    return {"name": job.name, "test_bce": entry.get("metrics", {}).get("test_bce"),
            "epochs": entry.get("epochs"), "train_seconds": entry.get("train_seconds")}
