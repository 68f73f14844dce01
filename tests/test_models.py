"""Builders: shapes, parameter counts, the TrainedModel API and the VAE's KL term."""

import keras
import numpy as np
import pytest

from aecore import get_spec, list_models
from aecore.analysis.metrics import kl_divergence
from aecore.runtime.api import TrainedModel
from aecore.runtime.store import build_ready

PARAMS = {"basic": 50992, "sparse": 50992, "deep": 222384, "conv": 40993, "denoising": 47617,
          "lstm": 170556, "vae_mlp": 404244, "vae_conv": 3410058}


def test_registry_order_and_specs():
    assert list_models() == ["basic", "sparse", "deep", "conv", "denoising", "lstm", "vae_mlp",
                             "vae_conv"]
    for name in list_models():
        spec = get_spec(name)
        assert spec.description and spec.architecture and spec.title
        assert spec.family in {"dense", "conv", "sequence", "vae"}
    assert get_spec("conv").latent_dim == 256 and get_spec("denoising").input_noise == 0.5
    with pytest.raises(KeyError, match="choose one of"):
        get_spec("nope")


@pytest.mark.parametrize("name", list(PARAMS))
def test_builder_shapes_and_parameters(name):
    spec = get_spec(name)
    built = build_ready(name)
    model = TrainedModel(spec, built)
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    codes = model.encode(x)
    assert codes.shape == (3, spec.latent_dim)
    assert model.decode(codes).shape == (3, 28, 28)
    out = model.reconstruct(x)
    assert out.shape == (3, 28, 28) and out.min() >= 0 and out.max() <= 1
    assert built.autoencoder.count_params() == PARAMS[name]
    assert model.reconstruct(x[0]).shape == (1, 28, 28)          # a single image works too
    with pytest.raises(ValueError, match="28, 28"):
        model.encode(np.zeros((2, 27, 27)))


def test_vae_kl_matches_closed_form():
    built = build_ready("vae_mlp")
    vae = built.autoencoder
    vae.compile(optimizer="adam")
    x = np.random.default_rng(1).random((64, 28, 28)).astype(np.float32)
    logs = vae.evaluate(x, x, batch_size=64, verbose=0, return_dict=True)
    z_mean, z_log_var = (keras.ops.convert_to_numpy(t) for t in built.encoder(x))
    expected = float(np.mean(kl_divergence(z_mean, z_log_var)))
    assert logs["kl"] == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert logs["loss"] == pytest.approx(logs["reconstruction"] + logs["kl"], rel=1e-5)
