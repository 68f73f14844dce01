"""The lab's work inside a worker process (imports Keras): train a lab model with live curves,
a strip of reconstructions and a stop file, or serve uploaded weights. Either way the model
ends recorded and exported to ONNX in its own folder, ready for the app.

A spare worker prepares a head start while it waits (`prepare`): the Lab's default model built,
compiled and its training and validation steps traced. A job whose architecture matches trains
that model from its own seeded initial weights, so its first epoch does not trace.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from aecore.data import add_noise, load_fashion_mnist, sample_indices
from aecore.models import lab
from aecore.models.common import IMAGE_SHAPE, Built
from aecore.models.registry import ModelSpec, session_models
from aecore.training.evaluate import NOISE_SEED, evaluate_model, sample_bce
from aecore.training.export import export_model
from aecore.training.progress import ProgressFile
from aecore.training.train import compile_for_training, train_model, training_model
from aecore.training.weights import build_ready, keras_model, record_model

PREVIEW_PER_CLASS = 1   # the strip: one test image of each class
TRACE_BATCH = 64        # the head start's throwaway fit: one whole batch and one of a single
TRACE_IMAGES = TRACE_BATCH + 1   # image, so its steps are traced for any batch size


def architecture_key(settings: lab.LabSettings) -> tuple | None:
    """The knobs that fix a lab model's compiled training step, or None for models with random
    layers (a noise layer, a VAE's sampling), whose state a head start would not reset."""
    if settings.family == "vae" or settings.noise:
        return None
    return (settings.family, settings.code_size, settings.hidden, settings.code_activation,
            settings.l1)


class HeadStart:
    """A lab model built, compiled and traced before its job arrived; used at most once."""

    def __init__(self, settings: lab.LabSettings):
        self.key = architecture_key(settings)
        spec = lab.make_spec("head_start", "Head start", settings)
        with session_models({spec.name: spec}):
            self.built = build_ready(spec.name)
        self.model = training_model(spec, self.built)
        compile_for_training(spec, self.model, settings.learning_rate)
        x = np.zeros((TRACE_IMAGES, *IMAGE_SHAPE), np.float32)
        self.model.fit(x, x, epochs=1, batch_size=TRACE_BATCH, validation_data=(x, x),
                       verbose=0)
        self.used = False

    def __call__(self, spec: ModelSpec, fresh: Built,
                 learning_rate: float) -> tuple[Built, keras.Model] | None:
        """`train_model`'s head start: this model with `fresh`'s initial weights and a new
        optimizer state, when `spec` has the same architecture; else None (train `fresh`)."""
        if (self.used or self.key is None or spec.origin != lab.ORIGIN
                or architecture_key(lab.settings_of(spec)) != self.key):
            return None
        self.model.set_weights(fresh.autoencoder.get_weights())
        for variable in self.model.optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        self.model.optimizer.learning_rate = learning_rate
        self.used = True
        return self.built, self.model


_PREPARED: list[HeadStart] = []


def prepare(settings: lab.LabSettings | None = None) -> None:
    """Prepare this process's head start: the Lab's default model unless `settings` say
    otherwise (models with random layers get none)."""
    settings = settings or lab.PRESETS["dense"].settings
    _PREPARED.clear()
    if architecture_key(settings) is not None:
        _PREPARED.append(HeadStart(settings))


def take_head_start() -> HeadStart | None:
    """The prepared head start, once (a worker runs one job)."""
    return _PREPARED.pop() if _PREPARED else None


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
    progress, head_start = None, take_head_start()
    if job.progress_file:
        progress = ProgressFile(job.progress_file, {"name": spec.name, "title": spec.title},
                                preview=preview_inputs(spec), stop_file=job.stop_file)
    entry = train_model(spec.name, epochs=s.epochs, batch_size=s.batch_size,
                        learning_rate=s.learning_rate, weights_dir=job.weights_dir,
                        limit=s.train_images, eval_limit=lab.VALIDATION_IMAGES, verbose=0,
                        callbacks=[progress] if progress else [], seed=s.seed,
                        head_start=head_start)
    return {**summary(spec, entry, stopped=bool(progress and progress.stopped)),
            "head_start": bool(head_start and head_start.used)}


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
