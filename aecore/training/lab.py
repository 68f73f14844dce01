"""The lab's work inside a worker process (imports Keras): train a lab model with live curves,
a strip of reconstructions and a stop file, or serve uploaded weights. Either way the model
ends recorded and exported to ONNX in its own folder, ready for the app.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aecore.data import add_noise, load_fashion_mnist, sample_indices
from aecore.models import lab
from aecore.models.registry import ModelSpec, session_models
from aecore.training.evaluate import NOISE_SEED, evaluate_model, sample_bce
from aecore.training.export import export_model
from aecore.training.progress import ProgressFile
from aecore.training.train import train_model
from aecore.training.weights import build_ready, keras_model, record_model

PREVIEW_PER_CLASS = 1   # the strip: one test image of each class


def run_lab_job(job) -> dict:
    """`jobs.run_job` for a job that carries a lab spec (`job.spec`)."""
    spec = lab.spec_from_file(job.spec, weights_dir=job.weights_dir)
    with session_models({spec.name: spec}):
        if job.import_weights:
            return import_weights(spec, Path(job.import_weights))
        return train_lab(spec, job)


def preview_inputs(spec: ModelSpec) -> np.ndarray:
    """The strip's fixed test images, as the model sees them (noisy for a denoiser)."""
    (_, _), (x_test, y_test) = load_fashion_mnist(allow_download=False)
    x = x_test[sample_indices(y_test, PREVIEW_PER_CLASS, seed=0)]
    return add_noise(x, spec.input_noise, seed=NOISE_SEED) if spec.input_noise else x


def train_lab(spec: ModelSpec, job) -> dict:
    """Train with the spec's knobs; the progress file gets every epoch and the strip."""
    s = lab.settings_of(spec)
    progress = None
    if job.progress_file:
        progress = ProgressFile(job.progress_file, {"name": spec.name, "title": spec.title},
                                preview=preview_inputs(spec), stop_file=job.stop_file)
    entry = train_model(spec.name, epochs=s.epochs, batch_size=s.batch_size,
                        learning_rate=s.learning_rate, weights_dir=job.weights_dir,
                        limit=s.train_images, eval_limit=lab.VALIDATION_IMAGES, verbose=0,
                        callbacks=[progress] if progress else [], seed=s.seed)
    return summary(spec, entry, stopped=bool(progress and progress.stopped))


def import_weights(spec: ModelSpec, path: Path) -> dict:
    """Load uploaded `.weights.h5` into the spec's network, score it, record and export it."""
    built = build_ready(spec.name)
    try:
        built.autoencoder.load_weights(path)
    except (OSError, ValueError) as exc:
        raise lab.LabError(f"The weights file does not fit this model's spec ({exc}).") from exc
    (_, _), (x_test, _) = load_fashion_mnist(allow_download=False)
    trained = keras_model(spec.name, built)
    metrics = {**evaluate_model(trained, x_test[:lab.VALIDATION_IMAGES]),
               "sample_bce": sample_bce(trained)}
    folder = spec.weights_dir
    record_model(spec.name, built.autoencoder, {"metrics": metrics, "imported": True}, folder)
    path.unlink(missing_ok=True)
    return summary(spec, export_model(spec.name, folder), stopped=False)


def summary(spec: ModelSpec, entry: dict, stopped: bool) -> dict:
    return {"name": spec.name, "test_bce": entry.get("metrics", {}).get("test_bce"),
            "epochs": entry.get("epochs"), "train_seconds": entry.get("train_seconds"),
            "stopped": stopped}
