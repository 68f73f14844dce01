"""Autoencoder Explorer core: data, the eight variants, training, weights store (no UI).

Names are imported lazily, so `import aecore.metrics` or `aecore.read_image` does not pay for
loading Keras and TensorFlow (2-5 s) until a model is needed.
"""

import importlib
import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_EXPORTS = {
    "TrainedModel": "aecore.api", "load_model": "aecore.api",
    "CLASS_NAMES": "aecore.data", "NOISE_KINDS": "aecore.data", "DataSplit": "aecore.data",
    "add_noise": "aecore.data", "load_fashion_mnist": "aecore.data",
    "load_test_set": "aecore.data",
    "DatasetNotFound": "aecore.errors", "InvalidImage": "aecore.errors",
    "WeightsError": "aecore.errors",
    "read_image": "aecore.images",
    "ModelSpec": "aecore.specs", "get_spec": "aecore.specs", "list_models": "aecore.specs",
    "weights_status": "aecore.store",
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
