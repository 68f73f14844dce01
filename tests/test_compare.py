"""analysis.compare and analysis.tables: the numbers behind Overview, Compare and curves."""

import io

import numpy as np
import pytest
from PIL import Image

from aecore import get_spec, list_models
from aecore.analysis import compare, tables
from aecore.analysis.metrics import FLOOR_BCE, per_image_bce
from aecore.data.uploads import to_png_bytes


def images(n=4, seed=0):
    return np.random.default_rng(seed).random((n, 28, 28), dtype=np.float32)


def test_pick_random_is_reproducible_and_distinct():
    a, b = compare.pick_random(100, 10, 3), compare.pick_random(100, 10, 3)
    assert np.array_equal(a, b) and len(set(a)) == 10
    assert not np.array_equal(a, compare.pick_random(100, 10, 4))
    assert len(compare.pick_random(5, 10, 0)) == 5


def test_pick_per_class_follows_the_class_order():
    labels = np.repeat(np.arange(10), 5)
    picks = compare.pick_per_class(labels, [8, 2], seed=1)
    assert list(labels[picks]) == [8, 2]
    assert len(compare.pick_per_class(labels, [], seed=1)) == 0


def test_one_per_class_gives_different_classes():
    labels = np.repeat(np.arange(10), 5)
    picks = compare.one_per_class(labels, 6, seed=2)
    assert len(picks) == 6 and len(set(labels[picks])) == 6


@pytest.mark.parametrize(("text", "expected"), [
    ("3", [3]), ("0, 5-7", [0, 5, 6, 7]), ("9 9 1", [9, 1]), ("2;4", [2, 4]),
])
def test_parse_indices(text, expected):
    assert compare.parse_indices(text, 10) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("", "No test indices"), ("abc", "not a number"), ("10", "out of range"),
    ("5-2", "backwards"), ("-1", "not a number"), ("0-40", "At most"),
])
def test_parse_indices_explains_bad_input(text, message):
    with pytest.raises(ValueError, match=message):
        compare.parse_indices(text, 100 if "At most" in message else 10)


def test_per_image_errors_by_metric():
    x, y = images(3), images(3, seed=1)
    assert np.allclose(compare.per_image_errors(x, y, "BCE"), per_image_bce(x, y))
    assert np.allclose(compare.per_image_errors(x, x, "MSE"), 0)
    assert np.allclose(compare.per_image_errors(x, x, "SSIM"), 1)
    assert compare.per_image_errors(x[:0], y[:0]).shape == (0,)
    with pytest.raises(ValueError, match="Unknown metric"):
        compare.per_image_errors(x, y, "L7")


def test_excess_bce_is_zero_for_a_perfect_copy_and_positive_otherwise():
    x, y = images(2), images(2, seed=1)
    assert np.allclose(compare.excess_bce_map(x, x), 0, atol=1e-5)
    excess = compare.excess_bce_map(x, y)
    assert excess.shape == x.shape and (excess >= 0).all() and excess.mean() > 0.1
    # mean excess = BCE(x, y) - BCE(x, x)
    assert np.isclose(excess.mean(), per_image_bce(x, y).mean() - per_image_bce(x, x).mean(),
                      atol=1e-4)


def test_signed_difference_colours():
    x = np.zeros((1, 28, 28), np.float32)
    y = x.copy()
    y[0, 0, 0], x[0, 1, 1] = 1.0, 1.0  # too bright at (0, 0), lost ink at (1, 1)
    rgb = compare.signed_difference_rgb(x, y)
    assert rgb.shape == (1, 28, 28, 3)
    assert np.allclose(rgb[0, 0, 0], [1, 0, 0]) and np.allclose(rgb[0, 1, 1], [0, 0, 1])
    assert np.allclose(rgb[0, 5, 5], [1, 1, 1])


def test_heat_ramp_goes_black_to_white():
    rgb = compare.heat_rgb(np.array([0.0, 0.5, 1.0, 2.0]), vmax=1.0)
    assert np.allclose(rgb[0], 0) and np.allclose(rgb[2], 1) and np.allclose(rgb[3], 1)
    assert rgb[1, 0] == 1 and rgb[1, 2] == 0  # red-to-yellow in the middle
    assert np.allclose(compare.heat_rgb(np.zeros(3)), 0)


