"""Training the registry's denoiser: noise is added in training only, and validation and the
recorded test BCE score noisy inputs against clean targets, as documented."""

from __future__ import annotations

import json

import numpy as np
import pytest

import aecore
from aecore.analysis.metrics import bce
from aecore.data import add_noise
from aecore.models.common import GaussianCorruption
from aecore.models.registry import ROLE_DENOISER, all_specs, get_spec, with_role
from aecore.runtime import store
from aecore.training import train
from aecore.training.evaluate import NOISE_SEED
from aecore.training.weights import build_ready

DENOISER = get_spec(with_role(ROLE_DENOISER))
CLEAN = next(s for s in all_specs() if not s.input_noise and not s.is_vae)
EVAL_IMAGES = 128


def corruption_layers(model) -> list[GaussianCorruption]:
    return [layer for layer in model.layers if isinstance(layer, GaussianCorruption)]


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    """The denoiser trained for one epoch on 256 images through the CLI."""
    folder = tmp_path_factory.mktemp("weights")
    code = train.main(["--model", DENOISER.name, "--epochs", "1", "--limit", "256",
                       "--eval-limit", str(EVAL_IMAGES), "--weights-dir", str(folder)])
    assert code == 0
    return folder


def test_the_denoiser_is_trained_with_noise():
    assert DENOISER.input_noise > 0


def test_the_training_model_corrupts_only_in_training():
    built = build_ready(DENOISER.name)
    model = train.training_model(DENOISER, built)
    (layer,) = corruption_layers(model)
    assert layer.level == DENOISER.input_noise
    x = np.full((4, 28, 28), 0.5, np.float32)
    clean = np.asarray(built.autoencoder(x))
    assert np.allclose(np.asarray(model(x, training=False)), clean, atol=1e-6)
    assert np.array_equal(np.asarray(layer(x, training=False)), x)
    first, second = (np.asarray(layer(x, training=True)) for _ in range(2))
    assert first.min() >= 0 and first.max() <= 1
    assert np.abs(first - x).mean() > 0.1 and not np.array_equal(first, second)  # fresh noise


def test_a_model_without_noise_trains_as_it_is():
    built = build_ready(CLEAN.name)
    assert train.training_model(CLEAN, built) is built.autoencoder
    assert not corruption_layers(built.autoencoder)


def test_the_stored_model_has_no_noise(trained_dir):
    model = aecore.load_model(DENOISER.name, trained_dir)
    x = aecore.load_test_set().x[:8]
    assert np.array_equal(model.encode(x), model.encode(x))  # serving is deterministic


def test_recorded_test_bce_scores_noisy_inputs_against_clean_targets(trained_dir):
    entry = store.read_manifest(trained_dir)["models"][DENOISER.name]
    assert entry["train_images"] == 256 and entry["eval_images"] == EVAL_IMAGES
    x = aecore.load_test_set().x[:EVAL_IMAGES]
    model = aecore.load_model(DENOISER.name, trained_dir)
    noisy = add_noise(x, DENOISER.input_noise, "gaussian", seed=NOISE_SEED)
    on_noisy = bce(x, model.reconstruct(noisy))
    assert entry["metrics"]["test_bce"] == pytest.approx(on_noisy, abs=1e-5)
    assert abs(bce(x, model.reconstruct(x)) - on_noisy) > 1e-4  # clean input scores otherwise


def test_validation_used_the_same_noisy_images(trained_dir):
    """val_loss (Keras, noisy → clean, no training noise) matches the recorded test BCE."""
    history = json.loads(store.history_file(DENOISER.name, trained_dir).read_text())
    entry = store.read_manifest(trained_dir)["models"][DENOISER.name]
    assert history["epoch"] == [1]
    assert history["val_loss"][0] == pytest.approx(entry["metrics"]["test_bce"], abs=5e-4)
