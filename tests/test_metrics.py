"""Metrics against hand values, reference formulas and shape variants."""

import gzip
import math
from pathlib import Path

import numpy as np
import pytest

from aecore.analysis import metrics
from aecore.analysis.metrics import (
    FLOOR_BCE,
    bce,
    kl_divergence,
    mse,
    per_image_bce,
    per_image_mse,
    psnr,
    ssim,
)

TEST_IMAGES = Path("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz")


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    clean = rng.random((6, 28, 28)).astype(np.float32)
    noisy = np.clip(clean + rng.normal(0, 0.2, clean.shape), 0, 1).astype(np.float32)
    return clean, noisy


# --- BCE / MSE --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, math.log(2)),
        (0.25, -(0.25 * math.log(0.25) + 0.75 * math.log(0.75))),
        (0.0, -math.log(1 - 1e-7)),
        (1.0, -math.log(1 - 1e-7)),
    ],
)
def test_bce_of_image_with_itself(value, expected):
    x = np.full((3, 28, 28), value, np.float32)
    assert bce(x, x) == pytest.approx(expected, rel=1e-6, abs=1e-9)


def test_bce_hand_values_and_clipping():
    ones = np.ones((1, 784))
    assert bce(ones, np.full((1, 784), 0.5)) == pytest.approx(math.log(2))
    assert bce(ones, np.zeros((1, 784))) == pytest.approx(-math.log(1e-7), rel=1e-6)
    assert np.isfinite(bce(np.zeros((1, 784)), ones))


def test_bce_is_mean_of_per_image(batch):
    clean, noisy = batch
    per = per_image_bce(clean, noisy)
    assert per.shape == (6,)
    assert bce(clean, noisy) == pytest.approx(per.mean())
    p = np.clip(noisy[2].astype(np.float64), 1e-7, 1 - 1e-7)
    x = clean[2].astype(np.float64)
    assert per[2] == pytest.approx(-np.mean(x * np.log(p) + (1 - x) * np.log(1 - p)))


def test_mse(batch):
    clean, noisy = batch
    assert mse(np.zeros((2, 784)), np.full((2, 784), 0.1)) == pytest.approx(0.01)
    per = per_image_mse(clean, noisy)
    assert per.shape == (6,)
    assert per[1] == pytest.approx(np.mean((clean[1] - noisy[1]).astype(np.float64) ** 2))
    assert mse(clean, noisy) == pytest.approx(per.mean())


def test_shapes_flat_images_and_channels_agree(batch):
    clean, noisy = batch
    flat = (clean.reshape(6, 784), noisy.reshape(6, 784))
    chan = (clean[..., None], noisy[..., None])
    for fn in (per_image_bce, per_image_mse, psnr, ssim):
        expected = fn(clean, noisy)
        np.testing.assert_allclose(fn(*flat), expected)
        np.testing.assert_allclose(fn(*chan), expected)
        np.testing.assert_allclose(fn(flat[0], noisy), expected)
    assert ssim(clean[0], noisy[0]).shape == (1,)  # a single (28, 28) image


def test_mismatched_shapes_raise(batch):
    clean, _ = batch
    with pytest.raises(ValueError):
        bce(clean, clean[:3])
    with pytest.raises(ValueError):
        ssim(np.zeros((2, 780)), np.zeros((2, 780)))


def test_chunking_gives_same_result(monkeypatch):
    rng = np.random.default_rng(3)
    x, y = rng.random((50, 784)), rng.random((50, 784))
    expected = [fn(x, y) for fn in (per_image_bce, per_image_mse, ssim)]
    monkeypatch.setattr(metrics, "CHUNK", 7)
    for fn, want in zip((per_image_bce, per_image_mse, ssim), expected, strict=True):
        np.testing.assert_allclose(fn(x, y), want)


@pytest.mark.skipif(not TEST_IMAGES.exists(), reason="Fashion-MNIST test set not installed")
def test_floor_bce_matches_test_set():
    with gzip.open(TEST_IMAGES) as f:
        raw = f.read()
    x = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28).astype(np.float32) / 255
    assert len(x) == 10_000
    assert bce(x, x) == pytest.approx(FLOOR_BCE, abs=5e-5)


# --- PSNR / SSIM ------------------------------------------------------------------------------


def test_psnr_identical_and_known():
    x = np.random.default_rng(4).random((3, 28, 28))
    np.testing.assert_array_equal(psnr(x, x), [100.0, 100.0, 100.0])
    y = np.clip(x + 0.1, None, None)  # MSE exactly 0.01 -> 20 dB
    np.testing.assert_allclose(psnr(x, y), 20.0)


def test_ssim_identical_is_one(batch):
    clean, _ = batch
    np.testing.assert_allclose(ssim(clean, clean), 1.0, atol=1e-12)
    blank = np.zeros((2, 28, 28))
    np.testing.assert_allclose(ssim(blank, blank), 1.0)


def test_ssim_noise_below_one_and_ordered(batch):
    clean, noisy = batch
    rng = np.random.default_rng(5)
    noisier = np.clip(clean + rng.normal(0, 0.5, clean.shape), 0, 1)
    s1, s2 = ssim(clean, noisy), ssim(clean, noisier)
    assert np.all(s1 < 0.99) and np.all(s2 < s1)
    np.testing.assert_allclose(ssim(noisy, clean), s1)  # symmetric


