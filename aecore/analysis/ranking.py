"""ROC and precision–recall curves of a score, in plain numpy: the points and areas that
scikit-learn's `roc_curve`, `precision_recall_curve` and `auc` give (the serving process does
not import scikit-learn: 130 MB and two seconds).

Scores are any real numbers, higher meaning "more likely positive"; `positive` is a boolean
per score. Thresholds are the distinct scores, highest first.
"""

from __future__ import annotations

import warnings

import numpy as np


def counts_at_thresholds(scores, positive) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false positives, true positives, threshold) when every score at or above each distinct
    score is called positive, highest threshold first (counts as float64)."""
    scores = np.asarray(scores).ravel()
    positive = np.asarray(positive, dtype=bool).ravel()
    if scores.shape != positive.shape:
        raise ValueError(f"{len(scores)} scores but {len(positive)} labels")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must be finite")
    order = np.argsort(scores, kind="stable")[::-1]
    ranked = scores[order]
    last_of_each = np.append(np.flatnonzero(np.diff(ranked)), len(ranked) - 1)
    tps = np.cumsum(positive[order], dtype=np.float64)[last_of_each]
    fps = 1 + last_of_each.astype(np.float64) - tps
    return fps, tps, ranked[last_of_each]


def _ends_and(inner: np.ndarray) -> np.ndarray:
    """Indices of the points to keep: both ends, and the inner points where `inner` holds."""
    return np.flatnonzero(np.concatenate([[True], inner, [True]]))


def _share(counts: np.ndarray, what: str) -> np.ndarray:
    """counts / counts[-1], or NaN (with a warning) when there are none."""
    if counts[-1] <= 0:
        warnings.warn(f"No {what} samples: their rate is undefined.", stacklevel=3)
        return np.full(counts.shape, np.nan)
    return counts / counts[-1]


def roc_curve(scores, positive, drop_intermediate: bool = True
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(false positive rate, true positive rate, thresholds) from (0, 0) up, as
    sklearn.metrics.roc_curve; `drop_intermediate` leaves out points collinear with their
    neighbours (they do not change the curve or its area)."""
    fps, tps, thresholds = counts_at_thresholds(scores, positive)
    if drop_intermediate and len(fps) > 2:
        keep = _ends_and((np.diff(fps, 2) != 0) | (np.diff(tps, 2) != 0))
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.append(0.0, fps), np.append(0.0, tps)
    thresholds = np.append(np.inf, thresholds.astype(np.float64))
    return _share(fps, "negative"), _share(tps, "positive"), thresholds


def precision_recall_curve(scores, positive, drop_intermediate: bool = False
                           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(precision, recall, thresholds) with recall falling to the final (1, 0) point, as
    sklearn.metrics.precision_recall_curve; `drop_intermediate` keeps only the first and last
    point of each run of equal recall."""
    fps, tps, thresholds = counts_at_thresholds(scores, positive)
    if drop_intermediate and len(fps) > 2:
        keep = _ends_and((np.diff(tps[:-1]) != 0) | (np.diff(tps[1:]) != 0))
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    called = tps + fps
    precision = np.divide(tps, called, out=np.zeros_like(tps), where=called != 0)
    if tps[-1] == 0:
        warnings.warn("No positive samples: recall is set to one for all thresholds.",
                      stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.append(precision[::-1], 1.0), np.append(recall[::-1], 0.0), thresholds[::-1]


def auc(x, y) -> float:
    """Area under the curve through the points (x, y) by the trapezoidal rule; x must rise or
    fall throughout (sklearn.metrics.auc)."""
    x, y = np.asarray(x).ravel(), np.asarray(y).ravel()
    if len(x) < 2:
        raise ValueError(f"At least 2 points are needed to compute an area, got {len(x)}")
    steps = np.diff(x)
    direction = 1
    if np.any(steps < 0):
        if not np.all(steps <= 0):
            raise ValueError("x is neither increasing nor decreasing")
        direction = -1
    return float(direction * np.trapezoid(y, x))
