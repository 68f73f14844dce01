"""Numbers behind the denoiser page: corrupt, reconstruct, score, and sweep over noise levels.

Models enter as plain callables (images -> images), e.g. `TrainedModel.reconstruct`, so this
module needs no Keras and its results (numpy only) can be cached by the UI.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from aecore.analysis.metrics import psnr, ssim
from aecore.data import add_noise

Reconstruct = Callable[[np.ndarray], np.ndarray]
NOISY = "noisy"  # key of the corrupted input itself in the score dictionaries
SWEEP_LEVELS = tuple(round(0.1 * i, 1) for i in range(11))  # 0, 0.1, ..., 1
SLIDER_LEVELS = tuple(round(0.05 * i, 2) for i in range(21))  # the page's slider: 0, 0.05, ..., 1
SWEEP_PER_CLASS = 10  # test images per class behind each point of the curves


@dataclass(frozen=True)
class Quality:
    """Per-image PSNR (dB) and SSIM of some images against the clean originals."""

    psnr: np.ndarray
    ssim: np.ndarray

    @property
    def mean_psnr(self) -> float:
        return float(np.mean(self.psnr))

    @property
    def mean_ssim(self) -> float:
        return float(np.mean(self.ssim))


def quality(clean: np.ndarray, other: np.ndarray) -> Quality:
    """PSNR and SSIM of `other` against `clean`, one value per image."""
    return Quality(psnr(clean, other), ssim(clean, other))


@dataclass(frozen=True)
class Comparison:
    """One noise setting applied to some images: the noisy input, each model's output, scores."""

    clean: np.ndarray
    noisy: np.ndarray
    outputs: dict[str, np.ndarray]
    scores: dict[str, Quality]  # NOISY and every model name


def compare(models: Mapping[str, Reconstruct], clean, level: float, kind: str = "gaussian",
            seed: int | None = 0) -> Comparison:
    """Corrupt `clean` (n, 28, 28) once and let every model reconstruct the same noisy batch."""
    clean = np.asarray(clean, dtype=np.float32)
    noisy = add_noise(clean, level, kind, seed)
    outputs = {name: np.asarray(fn(noisy), dtype=np.float32) for name, fn in models.items()}
    scores = {NOISY: quality(clean, noisy)}
    scores.update({name: quality(clean, out) for name, out in outputs.items()})
    return Comparison(clean, noisy, outputs, scores)


@dataclass(frozen=True)
class Sweep:
    """Mean PSNR and SSIM per noise level for the noisy input and each model."""

    levels: np.ndarray
    psnr: dict[str, np.ndarray]
    ssim: dict[str, np.ndarray]
    kind: str
    count: int  # images per level

    def at(self, level: float) -> dict[str, tuple[float, float]]:
        """(PSNR, SSIM) of every curve at `level`, linearly interpolated between sweep levels."""
        return {
            name: (float(np.interp(level, self.levels, self.psnr[name])),
                   float(np.interp(level, self.levels, self.ssim[name])))
            for name in self.psnr
        }


def noise_sweep(models: Mapping[str, Reconstruct], x, levels=SWEEP_LEVELS,
                kind: str = "gaussian", seed: int | None = 0) -> Sweep:
    """Score every model on `x` corrupted at each level (same seed, so curves are comparable)."""
    levels = np.asarray(levels, dtype=np.float64)
    if levels.ndim != 1 or len(levels) == 0:
        raise ValueError("levels must be a non-empty 1-D sequence of noise levels.")
    names = [NOISY, *models]
    psnr_rows = {name: np.zeros(len(levels)) for name in names}
    ssim_rows = {name: np.zeros(len(levels)) for name in names}
    for i, level in enumerate(levels):
        result = compare(models, x, float(level), kind, seed)
        for name in names:
            psnr_rows[name][i] = result.scores[name].mean_psnr
            ssim_rows[name][i] = result.scores[name].mean_ssim
    return Sweep(levels, psnr_rows, ssim_rows, kind, len(np.asarray(x)))
