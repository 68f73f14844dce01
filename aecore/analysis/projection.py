"""2-D views of latent codes for the latent-space page.

2-D codes (z_mean for the VAEs) are shown as they are. Wider codes are projected: PCA always
(exact, linear, milliseconds for the whole test set, axes that mean something), or t-SNE from
scikit-learn on a class-balanced subsample of TSNE_SAMPLE codes. t-SNE keeps neighbourhoods, so
classes separate better, but it takes tens of seconds on two busy cores and its distances
between clusters mean little: it is opt-in and run on a subsample only. The app never runs it
itself (scikit-learn stays out of the serving process): it reads views stored beside the
weights, see `aecore.runtime.tsne`.
UMAP would add umap-learn and numba to the install for a similar picture, so we skip it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHODS = ("pca", "tsne")
TSNE_SAMPLE = 2000
TSNE_PERPLEXITY = 30.0
TSNE_ITERATIONS = 500  # sklearn's minimum is 250 (all early exaggeration); 500 settles clusters


@dataclass(frozen=True)
class Projection:
    """Points (n, 2), the rows of the codes they come from, and how they were made."""

    points: np.ndarray
    index: np.ndarray
    method: str  # "identity" | "pca" | "tsne"
    explained: tuple[float, float] | None = None  # PCA: share of variance per axis

    @property
    def is_projection(self) -> bool:
        return self.method != "identity"

    def axis_titles(self) -> tuple[str, str]:
        """Axis labels that say what the two coordinates are."""
        if self.method == "identity":
            return "z₁", "z₂"
        if self.method == "pca" and self.explained is not None:
            return tuple(f"PC {i + 1} ({share:.0%} of variance)"
                         for i, share in enumerate(self.explained))
        return "t-SNE 1", "t-SNE 2"


def _codes(codes) -> np.ndarray:
    arr = np.asarray(codes, dtype=np.float64)
    if arr.ndim != 2 or len(arr) == 0:
        raise ValueError(f"Expected codes of shape (n, dims) with n > 0, got {arr.shape}.")
    return arr.reshape(len(arr), -1)


def pca_2d(codes) -> tuple[np.ndarray, tuple[float, float]]:
    """First two principal components (signs fixed: largest loading positive) and their shares."""
    arr = _codes(codes)
    centred = arr - arr.mean(axis=0)
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    axes = vt[:2]
    signs = np.sign(axes[np.arange(len(axes)), np.argmax(np.abs(axes), axis=1)])
    axes = axes * np.where(signs == 0, 1.0, signs)[:, None]
    points = centred @ axes.T
    if points.shape[1] < 2:  # a single code dimension: put everything on the x axis
        points = np.column_stack([points, np.zeros(len(points))])
    total = float(np.sum(singular**2))
    shares = [float(s**2 / total) if total > 0 else 0.0 for s in singular[:2]]
    shares += [0.0] * (2 - len(shares))
    return points.astype(np.float32), (shares[0], shares[1])


def subsample(n: int, size: int, labels=None, seed: int = 0) -> np.ndarray:
    """Sorted indices of up to `size` rows of n, spread evenly over the classes when labelled."""
    if size >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if labels is None:
        return np.sort(rng.choice(n, size, replace=False))
    labels = np.asarray(labels)
    classes = np.unique(labels)
    per_class = max(1, size // len(classes))
    picks = [rng.choice(np.flatnonzero(labels == c),
                        min(per_class, int(np.sum(labels == c))), replace=False)
             for c in classes]
    return np.sort(np.concatenate(picks))


def tsne_2d(codes, seed: int = 0) -> np.ndarray:
    """t-SNE embedding (Barnes-Hut, PCA initialisation) of all the given codes.

    Runs on one OpenMP thread: on two busy cores, two spinning threads made it 30x slower.
    """
    from sklearn.manifold import TSNE  # imported here: slow import, used rarely
    from threadpoolctl import threadpool_limits

    arr = _codes(codes).astype(np.float32)
    perplexity = min(TSNE_PERPLEXITY, max(1.0, (len(arr) - 1) / 3))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                max_iter=TSNE_ITERATIONS)
    with threadpool_limits(limits=1):
        return tsne.fit_transform(arr).astype(np.float32)


def project(codes, method: str = "pca", labels=None, sample: int = TSNE_SAMPLE,
            seed: int = 0) -> Projection:
    """A 2-D view of the codes: as they are when 2-D, else PCA (all rows) or t-SNE (subsample)."""
    if method not in METHODS:
        raise ValueError(f"Unknown projection {method!r}; choose one of {', '.join(METHODS)}.")
    arr = _codes(codes)
    everything = np.arange(len(arr))
    if arr.shape[1] == 2:
        return Projection(arr.astype(np.float32), everything, "identity")
    if method == "pca":
        points, explained = pca_2d(arr)
        return Projection(points, everything, "pca", explained)
    index = subsample(len(arr), sample, labels, seed)
    return Projection(tsne_2d(arr[index], seed), index, "tsne")


def point_index(customdata) -> int | None:
    """The test-set index stored in a selected Plotly point's customdata (int, list or dict)."""
    value = customdata
    if isinstance(value, dict):
        value = value.get("0", next(iter(value.values()), None))
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def selected_index(chart_state) -> int | None:
    """The index of the first selected point in a Plotly chart's selection state, if any."""
    try:
        points = chart_state["selection"]["points"]
    except (KeyError, TypeError):
        return None
    if not points or not isinstance(points[0], dict):
        return None
    return point_index(points[0].get("customdata"))
