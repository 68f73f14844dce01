"""The small object the UI works with: a trained model with numpy-in, numpy-out methods."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from aecore.models import Built
from aecore.specs import ModelSpec, get_spec
from aecore.store import load_built

BATCH = 1024


def as_images(x) -> np.ndarray:
    """Accept one image (28, 28), a batch (n, 28, 28) or flat rows (n, 784)."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 2 and x.shape == (28, 28):
        x = x[None]
    if x.ndim == 2 and x.shape[1] == 784:
        x = x.reshape(-1, 28, 28)
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise ValueError(f"Expected images of shape (n, 28, 28), got {x.shape}.")
    return x


def fast_call(model: keras.Model):
    """The model as a compiled function where the backend offers one (TensorFlow: tf.function).

    `predict` costs ~37 ms per call and an eager call several ms; a traced call well under one.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf  # only for tracing; model code stays backend-agnostic

        tf.get_logger().setLevel("ERROR")  # a new model's first traces are expected, not news
        return tf.function(lambda x: model(x, training=False), reduce_retracing=True,
                           autograph=False)
    return lambda x: model(x, training=False)


def call_in_batches(run, x: np.ndarray, batch: int = BATCH):
    """Run a model function over `x` in batches and return numpy (arrays or a list of them)."""
    outputs = []
    for start in range(0, max(len(x), 1), batch):
        out = run(x[start:start + batch])
        outputs.append(keras.tree.map_structure(keras.ops.convert_to_numpy, out))
    if isinstance(outputs[0], list | tuple):
        return [np.concatenate(parts) for parts in zip(*outputs, strict=True)]
    return np.concatenate(outputs)


class TrainedModel:
    """A trained variant: `.encode`, `.decode`, `.reconstruct` on numpy arrays."""

    def __init__(self, spec: ModelSpec, built: Built, entry: dict | None = None):
        self.spec = spec
        self.built = built
        self.encoder = built.encoder
        self.decoder = built.decoder
        self.entry = entry or {}
        self._encode = fast_call(built.encoder)
        self._decode = fast_call(built.decoder)

    @property
    def name(self) -> str:
        return self.spec.name

    def encode_distribution(self, x) -> tuple[np.ndarray, np.ndarray]:
        """(z_mean, z_log_var) of a VAE."""
        if not self.spec.is_vae:
            raise TypeError(f"{self.name} is not variational.")
        z_mean, z_log_var = call_in_batches(self._encode, as_images(x))
        return z_mean, z_log_var

    def encode(self, x) -> np.ndarray:
        """Flat codes (n, latent_dim); z_mean for VAEs."""
        if self.spec.is_vae:
            return self.encode_distribution(x)[0]
        codes = call_in_batches(self._encode, as_images(x))
        return codes.reshape(len(codes), -1)

    def decode(self, z) -> np.ndarray:
        """Images (n, 28, 28) from flat codes (n, latent_dim)."""
        z = np.asarray(z, dtype=np.float32).reshape(-1, self.spec.latent_dim)
        return call_in_batches(self._decode, z)

    def reconstruct(self, x) -> np.ndarray:
        return self.decode(self.encode(x))


def load_model(name: str, weights_dir: str | Path | None = None) -> TrainedModel:
    """The trained variant `name` from the weights store (raises WeightsError with the fix)."""
    spec = get_spec(name)
    built, entry = load_built(name, weights_dir)
    return TrainedModel(spec, built, entry)
