"""Keras side of the weights store: build, save, verify and load `.weights.h5` files."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import keras
import numpy as np

from aecore.errors import WeightsError
from aecore.models.common import Built
from aecore.models.registry import get_spec
from aecore.runtime import store
from aecore.runtime.api import TrainedModel


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


def fingerprint(name: str, model: keras.Model) -> str:
    """Hash of the variant's name and the ordered shapes of its weights."""
    shapes = [[list(w.shape), str(w.dtype)] for w in model.weights]
    payload = json.dumps({"model": name, "weights": shapes}, sort_keys=True).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


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


def record_model(name: str, trained: keras.Model, entry: dict,
                 weights_dir: str | Path | None = None) -> dict:
    """Save stripped weights atomically and replace the model's manifest entry."""
    folder = store.resolve_dir(weights_dir)
    clean = strip_optimizer(name, trained)
    path = store.weights_file(name, folder)
    save_weights_atomically(clean.autoencoder, path)
    full_entry = {
        **entry,
        **store.file_record(path, folder),
        "fingerprint": fingerprint(name, clean.autoencoder),
        "parameters": int(clean.autoencoder.count_params()),
    }
    return store.update_entry(name, lambda _old: full_entry, folder)


def load_built(name: str, weights_dir: str | Path | None = None) -> tuple[Built, dict]:
    """A fresh build with verified trained weights loaded, and its manifest entry."""
    entry = store.verified_entry(name, weights_dir)
    built = build_ready(name)
    if fingerprint(name, built.autoencoder) != entry.get("fingerprint"):
        raise WeightsError(
            f"The weights for '{name}' were trained for a different architecture than the current "
            f"code builds (fingerprint mismatch). {store.retrain_hint(name)}"
        )
    path = store.weights_file(name, weights_dir)
    try:
        built.autoencoder.load_weights(path)
    except (OSError, ValueError) as exc:  # h5py and Keras raise these for a bad file
        raise WeightsError(f"{path} could not be read ({exc}). {store.retrain_hint(name)}") from exc
    return built, entry


def traced(model: keras.Model):
    """The model as a compiled numpy function where the backend offers one (TF: tf.function)."""
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf  # only for tracing; model code stays backend-agnostic

        tf.get_logger().setLevel("ERROR")
        fn = tf.function(lambda x: model(x, training=False), reduce_retracing=True,
                         autograph=False)
    else:
        def fn(x):
            return model(x, training=False)

    def run(x):
        return keras.tree.map_structure(keras.ops.convert_to_numpy, fn(x))
    return run


def keras_model(name: str, built: Built, entry: dict | None = None) -> TrainedModel:
    """A Keras build behind the serving API (training evaluates and exports through it)."""
    return TrainedModel(get_spec(name), traced(built.encoder), traced(built.decoder), entry)
