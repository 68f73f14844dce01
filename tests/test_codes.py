"""Stored test-set codes are reused only for the weights and images they were made from."""

import numpy as np

from aecore.data import DataSplit
from aecore.models.registry import plane_models
from aecore.runtime import codes as codes_mod
from aecore.runtime.api import load_model


def test_codes_are_cached_and_invalidated(tmp_path, untrained):
    name = plane_models()[0]
    x = np.random.default_rng(0).random((50, 28, 28)).astype(np.float32)
    untrained.copy_into(tmp_path, [name])
    model = load_model(name, tmp_path)
    split = DataSplit(x[:50], np.zeros(50, int), "sample")

    first = codes_mod.test_set_codes(model, split, tmp_path)
    _, cached = codes_mod.code_files(name, "sample", tmp_path)
    assert cached.is_file() and first.shape == (50, 2)
    np.testing.assert_allclose(first, model.encode(split.x), atol=1e-6)

    codes_mod.write_codes(cached, np.zeros((50, 2)), model.entry["sha256"])
    assert not codes_mod.test_set_codes(model, split, tmp_path).any()      # served from cache

    codes_mod.write_codes(cached, np.zeros((50, 2)), "other weights")
    np.testing.assert_allclose(codes_mod.test_set_codes(model, split, tmp_path), first, atol=1e-6)

    shipped = codes_mod.ship_codes(model, split, tmp_path)
    assert shipped.parent.name == "codes" and shipped.is_file()
