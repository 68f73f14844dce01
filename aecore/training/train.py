"""Training with progress, checkpoints and resume: `python -m aecore.train --model NAME|all`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from aecore.data import add_noise, load_fashion_mnist
from aecore.errors import DatasetNotFound
from aecore.models.common import Built, GaussianCorruption, image_input
from aecore.models.registry import ModelSpec, get_spec, list_models
from aecore.runtime import store
from aecore.training.evaluate import NOISE_SEED, evaluate_model, sample_bce
from aecore.training.export import export_model
from aecore.training.weights import build_ready, keras_model, record_model

PRESETS = ("quick", "full")


class TimeLimit(keras.callbacks.Callback):
    """Stops training after the first epoch that ends past `seconds` of wall-clock time."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds
        self.started = time.monotonic()
        self.reached = False

    def on_epoch_end(self, epoch, logs=None):
        if time.monotonic() - self.started > self.seconds:
            self.reached = True
            self.model.stop_training = True


class HistoryLog(keras.callbacks.Callback):
    """Writes the per-epoch logs to JSON after every epoch, keeping earlier epochs on resume."""

    def __init__(self, path: Path, resume: bool):
        super().__init__()
        self.path = path
        self.epochs: list[dict] = []
        if resume and path.is_file():
            self.epochs = json.loads(path.read_text())

    def on_epoch_end(self, epoch, logs=None):
        logs = {k: float(v) for k, v in (logs or {}).items()}
        self.epochs = [e for e in self.epochs if e["epoch"] < epoch + 1]
        self.epochs.append({"epoch": epoch + 1, **logs})
        store.atomic_write_json(self.path, self.epochs)

    def best_val_loss(self) -> float | None:
        values = [e["val_loss"] for e in self.epochs if "val_loss" in e]
        return min(values) if values else None


def training_model(spec: ModelSpec, built: Built) -> keras.Model:
    """The model `fit` sees: the denoiser gets a noise layer in front (active in training only)."""
    if not spec.input_noise:
        return built.autoencoder
    image = image_input()
    noisy = GaussianCorruption(spec.input_noise, seed=7)(image)
    return keras.Model(image, built.decoder(built.encoder(noisy)), name=f"{spec.name}_train")


STEPS_PER_EXECUTION = 16   # fewer Python round trips per epoch: 2-3x faster for small models


def use_graph_optimizer(on: bool) -> None:
    """Turn TensorFlow's graph optimizer (Grappler) on or off for the functions traced or run
    from now on in this process (other backends: nothing to do)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": not on})


def compile_for_training(spec: ModelSpec, model: keras.Model, learning_rate: float) -> None:
    """Adam on the spec's loss, with its XLA and graph-optimizer settings."""
    use_graph_optimizer(spec.train.graph_optimizer)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss=None if spec.is_vae else "binary_crossentropy",
                  steps_per_execution=STEPS_PER_EXECUTION, jit_compile=spec.train.jit_compile)


def model_to_train(spec: ModelSpec, learning_rate: float,
                   head_start=None) -> tuple[Built, keras.Model]:
    """A fresh build (its weights from the current seed) and the compiled model `fit` trains.
    `head_start(spec, built, learning_rate)` may return an already compiled and traced model
    of the same architecture that starts from the fresh build's weights (the Lab's spares)."""
    built = build_ready(spec.name)
    started = head_start(spec, built, learning_rate) if head_start else None
    if started is not None:
        return started
    model = training_model(spec, built)
    compile_for_training(spec, model, learning_rate)
    return built, model


def select_data(data, limit: int | None, eval_limit: int | None):
    """Optionally a reproducible subset of the training images and of the validation images."""
    (x_train, _), (x_test, _) = data
    rng = np.random.default_rng(0)
    if limit:
        x_train = x_train[np.sort(rng.choice(len(x_train), min(limit, len(x_train)), False))]
    if eval_limit:
        x_test = x_test[:eval_limit]
    return x_train, x_test


def callbacks_for(spec: ModelSpec, checkpoint_dir: Path, resume: bool, history: HistoryLog,
                  extra: list) -> list:
    best = checkpoint_dir / "best.weights.h5"
    return [
        *extra,   # first: a progress report is not held up by the saves below (~1 s at epoch 1)
        keras.callbacks.BackupAndRestore(str(checkpoint_dir / "backup")),
        keras.callbacks.ModelCheckpoint(
            str(best), monitor="val_loss", save_best_only=True, save_weights_only=True,
            initial_value_threshold=history.best_val_loss() if resume else None),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, min_lr=1e-5,
                                          patience=spec.train.reduce_lr_patience,
                                          min_delta=spec.train.min_delta),
        keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=spec.train.min_delta,
                                      patience=spec.train.early_stopping_patience),
        history,
    ]


def machine_description() -> str:
    """Where training runs, for the manifest: 'NVIDIA H200, jax' or '2-core CPU, tensorflow'."""
    backend = keras.backend.backend()
    device = f"{os.cpu_count()}-core CPU"
    if backend == "jax":
        import jax

        first = jax.devices()[0]
        device = device if first.platform == "cpu" else first.device_kind
    elif backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            device = tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    return f"{device}, {backend}"


