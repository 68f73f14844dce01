"""aecore.analysis.ranking: the numpy ROC / precision–recall curves equal scikit-learn's."""

import numpy as np
import pytest
from sklearn import metrics as sk

import aecore
from aecore.analysis import anomaly, ranking


def assert_same_arrays(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)


def assert_like_scikit_learn(scores, truth):
    """Every point, threshold and area equal scikit-learn's, both with and without dropping."""
    for drop in (True, False):
        assert_same_arrays(ranking.roc_curve(scores, truth, drop),
                           sk.roc_curve(truth, scores, drop_intermediate=drop))
        assert_same_arrays(ranking.precision_recall_curve(scores, truth, drop),
                           sk.precision_recall_curve(truth, scores, drop_intermediate=drop))
    fpr, tpr, _ = ranking.roc_curve(scores, truth)
    precision, recall, _ = ranking.precision_recall_curve(scores, truth)
    assert ranking.auc(fpr, tpr) == sk.auc(fpr, tpr)
    assert ranking.auc(recall, precision) == sk.auc(recall, precision)
    assert ranking.auc(fpr, tpr) == pytest.approx(sk.roc_auc_score(truth, scores), abs=1e-12)


@pytest.mark.parametrize("n", [3, 10, 200, 5000])
@pytest.mark.parametrize("decimals", [None, 1, 0])   # rounded scores: many ties
def test_random_scores_with_and_without_ties(n, decimals):
    rng = np.random.default_rng(n)
    scores = rng.normal(size=n)
    if decimals is not None:
        scores = np.round(scores, decimals)
    truth = rng.random(n) < 0.2
    truth[:2] = [True, False]   # both classes present
    assert_like_scikit_learn(scores, truth)


def test_all_scores_tied_and_integer_scores():
    assert_like_scikit_learn(np.ones(5), np.array([True, False, True, False, False]))
    assert_like_scikit_learn(np.array([3, 1, 2, 2, 0]), np.array([1, 0, 1, 0, 0], bool))


def test_one_class_only_warns_like_scikit_learn():
    scores, none = np.array([0.1, 0.4, 0.4, 0.9]), np.zeros(4, bool)
    with pytest.warns(UserWarning):
        fpr, tpr, _ = ranking.roc_curve(scores, none)
    assert np.all(np.isnan(tpr)) and fpr[-1] == 1.0
    with pytest.warns(UserWarning):
        precision, recall, _ = ranking.precision_recall_curve(scores, none)
    with pytest.warns(UserWarning):
        expected = sk.precision_recall_curve(none, scores)
    assert_same_arrays((precision, recall), expected[:2])


def test_auc_direction_and_errors():
    assert ranking.auc([0, 1], [1, 1]) == 1.0
    assert ranking.auc([1, 0], [1, 1]) == 1.0
    with pytest.raises(ValueError):
        ranking.auc([0, 1, 0.5], [1, 1, 1])
    with pytest.raises(ValueError):
        ranking.auc([0], [1])
    with pytest.raises(ValueError):
        ranking.roc_curve([0.1, np.nan], [True, False])


def test_the_shipped_anomaly_scores_give_scikit_learns_curves():
    """The curves the anomaly page draws, on every shipped score of the real test set."""
    split = aecore.load_test_set()
    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, split.x, split.y)
    for scores in table.test.values():
        assert_like_scikit_learn(scores, table.is_anomaly)
        shown = anomaly.curves(scores, table.is_anomaly)
        precision, recall, _ = sk.precision_recall_curve(table.is_anomaly, scores)
        assert shown.pr_auc == sk.auc(recall, precision)
