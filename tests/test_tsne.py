"""Stored t-SNE views: shipped for the wide models, else made once in another process."""

import numpy as np
import pytest

import aecore
from aecore.analysis import projection
from aecore.data import DataSplit
from aecore.models.registry import all_specs
from aecore.runtime import codes, store, tsne
from aecore.runtime.api import load_model

WIDE = [s.name for s in all_specs() if not s.has_plane]


def small_split(n=90, seed=0) -> DataSplit:
    rng = np.random.default_rng(seed)
    return DataSplit(rng.random((n, 28, 28)).astype(np.float32), np.arange(n) % 3, "sample")


def test_the_other_process_gives_what_this_one_gives():
    rng = np.random.default_rng(1)
    wide, labels = rng.normal(size=(120, 8)).astype(np.float32), np.arange(120) % 4
    here, there = tsne.compute(wide, labels), tsne.compute_elsewhere(wide, labels)
    np.testing.assert_array_equal(there.index, here.index)
    np.testing.assert_array_equal(there.points, here.points)
    assert there.method == "tsne"


def test_a_failing_process_raises_with_its_message():
    with pytest.raises(RuntimeError, match="t-SNE failed"):
        tsne.compute_elsewhere(np.zeros((0, 4), np.float32), np.zeros(0, int))


def test_views_are_cached_and_invalidated(tmp_path, untrained, monkeypatch):
    name = WIDE[0]
    untrained.copy_into(tmp_path, [name])
    model, split = load_model(name, tmp_path), small_split()
    made = []

    def make_here(values, labels):   # the other process, without its start-up time
        made.append(len(values))
        return tsne.compute(values, labels)

    monkeypatch.setattr(tsne, "compute_elsewhere", make_here)
    wide = codes.test_set_codes(model, split, tmp_path)
    first = tsne.test_set_tsne(model, split, wide, tmp_path)
    shipped, cached = tsne.tsne_files(name, "sample", tmp_path)
    assert made == [90] and cached.is_file() and not shipped.exists()
    np.testing.assert_array_equal(tsne.test_set_tsne(model, split, wide, tmp_path).points,
                                  first.points)
    assert made == [90]                                               # read from the cache

    tsne.write_tsne(cached, first, "other weights", len(split.x))
    tsne.test_set_tsne(model, split, wide, tmp_path)
    assert made == [90, 90]                                           # other weights: redone
    monkeypatch.setattr(tsne, "SETTINGS", tsne.SETTINGS + " ")
    tsne.test_set_tsne(model, split, wide, tmp_path)
    assert made == [90, 90, 90]                                       # other settings: redone

    path = tsne.ship_tsne(model, split, wide, tmp_path)
    assert path == shipped and path.parent.name == "tsne"
    assert tsne.read_tsne(shipped, model.entry["sha256"], len(split.x)) is not None
    tsne.test_set_tsne(model, split, wide, tmp_path)
    assert len(made) == 3                                             # the shipped view


def test_every_shipped_wide_model_ships_its_views():
    """weights/tsne/ holds a current view of the sample and the full test set for each wide
    model in the manifest (`python -m aecore.export` writes them)."""
    manifest = store.read_manifest()["models"]
    for name in WIDE:
        if name not in manifest:
            continue
        for split in (aecore.load_test_set(prefer_full=False), aecore.load_test_set()):
            shipped, _ = tsne.tsne_files(name, split.source)
            view = tsne.read_tsne(shipped, manifest[name]["sha256"], len(split.x))
            assert view is not None, f"{shipped}: missing or stale; run python -m aecore.export"
            assert view.points.shape == (len(view.index), 2)


def test_a_shipped_view_is_the_t_sne_of_the_served_codes():
    """What the page shows is scikit-learn's t-SNE of the served codes. It is bit for bit the
    same on the machine that exported it, but t-SNE magnifies another CPU's rounding (an AMD
    machine moved points by up to 4 units of a 50-unit plane), so the test compares what
    t-SNE is for: the same neighbours, and as faithful to the codes as a t-SNE made here."""
    from sklearn.manifold import trustworthiness

    name = next(n for n in WIDE if n in store.read_manifest()["models"])
    model, split = load_model(name), aecore.load_test_set(prefer_full=False)
    wide = codes.test_set_codes(model, split)
    shipped = tsne.test_set_tsne(model, split, wide)
    here = projection.project(wide, "tsne", labels=split.y)
    np.testing.assert_array_equal(shipped.index, here.index)
    assert shared_neighbours(shipped.points, here.points) >= 0.9   # a shuffled view: about 0
    assert trustworthiness(wide, shipped.points) >= trustworthiness(wide, here.points) - 0.005


def shared_neighbours(a: np.ndarray, b: np.ndarray, k: int = 10) -> float:
    """Mean share of each point's k nearest neighbours that two layouts agree on."""
    from sklearn.neighbors import NearestNeighbors

    def neighbours(points):
        return NearestNeighbors(n_neighbors=k + 1).fit(points).kneighbors(points)[1][:, 1:]

    return float(np.mean([len(set(x) & set(y)) / k
                          for x, y in zip(neighbours(a), neighbours(b), strict=True)]))
