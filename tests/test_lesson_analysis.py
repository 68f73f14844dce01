"""aecore.analysis.lesson: the evidence behind the lesson's reveals."""

from __future__ import annotations

import numpy as np
import pytest

from aecore.analysis import lesson


def test_per_class_error_averages_within_each_class():
    x = np.full((4, 28, 28), 0.5, np.float32)
    x_hat = x.copy()
    x_hat[2:] = 0.9  # the two images of class 1 are rebuilt badly
    errors = lesson.per_class_error(x, x_hat, [0, 0, 1, 1], 3)
    assert errors[1] > errors[0] and np.isnan(errors[2])


def test_winner_and_same_or_better():
    assert lesson.winner({"a": 0.3, "b": 0.2}) == "b"
    assert lesson.winner({"a": 10.0, "b": 20.0}, lower_is_better=False) == "b"
    assert lesson.same_or_better(0.28, 0.27, 0.002) == "better"
    assert lesson.same_or_better(0.28, 0.281, 0.002) == "same"
    assert lesson.same_or_better(0.28, 0.29, 0.002) == "worse"


def two_clusters():
    rng = np.random.default_rng(0)
    codes = np.concatenate([rng.normal((-3, 0), 0.3, (100, 2)), rng.normal((3, 0), 0.3, (100, 2))])
    return codes, np.repeat([0, 1], 100)


def test_guess_report_near_and_far():
    codes, labels = two_clusters()
    near = lesson.guess_report(codes, labels, (2.9, 0.1), 1, 2)
    assert near.close and near.share == 1.0 and near.majority == 1
    assert near.centre == pytest.approx((3, 0), abs=0.15)
    far = lesson.guess_report(codes, labels, (-3, 0), 1, 2)
    assert not far.close and far.share == 0.0 and far.majority == 0
    assert far.distance == pytest.approx(6, abs=0.2)
    with pytest.raises(ValueError):
        lesson.guess_report(codes, labels, (0, 0), 5, 6)


def test_nearest_in_pixels_finds_the_copy():
    bank = np.random.default_rng(1).uniform(size=(20, 28, 28)).astype(np.float32)
    index, rms = lesson.nearest_in_pixels(bank[[7, 3]] + 0.01, bank)
    assert list(index) == [7, 3] and rms == pytest.approx([0.01, 0.01], abs=1e-3)


def test_generated_verdict():
    far = np.array([0.4, 0.45])
    assert lesson.generated_verdict(np.array([0.001, 0.005]), far) == "copies"
    assert lesson.generated_verdict(np.array([0.15, 0.2]), far) == "new"
    assert lesson.generated_verdict(np.array([0.4, 0.41]), far) == "noise"


def test_strangers_and_excess_error():
    x = np.random.default_rng(2).uniform(size=(3, 28, 28)).astype(np.float32)
    inputs = lesson.strangers(x)
    assert set(inputs) == {"clothes", "inverted", "noise"}
    assert np.allclose(inputs["inverted"], 1 - x)
    assert lesson.excess_error(x, x) == pytest.approx(0.0, abs=1e-6)
    assert lesson.excess_error(x, 1 - x) > 0.1
    assert lesson.prior_points(5).shape == (5, 2)
