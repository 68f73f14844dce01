"""Image-quality metrics in plain numpy (no Keras, no scipy), for batches of 28x28 images in [0, 1].

Inputs may be (n, 28, 28), (n, 784), (n, 28, 28, 1) or a single (28, 28) image. Per-image
functions return (n,) float64 arrays; `bce` and `mse` return the mean over all pixels.
Work is done in chunks so the full 10 000-image test set stays small in memory.
"""

from __future__ import annotations

import functools
import math

import numpy as np

EPSILON = 1e-7  # clipping used by Keras' binary cross-entropy
CHUNK = 1024  # images per chunk
PSNR_CAP = 100.0  # dB reported for identical images (MSE 0)

# Test-set BCE(x, x): the loss of a perfect reconstruction, because Fashion-MNIST pixels are
# not binary. No model can go below it. Measured on the 10 000 test images with clipping 1e-7
# (0.24217; the training set gives 0.24015).
FLOOR_BCE = 0.2422

# SSIM as in Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 0.01, K2 0.03, data range 1.
SSIM_SIGMA = 1.5
SSIM_TRUNCATE = 3.5  # radius int(3.5 * 1.5 + 0.5) = 5 -> 11x11 window, as skimage does
SSIM_C1 = 0.01**2
SSIM_C2 = 0.03**2


def _flat(x) -> np.ndarray:
    """View a batch as (n, pixels)."""
    arr = np.asarray(x)
    if arr.ndim == 2 and arr.shape == (28, 28):
        return arr.reshape(1, -1)
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    return arr.reshape(arr.shape[0], -1)


def _images(x) -> np.ndarray:
    """View a batch as (n, h, w) square images."""
    flat = _flat(x)
    side = math.isqrt(flat.shape[1])
    if side * side != flat.shape[1]:
        raise ValueError(f"expected square images, got {flat.shape[1]} pixels per image")
    return flat.reshape(-1, side, side)


def _pair(x, y, view=_flat) -> tuple[np.ndarray, np.ndarray]:
    a, b = view(x), view(y)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {np.shape(x)} vs {np.shape(y)}")
    return a, b


