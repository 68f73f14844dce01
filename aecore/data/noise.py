"""Corrupting images: Gaussian noise, salt and pepper, and masked-out pixels (seeded)."""

from __future__ import annotations

import numpy as np

NOISE_KINDS = ("gaussian", "salt_pepper", "mask")


def add_noise(x: np.ndarray, level: float, kind: str = "gaussian", seed: int | None = None):
    """Corrupt images in [0, 1]. `level` is the std (gaussian) or the fraction of pixels hit."""
    if kind not in NOISE_KINDS:
        raise ValueError(f"Unknown noise kind {kind!r}; choose one of {', '.join(NOISE_KINDS)}.")
    if not 0 <= level <= 1:
        raise ValueError(f"Noise level must be between 0 and 1, got {level}.")
    x = np.asarray(x, dtype=np.float32)
    rng = np.random.default_rng(seed)
    if kind == "gaussian":
        noisy = x + level * rng.standard_normal(x.shape, dtype=np.float32)
    elif kind == "salt_pepper":
        hit = rng.random(x.shape) < level
        noisy = np.where(hit, (rng.random(x.shape) < 0.5).astype(np.float32), x)
    else:
        noisy = np.where(rng.random(x.shape) < level, 0.0, x)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)