def reference_ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Wang et al. with an explicit 11x11 Gaussian window (sigma 1.5), valid positions only."""
    r = 5
    g = np.exp(-(np.arange(-r, r + 1) ** 2) / (2 * 1.5**2))
    w = np.outer(g, g) / np.outer(g, g).sum()
    c1, c2 = 0.01**2, 0.03**2
    values = []
    for i in range(r, x.shape[0] - r):
        for j in range(r, x.shape[1] - r):
            a = x[i - r : i + r + 1, j - r : j + r + 1]
            b = y[i - r : i + r + 1, j - r : j + r + 1]
            ma, mb = (w * a).sum(), (w * b).sum()
            va, vb = (w * a * a).sum() - ma**2, (w * b * b).sum() - mb**2
            cov = (w * a * b).sum() - ma * mb
            values.append(
                (2 * ma * mb + c1) * (2 * cov + c2) / ((ma**2 + mb**2 + c1) * (va + vb + c2))
            )
    return float(np.mean(values))


def test_ssim_matches_reference_formula(batch):
    clean, noisy = batch
    ours = ssim(clean[:2], noisy[:2])
    for k in range(2):
        ref = reference_ssim(clean[k].astype(np.float64), noisy[k].astype(np.float64))
        assert ours[k] == pytest.approx(ref, abs=1e-9)


# --- KL ---------------------------------------------------------------------------------------


def test_kl_hand_values():
    zeros = np.zeros((2, 4))
    np.testing.assert_allclose(kl_divergence(zeros, zeros), [0.0, 0.0])
    # mu = 1, log_var = 0: 0.5 per dimension
    np.testing.assert_allclose(kl_divergence(np.ones((1, 4)), zeros[:1]), [2.0])
    # mu = 0, log_var = log 4: -0.5 * (1 + log 4 - 4) per dimension
    lv = np.full((1, 2), math.log(4))
    np.testing.assert_allclose(kl_divergence(np.zeros((1, 2)), lv), [3.0 - math.log(4)])


def test_kl_matches_monte_carlo():
    rng = np.random.default_rng(6)
    mu = np.array([0.7, -1.2, 0.1])
    lv = np.array([-0.5, 0.4, -2.0])
    sigma = np.exp(0.5 * lv)
    z = mu + sigma * rng.standard_normal((400_000, 3))
    log_q = -0.5 * (((z - mu) / sigma) ** 2 + lv + math.log(2 * math.pi))
    log_p = -0.5 * (z**2 + math.log(2 * math.pi))
    estimate = float(np.mean(np.sum(log_q - log_p, axis=1)))
    exact = kl_divergence(mu[None], lv[None])[0]
    assert exact == pytest.approx(estimate, abs=0.02)


def test_kl_shapes():
    rng = np.random.default_rng(7)
    mu, lv = rng.normal(size=(5, 4, 4)), rng.normal(size=(5, 4, 4))
    out = kl_divergence(mu, lv)
    assert out.shape == (5,)
    np.testing.assert_allclose(out, kl_divergence(mu.reshape(5, 16), lv.reshape(5, 16)))
    assert kl_divergence(mu[0, 0], lv[0, 0]).shape == (1,)
    assert np.all(out >= 0)


def test_hoyer_sparsity_extremes_and_scale_invariance():
    one_hot = np.eye(4)[:2]
    flat = np.ones((2, 4))
    assert metrics.hoyer_sparsity(one_hot) == pytest.approx([1.0, 1.0])
    assert metrics.hoyer_sparsity(flat) == pytest.approx([0.0, 0.0])
    codes = np.random.default_rng(0).random((5, 32))
    assert metrics.hoyer_sparsity(codes * 7.5) == pytest.approx(metrics.hoyer_sparsity(codes))
    assert metrics.hoyer_sparsity(np.zeros((1, 8)))[0] == pytest.approx(0.0)


# --- the Gaussian blur of SSIM equals scipy.ndimage's -----------------------------------------


@pytest.mark.parametrize(("sigma", "truncate"), [(1.5, 3.5), (1.0, 4.0), (0.7, 2.0), (2.5, 3.5)])
def test_gaussian_blur_equals_scipy(sigma, truncate):
    from scipy import ndimage

    rng = np.random.default_rng(8)
    for images in (rng.random((5, 28, 28)), rng.random((3, 13, 17)),
                   np.round(rng.random((4, 28, 28)), 1)):   # ties and flat regions
        expected = ndimage.gaussian_filter(images, (0, sigma, sigma), truncate=truncate,
                                           mode="reflect")
        np.testing.assert_allclose(metrics.gaussian_blur(images, sigma, truncate), expected,
                                   rtol=0, atol=1e-12)


def test_ssim_of_real_images_equals_the_scipy_blur(monkeypatch):
    from scipy import ndimage

    from aecore.data import load_test_set

    x = np.asarray(load_test_set().x[:200], np.float64)
    noisy = np.clip(x + np.random.default_rng(9).normal(0, 0.3, x.shape), 0, 1)
    ours = ssim(x, noisy)
    monkeypatch.setattr(metrics, "gaussian_blur", lambda a, sigma, truncate:
                        ndimage.gaussian_filter(a, (0, sigma, sigma), truncate=truncate,
                                                mode="reflect"))
    np.testing.assert_allclose(ours, ssim(x, noisy), rtol=0, atol=1e-12)
