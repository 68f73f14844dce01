"""Retrieval by nearest neighbours: which images does a code place next to a query?

Every search is an exact brute-force Euclidean search in numpy (`aecore.analysis.neighbours`),
which finds the neighbours scikit-learn's `NearestNeighbors` finds. Quality is measured two ways
on the test set: precision@k (the share of a query's k nearest other images that share its
class, averaged over every test image as the query) and the accuracy of a k-NN classifier
fitted on one half of the test set and scored on the other. The scores of the shipped models,
of PCA at their code sizes and of raw pixels on the full test set are shipped in
weights/retrieval/ (`python -m aecore.export`), with the machine their timings were taken on.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

from aecore.analysis import diskcache
from aecore.analysis.neighbours import NeighbourIndex, as_rows, classify

K_MAX = 50            # precision@k is measured for k = 1 … K_MAX
CLASSIFIER_K = 5      # neighbours that vote in the k-NN classifier
TIMED_QUERIES = 50    # single queries timed; the fastest is reported (least disturbed by load)
TIMED_BUILDS = 3
SPLIT_SEED = 0
_THREADS = ThreadpoolController()


def one_thread():
    """A context for single queries: BLAS threads cost more than they save on one query, and
    much more on a busy machine."""
    return _THREADS.limit(limits=1, user_api="blas")


def features(x) -> np.ndarray:
    """Flat float32 rows (n, d) of images or codes."""
    return as_rows(x)


def nearest(index: NeighbourIndex, query, k: int, skip: int | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
    """(indices, distances) of the k indexed rows nearest to one `query` row.

    `skip` leaves one indexed row out (the query itself, when it comes from the indexed set).
    """
    extra = 1 if skip is not None else 0
    with one_thread():
        distances, indices = index.kneighbors(features(query[None]), k + extra)
    keep = indices[0] != skip
    return indices[0][keep][:k], distances[0][keep][:k]


@dataclass(frozen=True)
class NeighbourScores:
    """How well one representation's neighbours agree with the classes, and what search costs."""

    precision: tuple[float, ...]   # precision[k - 1] is precision@k, k = 1 … K_MAX
    knn_accuracy: float            # k-NN classifier, one half of the rows against the other
    build_ms: float                # fitting the index on every row (fastest of TIMED_BUILDS)
    query_ms: float                # one 10-neighbour query (fastest of TIMED_QUERIES)
    algorithm: str                 # how the search runs
    load: float | None             # the machine's 1-minute load average when timed
    machine: str | None = None     # the machine timed on: CPU model and cores

    def at(self, k: int) -> float:
        return self.precision[k - 1]


def neighbour_scores(x, labels, k_max: int = K_MAX) -> NeighbourScores:
    """Every row queries the others: precision@k averaged over all rows, timings, k-NN accuracy."""
    rows, labels = features(x), np.asarray(labels)
    index, build_ms = timed_build(rows)
    neighbours = index.neighbours_of_each_row(k_max)
    hits = labels[neighbours] == labels[:, None]
    precision = np.cumsum(hits, axis=1).mean(axis=0) / np.arange(1, k_max + 1)
    return NeighbourScores(tuple(float(p) for p in precision), knn_accuracy(rows, labels),
                           build_ms, single_query_ms(index, rows), index.algorithm,
                           load_average(), machine())


