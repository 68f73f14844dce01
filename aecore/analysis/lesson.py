"""What the guided lesson computes to reveal the answers to its questions (no UI here).

Each function turns model outputs into the evidence a step shows after the student has made a
prediction: which class is rebuilt worst, which model wins, where a class lands on a plane,
whether generated pictures are copies, and how an autoencoder reacts to inputs unlike its
training data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from aecore.analysis.compare import excess_bce_map
from aecore.analysis.latent import class_mix, nearest

NEARBY = 50            # test codes that count as "near" a guessed point
COPY_DISTANCE = 0.02   # RMS pixel distance under which a generated picture is a copy


def per_image_excess(x, x_hat) -> np.ndarray:
    """Each image's mean BCE above its own floor BCE(x, x): 0 for a perfect copy."""
    excess = excess_bce_map(x, x_hat)
    return excess.reshape(len(excess), -1).mean(axis=1)


def per_class_error(x, x_hat, labels, n_classes: int) -> np.ndarray:
    """Mean error above the floor per class (NaN for a class with no image); unlike the raw
    BCE it does not grow with how grey a class's pictures are."""
    errors = per_image_excess(x, x_hat)
    labels = np.asarray(labels).astype(int)
    return np.array([errors[labels == c].mean() if np.any(labels == c) else np.nan
                     for c in range(n_classes)])


def winner(scores: Mapping[str, float], lower_is_better: bool = True) -> str:
    """The key with the best score."""
    pick = min if lower_is_better else max
    return pick(scores, key=scores.get)


def same_or_better(a: float, b: float, tolerance: float) -> str:
    """'better' when b is lower than a by more than `tolerance`, 'same' within it, else 'worse'."""
    if b < a - tolerance:
        return "better"
    return "same" if b <= a + tolerance else "worse"


@dataclass(frozen=True)
class GuessReport:
    """How a guessed point on a latent plane relates to where a class really lands."""

    centre: tuple[float, float]   # the class's median code
    distance: float               # from the guess to that centre
    spread: float                 # median distance of the class's codes from their centre
    share: float                  # of the NEARBY codes closest to the guess, the share in the class
    majority: int                 # the most common class near the guess

    @property
    def close(self) -> bool:
        """Inside the class's typical spread, or mostly among its codes."""
        return self.distance <= self.spread or self.share >= 0.5


def guess_report(codes, labels, guess, cls: int, n_classes: int, k: int = NEARBY) -> GuessReport:
    """Compare a guessed point with where class `cls` lands on a 2-D plane of codes."""
    codes = np.asarray(codes, np.float64).reshape(-1, 2)
    labels = np.asarray(labels).astype(int)
    members = codes[labels == cls]
    if not len(members):
        raise ValueError(f"no code of class {cls}")
    centre = np.median(members, axis=0)
    guess = np.asarray(guess, np.float64).reshape(2)
    mix = class_mix(labels, nearest(codes, guess, k), n_classes)
    return GuessReport(centre=(float(centre[0]), float(centre[1])),
                       distance=float(np.linalg.norm(guess - centre)),
                       spread=float(np.median(np.linalg.norm(members - centre, axis=1))),
                       share=float(mix[cls]), majority=int(np.argmax(mix)))


def nearest_in_pixels(images, bank) -> tuple[np.ndarray, np.ndarray]:
    """For each image, the index of the closest picture in `bank` and the RMS pixel distance."""
    a = np.asarray(images, np.float32).reshape(len(images), -1)
    b = np.asarray(bank, np.float32).reshape(len(bank), -1)
    d2 = (a * a).sum(1)[:, None] - 2 * a @ b.T + (b * b).sum(1)[None, :]
    index = np.argmin(d2, axis=1)
    rms = np.sqrt(np.maximum(d2[np.arange(len(a)), index], 0.0) / a.shape[1])
    return index, rms


def prior_points(n: int, seed: int = 0) -> np.ndarray:
    """n points drawn from a standard normal on the plane (what a VAE's prior expects)."""
    return np.random.default_rng(seed).standard_normal((n, 2)).astype(np.float32)


def generated_verdict(to_test: np.ndarray, noise_to_test: np.ndarray) -> str:
    """'copies', 'new' or 'noise': generated pictures against their nearest test pictures.

    Copies sit (almost) on a test picture; noise sits as far from every test picture as random
    pixels do; anything in between is a new picture that resembles the test set.
    """
    typical, noise = float(np.median(to_test)), float(np.median(noise_to_test))
    if typical < COPY_DISTANCE:
        return "copies"
    return "noise" if typical >= 0.8 * noise else "new"


def strangers(x, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs unlike the training data, beside the real thing: inverted pictures and noise."""
    x = np.asarray(x, np.float32)
    noise = np.random.default_rng(seed).uniform(0.0, 1.0, x.shape).astype(np.float32)
    return {"clothes": x, "inverted": 1.0 - x, "noise": noise}


def excess_error(x, x_hat) -> float:
    """Mean BCE above each input's own floor: 0 for a perfect copy, whatever the input."""
    return float(excess_bce_map(x, x_hat).mean())
