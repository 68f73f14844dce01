"""aecore.analysis.downloads: the PNG, CSV and zip files the pages offer for download."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

import aecore
from aecore.analysis import downloads, projection
from aecore.files import sha256_of
from aecore.models.registry import all_specs
from aecore.runtime import store


def read_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_grid_png_places_every_cell_with_labels_on_the_left():
    black, white = np.zeros((28, 28)), np.ones((28, 28))
    red = np.zeros((28, 28, 3))
    red[..., 0] = 1.0
    data = downloads.grid_png([[black, white], [red]], ["Original", "Model"], scale=2)
    pixels = read_png(data)
    gap = downloads.CELL_GAP
    assert pixels.shape[0] == 2 * 56 + gap
    left = pixels.shape[1] - (2 * 56 + gap)
    assert left > 0, "a label column is drawn"
    assert (pixels[:56, left:left + 56] == 0).all()
    assert (pixels[:56, left + 56 + gap:] == 255).all()
    assert (pixels[56 + gap:, left:left + 56] == [255, 0, 0]).all()
    assert (pixels[:, :left] < 128).any(), "label text is drawn"


def test_grid_png_without_labels_has_no_label_column():
    pixels = read_png(downloads.grid_png([[np.zeros((28, 28))] * 3], scale=1))
    assert pixels.shape == (28, 3 * 28 + 2 * downloads.CELL_GAP, 3)


def test_grid_png_refuses_an_empty_grid():
    with pytest.raises(ValueError):
        downloads.grid_png([[]])


def test_manifold_png_keeps_row_order():
    n = 3
    images = np.stack([np.full((28, 28), i / (n * n)) for i in range(n * n)])
    pixels = read_png(downloads.manifold_png(images, n, scale=1))
    assert pixels.shape == (n * 28, n * 28, 3)
    for i in range(n * n):
        r, c = divmod(i, n)
        assert pixels[r * 28 + 5, c * 28 + 5, 0] == round(i / (n * n) * 255)
    with pytest.raises(ValueError):
        downloads.manifold_png(images[:-1], n)


def test_codes_csv_has_one_row_per_image_with_its_class():
    codes = np.array([[0.5, -1.25], [2.0, 0.0], [1e-7, 3.0]])
    labels = np.array([1, 9, 0])
    rows = read_csv(downloads.codes_csv(codes, labels, aecore.CLASS_NAMES, index=[10, 11, 12]))
    assert [r["index"] for r in rows] == ["10", "11", "12"]
    assert rows[0]["class"] == aecore.CLASS_NAMES[1] and rows[1]["label"] == "9"
    assert float(rows[0]["z1"]) == 0.5 and float(rows[0]["z2"]) == -1.25
    named = read_csv(downloads.codes_csv(codes, labels, aecore.CLASS_NAMES,
                                         axis_names=["x", "y"]))
    assert set(named[0]) == {"index", "label", "class", "x", "y"}


def test_projection_csv_names_the_axes_by_method():
    codes = np.random.default_rng(0).normal(size=(30, 5)).astype(np.float32)
    labels = np.arange(30) % 10
    for proj, axes in ((projection.project(codes[:, :2]), ["z1", "z2"]),
                       (projection.project(codes, "pca"), ["pc1", "pc2"])):
        rows = read_csv(downloads.projection_csv(proj, labels, aecore.CLASS_NAMES))
        assert len(rows) == 30 and list(rows[0])[3:] == axes
        assert rows[7]["label"] == "7" and float(rows[7][axes[0]]) == pytest.approx(
            float(proj.points[7, 0]), rel=1e-5)


def test_csv_bytes_writes_blanks_for_missing_values():
    rows = read_csv(downloads.csv_bytes([{"a": 1, "b": None}, {"a": 0.123456789, "c": "x"}]))
    assert rows == [{"a": "1", "b": "", "c": ""}, {"a": "0.123457", "b": "", "c": "x"}]


def test_history_csv_is_long_form_and_skips_gaps():
    histories = {"basic": {"epoch": [1, 2], "loss": [0.3, 0.29], "val_loss": [0.31, None]},
                 "deep": {"epoch": [1], "loss": [0.5], "val_loss": [0.4], "preset": "full"}}
    rows = read_csv(downloads.history_csv(histories))
    assert [(r["model"], r["epoch"]) for r in rows] == [("basic", "1"), ("basic", "2"),
                                                          ("deep", "1")]
    assert rows[1]["val_loss"] == "" and rows[2]["val_loss"] == "0.4"
    assert "preset" not in rows[0]


@pytest.fixture
def weights_folder(tmp_path):
    """A weights folder whose manifest records a (fake) `basic` weights file and metrics."""
    path = tmp_path / "basic.weights.h5"
    path.write_bytes(b"not really HDF5")
    store.update_entry("basic", lambda _old: {
        "file": path.name, "sha256": sha256_of(path), "parameters": 123,
        "metrics": {"test_bce": 0.2828, "test_mse": 0.0124, "code_hoyer_sparsity": 0.2}},
        tmp_path)
    return tmp_path


def test_evaluate_csv_has_every_model_and_the_recorded_metrics(weights_folder):
    status = {name: "No trained weights" for name in aecore.list_models()} | {"basic": "ok"}
    rows = read_csv(downloads.evaluate_csv(status, weights_folder))
    assert [r["model"] for r in rows] == aecore.list_models()
    by_model = {r["model"]: r for r in rows}
    basic, other = by_model.pop("basic"), next(iter(by_model.values()))
    assert float(basic["test_bce"]) == 0.2828 and basic["parameters"] == "123"
    assert float(basic["code_hoyer_sparsity"]) == 0.2
    assert basic["target_bce"] == f"{aecore.get_spec('basic').target_bce:g}"
    assert other["test_bce"] == "" and other["weights"] == "missing"


def test_spec_json_round_trips_every_registered_spec():
    for spec in all_specs():
        data = json.loads(json.dumps(downloads.spec_dict(spec)))
        assert downloads.spec_from_dict(data) == spec


def test_model_zip_holds_weights_spec_and_manifest_entry(weights_folder):
    data = downloads.model_zip("basic", weights_folder)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == ["basic.manifest.json", "basic.spec.json",
                                              "basic.weights.h5"]
        assert archive.read("basic.weights.h5") == b"not really HDF5"
        spec = json.loads(archive.read("basic.spec.json"))
        assert spec["name"] == "basic" and spec["latent_shape"] == [32]
        assert json.loads(archive.read("basic.manifest.json"))["parameters"] == 123


def test_model_zip_refuses_damaged_weights(weights_folder):
    (weights_folder / "basic.weights.h5").write_bytes(b"changed")
    with pytest.raises(aecore.WeightsError, match="damaged"):
        downloads.model_zip("basic", weights_folder)
