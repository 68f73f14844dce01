"""Anomaly detection by reconstruction: models trained on every class but one score test images.

The held-out class plays the anomaly. Each model with the registry role ROLE_ANOMALY scores
every image (`model_scores`): the per-image binary cross-entropy of its reconstruction (and the
same less the image's own floor), or for a VAE the negative ELBO (reconstruction in nats plus
the KL term), averaged over a few samples of z.
Thresholds come from the scores of normal *training* images, as they would in practice.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aecore.analysis import diskcache
from aecore.analysis.metrics import per_image_bce
from aecore.analysis.ranking import auc, precision_recall_curve, roc_curve
from aecore.data.fashion_mnist import CLASS_NAMES, PIXELS
from aecore.errors import DatasetNotFound
from aecore.models.registry import ROLE_ANOMALY, all_specs, get_spec
from aecore.runtime.api import TrainedModel, load_model
from aecore.runtime.store import resolve_dir

DEFAULT_HELD_OUT = CLASS_NAMES.index("Bag")
ELBO_SAMPLES = 4       # samples of z per image for the negative ELBO
SCORE_SEED = 0


def anomaly_models() -> list[str]:
    """The models retrained without one class, in registry order."""
    return [spec.name for spec in all_specs() if ROLE_ANOMALY in spec.roles]


def held_out_dir(held_out: int, weights_dir: str | Path | None = None) -> Path:
    """The weights folder of the models trained without class `held_out` (own manifest)."""
    return resolve_dir(weights_dir) / "anomaly" / f"without-{held_out}"


def without_class(data: tuple, held_out: int) -> tuple:
    """((x_train, y_train), (x_test, y_test)) with every image of class `held_out` removed."""
    return tuple((x[y != held_out], y[y != held_out]) for x, y in data)


SCORE_LABELS = {
    "bce": "reconstruction BCE",                 # mean per-pixel cross-entropy of the rebuild
    "excess": "BCE above the image's floor",     # ... minus what a perfect copy would score
    "elbo": "negative ELBO",                      # VAE: reconstruction nats + KL
}


def score_kinds(name: str) -> tuple[str, ...]:
    """The scores a model gives: the negative ELBO for a VAE, reconstruction BCE otherwise."""
    return ("elbo",) if get_spec(name).is_vae else ("bce", "excess")


def score_ids() -> list[str]:
    """Every score of the anomaly models, in registry order: 'basic.bce', …, 'vae_mlp.elbo'."""
    return [f"{name}.{kind}" for name in anomaly_models() for kind in score_kinds(name)]


def score_model(score: str) -> str:
    """The model behind a score id such as 'basic.bce'."""
    return score.rsplit(".", 1)[0]


def score_label(score: str) -> str:
    """What a score is, in words: 'reconstruction BCE (basic)'."""
    name, kind = score.rsplit(".", 1)
    return f"{SCORE_LABELS[kind]} ({name})"


def score_text(value: float) -> str:
    """A score as captions show it, with the same decimals across a row: three below 10 (BCE:
    '0.110', not '0.11'), one from 10 up (-ELBO in nats: '412.3')."""
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"


def negative_elbo(model: TrainedModel, x: np.ndarray, samples: int = ELBO_SAMPLES,
                  seed: int = SCORE_SEED) -> np.ndarray:
    """-ELBO per image in nats: 784·BCE(x, decode(z)) averaged over z ~ q(z|x), plus KL."""
    z_mean, z_log_var = model.encode_distribution(x)
    rng = np.random.default_rng(seed)
    reconstruction = np.zeros(len(x))
    for _ in range(samples):
        z = z_mean + np.exp(0.5 * z_log_var) * rng.standard_normal(z_mean.shape)
        reconstruction += PIXELS * per_image_bce(x, model.decode(z.astype(np.float32)))
    kl = -0.5 * np.sum(1.0 + z_log_var - z_mean**2 - np.exp(z_log_var), axis=1)
    return reconstruction / samples + kl


def model_scores(model: TrainedModel, x: np.ndarray) -> dict[str, np.ndarray]:
    """Higher means more unusual. A VAE: its negative ELBO. Any other model: the per-image BCE
    of its reconstruction, and that BCE less the image's own floor BCE(x, x): cross-entropy on
    grey pixels is never zero, so the raw score also grows with how grey an image is."""
    if model.spec.is_vae:
        scores = {"elbo": negative_elbo(model, x)}
    else:
        raw = per_image_bce(x, model.reconstruct(x))
        scores = {"bce": raw, "excess": raw - per_image_bce(x, x)}
    return {f"{model.name}.{kind}": scores[kind] for kind in score_kinds(model.name)}


@dataclass(frozen=True)
class Curves:
    """ROC and precision–recall curves of one score, with the areas under them."""

    fpr: np.ndarray
    tpr: np.ndarray
    roc_auc: float
    precision: np.ndarray
    recall: np.ndarray
    pr_auc: float
    base_rate: float   # share of anomalies: a guessing detector's precision


def curves(scores: np.ndarray, is_anomaly: np.ndarray) -> Curves:
    """ROC and precision–recall of `scores` (higher = more anomalous), as scikit-learn draws
    them (`aecore.analysis.ranking`)."""
    fpr, tpr, _ = roc_curve(scores, is_anomaly)
    precision, recall, _ = precision_recall_curve(scores, is_anomaly)
    pr_auc = float(auc(recall, precision))
    # For drawing, the points a plot would show (about a sixth: lighter in the browser).
    precision, recall, _ = precision_recall_curve(scores, is_anomaly, drop_intermediate=True)
    return Curves(fpr, tpr, float(auc(fpr, tpr)), precision, recall, pr_auc,
                  float(np.mean(is_anomaly)))


@dataclass(frozen=True)
class Counts:
    """Confusion counts of flagging every score above a threshold as an anomaly."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def counts_at(scores: np.ndarray, is_anomaly: np.ndarray, threshold: float) -> Counts:
    """Confusion counts when scores strictly above `threshold` are called anomalies."""
    flagged = np.asarray(scores) > threshold
    truth = np.asarray(is_anomaly, dtype=bool)
    return Counts(tp=int(np.sum(flagged & truth)), fp=int(np.sum(flagged & ~truth)),
                  tn=int(np.sum(~flagged & ~truth)), fn=int(np.sum(~flagged & truth)))


