"""A Keras callback that reports a job's progress into a small JSON file after every epoch."""

from __future__ import annotations

import time
from pathlib import Path

import keras

from aecore.files import atomic_write_json


class ProgressFile(keras.callbacks.Callback):
    """Writes {"epoch", "epochs", "loss", "val_loss", "seconds", "job"} atomically."""

    def __init__(self, path: str | Path, job: dict):
        super().__init__()
        self.path = Path(path)
        self.job = job
        self.started = time.monotonic()
        self.epochs: int | None = None

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs")
        self._write({"epoch": 0})

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self._write({"epoch": epoch + 1, "loss": float(logs.get("loss", float("nan"))),
                     "val_loss": float(logs.get("val_loss", float("nan")))})

    def _write(self, values: dict) -> None:
        atomic_write_json(self.path, {**values, "epochs": self.epochs, "job": self.job,
                                      "seconds": round(time.monotonic() - self.started, 2)})
