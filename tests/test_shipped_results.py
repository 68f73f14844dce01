"""Results shipped in weights/ (retrieval scores, the PCA basis and curve, clean BCE, anomaly
scores): used when current, equal to a fresh computation, ignored when stale or damaged, and
written by the export command."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import aecore
from aecore.analysis import anomaly, diskcache, pca, retrieval
from aecore.analysis.metrics import per_image_bce
from aecore.data import DataSplit
from aecore.models.registry import get_spec, list_models
from aecore.paths import WEIGHTS_DIR
from aecore.runtime import codes, store
from aecore.runtime.api import load_model


def no_computing(monkeypatch):
    """Fail on any computation or cache use: what follows must come from shipped files."""
    def fail(*_args, **_kwargs):
        pytest.fail("computed or read from the cache instead of the shipped file")
    for target, name in ((retrieval, "neighbour_scores"), (pca, "fit_pca"),
                         (pca, "bce_by_size"), (anomaly, "model_scores"),
                         (diskcache, "cached_json"), (diskcache, "cached_arrays"),
                         (diskcache, "read_training_set")):
        monkeypatch.setattr(target, name, fail)


@pytest.fixture(scope="module")
def full_test_set() -> aecore.DataSplit:
    split = aecore.load_test_set()
    assert split.source == "full", "the shipped results are for the full test set"
    return split


# --- the shipped files: current, used, and what a fresh computation gives ----------------------

def test_every_shipped_result_is_current_and_read_without_computing(full_test_set, monkeypatch):
    """What the Retrieval, AE vs PCA and Anomaly detection pages ask for on a fresh clone comes
    from weights/ (run `python -m aecore.export` after retraining or re-exporting)."""
    split, manifest = full_test_set, store.read_manifest()["models"]
    test_key = retrieval.test_set_key(split.x, split.y)
    basis = pca.training_pca()
    no_computing(monkeypatch)
    assert pca.training_pca().components.shape == (pca.BASIS_SIZE, 784)
    for name in list_models():
        scores = retrieval.cached_neighbour_scores(
            retrieval.model_key_parts(name, manifest[name], test_key), None, split.y)
        assert 0.1 < scores.at(10) <= 1 and scores.machine, name
        if get_spec(name).input_noise:
            assert 0.24 < pca.clean_bce(load_model(name), split.x, codes=None) < 0.4
    sizes = sorted({get_spec(name).latent_dim for name in list_models()})
    for k in sizes:
        retrieval.cached_neighbour_scores(retrieval.pca_key_parts(k, basis.components, test_key),
                                          None, split.y, data_only=True)
    retrieval.cached_neighbour_scores(retrieval.pixels_key_parts(test_key), None, split.y,
                                      data_only=True)
    curve = pca.cached_bce_by_size(basis, split.x, sorted({*pca.CURVE_SIZES, *sizes}))
    assert list(curve.values()) == sorted(curve.values(), reverse=True)
    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, split.x, split.y)
    assert list(table.test) == anomaly.score_ids() and table.reference is not None


def test_shipped_results_are_what_a_fresh_computation_gives(full_test_set):
    split = full_test_set
    test_key = retrieval.test_set_key(split.x, split.y)
    model = load_model("basic")
    shipped = retrieval.cached_neighbour_scores(
        retrieval.model_key_parts("basic", model.entry, test_key), None, split.y)
    fresh = retrieval.neighbour_scores(model.encode(split.x), split.y)
    np.testing.assert_allclose(shipped.precision, fresh.precision, atol=1e-4)
    assert shipped.knn_accuracy == pytest.approx(fresh.knn_accuracy, abs=1e-3)

    basis = pca.training_pca()
    curve = pca.cached_bce_by_size(basis, split.x, pca.CURVE_SIZES)
    fresh_curve = pca.bce_by_size(basis, split.x, (2, 32, 512))
    for k, value in fresh_curve.items():
        assert curve[k] == pytest.approx(value, rel=1e-6), k
    refit = pca.fit_pca(diskcache.read_training_set()[0])   # the basis: a fresh fit's axes
    images = split.x[:20]
    for k in (2, 32, 512):
        np.testing.assert_allclose(basis.reconstruct(images, k), refit.reconstruct(images, k),
                                   atol=1e-4)

    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, split.x, split.y)
    models = anomaly.load_anomaly_models(anomaly.DEFAULT_HELD_OUT)
    for score, values in anomaly.model_scores(models["basic"], split.x).items():
        np.testing.assert_allclose(table.test[score], values, rtol=1e-5)

    denoiser = next(n for n in list_models() if get_spec(n).input_noise)
    noisy = load_model(denoiser)
    recorded = json.loads((WEIGHTS_DIR / "clean-bce" / f"{denoiser}.json").read_text())
    here = float(np.mean(per_image_bce(split.x, noisy.reconstruct(split.x))))
    assert recorded["result"]["bce"] == pytest.approx(here, rel=1e-5)


# --- stale or damaged shipped files are ignored -----------------------------------------------

def test_stored_json_prefers_a_current_shipped_file_and_ignores_a_stale_or_damaged_one(tmp_path):
    shipped, cached = tmp_path / "shipped.json", tmp_path / ".cache" / "k.json"
    made = []

    def compute():
        made.append(1)
        return {"v": len(made)}

    assert diskcache.stored_json("k", shipped, cached, compute, ship=True) == {"v": 1}
    assert json.loads(shipped.read_text()) == {"key": "k", "result": {"v": 1}}
    assert not cached.exists()
    assert diskcache.stored_json("k", shipped, cached, compute) == {"v": 1}        # shipped
    assert diskcache.stored_json("k", shipped, cached, compute, ship=True) == {"v": 1}
    assert made == [1]                                                  # current: kept as is

    assert diskcache.stored_json("other", shipped, cached, compute) == {"v": 2}    # stale
    assert json.loads(cached.read_text()) == {"v": 2}
    assert json.loads(shipped.read_text())["result"] == {"v": 1}    # the shipped one untouched
    for damage in ("{not json", "[1, 2]", '{"key": "k"}', '{"key": "k", "result": 3}'):
        shipped.write_text(damage)
        cached.unlink()
        assert diskcache.stored_json("k", shipped, cached, compute)["v"] == len(made)
    assert len(made) == 6


def test_stored_arrays_prefer_a_current_shipped_file_and_ignore_a_stale_or_damaged_one(
        tmp_path):
    shipped, cached = tmp_path / "shipped.npz", tmp_path / ".cache" / "k.npz"
    made = []

    def compute():
        made.append(1)
        return {"test/a.bce": np.arange(4.0) + len(made)}

    first = diskcache.stored_arrays("k", shipped, cached, compute, ship=True)
    assert shipped.is_file() and not cached.exists()
    again = diskcache.stored_arrays("k", shipped, cached, compute)
    assert set(again) == {"test/a.bce"} and made == [1]
    np.testing.assert_array_equal(again["test/a.bce"], first["test/a.bce"])

    stale = diskcache.stored_arrays("other", shipped, cached, compute)
    np.testing.assert_array_equal(stale["test/a.bce"], np.arange(4.0) + 2)
    assert cached.is_file() and made == [1, 1]
    good = shipped.read_bytes()
    for damage in (b"garbage", good[: len(good) // 2], good[:-30]):
        shipped.write_bytes(damage)
        cached.unlink()
        diskcache.stored_arrays("k", shipped, cached, compute)
    assert len(made) == 5


def test_training_pca_reads_the_shipped_basis_only_for_the_same_training_images(
        tmp_path, monkeypatch):
    monkeypatch.setattr(diskcache, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr(diskcache, "training_set_key", lambda: "set-a")
    rng = np.random.default_rng(0)
    train = rng.random((100, 784)).astype(np.float32)
    monkeypatch.setattr(diskcache, "read_training_set", lambda: (train, None))
    fits = []
    real_fit = pca.fit_pca
    monkeypatch.setattr(pca, "fit_pca", lambda x: fits.append(1) or real_fit(x))

    shipped = pca.training_pca(ship=True)
    assert (tmp_path / "pca" / "train.npz").is_file() and not (tmp_path / ".cache").exists()
    assert shipped.components.shape == (pca.BASIS_SIZE, 784) and fits == [1]
    np.testing.assert_array_equal(pca.training_pca().components, shipped.components)
    assert fits == [1]
    with pytest.raises(ValueError, match="PCA-600"):
        shipped.encode(train[:2], 600)

    monkeypatch.setattr(diskcache, "training_set_key", lambda: "set-b")   # other images
    pca.training_pca()
    assert fits == [1, 1] and list((tmp_path / ".cache" / "pca").glob("train-set-b-*.npz"))


def test_retrieval_scores_from_a_shipped_file_until_the_weights_change(tmp_path):
    rng = np.random.default_rng(0)
    rows, labels = rng.normal(size=(60, 4)).astype(np.float32), np.arange(60) % 3
    calls = []

    def make_rows():
        calls.append(1)
        return rows

    parts = retrieval.model_key_parts("basic", {"serving": {"encoder": {"sha256": "a"}}}, "t")
    shipped = retrieval.cached_neighbour_scores(parts, make_rows, labels, tmp_path, ship=True)
    assert (tmp_path / "retrieval" / "basic.json").is_file() and calls == [1]
    assert retrieval.cached_neighbour_scores(parts, make_rows, labels, tmp_path) == shipped
    assert calls == [1] and shipped.machine

    retrained = retrieval.model_key_parts("basic", {"serving": {"encoder": {"sha256": "b"}}},
                                          "t")
    retrieval.cached_neighbour_scores(retrained, make_rows, labels, tmp_path)
    assert calls == [1, 1] and list((tmp_path / ".cache" / "retrieval").glob("*.json"))
    assert retrieval.shipped_name(retrieval.pca_key_parts(32, rows, "t")) == "pca-32"
    assert retrieval.shipped_name(retrieval.pixels_key_parts("t")) == "pixels"


def test_a_stale_shipped_anomaly_table_is_recomputed(tmp_path, monkeypatch):
    source = anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, WEIGHTS_DIR)
    folder = anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, tmp_path)
    shutil.copytree(source, folder)   # with the shipped scores.npz, made for the full test set
    assert (folder / "scores.npz").is_file()
    monkeypatch.setattr(anomaly, "reference_images", lambda *_: None)
    x, y = aecore.load_test_set().x[::50], aecore.load_test_set().y[::50]
    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, x, y, tmp_path)   # other images
    assert all(len(s) == len(x) for s in table.test.values())
    assert list((tmp_path / ".cache" / "anomaly").glob("without-*.npz"))


# --- the export command writes them -----------------------------------------------------------

def test_export_ships_the_page_results(tmp_path, untrained, monkeypatch):
    from aecore.training import export

    name = "basic"
    untrained.copy_into(tmp_path, [name])
    shutil.copytree(anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, WEIGHTS_DIR),
                    anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, tmp_path),
                    ignore=shutil.ignore_patterns("scores.npz"))
    rng = np.random.default_rng(0)
    split = DataSplit(rng.random((120, 28, 28)).astype(np.float32), np.arange(120) % 10,
                      "full")
    train = rng.random((300, 28, 28)).astype(np.float32)
    monkeypatch.setattr(export, "load_test_set", lambda: split)
    monkeypatch.setattr(diskcache, "WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr(diskcache, "read_training_set", lambda: (train, np.arange(300) % 10))
    monkeypatch.setattr(anomaly, "REFERENCE_IMAGES", 50)

    export.ship_results([name], tmp_path)
    shipped = [tmp_path / "retrieval" / f"{name}.json", tmp_path / "pca" / "train.npz",
               tmp_path / "pca" / "bce.json", tmp_path / "retrieval" / "pixels.json",
               *(tmp_path / "retrieval" / f"pca-{get_spec(n).latent_dim}.json"
                 for n in list_models()),
               anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, tmp_path) / "scores.npz"]
    assert [p for p in shipped if not p.is_file()] == []

    # What the pages ask for now comes from those files, equal to a fresh computation.
    model = load_model(name, tmp_path)
    test_key = retrieval.test_set_key(split.x, split.y)
    fresh = retrieval.neighbour_scores(codes.test_set_codes(model, split, tmp_path), split.y)
    basis = pca.training_pca()
    no_computing(monkeypatch)
    read = retrieval.cached_neighbour_scores(
        retrieval.model_key_parts(name, model.entry, test_key), None, split.y, tmp_path)
    assert read.precision == pytest.approx(fresh.precision)
    assert read.knn_accuracy == fresh.knn_accuracy
    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, split.x, split.y, tmp_path)
    assert table.reference is not None and all(len(r) == 50 for r in table.reference.values())
    assert pca.training_pca().components.shape == basis.components.shape
