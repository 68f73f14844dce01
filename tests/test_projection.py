"""aecore.analysis.projection: 2-D views of latent codes."""

import numpy as np
import pytest

from aecore.analysis.projection import pca_2d, point_index, project, selected_index, subsample


def line_codes(n: int = 200, dims: int = 32, seed: int = 0):
    """Codes spread along one direction (plus small noise); returns codes and the positions."""
    rng = np.random.default_rng(seed)
    t = rng.standard_normal(n)
    direction = rng.standard_normal(dims)
    return np.outer(t, direction) + 0.01 * rng.standard_normal((n, dims)), t


def test_two_dimensional_codes_are_shown_as_they_are():
    z = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    proj = project(z, "tsne")
    assert proj.method == "identity" and not proj.is_projection
    assert np.array_equal(proj.points, z) and np.array_equal(proj.index, np.arange(50))
    assert proj.axis_titles() == ("z₁", "z₂")


def test_pca_finds_the_main_direction():
    codes, t = line_codes()
    points, explained = pca_2d(codes)
    assert points.shape == (200, 2) and points.dtype == np.float32
    assert explained[0] > 0.99 and explained[0] + explained[1] <= 1.0 + 1e-9
    assert abs(np.corrcoef(points[:, 0], t)[0, 1]) > 0.999


def test_pca_matches_scikit_learn_up_to_sign():
    from sklearn.decomposition import PCA

    codes = np.random.default_rng(1).standard_normal((300, 8)) * np.arange(1, 9)
    ours, explained = pca_2d(codes)
    ref = PCA(2).fit(codes)
    theirs = ref.transform(codes)
    for k in range(2):
        assert abs(np.corrcoef(ours[:, k], theirs[:, k])[0, 1]) > 0.9999
    assert np.allclose(explained, ref.explained_variance_ratio_, atol=1e-6)


def test_pca_axis_signs_follow_a_fixed_rule():
    codes, _ = line_codes()
    a, _ = pca_2d(codes)
    b, _ = pca_2d(-codes)  # same axes (largest loading positive), so every point flips
    assert np.allclose(a, -b, atol=1e-4)


def test_project_pca_keeps_every_row_and_labels_its_axes():
    codes, _ = line_codes()
    proj = project(codes, "pca")
    assert proj.is_projection and len(proj.points) == 200
    assert proj.axis_titles()[0].startswith("PC 1 (")


def test_subsample_is_balanced_sorted_and_reproducible():
    labels = np.repeat(np.arange(10), 100)
    idx = subsample(1000, 200, labels, seed=0)
    assert len(idx) == 200 and np.all(np.diff(idx) > 0)
    assert np.all(np.bincount(labels[idx]) == 20)
    assert np.array_equal(idx, subsample(1000, 200, labels, seed=0))
    assert np.array_equal(subsample(50, 100), np.arange(50))
    assert len(subsample(1000, 30)) == 30


def test_tsne_embeds_a_subsample_and_separates_clusters():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1], 60)
    codes = rng.standard_normal((120, 16)) + labels[:, None] * 8.0
    proj = project(codes, "tsne", labels=labels, sample=80)
    assert proj.method == "tsne" and proj.points.shape == (80, 2)
    picked = labels[proj.index]
    centres = [proj.points[picked == c].mean(axis=0) for c in (0, 1)]
    spread = max(proj.points[picked == c].std() for c in (0, 1))
    assert np.linalg.norm(centres[0] - centres[1]) > 2 * spread
    assert proj.axis_titles() == ("t-SNE 1", "t-SNE 2")


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError):
        project(np.zeros((5, 4)), "umap")
    with pytest.raises(ValueError):
        project(np.zeros((0, 4)))


@pytest.mark.parametrize("value, expected", [
    (7, 7), ([12], 12), ((3, "x"), 3), ({"0": 22}, 22), ("5", 5),
    (None, None), ([], None), ({}, None), ("abc", None),
])
def test_point_index_reads_plotly_customdata(value, expected):
    assert point_index(value) == expected


def test_selected_index_reads_a_chart_selection_state():
    state = {"selection": {"points": [{"customdata": {"0": 9}, "x": 1.0}], "box": []}}
    assert selected_index(state) == 9
    assert selected_index({"selection": {"points": []}}) is None
    assert selected_index(None) is None
    assert selected_index({}) is None
    assert selected_index({"selection": {"points": ["junk"]}}) is None
