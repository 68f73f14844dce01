"""Builders: shapes, parameter counts, the TrainedModel API over Keras and the VAE's KL term."""

from math import prod

import keras
import numpy as np
import pytest

from aecore import get_spec, list_models
from aecore.analysis.metrics import kl_divergence
from aecore.models.registry import ROLE_DENOISER, SPECS, model_color, plane_models, with_role
from aecore.runtime import store
from aecore.training.weights import build_ready, keras_model

SHIPPED = store.read_manifest()["models"]
FAMILIES = {"dense", "conv", "sequence", "vae"}


def test_registry_specs_are_complete():
    assert list_models() == list(SPECS) and len(set(list_models())) == len(SPECS)
    for name in list_models():
        spec = get_spec(name)
        assert spec.name == name and spec.description and spec.architecture and spec.title
        assert spec.family in FAMILIES and spec.latent_dim == prod(spec.latent_shape)
        assert spec.target_bce is not None or spec.target_beats in SPECS
    assert get_spec(with_role(ROLE_DENOISER)).input_noise > 0
    assert plane_models() == [n for n in list_models() if get_spec(n).latent_dim == 2]
    assert len({model_color(n) for n in list_models()}) == len(SPECS)
    with pytest.raises(KeyError, match="choose one of"):
        get_spec("nope")


@pytest.mark.parametrize("name", list_models())
def test_builder_shapes_and_parameters(name):
    spec = get_spec(name)
    built = build_ready(name)
    model = keras_model(name, built)
    x = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    codes = model.encode(x)
    assert codes.shape == (3, spec.latent_dim)
    assert model.decode(codes).shape == (3, 28, 28)
    out = model.reconstruct(x)
    assert out.shape == (3, 28, 28) and out.min() >= 0 and out.max() <= 1
    if name in SHIPPED:  # the shipped weights were made for exactly this architecture
        assert built.autoencoder.count_params() == SHIPPED[name]["parameters"]
    assert model.reconstruct(x[0]).shape == (1, 28, 28)          # a single image works too
    with pytest.raises(ValueError, match="28, 28"):
        model.encode(np.zeros((2, 27, 27)))


def test_vae_kl_matches_closed_form():
    name = next(s.name for s in SPECS.values() if s.is_vae)
    built = build_ready(name)
    vae = built.autoencoder
    vae.compile(optimizer="adam")
    x = np.random.default_rng(1).random((64, 28, 28)).astype(np.float32)
    logs = vae.evaluate(x, x, batch_size=64, verbose=0, return_dict=True)
    z_mean, z_log_var = (keras.ops.convert_to_numpy(t) for t in built.encoder(x))
    expected = float(np.mean(kl_divergence(z_mean, z_log_var)))
    assert logs["kl"] == pytest.approx(expected, rel=1e-4, abs=1e-5)
    assert logs["loss"] == pytest.approx(logs["reconstruction"] + logs["kl"], rel=1e-5)
