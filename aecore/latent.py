"""Numeric helpers for the latent explorer: plot extent, manifold grid, paths, neighbours."""

from __future__ import annotations

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