def test_png_bytes_are_crisp_grey_or_colour():
    grey = Image.open(io.BytesIO(to_png_bytes(images(1)[0], scale=3)))
    assert grey.format == "PNG" and grey.size == (84, 84)
    rgb = compare.signed_difference_rgb(images(1), images(1, seed=1))[0]
    colour = Image.open(io.BytesIO(to_png_bytes(rgb, scale=2)))
    assert colour.mode == "RGB" and colour.size == (56, 56)
    pixels = np.asarray(colour)
    assert (pixels[0, 0] == pixels[1, 1]).all()  # nearest neighbour: 2x2 blocks
    with pytest.raises(ValueError):
        to_png_bytes(np.zeros((28, 28, 2)))


def test_status_kind():
    assert tables.status_kind("ok") == "ok"
    assert tables.status_kind("No trained weights for 'x': it has no entry") == "missing"
    assert tables.status_kind("weights/x.weights.h5 is damaged or was changed") == "damaged"


def test_weights_stamp_changes_with_the_file(tmp_path):
    name = list_models()[0]
    before = tables.weights_stamp(name, tmp_path)
    (tmp_path / f"{name}.weights.h5").write_bytes(b"x")
    assert tables.weights_stamp(name, tmp_path) != before
    assert len(tables.weights_stamp(None, tmp_path)) == 1 + len(list_models())  # + manifest


def test_zoo_rows_without_weights(tmp_path):
    first = get_spec(list_models()[0])
    status = {first.name: f"No trained weights for '{first.name}'"}
    rows = tables.zoo_rows(status, tmp_path)
    assert [r["name"] for r in rows] == list_models() and rows[0]["Parameters"] is None
    assert rows[0]["Test BCE"] is None and rows[0]["Weights"] == "missing"
    assert rows[0]["Article BCE"] == first.article_bce
    assert tables.floor_gap(0.3) == pytest.approx(0.3 - FLOOR_BCE)


def test_curve_and_training_summary():
    history = {"epoch": [1, 2, 3], "loss": [0.4, 0.3, None], "val_loss": [0.5, 0.28, 0.29],
               "preset": "full", "backend": "tensorflow"}
    assert tables.curve(history, "loss") == ([1, 2], [0.4, 0.3])
    assert tables.curve({}, "loss") == ([], [])
    assert tables.curve({"epoch": [1, 2], "loss": ["x", 0.5]}, "loss") == ([2], [0.5])
    assert tables.is_history(history) and not tables.is_history([{"epoch": 1}])
    entry = {"train_seconds": 12.5, "stopped_by_time_limit": True, "trained_on": "NVIDIA H200",
             "date": "2026-12-01T02:11:04Z"}
    summary = tables.training_summary(list_models()[0], history, entry)
    assert summary["Date"] == "2026-12-01"
    assert tables.training_summary(list_models()[0], history, None)["Date"] is None
    assert summary["Stopped by"] == "time limit" and summary["Trained on"] == "NVIDIA H200"
    assert summary["Best epoch"] == 2 and summary["Best val_loss"] == 0.28
    assert summary["Preset"] == "full" and summary["Epochs"] == 3 and summary["Seconds"] == 12.5


def test_shared_columns_are_said_once():
    rows = [{"Model": "A", "Keras": "3.15", "Batch": 64, "Note": None},
            {"Model": "B", "Keras": "3.15", "Batch": 128, "Note": None}]
    kept, shared = tables.shared_columns(rows)
    assert shared == {"Keras": "3.15"}
    assert kept == [{"Model": "A", "Batch": 64, "Note": None},
                    {"Model": "B", "Batch": 128, "Note": None}]
    assert tables.shared_columns(rows[:1]) == (rows[:1], {})   # one row: nothing to factor out
    assert tables.shared_columns([{"Model": "A"}, {"Model": "A"}])[1] == {}   # kept columns stay
