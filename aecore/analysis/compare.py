"""Numbers behind the comparison views: picking images, per-image errors, difference/heat maps.

Everything here is numpy in, numpy (or PNG bytes) out; the UI only arranges the results.
"""

from __future__ import annotations

import re

import numpy as np

from aecore.analysis.metrics import EPSILON, per_image_bce, per_image_mse, ssim

# name -> (per-image function, True when lower is better)
METRICS = {
    "BCE": (per_image_bce, True),
    "MSE": (per_image_mse, True),
    "SSIM": (ssim, False),
}
MAX_INDICES = 32


# --- choosing images ------------------------------------------------------------------------

def pick_random(size: int, count: int, seed: int) -> np.ndarray:
    """`count` distinct indices in [0, size), reproducible for a seed."""
    count = max(0, min(int(count), size))
    return np.random.default_rng(int(seed)).choice(size, count, replace=False)


def pick_per_class(labels: np.ndarray, classes, seed: int, per_class: int = 1) -> np.ndarray:
    """`per_class` random indices for each class in `classes` (in that order)."""
    rng = np.random.default_rng(int(seed))
    picks = []
    for c in classes:
        members = np.flatnonzero(np.asarray(labels) == int(c))
        if members.size:
            picks.extend(rng.choice(members, min(per_class, members.size), replace=False))
    return np.asarray(picks, dtype=np.int64)


def one_per_class(labels: np.ndarray, count: int, seed: int) -> np.ndarray:
    """Indices of `count` images from different classes (random classes, random images)."""
    classes = np.random.default_rng(int(seed)).permutation(10)[: max(0, min(int(count), 10))]
    return pick_per_class(labels, classes, seed)


def parse_indices(text: str, size: int, limit: int = MAX_INDICES) -> list[int]:
    """Parse '3, 10-12 42' into [3, 10, 11, 12, 42]; ValueError says what to type instead."""
    hint = f"Type numbers from 0 to {size - 1}, separated by commas, or ranges like 10-15."
    tokens = [t for t in re.split(r"[,\s;]+", (text or "").strip()) if t]
    if not tokens:
        raise ValueError(f"No test indices given. {hint}")
    out: list[int] = []
    for token in tokens:
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", token)
        if not match:
            raise ValueError(f"'{token}' is not a number or a range. {hint}")
        start = int(match.group(1))
        stop = int(match.group(2)) if match.group(2) else start
        if stop < start:
            raise ValueError(f"The range '{token}' runs backwards. {hint}")
        if stop >= size:
            raise ValueError(f"{stop} is out of range: this test set has {size} images. {hint}")
        out.extend(i for i in range(start, stop + 1) if i not in out)
        if len(out) > limit:
            raise ValueError(f"At most {limit} images at a time; you asked for more.")
    return out


# --- errors ---------------------------------------------------------------------------------

def per_image_errors(x, x_hat, metric: str = "BCE") -> np.ndarray:
    """Per-image error (n,) of reconstructions `x_hat` against originals `x`."""
    if metric not in METRICS:
        raise ValueError(f"Unknown metric {metric!r}; choose one of {', '.join(METRICS)}.")
    if len(x) == 0:
        return np.zeros(0)
    return METRICS[metric][0](x, x_hat)


def excess_bce_map(x, x_hat) -> np.ndarray:
    """Per-pixel BCE above the pixel's own floor BCE(x, x): >= 0, and 0 only where x_hat = x."""
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    p = np.clip(np.asarray(x_hat, dtype=np.float64), EPSILON, 1.0 - EPSILON)
    q = np.clip(x, EPSILON, 1.0 - EPSILON)
    excess = x * (np.log(q) - np.log(p)) + (1.0 - x) * (np.log1p(-q) - np.log1p(-p))
    return np.maximum(excess, 0.0).astype(np.float32)


# --- colour maps ----------------------------------------------------------------------------

def signed_difference_rgb(x, x_hat, limit: float = 1.0) -> np.ndarray:
    """x_hat - x as colour on white: red where the reconstruction is too bright, blue too dark."""
    d = np.clip((np.asarray(x_hat, np.float32) - np.asarray(x, np.float32)) / limit, -1.0, 1.0)
    pos, neg = np.maximum(d, 0.0), np.maximum(-d, 0.0)
    return np.stack([1.0 - neg, 1.0 - pos - neg, 1.0 - pos], axis=-1).clip(0.0, 1.0)


def heat_rgb(values, vmax: float | None = None) -> np.ndarray:
    """Values >= 0 to a black-red-yellow-white ramp (vmax maps to white; default: the maximum)."""
    v = np.asarray(values, dtype=np.float32)
    top = float(vmax) if vmax else float(v.max(initial=0.0))
    t = np.clip(v / top, 0.0, 1.0) if top > 0 else np.zeros_like(v)
    rgb = np.stack([t * 3.0, t * 3.0 - 1.0, t * 3.0 - 2.0], axis=-1)
    return np.clip(rgb, 0.0, 1.0)