def _chunked(fn, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Apply fn chunk by chunk (as float64) and concatenate the (n,) results."""
    out = [
        fn(a[i : i + CHUNK].astype(np.float64), b[i : i + CHUNK].astype(np.float64))
        for i in range(0, len(a), CHUNK)
    ]
    return np.concatenate(out) if out else np.zeros(0)


def _bce_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = np.clip(y, EPSILON, 1.0 - EPSILON)
    return -np.mean(x * np.log(p) + (1.0 - x) * np.log1p(-p), axis=1)


def per_image_bce(x, y) -> np.ndarray:
    """Mean per-pixel binary cross-entropy of prediction y against target x, per image (n,)."""
    return _chunked(_bce_rows, *_pair(x, y))


def bce(x, y) -> float:
    """Mean per-pixel binary cross-entropy over all images (Keras' loss, clipped at 1e-7)."""
    return float(np.mean(per_image_bce(x, y)))


def per_image_mse(x, y) -> np.ndarray:
    """Mean squared error per image (n,)."""
    return _chunked(lambda a, b: np.mean((a - b) ** 2, axis=1), *_pair(x, y))


def mse(x, y) -> float:
    """Mean squared error over all pixels."""
    return float(np.mean(per_image_mse(x, y)))


def psnr(clean, other) -> np.ndarray:
    """Peak signal-to-noise ratio in dB per image (n,), data range 1, capped at 100 dB."""
    err = per_image_mse(clean, other)
    with np.errstate(divide="ignore"):
        values = 10.0 * np.log10(1.0 / err)
    return np.minimum(values, PSNR_CAP)


def gaussian_kernel(sigma: float, truncate: float) -> np.ndarray:
    """The normalised 1-D Gaussian of scipy.ndimage, radius int(truncate * sigma + 0.5)."""
    radius = int(truncate * sigma + 0.5)
    x = np.arange(-radius, radius + 1)
    phi = np.exp(-0.5 / (sigma * sigma) * x**2)
    return phi / phi.sum()


def _blur_axis(a: np.ndarray, weights: np.ndarray, axis: int) -> np.ndarray:
    """Correlate along `axis` with a symmetric kernel, edges mirrored (d c b a | a b c d),
    summed in scipy.ndimage's order: centre first, then pairs from the outermost in."""
    r = len(weights) // 2
    n = a.shape[axis]
    padded = np.pad(a, [(r, r) if i == axis else (0, 0) for i in range(a.ndim)],
                    mode="symmetric")

    def shifted(offset: int) -> np.ndarray:
        return padded[(slice(None),) * axis + (slice(r + offset, r + offset + n),)]

    out = shifted(0) * weights[r]
    for j in range(r, 0, -1):
        out += (shifted(-j) + shifted(j)) * weights[r - j]
    return out


def gaussian_blur(images: np.ndarray, sigma: float, truncate: float) -> np.ndarray:
    """Each (h, w) image of a (n, h, w) batch blurred by a separable Gaussian: what
    scipy.ndimage.gaussian_filter(images, (0, sigma, sigma), truncate=truncate,
    mode="reflect") gives."""
    images = np.asarray(images)
    rows = _blur_matrix(images.shape[1], sigma, truncate)
    cols = _blur_matrix(images.shape[2], sigma, truncate)
    return rows @ images @ cols.T


@functools.lru_cache(maxsize=8)
def _blur_matrix(n: int, sigma: float, truncate: float) -> np.ndarray:
    """(n, n) matrix M: M @ v is v blurred (a blur is linear, so M's columns are the blurred
    unit vectors). Two small matrix products then blur a whole batch (~10x faster)."""
    matrix = _blur_axis(np.eye(n), gaussian_kernel(sigma, truncate), 0)
    matrix.flags.writeable = False
    return matrix


def _ssim_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    def blur(a: np.ndarray) -> np.ndarray:
        return gaussian_blur(a, SSIM_SIGMA, SSIM_TRUNCATE)

    r = int(SSIM_TRUNCATE * SSIM_SIGMA + 0.5)  # window radius
    if x.shape[1] <= 2 * r:
        raise ValueError(f"SSIM needs images larger than {2 * r + 1}x{2 * r + 1} pixels")
    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    num = (2 * mu_x * mu_y + SSIM_C1) * (2 * cov + SSIM_C2)
    den = (mu_x**2 + mu_y**2 + SSIM_C1) * (var_x + var_y + SSIM_C2)
    return (num / den)[:, r:-r, r:-r].mean(axis=(1, 2))


def ssim(clean, other) -> np.ndarray:
    """Structural similarity per image (n,), Wang et al. 2004 (Gaussian 11x11, sigma 1.5).

    Matches skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False, data_range=1): the mean SSIM map over pixels whose whole
    window lies inside the image. 1 for identical images.
    """
    return _chunked(_ssim_rows, *_pair(clean, other, view=_images))


def _latent(z) -> np.ndarray:
    """View latents as (n, dims); a 1-D array is one sample."""
    arr = np.asarray(z, dtype=np.float64)
    return arr.reshape(1, -1) if arr.ndim <= 1 else arr.reshape(arr.shape[0], -1)


def kl_divergence(z_mean, z_log_var) -> np.ndarray:
    """KL(N(mu, sigma^2) || N(0, 1)) per sample (n,), summed over latent dims (closed form).

    -0.5 * sum(1 + log_var - mu^2 - exp(log_var)); latents may have any trailing shape.
    """
    mu, lv = _pair(z_mean, z_log_var, view=_latent)
    return -0.5 * np.sum(1.0 + lv - mu**2 - np.exp(lv), axis=1)


def hoyer_sparsity(codes) -> np.ndarray:
    """Hoyer's sparsity of each code vector (n,): 0 when all units are equally active, 1 when
    only one is. Unlike a mean activation it does not change when the codes are rescaled."""
    c = _latent(codes)
    n = c.shape[1]
    if n < 2:
        return np.zeros(len(c))
    l1 = np.abs(c).sum(axis=1)
    l2 = np.sqrt(np.square(c).sum(axis=1))
    ratio = np.divide(l1, l2, out=np.full_like(l1, np.sqrt(n)), where=l2 > 0)
    return (np.sqrt(n) - ratio) / (np.sqrt(n) - 1)