def threshold_rules(reference: np.ndarray, k: float, percentile: float) -> dict[str, float]:
    """The usual thresholds, from the scores of normal training images."""
    return {
        f"mean + {k:g}·σ": float(np.mean(reference) + k * np.std(reference)),
        f"{percentile:g}th percentile": float(np.percentile(reference, percentile)),
        "maximum": float(np.max(reference)),
    }


def extremes(scores: np.ndarray, is_anomaly: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the n highest-scoring normal images and the n lowest-scoring anomalies."""
    normal, anomalous = np.flatnonzero(~is_anomaly), np.flatnonzero(is_anomaly)
    worst_normal = normal[np.argsort(scores[normal])[::-1][:n]]
    best_anomalous = anomalous[np.argsort(scores[anomalous])[:n]]
    return worst_normal, best_anomalous


# --- the scores of one held-out class, cached on disk ------------------------------------------

REFERENCE_IMAGES = 10_000   # normal training images the threshold rules are computed from


@dataclass(frozen=True)
class ScoreTable:
    """Every anomaly score of each test image and of normal training images."""

    held_out: int
    labels: np.ndarray                       # test labels
    test: dict[str, np.ndarray]              # score id ('basic.bce') -> score per test image
    reference: dict[str, np.ndarray] | None  # ... per normal training image; None without them

    @property
    def is_anomaly(self) -> np.ndarray:
        return self.labels == self.held_out


def reference_images(held_out: int, count: int | None = None, seed: int = SCORE_SEED):
    """A reproducible subset of the normal training images (REFERENCE_IMAGES of them unless
    `count` says otherwise), or None without the dataset."""
    count = count or REFERENCE_IMAGES
    try:
        x_train, y_train = diskcache.read_training_set()
    except DatasetNotFound:
        return None
    normal = np.flatnonzero(y_train != held_out)
    picks = np.random.default_rng(seed).choice(normal, min(count, len(normal)), replace=False)
    return x_train[np.sort(picks)].copy()   # not a view: the full set is let go


def load_anomaly_models(held_out: int, weights_dir=None) -> dict[str, TrainedModel]:
    """The served models of one held-out class (raises WeightsError when one is missing)."""
    folder = held_out_dir(held_out, weights_dir)
    return {name: load_model(name, folder) for name in anomaly_models()}


def training_set_key_or_none() -> str | None:
    """Names the installed training images (the threshold rules' reference), None without."""
    try:
        return diskcache.training_set_key()
    except DatasetNotFound:
        return None


def score_table(held_out: int, x_test: np.ndarray, y_test: np.ndarray,
                weights_dir=None, ship: bool = False) -> ScoreTable:
    """The scores: shipped in weights/anomaly/without-<k>/scores.npz or cached in
    weights/.cache/anomaly/ when they were made from the same weights and images, else computed
    (seconds) and cached. `ship`: the export command writes the shipped file."""
    models = load_anomaly_models(held_out, weights_dir)
    key = diskcache.make_key("anomaly", sorted(SCORE_LABELS), held_out, ELBO_SAMPLES,
                             REFERENCE_IMAGES, SCORE_SEED,
                             diskcache.fingerprint(x_test), diskcache.fingerprint(y_test),
                             {n: diskcache.serving_checksums(m.entry) for n, m in models.items()},
                             training_set_key_or_none())

    def compute() -> dict[str, np.ndarray]:
        reference = reference_images(held_out)
        arrays = {f"test/{k}": v for m in models.values()
                  for k, v in model_scores(m, x_test).items()}
        if reference is not None:
            arrays.update({f"reference/{k}": v for m in models.values()
                           for k, v in model_scores(m, reference).items()})
        return arrays

    arrays = diskcache.stored_arrays(
        key, held_out_dir(held_out, weights_dir) / "scores.npz",
        diskcache.cache_dir("anomaly", weights_dir) / f"without-{held_out}-{key}.npz", compute,
        ship=ship)
    test = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("test/")}
    reference = {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith("reference/")}
    return ScoreTable(held_out, np.asarray(y_test), test,
                      reference if set(reference) == set(test) else None)
