"""Exact Euclidean k-nearest-neighbour search by brute force, in numpy.

It gives the neighbours scikit-learn's `NearestNeighbors` and `KNeighborsClassifier` give on
the same rows (the serving process does not import scikit-learn: 130 MB and two seconds).
Squared distances are ||a||² - 2a·b + ||b||² in float64, clipped at zero, as scikit-learn's
brute-force search computes them; equal distances are ordered by row index. The distance
matrix is filled a block of queries at a time, at most BLOCK_BYTES of it, so memory does not
grow with the number of queries (every test image's pixels against the others: ~75 MB peak).
"""

from __future__ import annotations

import numpy as np

BLOCK_BYTES = 24 * 2**20     # distances held at once (with their sort indices: < 64 MiB)
ROWS_BYTES = 8 * 2**20       # indexed rows converted to float64 at a time
ALGORITHM = "brute force (numpy)"


def as_rows(x) -> np.ndarray:
    """Flat float32 rows (n, d) of images or codes (a view when they already are)."""
    arr = np.asarray(x, np.float32)
    return np.ascontiguousarray(arr.reshape(len(arr), -1))


def squared_norms(rows: np.ndarray) -> np.ndarray:
    """||row||² of each row, in float64 (converted ROWS_BYTES at a time)."""
    step = _rows_per(ROWS_BYTES, rows.shape[1])
    wide = (rows[i:i + step].astype(np.float64) for i in range(0, len(rows), step))
    return np.concatenate([np.einsum("ij,ij->i", w, w) for w in wide] or [np.zeros(0)])


def _rows_per(budget: int, width: int) -> int:
    """How many float64 rows of `width` values fit in `budget` bytes (at least one)."""
    return max(1, budget // (8 * max(1, width)))


class NeighbourIndex:
    """The rows to search and their squared norms (building it is all the 'index' there is)."""

    algorithm = ALGORITHM

    def __init__(self, rows):
        self.rows = as_rows(rows)
        self.norms = squared_norms(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def squared_distances(self, queries: np.ndarray) -> np.ndarray:
        """(q, n) squared distances from each query row to every indexed row, float64."""
        queries = as_rows(queries).astype(np.float64)
        out = np.empty((len(queries), len(self)))
        step = _rows_per(ROWS_BYTES, self.rows.shape[1])
        for start in range(0, len(self), step):
            block = self.rows[start:start + step].astype(np.float64)
            out[:, start:start + step] = queries @ block.T
        out *= -2.0
        out += squared_norms(queries)[:, None]   # scikit-learn's order: (|a|² - 2ab) + |b|²
        out += self.norms[None, :]
        return np.maximum(out, 0.0, out=out)

    def kneighbors(self, queries, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(distances, indices), each (q, k): every query's k nearest rows, nearest first."""
        queries = as_rows(queries)
        k = min(k, len(self))
        found = np.empty((len(queries), k), np.intp)
        distances = np.empty((len(queries), k))
        for start in range(0, len(queries), self.block_size()):
            block = self.squared_distances(queries[start:start + self.block_size()])
            chosen = k_smallest(block, k)
            found[start:start + len(block)] = chosen
            distances[start:start + len(block)] = np.take_along_axis(block, chosen, axis=1)
        return np.sqrt(distances), found

    def block_size(self) -> int:
        """Query rows per block of the distance matrix."""
        return _rows_per(BLOCK_BYTES, len(self))

    def neighbours_of_each_row(self, k: int) -> np.ndarray:
        """(n, k) indices of each indexed row's k nearest *other* rows (scikit-learn's
        `kneighbors()` without a query: the row itself is left out, or, when more than k
        duplicates of it come first, the first of them)."""
        _, found = self.kneighbors(self.rows, k + 1)
        others = found != np.arange(len(self))[:, None]
        crowded = np.all(others, axis=1)
        others[crowded, 0] = False
        return found[others].reshape(len(self), k)


def k_smallest(values: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the k smallest values of each row, smallest first, ties by index."""
    if k >= values.shape[1]:
        return np.argsort(values, axis=1, kind="stable")[:, :k]
    part = np.argpartition(values, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(values, part, axis=1).max(axis=1)
    tied = np.sum(values <= kth[:, None], axis=1) > k   # equal values across the cut
    if np.any(tied):
        part[tied] = np.argsort(values[tied], axis=1, kind="stable")[:, :k]
    order = np.lexsort((part, np.take_along_axis(values, part, axis=1)), axis=1)
    return np.take_along_axis(part, order, axis=1)


def majority_vote(neighbour_labels: np.ndarray) -> np.ndarray:
    """Each row's most common label; a tie goes to the smallest label (scikit-learn's
    uniform-weight vote)."""
    classes, codes = np.unique(neighbour_labels, return_inverse=True)
    codes = codes.reshape(neighbour_labels.shape)
    counts = np.zeros((len(codes), len(classes)), np.intp)
    np.add.at(counts, (np.arange(len(codes))[:, None], codes), 1)
    return classes[np.argmax(counts, axis=1)]


def classify(train_rows, train_labels, rows, k: int) -> np.ndarray:
    """The k-nearest-neighbour classifier's label for each row (uniform weights)."""
    index = NeighbourIndex(train_rows)
    _, found = index.kneighbors(rows, k)
    return majority_vote(np.asarray(train_labels)[found])