def machine() -> str:
    """This machine in a few words: its CPU model and how many cores it has."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def load_average() -> float | None:
    """The 1-minute load average (None where the system does not say): timings need it."""
    try:
        return round(os.getloadavg()[0], 1)
    except (AttributeError, OSError):
        return None


def test_set_key(x, labels) -> str:
    """Names a set of test images and their labels (a fingerprint, not every byte)."""
    return diskcache.make_key(diskcache.fingerprint(np.asarray(x)),
                              diskcache.fingerprint(np.asarray(labels)))


def model_key_parts(name: str, entry: dict, test_key: str) -> tuple:
    """What a model's codes of the test set are made from: its serving files' checksums (from
    its manifest entry) and the test images."""
    return "model", name, diskcache.serving_checksums(entry), test_key


def pca_key_parts(dims: int, components: np.ndarray, test_key: str) -> tuple:
    """What PCA-`dims` coordinates of the test set are made from: the basis and the images."""
    return "pca", dims, diskcache.fingerprint(components), test_key


def pixels_key_parts(test_key: str) -> tuple:
    return ("pixels", test_key)


def shipped_name(key_parts: tuple) -> str:
    """The shipped file's name for a representation: 'basic', 'pca-32', 'pixels'."""
    kind = key_parts[0]
    if kind == "model":
        return str(key_parts[1])
    return f"pca-{key_parts[1]}" if kind == "pca" else str(kind)


def cached_neighbour_scores(key_parts: tuple, make_rows: Callable[[], np.ndarray], labels,
                            weights_dir=None, data_only: bool = False,
                            ship: bool = False) -> NeighbourScores:
    """`neighbour_scores` shipped in weights/retrieval/ or cached in .cache/retrieval/ when
    already measured for `key_parts` (what the rows are made from: `*_key_parts`) and these
    labels; `make_rows` is called only when not. `data_only`: the rows depend on the images
    alone (PCA, pixels), so the project's folders are used. `ship`: the export command writes
    the shipped file."""
    key = diskcache.make_key("neighbours", "one-thread queries", NeighbourIndex.algorithm,
                             sorted(NeighbourScores.__dataclass_fields__), K_MAX,
                             CLASSIFIER_K, SPLIT_SEED, TIMED_QUERIES, TIMED_BUILDS, *key_parts,
                             diskcache.fingerprint(np.asarray(labels)))
    if data_only:
        shipped, cached = diskcache.shipped_data_dir("retrieval"), diskcache.data_cache_dir(
            "retrieval")
    else:
        shipped = diskcache.shipped_dir("retrieval", weights_dir)
        cached = diskcache.cache_dir("retrieval", weights_dir)
    result = diskcache.stored_json(
        key, shipped / f"{shipped_name(key_parts)}.json", cached / f"{key}.json",
        lambda: asdict(neighbour_scores(make_rows(), labels)), ship=ship)
    return NeighbourScores(**{**result, "precision": tuple(result["precision"])})


def timed_build(rows: np.ndarray) -> tuple[NeighbourIndex, float]:
    """The index over `rows` and the fastest of TIMED_BUILDS builds in milliseconds."""
    times = []
    for _ in range(TIMED_BUILDS):
        started = time.perf_counter()
        index = NeighbourIndex(rows)
        times.append(1000 * (time.perf_counter() - started))
    return index, min(times)


def single_query_ms(index: NeighbourIndex, rows: np.ndarray) -> float:
    """The fastest of TIMED_QUERIES single 10-neighbour queries (rows spread over the set, one
    thread, as the app searches), in milliseconds: on a busy machine the fastest run is the one
    least disturbed."""
    times = []
    with one_thread():
        for i in np.linspace(0, len(rows) - 1, min(TIMED_QUERIES, len(rows))).astype(int):
            started = time.perf_counter()
            index.kneighbors(rows[i:i + 1], min(10, len(rows)))
            times.append(1000 * (time.perf_counter() - started))
    return float(min(times))


def halves(n: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """A reproducible random split of n rows into two halves."""
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2:])


def knn_accuracy(x, labels, k: int = CLASSIFIER_K, seed: int = SPLIT_SEED) -> float:
    """Accuracy of a k-NN classifier (majority vote) fitted on one half of the rows, scored on
    the other."""
    rows, labels = features(x), np.asarray(labels)
    fit, score = halves(len(rows), seed)
    predicted = classify(rows[fit], labels[fit], rows[score], min(k, len(fit)))
    return float(np.mean(predicted == labels[score]))
