"""aecore.analysis.neighbours: the numpy brute-force search finds scikit-learn's neighbours."""

import numpy as np
import pytest
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

import aecore
from aecore.analysis import neighbours, retrieval
from aecore.analysis.neighbours import NeighbourIndex, k_smallest, majority_vote
from aecore.runtime import codes


def scikit_learn_neighbours(rows, k):
    """Each row's k nearest other rows by scikit-learn (its choice of tree or brute force)."""
    return NearestNeighbors().fit(rows).kneighbors(n_neighbors=k, return_distance=False)


def scikit_learn_predictions(train, labels, rows, k):
    return KNeighborsClassifier(n_neighbors=k).fit(train, labels).predict(rows)


def assert_like_scikit_learn(rows, labels, k=10):
    """Neighbours of every row, queries from outside, and the k-NN classifier's labels."""
    rows = neighbours.as_rows(rows)
    index = NeighbourIndex(rows)
    np.testing.assert_array_equal(index.neighbours_of_each_row(k),
                                  scikit_learn_neighbours(rows, k))
    distances, found = index.kneighbors(rows[:7] + 0.25, k)
    sk_distances, sk_found = NearestNeighbors().fit(rows).kneighbors(rows[:7] + 0.25, k)
    np.testing.assert_array_equal(found, sk_found)
    np.testing.assert_allclose(distances, sk_distances, rtol=1e-5, atol=1e-6)
    fit, score = retrieval.halves(len(rows))
    np.testing.assert_array_equal(
        neighbours.classify(rows[fit], labels[fit], rows[score], 5),
        scikit_learn_predictions(rows[fit], labels[fit], rows[score], 5))


@pytest.mark.parametrize("dims", [1, 2, 16, 100])   # scikit-learn: k-d tree up to 15, brute above
def test_random_rows(dims):
    rng = np.random.default_rng(dims)
    rows = rng.normal(size=(600, dims)).astype(np.float32)
    assert_like_scikit_learn(rows, rng.integers(0, 10, 600))


@pytest.mark.parametrize("dims", [1, 2, 30])
def test_rows_on_a_grid_have_many_equal_distances(dims):
    """Integer rows: many neighbours at exactly the same distance, and exact duplicates.
    scikit-learn orders equal distances arbitrarily (its heaps and sorts); ours go by row index.
    Both find the same distance at every rank and the same rows strictly nearer than the k-th."""
    rng = np.random.default_rng(10 + dims)
    rows = rng.integers(0, 4, size=(400, dims)).astype(np.float32)
    queries = rows[:50] + 0.5
    distances, found = NeighbourIndex(rows).kneighbors(queries, 10)
    sk_distances, sk_found = NearestNeighbors().fit(rows).kneighbors(queries, 10)
    np.testing.assert_allclose(distances, sk_distances, rtol=1e-6)
    for ours, theirs, d in zip(found, sk_found, distances, strict=True):
        nearer = d < d[-1] - 1e-6
        assert set(ours[nearer]) == set(theirs[nearer])
        for value in np.unique(d):   # within a run of equal distances: by row index
            assert np.all(np.diff(ours[np.isclose(d, value)]) > 0)


def test_more_duplicates_than_neighbours():
    """A row with more copies than k+1 before it: as scikit-learn's kneighbors() without a
    query, the first copy is left out, not the row itself (which is not among them)."""
    rows = np.zeros((12, 3), np.float32)
    rows[8:] = 1.0
    found = NeighbourIndex(rows).neighbours_of_each_row(3)
    np.testing.assert_array_equal(found[:6], [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2],
                                              [1, 2, 3], [1, 2, 3]])
    np.testing.assert_array_equal(found[8:], [[9, 10, 11], [8, 10, 11], [8, 9, 11],
                                              [8, 9, 10]])


def test_small_blocks_give_the_same_neighbours(monkeypatch):
    rows = np.random.default_rng(3).normal(size=(300, 20)).astype(np.float32)
    whole = NeighbourIndex(rows).neighbours_of_each_row(8)
    monkeypatch.setattr(neighbours, "BLOCK_BYTES", 8 * 300 * 7)     # 7 queries a block
    monkeypatch.setattr(neighbours, "ROWS_BYTES", 8 * 20 * 11)      # 11 rows a conversion
    np.testing.assert_array_equal(NeighbourIndex(rows).neighbours_of_each_row(8), whole)


def test_k_smallest_orders_ties_by_index():
    values = np.array([[3.0, 1.0, 1.0, 0.0, 1.0, 2.0]])
    np.testing.assert_array_equal(k_smallest(values, 3), [[3, 1, 2]])
    np.testing.assert_array_equal(k_smallest(values, 6), [[3, 1, 2, 4, 5, 0]])


def test_majority_vote_breaks_ties_towards_the_smallest_label():
    votes = np.array([[2, 2, 1, 1, 0], [5, 5, 5, 1, 1], [7, 3, 3, 7, 9]])
    np.testing.assert_array_equal(majority_vote(votes), [1, 5, 3])


def test_the_real_test_set_codes_and_pixels():
    """On the test set: each served model's codes and the raw pixels give scikit-learn's
    neighbours for every image, its precision@k and its k-NN accuracy (what the pages show)."""
    split = aecore.load_test_set()
    sets = {"pixels": split.x}
    wide = next(n for n in aecore.list_models() if not aecore.get_spec(n).has_plane)
    for name in (wide, aecore.plane_models()[0]):   # scikit-learn: brute force, k-d tree
        sets[name] = codes.test_set_codes(aecore.load_model(name), split)
    for label, x in sets.items():
        rows = neighbours.as_rows(x)
        ours = NeighbourIndex(rows).neighbours_of_each_row(retrieval.K_MAX)
        np.testing.assert_array_equal(ours, scikit_learn_neighbours(rows, retrieval.K_MAX),
                                      err_msg=label)
        fit, score = retrieval.halves(len(rows))
        expected = KNeighborsClassifier(n_neighbors=retrieval.CLASSIFIER_K).fit(
            rows[fit], split.y[fit]).score(rows[score], split.y[score])
        assert retrieval.knn_accuracy(rows, split.y) == expected, label
