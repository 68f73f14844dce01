"""`python -m aecore.evaluate --json / --markdown` output shapes, the PCA baseline checked by
hand, and `aecore.data.write_sample`."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

import aecore
from aecore.analysis.metrics import bce
from aecore.data import fashion_mnist
from aecore.models.registry import all_specs, get_spec, list_models
from aecore.training import evaluate

DENSE = next(s for s in all_specs() if s.family == "dense" and not s.has_plane)
VAE = next(s for s in all_specs() if s.is_vae)
READY = (DENSE.name, VAE.name)
MARKDOWN_CELLS = 8  # model, test BCE, target, MSE, article, PCA, above floor, extra


@pytest.fixture(scope="module")
def weights_dir(untrained, tmp_path_factory):
    """A dense model and a VAE, untrained; every other model has no weights."""
    return untrained.copy_into(tmp_path_factory.mktemp("weights"), READY)


@pytest.fixture
def small_data(monkeypatch):
    """Score on the shipped sample and fit PCA on it too, so a run takes seconds."""
    sample = aecore.data.load_sample()
    monkeypatch.setattr(evaluate, "load_test_set", lambda: sample)
    monkeypatch.setattr(evaluate, "load_fashion_mnist",
                        lambda allow_download=False: ((sample.x, sample.y), (sample.x, sample.y)))
    return sample


def run(capsys, *args) -> tuple[int, str]:
    code = evaluate.main([*args])
    return code, capsys.readouterr().out


def test_json_has_one_row_per_model_in_registry_order(weights_dir, small_data, capsys):
    code, out = run(capsys, "--json", "--weights-dir", str(weights_dir))
    assert code == 1  # some models have no weights
    result = json.loads(out)
    assert set(result) == {"source", "rows"} and "sample" in result["source"]
    rows = {row["model"]: row for row in result["rows"]}
    assert [row["model"] for row in result["rows"]] == list_models()
    for name, row in rows.items():
        spec = get_spec(name)
        assert row["latent_dim"] == spec.latent_dim and row["article_bce"] == spec.article_bce
        expected_pca = evaluate.pca_bce(small_data.x, small_data.x, spec.latent_dim)
        assert row["pca_bce"] == pytest.approx(round(expected_pca, 4), abs=1e-12)
        if name in READY:
            assert "error" not in row
            assert 0.2 < row["test_bce"] < 2 and 0 <= row["test_mse"] <= 1
            assert row["floor_gap"] == pytest.approx(row["test_bce"] - 0.2422, abs=2e-6)
        else:
            assert "python -m aecore" in row["error"] and "test_bce" not in row


def test_json_rows_carry_the_right_statistics_and_targets(weights_dir, small_data, capsys):
    _, out = run(capsys, "--json", "--weights-dir", str(weights_dir))
    rows = {row["model"]: row for row in json.loads(out)["rows"]}
    assert {"code_mean_activation", "code_near_zero_fraction",
            "code_hoyer_sparsity"} <= set(rows[DENSE.name])
    vae = rows[VAE.name]
    assert vae["elbo_nats"] == pytest.approx(vae["reconstruction_nats"] + vae["kl_nats"],
                                             abs=2e-6)
    assert rows[DENSE.name]["target_bce"] == DENSE.target_bce
    assert rows[DENSE.name]["meets_target"] is False  # random weights miss every target
    model = aecore.load_model(DENSE.name, weights_dir)
    expected = bce(small_data.x, model.reconstruct(small_data.x))
    assert rows[DENSE.name]["test_bce"] == pytest.approx(expected, abs=2e-6)


def test_json_for_one_model_succeeds(weights_dir, small_data, capsys):
    code, out = run(capsys, "--json", "--model", DENSE.name, "--weights-dir", str(weights_dir))
    assert code == 0
    assert [row["model"] for row in json.loads(out)["rows"]] == [DENSE.name]


def markdown_rows(out: str) -> list[list[str]]:
    lines = out.strip().splitlines()
    table = [line for line in lines if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in table]


def test_markdown_is_a_table_with_one_row_per_model(weights_dir, small_data, capsys):
    code, out = run(capsys, "--markdown", "--weights-dir", str(weights_dir))
    assert code == 1
    assert out.startswith("Evaluated on the shipped sample")
    header, separator, *rows = markdown_rows(out)
    assert len(header) == MARKDOWN_CELLS and header[:2] == ["model", "test BCE"]
    assert set("".join(separator)) == {"-"} and len(separator) == MARKDOWN_CELLS
    assert [row[0] for row in rows] == list_models()
    assert all(len(row) == MARKDOWN_CELLS for row in rows)
    for row in rows:
        if row[0] in READY:
            assert re.fullmatch(r"\d\.\d{4}", row[1]) and row[2].endswith("✗")
            assert row[5].endswith(f"(k={get_spec(row[0]).latent_dim})")
        else:
            assert row[1] == "—" and row[-1] == "no weights"


# --- the PCA baseline -----------------------------------------------------------------------

def test_pca_by_hand_on_two_pixels():
    """Training pairs on the diagonal: one component is the diagonal; a test pair across it
    projects onto the mean (0.5, 0.5), so its BCE is log 2; two components rebuild it exactly."""
    train = np.array([[0.2, 0.2], [0.8, 0.8], [0.4, 0.4]])
    test = np.array([[0.3, 0.7]])
    assert evaluate.pca_bce(train, test, 1) == pytest.approx(math.log(2), abs=1e-9)
    assert evaluate.pca_bce(train, test, 2) == pytest.approx(bce(test, test), abs=1e-9)


def test_pca_matches_an_svd_reconstruction():
    rng = np.random.default_rng(0)
    train, test = rng.random((200, 6, 6)), rng.random((20, 6, 6))
    flat = train.reshape(200, -1)
    mean = flat.mean(axis=0)
    _, _, vt = np.linalg.svd(flat - mean, full_matrices=False)
    basis = vt[:5].T
    recon = ((test.reshape(20, -1) - mean) @ basis) @ basis.T + mean
    expected = bce(test.reshape(20, -1), np.clip(recon, 0, 1))
    assert evaluate.pca_bce(train, test, 5) == pytest.approx(expected, rel=1e-9)


def test_pca_improves_with_more_components():
    sample = aecore.data.load_sample()
    scores = [evaluate.pca_bce(sample.x, sample.x, k) for k in (2, 32, 256)]
    assert scores == sorted(scores, reverse=True)


# --- the shipped sample ---------------------------------------------------------------------

def fake_dataset(per_class: int = 12, seed: int = 1):
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(np.arange(10), per_class))
    x = (rng.integers(0, 256, (len(y), 28, 28)) / 255.0).astype(np.float32)
    return (x[:0], y[:0]), (x, y)


def test_write_sample_stores_a_class_balanced_subset(tmp_path, monkeypatch):
    data = fake_dataset()
    monkeypatch.setattr(fashion_mnist, "load_fashion_mnist", lambda allow_download=False: data)
    path = tmp_path / "sample.npz"
    split = aecore.data.write_sample(path, per_class=5)
    (_, _), (x, y) = data
    with np.load(path) as raw:
        assert raw["x"].dtype == np.uint8 and raw["y"].dtype == np.uint8
        index = raw["test_index"]
    assert np.array_equal(index, aecore.data.sample_indices(y, 5))
    assert np.bincount(split.y, minlength=10).tolist() == [5] * 10
    assert np.array_equal(split.y, y[index]) and split.source == "sample"
    assert np.abs(split.x - x[index]).max() < 1e-6
    assert not list(tmp_path.glob(".*"))  # written atomically: no temporary file left


def test_the_shipped_sample_is_what_write_sample_makes(tmp_path):
    """Needs the installed dataset (CI installs it): the shipped file is reproducible."""
    made = aecore.data.write_sample(tmp_path / "sample.npz")
    shipped = aecore.data.load_sample()
    assert np.array_equal(made.y, shipped.y) and np.array_equal(made.x, shipped.x)
