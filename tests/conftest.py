"""Shared test set-up: Keras on TensorFlow, quiet TF logs, repository root importable, and
untrained weights made once per session."""

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("AE_TRAINING_SPARES", "0")   # page tests: the Lab keeps no warm trainer

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def untrained(tmp_path_factory):
    """`UntrainedWeights`: random-weight models recorded and exported once per session;
    `untrained.copy_into(folder, names)` puts them into a test's weights folder."""
    from pagetools import UntrainedWeights

    return UntrainedWeights(tmp_path_factory.mktemp("untrained"))
