"""aecore's PCA baseline, nearest-neighbour retrieval and the disk caches behind them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from aecore.analysis import diskcache, pca, retrieval
from aecore.analysis.metrics import bce
from aecore.analysis.neighbours import NeighbourIndex
from aecore.training.evaluate import pca_bce


def images(n=300, rank=12, seed=0) -> np.ndarray:
    """Images in [0, 1] that mostly live in a low-dimensional subspace."""
    rng = np.random.default_rng(seed)
    flat = rng.random((n, rank)) @ rng.random((rank, 784)) / rank
    return np.clip(flat + 0.01 * rng.standard_normal((n, 784)), 0, 1).astype(np.float32)


def clusters(n_per=40, classes=4, dims=8, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Well-separated Gaussian blobs, one per class."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), n_per)
    centres = 20.0 * rng.standard_normal((classes, dims))
    return (centres[labels] + rng.standard_normal((len(labels), dims))).astype(np.float32), labels


# --- PCA --------------------------------------------------------------------------------------

def test_pca_axes_are_orthonormal_and_sorted_by_variance():
    fitted = pca.fit_pca(images().reshape(-1, 28, 28))
    gram = fitted.components @ fitted.components.T
    np.testing.assert_allclose(gram, np.eye(784), atol=1e-4)
    assert np.all(np.diff(fitted.variance) <= 1e-6)
    x = images(20, seed=1)
    np.testing.assert_allclose(fitted.reconstruct(x, 784).reshape(20, -1), np.clip(x, 0, 1),
                               atol=1e-4)
    assert fitted.encode(x, 5).shape == (20, 5)


def test_pca_bce_by_size_matches_direct_reconstruction_and_evaluate():
    train, test = images(400), images(50, seed=3)
    fitted = pca.fit_pca(train)
    curve = pca.bce_by_size(fitted, test, (2, 8, 32))
    for k, value in curve.items():
        assert value == pytest.approx(bce(test, fitted.reconstruct(test, k)), rel=1e-6)
    assert curve[8] == pytest.approx(pca_bce(train, test, 8), rel=1e-4)  # the evaluate table's
    assert curve[2] > curve[8] > curve[32]


def test_training_pca_fits_once_per_training_set(tmp_path, monkeypatch):
    monkeypatch.setattr(diskcache, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr(diskcache, "training_set_key", lambda: "set-a")
    train = images(200)
    monkeypatch.setattr(diskcache, "read_training_set", lambda: (train, None))
    first = pca.training_pca()
    assert list((tmp_path / ".cache" / "pca").glob("train-set-a-*.npz"))
    monkeypatch.setattr(pca, "fit_pca", lambda x: pytest.fail("refitted"))
    np.testing.assert_array_equal(pca.training_pca().components, first.components)
    curve = pca.cached_bce_by_size(first, images(30, seed=2), (4, 2))
    assert list(curve) == [2, 4] and pca.cached_bce_by_size(first, images(30, seed=2),
                                                            (2, 4)) == curve


def test_the_training_set_is_named_without_reading_it():
    key = diskcache.training_set_key()
    assert key == diskcache.training_set_key() and len(key) == 24
    x_train, y_train = diskcache.read_training_set()
    assert x_train.shape == (60_000, 28, 28) and y_train.shape == (60_000,)


# --- retrieval --------------------------------------------------------------------------------

def test_precision_and_knn_on_separable_clusters():
    x, y = clusters()
    scores = retrieval.neighbour_scores(x, y, k_max=10)
    assert scores.precision == pytest.approx((1.0,) * 10)
    assert scores.knn_accuracy == 1.0 and scores.at(10) == 1.0
    assert scores.build_ms >= 0 and scores.query_ms > 0
    assert scores.algorithm == NeighbourIndex.algorithm


def test_precision_at_k_counts_same_class_neighbours():
    # Points on a line: 0 1 | 10 11 (classes a a | b b); each point's nearest is its partner.
    x = np.array([[0.0], [1.0], [10.0], [11.0]], np.float32)
    scores = retrieval.neighbour_scores(x, np.array([0, 0, 1, 1]), k_max=3)
    assert scores.precision == pytest.approx((1.0, 0.5, 1 / 3))


def test_nearest_leaves_the_query_out():
    x, _ = clusters()
    index = NeighbourIndex(x)
    found, distances = retrieval.nearest(index, x[7], 5, skip=7)
    assert 7 not in found and len(found) == 5 and np.all(np.diff(distances) >= 0)
    with_self, _ = retrieval.nearest(index, x[7], 5)
    assert with_self[0] == 7


def test_neighbour_scores_are_measured_once(tmp_path):
    x, y = clusters()
    calls = []

    def rows():
        calls.append(1)
        return x

    first = retrieval.cached_neighbour_scores(("test", 1), rows, y, tmp_path)
    again = retrieval.cached_neighbour_scores(("test", 1), rows, y, tmp_path)
    assert calls == [1] and again == first
    retrieval.cached_neighbour_scores(("test", 2), rows, y, tmp_path)
    assert len(calls) == 2


# --- disk cache -------------------------------------------------------------------------------

def test_fingerprint_and_keys_follow_the_content():
    a = images(10)
    b = a.copy()
    assert diskcache.fingerprint(a) == diskcache.fingerprint(b)
    b[0, 0] += 0.5
    assert diskcache.fingerprint(a) != diskcache.fingerprint(b)
    assert diskcache.make_key("x", 1) != diskcache.make_key("x", 2)


def test_a_damaged_cache_file_is_recomputed(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("{not json")
    assert diskcache.cached_json(path, lambda: {"v": 1}) == {"v": 1}
    assert json.loads(path.read_text()) == {"v": 1}
    arrays = tmp_path / "arrays.npz"
    arrays.write_bytes(b"garbage")
    out = diskcache.cached_arrays(arrays, lambda: {"a": np.arange(3)})
    np.testing.assert_array_equal(out["a"], np.arange(3))
    np.testing.assert_array_equal(diskcache.cached_arrays(arrays, dict)["a"], np.arange(3))


def test_serving_checksums_come_from_the_manifest_entry():
    entry = {"serving": {"encoder": {"sha256": "e"}, "decoder": {"sha256": "d"},
                         "max_abs_difference": {"encoder": 1e-6}}}
    assert diskcache.serving_checksums(entry) == {"encoder": "e", "decoder": "d"}


def test_clean_bce_decodes_given_codes_and_is_kept(tmp_path):
    from aecore.models.registry import all_specs
    from aecore.runtime.api import TrainedModel

    spec, x = all_specs()[0], images(20).reshape(-1, 28, 28)
    codes = np.zeros((20, spec.latent_dim), np.float32)
    grey = TrainedModel(spec, lambda x: codes[:len(x)],
                        lambda z: np.full((len(z), 28, 28), 0.5, np.float32),
                        entry={"serving": {"encoder": {"sha256": "e"}}})
    value = pca.clean_bce(grey, x, tmp_path, codes=codes)
    assert value == pytest.approx(np.log(2), rel=1e-6)   # a grey image costs ln 2 per pixel
    assert pca.clean_bce(grey, x, tmp_path) == value and list(tmp_path.rglob("*.json"))
