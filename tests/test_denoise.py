"""aecore.analysis.denoise: corrupt, reconstruct and score; sweeps over noise levels."""

import numpy as np
import pytest
from scipy import ndimage

from aecore.analysis.denoise import NOISY, SWEEP_LEVELS, compare, noise_sweep, quality
from aecore.analysis.metrics import PSNR_CAP


def garments(n: int = 6) -> np.ndarray:
    """Smooth blobs on black, a bit like Fashion-MNIST."""
    yy, xx = np.mgrid[0:28, 0:28]
    out = []
    for i in range(n):
        cx, cy, r = 10 + i % 8, 12 + i % 5, 6 + i % 4
        out.append(np.clip(1.2 - np.hypot(xx - cx, yy - cy) / r, 0, 1))
    return np.asarray(out, dtype=np.float32)


def identity(x):
    return x


def median(x):
    return ndimage.median_filter(x, size=(1, 3, 3))


def test_quality_of_identical_images_is_perfect():
    q = quality(garments(), garments())
    assert np.allclose(q.psnr, PSNR_CAP) and np.allclose(q.ssim, 1.0)
    assert q.mean_ssim == pytest.approx(1.0)


def test_compare_shapes_and_identity_model_scores_like_the_noisy_input():
    clean = garments(5)
    result = compare({"id": identity}, clean, 0.3, "gaussian", seed=1)
    assert result.noisy.shape == clean.shape and result.outputs["id"].shape == clean.shape
    assert set(result.scores) == {NOISY, "id"}
    assert np.allclose(result.scores["id"].psnr, result.scores[NOISY].psnr)
    assert result.scores[NOISY].psnr.shape == (5,)


def test_noise_is_reproducible_with_a_seed():
    clean = garments()
    a = compare({}, clean, 0.4, "salt_pepper", seed=3).noisy
    b = compare({}, clean, 0.4, "salt_pepper", seed=3).noisy
    c = compare({}, clean, 0.4, "salt_pepper", seed=4).noisy
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_level_zero_leaves_images_clean():
    result = compare({}, garments(), 0.0, "mask", seed=0)
    assert np.array_equal(result.noisy, garments())


def test_a_median_filter_beats_salt_and_pepper_noise():
    result = compare({"median": median}, garments(), 0.1, "salt_pepper", seed=0)
    assert result.scores["median"].mean_psnr > result.scores[NOISY].mean_psnr + 3


@pytest.mark.parametrize("kind", ["gaussian", "salt_pepper", "mask"])
def test_sweep_noisy_quality_falls_as_noise_rises(kind):
    sweep = noise_sweep({"id": identity}, garments(), (0.0, 0.2, 0.5, 1.0), kind, seed=0)
    assert sweep.count == 6 and sweep.kind == kind
    assert np.all(np.diff(sweep.psnr[NOISY]) < 0)
    assert np.all(np.diff(sweep.ssim[NOISY]) <= 0)
    assert np.allclose(sweep.psnr["id"], sweep.psnr[NOISY])


def test_sweep_at_interpolates_between_levels():
    sweep = noise_sweep({"median": median}, garments(), (0.1, 0.3), "gaussian", seed=0)
    at_end = sweep.at(0.3)
    assert at_end["median"][0] == pytest.approx(sweep.psnr["median"][1])
    middle = sweep.at(0.2)[NOISY]
    assert middle[0] == pytest.approx(np.mean(sweep.psnr[NOISY]))
    assert middle[1] == pytest.approx(np.mean(sweep.ssim[NOISY]))


def test_default_sweep_levels_span_zero_to_one():
    assert SWEEP_LEVELS[0] == 0 and SWEEP_LEVELS[-1] == 1 and len(SWEEP_LEVELS) == 11


def test_bad_inputs_raise_value_errors():
    with pytest.raises(ValueError):
        noise_sweep({}, garments(), [], "gaussian")
    with pytest.raises(ValueError):
        compare({}, garments(), 1.5, "gaussian")
    with pytest.raises(ValueError):
        compare({}, garments(), 0.5, "speckle")
