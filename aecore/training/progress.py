"""A Keras callback that reports a job's progress into a small JSON file after every epoch.

Optionally it also writes reconstructions of a few fixed images beside the file (the lab's
strip, `preview_file`) and stops training when a stop file appears (the lab's Stop button).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import keras
import numpy as np

from aecore.files import atomic_write_bytes, atomic_write_json
from aecore.training.jobs import PHASE_SAVING, PHASE_TRAINING, preview_file


def reconstruct(model: keras.Model, x: np.ndarray) -> np.ndarray:
    """The model's reconstructions of `x` as the app serves them (a VAE decodes its mean)."""
    if hasattr(model, "encoder") and hasattr(model, "decoder"):
        out = model.decoder(model.encoder(x, training=False)[0], training=False)
    else:
        out = model(x, training=False)
    return keras.ops.convert_to_numpy(out).reshape(len(x), 28, 28)


def to_uint8(images: np.ndarray) -> np.ndarray:
    return np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8)


class ProgressFile(keras.callbacks.Callback):
    """Writes {"epoch", "epochs", "loss", "val_loss", "seconds", "job", "history", "phase"}
    atomically; `history` holds every epoch's loss, val_loss and seconds so far."""

    def __init__(self, path: str | Path, job: dict, preview: np.ndarray | None = None,
                 stop_file: str | Path | None = None):
        super().__init__()
        self.path = Path(path)
        self.job = job
        self.preview = preview
        self.stop_file = Path(stop_file) if stop_file else None
        self.started = time.monotonic()
        self.epoch_started = self.started
        self.epochs: int | None = None
        self.history: dict[str, list[float]] = {"loss": [], "val_loss": [], "seconds": []}
        self.stopped = False

    def on_train_begin(self, logs=None):
        self.epochs = self.params.get("epochs")
        self.epoch_started = time.monotonic()
        self._write({"epoch": 0, "phase": PHASE_TRAINING})

    def on_train_batch_end(self, batch, logs=None):
        if self.stop_file is not None and self.stop_file.exists():
            self.stopped = self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        now = time.monotonic()
        values = {"loss": float(logs.get("loss", float("nan"))),
                  "val_loss": float(logs.get("val_loss", float("nan"))),
                  "seconds": round(now - self.epoch_started, 3)}
        for key, value in values.items():
            self.history[key].append(value)
        self.epoch_started = now
        if self.preview is not None:  # uint8 (2, n, 28, 28): the inputs and this epoch's output
            strip = np.stack([self.preview, reconstruct(self.model, self.preview)])
            atomic_write_bytes(preview_file(self.path), _npy(to_uint8(strip)))
        self._write({"epoch": epoch + 1, "loss": values["loss"], "val_loss": values["val_loss"],
                     "phase": PHASE_TRAINING})

    def on_train_end(self, logs=None):
        last = {k: v[-1] for k, v in self.history.items() if v and k != "seconds"}
        self._write({"epoch": len(self.history["loss"]), **last, "phase": PHASE_SAVING})

    def _write(self, values: dict) -> None:
        atomic_write_json(self.path, {**values, "epochs": self.epochs, "job": self.job,
                                      "history": self.history, "stopped": self.stopped,
                                      "seconds": round(time.monotonic() - self.started, 2)})


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