def history_record(spec: ModelSpec, epochs: list[dict], settings: dict) -> dict:
    keys = sorted({k for e in epochs for k in e if k not in ("epoch", "learning_rate")})
    record = {"model": spec.name, "epoch": [e["epoch"] for e in epochs], **settings}
    record.update({k: [e.get(k) for e in epochs] for k in keys})
    record["learning_rate"] = [e.get("learning_rate") for e in epochs]
    return record


def train_model(name: str, preset: str = "quick", epochs: int | None = None,
                batch_size: int | None = None, weights_dir=None, limit: int | None = None,
                eval_limit: int | None = None, verbose=None, callbacks: list | None = None,
                data=None, learning_rate: float | None = None,
                time_limit: float | None = None, seed: int = 42, head_start=None) -> dict:
    """Train one variant, keep its best epoch, and record it in the weights store.

    `time_limit` (seconds) ends training after the epoch that crosses it; the best epoch so far
    is kept and the manifest says training was cut short. `seed` fixes the initial weights,
    the shuffling and any noise: the same settings and seed give the same curve.
    `head_start`: see `model_to_train`.
    """
    spec = get_spec(name)
    if preset not in PRESETS:
        raise ValueError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    folder = store.resolve_dir(weights_dir)
    epochs = epochs or (spec.train.quick_epochs if preset == "quick" else spec.train.full_epochs)
    batch_size = batch_size or spec.train.batch_size
    learning_rate = learning_rate or spec.train.learning_rate
    timer = TimeLimit(time_limit) if time_limit is not None else None
    x_train, x_test = select_data(data or load_fashion_mnist(), limit, eval_limit)
    x_val = add_noise(x_test, spec.input_noise, seed=NOISE_SEED) if spec.input_noise else x_test

    checkpoint_dir = folder / "checkpoints" / name
    resume = (checkpoint_dir / "backup").exists()
    if not resume:
        store.remove_tree(checkpoint_dir)
    checkpoint_dir.mkdir(parents=True, exist_ok=True)
    history = HistoryLog(checkpoint_dir / "history.json", resume)

    keras.utils.set_random_seed(seed)
    built, model = model_to_train(spec, learning_rate, head_start)
    started = time.time()
    model.fit(x_train, x_train, epochs=epochs, batch_size=batch_size, shuffle=True,
              validation_data=(x_val, x_test),
              callbacks=callbacks_for(spec, checkpoint_dir, resume, history,
                                      [*(callbacks or []), *([timer] if timer else [])]),
              verbose=verbose if verbose is not None else (1 if sys.stdout.isatty() else 2))
    best = checkpoint_dir / "best.weights.h5"
    if best.is_file():
        model.load_weights(best)

    settings = {"preset": preset, "batch_size": batch_size, "optimizer": spec.train.optimizer,
                "initial_learning_rate": learning_rate, "seed": seed,
                "backend": keras.backend.backend(), "keras_version": keras.__version__,
                "trained_on": machine_description()}
    record = history_record(spec, history.epochs, settings)
    trained = keras_model(name, built)
    metrics = {**evaluate_model(trained, x_test), "sample_bce": sample_bce(trained)}
    val = [v for v in record.get("val_loss", []) if v is not None]
    entry = {
        **settings,
        "metrics": metrics,
        "epochs": len(record["epoch"]),
        "best_epoch": int(np.argmin(val)) + 1 if val else None,
        "train_images": len(x_train),
        "eval_images": len(x_test),
        "train_seconds": round(time.time() - started, 1),
        "stopped_by_time_limit": bool(timer and timer.reached),
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "history": f"history/{name}.json",
    }
    store.atomic_write_json(store.history_file(name, folder), record)
    record_model(name, built.autoencoder, entry, folder)
    entry = export_model(name, folder)
    store.remove_tree(checkpoint_dir)
    if not any(checkpoint_dir.parent.iterdir()):
        checkpoint_dir.parent.rmdir()
    return entry


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Train autoencoder variants on Fashion-MNIST.")
    parser.add_argument("--model", default="all", help=f"one of {', '.join(list_models())} or all")
    parser.add_argument("--preset", choices=PRESETS, default="quick",
                        help="quick: minutes on a laptop CPU; full: long runs with early stopping")
    parser.add_argument("--epochs", type=int, help="override the preset's epoch count")
    parser.add_argument("--batch-size", type=int, help="override the model's batch size")
    parser.add_argument("--learning-rate", type=float, help="override the initial learning rate")
    parser.add_argument("--time-limit", type=float, metavar="SECONDS",
                        help="stop after the epoch that crosses this wall-clock time")
    parser.add_argument("--weights-dir", default=None, help="where to store (default weights/)")
    parser.add_argument("--limit", type=int, help="train on this many images (for smoke tests)")
    parser.add_argument("--eval-limit", type=int, help="validate on this many test images")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = list_models() if args.model == "all" else [args.model]
    for name in names:
        try:
            get_spec(name)
            print(f"== {name} ({args.preset})", flush=True)
            entry = train_model(name, args.preset, args.epochs, args.batch_size, args.weights_dir,
                                args.limit, args.eval_limit, learning_rate=args.learning_rate,
                                time_limit=args.time_limit)
        except (KeyError, DatasetNotFound) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"== {name}: test BCE {entry['metrics']['test_bce']:.4f} after {entry['epochs']} "
              f"epochs ({entry['train_seconds']} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
