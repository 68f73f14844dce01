"""Autoencoder Explorer core: data, the eight variants, training, weights store (no UI)."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from aecore.api import TrainedModel, load_model  # noqa: E402
from aecore.data import (  # noqa: E402
    CLASS_NAMES,
    NOISE_KINDS,
    DataSplit,
    add_noise,
    load_fashion_mnist,
    load_test_set,
)
from aecore.errors import DatasetNotFound, InvalidImage, WeightsError  # noqa: E402
from aecore.images import read_image  # noqa: E402
from aecore.specs import ModelSpec, get_spec, list_models  # noqa: E402
from aecore.store import weights_status  # noqa: E402

__all__ = [
    "CLASS_NAMES", "NOISE_KINDS", "DataSplit", "DatasetNotFound", "InvalidImage", "ModelSpec",
    "TrainedModel", "WeightsError", "add_noise", "get_spec", "list_models", "load_fashion_mnist",
    "load_model", "load_test_set", "read_image", "weights_status",
]
