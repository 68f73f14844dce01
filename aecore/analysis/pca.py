"""PCA, the linear baseline every autoencoder is measured against.

Fitted on the training images (eigenvectors of their pixel covariance, in float64); the first
BASIS_SIZE axes are shipped in weights/pca/ (for the training images they were fitted on, named
by the sha256 of their file) or else fitted once and cached under weights/.cache/pca/. Keeping
the first k components is the best any *linear* k-number code can do in squared error;
reconstructions are clipped to [0, 1] so they can be scored by the
same per-pixel cross-entropy as the autoencoders.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from aecore.analysis import diskcache
from aecore.analysis.metrics import per_image_bce

CURVE_SIZES = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
CHUNK = 5000
ENCODE_CHUNK = 1000
BASIS_SIZE = max(CURVE_SIZES)   # axes kept: every code size a page compares (the Lab's ≤ 256)


@dataclass(frozen=True)
class PCA:
    """Mean image and principal axes (rows, by decreasing variance) of the training images."""

    mean: np.ndarray         # (784,)
    components: np.ndarray   # (m, 784), m ≤ 784 (BASIS_SIZE when kept on disk)
    variance: np.ndarray     # (m,) variance along each axis

    def encode(self, x, k: int) -> np.ndarray:
        """The first k principal coordinates of each image (n, k), in chunks (small peaks)."""
        if k > len(self.components):
            raise ValueError(f"PCA-{k} asked of a basis of {len(self.components)} axes")
        flat = np.asarray(x, np.float32).reshape(len(x), -1)
        axes = self.components[:k].T
        return np.concatenate([(flat[i:i + ENCODE_CHUNK] - self.mean) @ axes
                               for i in range(0, len(flat), ENCODE_CHUNK)] or [np.zeros((0, k))])

    def decode(self, codes) -> np.ndarray:
        """Images (n, 28, 28) from k principal coordinates, clipped to [0, 1]."""
        codes = np.asarray(codes, np.float32)
        flat = codes @ self.components[:codes.shape[1]] + self.mean
        return np.clip(flat, 0.0, 1.0).reshape(-1, 28, 28)

    def reconstruct(self, x, k: int) -> np.ndarray:
        return self.decode(self.encode(x, k))


def fit_pca(x_train: np.ndarray) -> PCA:
    """PCA of the images by eigendecomposition of their covariance (accumulated in chunks)."""
    flat = np.asarray(x_train).reshape(len(x_train), -1)
    mean = flat.mean(axis=0, dtype=np.float64)
    scatter = np.zeros((flat.shape[1], flat.shape[1]))
    for start in range(0, len(flat), CHUNK):
        chunk = flat[start:start + CHUNK].astype(np.float64) - mean
        scatter += chunk.T @ chunk
    variance, vectors = np.linalg.eigh(scatter / max(len(flat) - 1, 1))
    order = np.argsort(variance)[::-1]
    return PCA(mean.astype(np.float32), np.ascontiguousarray(vectors[:, order].T, np.float32),
               variance[order].astype(np.float32))


def kept(pca: PCA, size: int = BASIS_SIZE) -> dict[str, np.ndarray]:
    """The arrays kept on disk: the mean and the first `size` axes."""
    return {"mean": pca.mean, "components": np.ascontiguousarray(pca.components[:size]),
            "variance": pca.variance[:size]}


def training_pca(ship: bool = False) -> PCA:
    """PCA of the installed training images (its first BASIS_SIZE axes): shipped in
    weights/pca/train.npz, or from weights/.cache/pca/ when already fitted here; the images are
    read only to fit (raises DatasetNotFound without the dataset). `ship`: the export command
    writes the shipped file."""
    training = diskcache.training_set_key()
    key = diskcache.make_key("pca-train", training, BASIS_SIZE)
    arrays = diskcache.stored_arrays(
        key, diskcache.shipped_data_dir("pca") / "train.npz",
        diskcache.data_cache_dir("pca") / f"train-{training}-{BASIS_SIZE}.npz",
        lambda: kept(fit_pca(diskcache.read_training_set()[0])), ship=ship)
    return PCA(arrays["mean"], arrays["components"], arrays["variance"])


def bce_by_size(pca: PCA, x: np.ndarray, sizes=CURVE_SIZES) -> dict[int, float]:
    """Test BCE of PCA reconstructions keeping k components, for each k in `sizes`."""
    sizes = sorted(set(sizes))
    out = {k: 0.0 for k in sizes}
    for start in range(0, len(x), CHUNK):
        images = x[start:start + CHUNK]
        codes = pca.encode(images, sizes[-1])
        flat = np.broadcast_to(pca.mean, (len(images), pca.mean.size)).copy()
        done = 0
        for k in sizes:   # add the next components on top of the previous reconstruction
            flat += codes[:, done:k] @ pca.components[done:k]
            done = k
            out[k] += float(np.sum(per_image_bce(images, np.clip(flat, 0.0, 1.0))))
    return {k: total / len(x) for k, total in out.items()}


def cached_bce_by_size(pca: PCA, x: np.ndarray, sizes=CURVE_SIZES, ship: bool = False
                       ) -> dict[int, float]:
    """`bce_by_size`, shipped in weights/pca/bce.json or cached in weights/.cache/pca/ when
    already computed with this basis for these images."""
    sizes = sorted(set(sizes))
    key = diskcache.make_key("pca-bce", diskcache.fingerprint(pca.components),
                             diskcache.fingerprint(x), sizes)
    result = diskcache.stored_json(
        key, diskcache.shipped_data_dir("pca") / "bce.json",
        diskcache.data_cache_dir("pca") / f"bce-{key}.json",
        lambda: {str(k): v for k, v in bce_by_size(pca, x, sizes).items()}, ship=ship)
    return {k: result[str(k)] for k in sorted(map(int, result))}   # (JSON sorts them as text)


def clean_bce(model, x: np.ndarray, weights_dir=None,
              codes: np.ndarray | Callable[[], np.ndarray] | None = None,
              ship: bool = False) -> float:
    """A model's BCE reconstructing clean images `x`, shipped in weights/clean-bce/<name>.json
    or cached in weights/.cache/clean-bce/ when already measured for the same serving files and
    images (the denoiser's recorded score is on noisy input, so it is placed beside PCA by this
    one). `codes`: the model's codes of `x` (or what gives them, called only when the score is
    computed), so only the decoder runs."""
    key = diskcache.make_key("clean-bce", model.name, diskcache.serving_checksums(model.entry),
                             diskcache.fingerprint(x))

    def compute() -> dict:
        given = codes() if callable(codes) else codes
        x_hat = model.decode(given) if given is not None else model.reconstruct(x)
        return {"bce": float(np.mean(per_image_bce(x, x_hat)))}
    return diskcache.stored_json(
        key, diskcache.shipped_dir("clean-bce", weights_dir) / f"{model.name}.json",
        diskcache.cache_dir("clean-bce", weights_dir) / f"{key}.json", compute, ship=ship)["bce"]
