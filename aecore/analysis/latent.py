"""Numeric helpers for the latent explorer: plot extent, manifold grid, paths, neighbours."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np


def plane_extent(points, margin: float = 0.05, at_least: float = 3.0) -> tuple[float, ...]:
    """(x0, x1, y0, y1) covering the 2-D points (0.1–99.9 percentile) and ±at_least, padded."""
    lo, hi = np.full(2, -at_least), np.full(2, at_least)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts):
        lo = np.minimum(lo, np.percentile(pts, 0.1, axis=0))
        hi = np.maximum(hi, np.percentile(pts, 99.9, axis=0))
    pad = (hi - lo) * margin
    lo, hi = lo - pad, hi + pad
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def grid_axis(n: int = 15, tail: float = 0.005, linear_limit: float | None = None) -> np.ndarray:
    """Grid coordinates along one axis, increasing.

    By default the article's ``norm.ppf(linspace(tail, 1 - tail, n))`` (±2.576 for 0.005):
    evenly spaced in probability under the N(0, 1) prior. With ``linear_limit``: evenly
    spaced in [-linear_limit, linear_limit] (keras.io uses 1).
    """
    if n < 1:
        raise ValueError("a grid needs at least one row")
    if linear_limit is not None:
        return np.linspace(-linear_limit, linear_limit, n)
    if not 0 < tail < 0.5:
        raise ValueError("tail must be between 0 and 0.5")
    inv = NormalDist().inv_cdf
    return np.array([inv(p) for p in np.linspace(tail, 1 - tail, n)])


def grid_points(xs, ys) -> np.ndarray:
    """(len(ys) * len(xs), 2) points, row by row from the top: the first row has the largest y,
    so a tiled image reads like the scatter plot (y up)."""
    gx, gy = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float)[::-1])
    return np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)


def grid_position(point, xs, ys) -> tuple[float, float]:
    """Where ``point`` falls on a ``grid_points`` tiling, in cell units (column, row); the
    centre of the top-left cell is (0.5, 0.5). Outside the grid it is clamped to the edge."""
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    col = np.interp(point[0], xs, np.arange(len(xs))) if len(xs) > 1 else 0.0
    row = np.interp(point[1], ys, np.arange(len(ys))[::-1]) if len(ys) > 1 else 0.0
    return float(col) + 0.5, float(row) + 0.5


def interpolation_path(z0, z1, steps: int) -> np.ndarray:
    """(steps, d): evenly spaced points on the straight line from z0 to z1, both included."""
    z0, z1 = np.ravel(z0).astype(np.float32), np.ravel(z1).astype(np.float32)
    if z0.shape != z1.shape:
        raise ValueError(f"endpoints differ in size: {z0.shape} vs {z1.shape}")
    t = np.linspace(0.0, 1.0, max(int(steps), 2), dtype=np.float32)[:, None]
    return (1 - t) * z0 + t * z1


def nearest(points, point, k: int = 8) -> np.ndarray:
    """Indices of the k points nearest to ``point`` (Euclidean), closest first."""
    pts = np.asarray(points, np.float32).reshape(len(points), -1)
    d2 = ((pts - np.ravel(point).astype(np.float32)) ** 2).sum(axis=1)
    k = min(int(k), len(pts))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    part = np.argpartition(d2, k - 1)[:k]
    return part[np.argsort(d2[part], kind="stable")]


def class_mix(labels, indices, n_classes: int = 10) -> np.ndarray:
    """Fraction of each class among ``labels[indices]`` (sums to 1; zeros if no indices)."""
    counts = np.bincount(np.asarray(labels)[np.asarray(indices, dtype=np.int64)],
                         minlength=n_classes)[:n_classes].astype(np.float64)
    total = counts.sum()
    return counts / total if total else counts


def class_representative(codes, labels, cls: int) -> int:
    """Index of the image of class ``cls`` whose code is closest to the class's mean code."""
    members = np.flatnonzero(np.asarray(labels) == cls)
    if not len(members):
        raise ValueError(f"no image of class {cls}")
    codes = np.asarray(codes, np.float32).reshape(len(codes), -1)
    centre = codes[members].mean(axis=0)
    return int(members[nearest(codes[members], centre, 1)[0]])


def ring(image, xy, radius: float = 9.0, color=(1.0, 0.29, 0.29)) -> np.ndarray:
    """RGB copy of a grey image with a ring (about 2 px wide) centred on pixel position xy."""
    grey = np.clip(np.asarray(image, np.float32), 0.0, 1.0)
    rgb = np.repeat(grey[..., None], 3, axis=2)
    yy, xx = np.mgrid[: grey.shape[0], : grey.shape[1]] + 0.5
    rgb[np.abs(np.hypot(xx - xy[0], yy - xy[1]) - radius) <= 1.0] = color
    return rgb


COVER_CELLS = 20       # the coverage grid is COVER_CELLS × COVER_CELLS
COVER_QUANTILE = 0.01  # ... spanning the codes' 1st to 99th percentile on each axis


def empty_share(codes, cells: int = COVER_CELLS, quantile: float = COVER_QUANTILE) -> float:
    """Share of the plane's cells that no code falls into: how gappy a 2-D latent space is.

    The box spans the codes' [quantile, 1 - quantile] range on each axis (so a few outliers do
    not stretch it) and is cut into cells × cells equal cells. A tidy plane fills its box (a
    Gaussian leaves only the far corners empty); a plane with gaps leaves many cells empty, and
    decoding a point in an empty cell is guesswork.
    """
    pts = np.asarray(codes, np.float64).reshape(-1, 2)
    if len(pts) == 0:
        return 1.0
    lo, hi = np.quantile(pts, quantile, axis=0), np.quantile(pts, 1 - quantile, axis=0)
    if np.any(hi <= lo):
        return 1.0
    counts, _, _ = np.histogram2d(pts[:, 0], pts[:, 1], bins=cells,
                                  range=[(lo[0], hi[0]), (lo[1], hi[1])])
    return float(np.mean(counts == 0))
