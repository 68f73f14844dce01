"""aecore.analysis.latent: grid coordinates, interpolation paths, neighbours and class mix."""

import numpy as np
import pytest

from aecore.analysis.latent import (
    class_mix,
    class_representative,
    grid_axis,
    grid_points,
    grid_position,
    interpolation_path,
    nearest,
    plane_extent,
    ring,
)


def test_grid_axis_is_the_articles_norm_ppf():
    axis = grid_axis(15)
    assert axis.shape == (15,)
    assert axis[0] == pytest.approx(-2.5758, abs=1e-4)
    assert axis[-1] == pytest.approx(2.5758, abs=1e-4)
    assert axis[7] == pytest.approx(0.0, abs=1e-12)
    assert np.all(np.diff(axis) > 0)
    assert grid_axis(5, tail=0.05)[-1] == pytest.approx(1.6449, abs=1e-4)


def test_grid_axis_linear_and_bad_values():
    np.testing.assert_allclose(grid_axis(3, linear_limit=1.0), [-1, 0, 1])
    with pytest.raises(ValueError):
        grid_axis(0)
    with pytest.raises(ValueError):
        grid_axis(5, tail=0.7)


def test_grid_points_top_row_has_largest_y():
    xs, ys = np.array([-1.0, 0.0, 1.0]), np.array([-2.0, 2.0])
    pts = grid_points(xs, ys)
    assert pts.shape == (6, 2) and pts.dtype == np.float32
    np.testing.assert_allclose(pts[:3], [[-1, 2], [0, 2], [1, 2]])
    np.testing.assert_allclose(pts[3:], [[-1, -2], [0, -2], [1, -2]])


def test_grid_position_in_cell_units():
    xs = ys = grid_axis(15)
    assert grid_position((0.0, 0.0), xs, ys) == pytest.approx((7.5, 7.5))
    assert grid_position((xs[0], ys[-1]), xs, ys) == pytest.approx((0.5, 0.5))  # top left
    assert grid_position((xs[-1], ys[0]), xs, ys) == pytest.approx((14.5, 14.5))
    assert grid_position((99, -99), xs, ys) == pytest.approx((14.5, 14.5))  # clamped


def test_interpolation_path_includes_endpoints():
    path = interpolation_path([0, 0], [1, 2], 5)
    assert path.shape == (5, 2) and path.dtype == np.float32
    np.testing.assert_allclose(path[0], [0, 0])
    np.testing.assert_allclose(path[-1], [1, 2])
    np.testing.assert_allclose(path[2], [0.5, 1.0])
    assert interpolation_path(np.zeros(32), np.ones(32), 1).shape == (2, 32)
    with pytest.raises(ValueError):
        interpolation_path([0, 0], [1, 2, 3], 4)


def test_nearest_sorted_by_distance():
    pts = np.array([[0, 0], [5, 5], [1, 0], [0, 2], [-3, 0]], dtype=np.float32)
    assert nearest(pts, (0.1, 0), 3).tolist() == [0, 2, 3]
    assert len(nearest(pts, (0, 0), 99)) == 5
    assert len(nearest(pts, (0, 0), 0)) == 0


def test_class_mix():
    labels = np.array([0, 0, 1, 3, 3, 3])
    mix = class_mix(labels, [0, 1, 3, 4], n_classes=4)
    np.testing.assert_allclose(mix, [0.5, 0, 0, 0.5])
    np.testing.assert_allclose(class_mix(labels, [], n_classes=4), np.zeros(4))


def test_class_representative_is_a_central_member():
    codes = np.array([[0, 0], [10, 10], [1, 1], [2, 2], [9, 9]], dtype=np.float32)
    labels = np.array([0, 1, 0, 0, 1])
    assert class_representative(codes, labels, 0) == 2
    assert class_representative(codes, labels, 1) in (1, 4)
    with pytest.raises(ValueError):
        class_representative(codes, labels, 7)


def test_plane_extent_covers_points_and_prior():
    x0, x1, y0, y1 = plane_extent(np.array([[0, 0], [6, -1]]))
    assert x0 < -3 and x1 > 6 and y0 < -3 and y1 > 3
    assert plane_extent(np.zeros((0, 2))) == pytest.approx((-3.3, 3.3, -3.3, 3.3))


def test_ring_marks_pixels_at_the_radius_only():
    rgb = ring(np.zeros((40, 40)), (20, 20), radius=8)
    assert rgb.shape == (40, 40, 3)
    assert rgb[20, 20].tolist() == [0, 0, 0]  # centre untouched
    assert rgb[20, 28, 0] == pytest.approx(1.0)  # on the ring, red
    assert rgb[20, 28, 1] < 0.5
