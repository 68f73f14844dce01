"""Autoencoder Explorer core (no UI): data, models and the registry, serving, training,
analysis, browser export. One folder per concern:

    data/       Fashion-MNIST, the shipped sample, noise, uploaded pictures
    models/     Keras builders and the registry of specs (importing it loads no Keras)
    runtime/    the trained-model API over ONNX Runtime, the weights store, cached codes
    training/   train, evaluate and export (Keras, TensorFlow or JAX)
    analysis/   what the pages compute: metrics, comparisons, sweeps, latent geometry, tables
    web/        the browser decoder's arrays

Names are imported lazily; serving never imports Keras or TensorFlow, only `aecore.training`.
"""

import importlib
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_EXPORTS = {
    "TrainedModel": "aecore.runtime.api", "load_model": "aecore.runtime.api",
    "CLASS_NAMES": "aecore.data", "NOISE_KINDS": "aecore.data", "DataSplit": "aecore.data",
    "add_noise": "aecore.data", "load_fashion_mnist": "aecore.data",
    "load_test_set": "aecore.data",
    "DatasetNotFound": "aecore.errors", "InvalidImage": "aecore.errors",
    "WeightsError": "aecore.errors",
    "read_image": "aecore.data.uploads",
    "ModelSpec": "aecore.models.registry", "get_spec": "aecore.models.registry",
    "list_models": "aecore.models.registry", "plane_models": "aecore.models.registry",
    "model_color": "aecore.models.registry",
    "weights_status": "aecore.runtime.store",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'aecore' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *__all__])
