"""Test-set metrics for trained models, PCA baselines, and `python -m aecore.evaluate`."""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from aecore.api import TrainedModel, load_model
from aecore.data import add_noise, load_fashion_mnist, load_sample, load_test_set
from aecore.errors import DatasetNotFound, WeightsError
from aecore.metrics import FLOOR_BCE, bce, kl_divergence, mse, per_image_bce
from aecore.specs import get_spec, list_models

NOISE_SEED = 0
NEAR_ZERO = 0.01


def model_inputs(model: TrainedModel, x: np.ndarray) -> np.ndarray:
    """What the model is scored on: noisy images for the denoiser, clean ones otherwise."""
    if model.spec.input_noise:
        return add_noise(x, model.spec.input_noise, "gaussian", seed=NOISE_SEED)
    return x


def code_statistics(codes: np.ndarray) -> dict:
    """How sparse the codes are: mean activation and the share of units that are near zero."""
    return {
        "code_mean_activation": float(np.mean(np.abs(codes))),
        "code_near_zero_fraction": float(np.mean(np.abs(codes) < NEAR_ZERO)),
    }


def vae_statistics(model: TrainedModel, x: np.ndarray, seed: int = NOISE_SEED) -> dict:
    """Negative ELBO (nats per image) with one sample of z, split into reconstruction and KL."""
    z_mean, z_log_var = model.encode_distribution(x)
    rng = np.random.default_rng(seed)
    z = z_mean + np.exp(0.5 * z_log_var) * rng.standard_normal(z_mean.shape).astype(np.float32)
    reconstruction = float(np.mean(per_image_bce(x, model.decode(z))) * 784)
    kl = float(np.mean(kl_divergence(z_mean, z_log_var)))
    return {"elbo_nats": reconstruction + kl, "reconstruction_nats": reconstruction,
            "kl_nats": kl}


def evaluate_model(model: TrainedModel, x: np.ndarray) -> dict:
    """Test BCE and MSE of reconstructions (from z_mean for VAEs), plus code statistics."""
    codes = model.encode(model_inputs(model, x))
    x_hat = model.decode(codes)
    metrics = {"test_bce": bce(x, x_hat), "test_mse": mse(x, x_hat),
               "floor_gap": bce(x, x_hat) - FLOOR_BCE}
    if model.spec.is_vae:
        metrics.update(vae_statistics(model, x))
    else:
        metrics.update(code_statistics(codes))
    return {k: round(float(v), 6) for k, v in metrics.items()}


def sample_bce(model: TrainedModel) -> float | None:
    """BCE on the shipped sample, so a fresh clone can check the weights without the dataset."""
    try:
        split = load_sample()
    except DatasetNotFound:
        return None
    x_hat = model.decode(model.encode(model_inputs(model, split.x)))
    return round(bce(split.x, x_hat), 6)


def pca_bce(x_train: np.ndarray, x_test: np.ndarray, components: int) -> float:
    """BCE of a PCA reconstruction with `components` components fitted on the training set."""
    train = x_train.reshape(len(x_train), -1).astype(np.float64)
    mean = train.mean(axis=0)
    covariance = np.cov(train - mean, rowvar=False)
    _, vectors = np.linalg.eigh(covariance)
    basis = vectors[:, ::-1][:, :components]
    test = x_test.reshape(len(x_test), -1) - mean
    recon = (test @ basis) @ basis.T + mean
    return bce(x_test, np.clip(recon, 0.0, 1.0))


def evaluation_rows(names: list[str], weights_dir=None) -> tuple[list[dict], str]:
    """One row per model: metrics, the article's number, PCA at the same code size."""
    split = load_test_set()
    try:
        (x_train, _), _ = load_fashion_mnist(allow_download=False)
    except DatasetNotFound:
        x_train = None
    rows = []
    for name in names:
        spec = get_spec(name)
        row = {"model": name, "article_bce": spec.article_bce, "latent_dim": spec.latent_dim}
        try:
            row.update(evaluate_model(load_model(name, weights_dir), split.x))
        except WeightsError as exc:
            row["error"] = str(exc)
        if x_train is not None:
            row["pca_bce"] = round(pca_bce(x_train, split.x, spec.latent_dim), 4)
        rows.append(row)
    return rows, split.description


def format_table(rows: list[dict], source: str) -> str:
    header = (f"{'model':<10} {'BCE':>7} {'MSE':>7} {'article':>8} {'PCA(k)':>13} "
              f"{'to floor':>9}  extra")
    lines = [f"Evaluated on the {source}; floor BCE(x, x) = {FLOOR_BCE}", header, "-" * 78]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['model']:<10} {r['error']}")
            continue
        article = f"{r['article_bce']:.3f}" if r["article_bce"] else "—"
        pca = f"{r['pca_bce']:.4f} ({r['latent_dim']})" if "pca_bce" in r else "—"
        extra = (f"ELBO {r['elbo_nats']:.1f} nats" if "elbo_nats" in r else
                 f"|code| {r['code_mean_activation']:.3f}, "
                 f"{100 * r['code_near_zero_fraction']:.0f}% near 0")
        lines.append(f"{r['model']:<10} {r['test_bce']:>7.4f} {r['test_mse']:>7.4f} {article:>8} "
                     f"{pca:>13} {r['floor_gap']:>9.4f}  {extra}")
    return "\n".join(lines)


def format_markdown(rows: list[dict], source: str) -> str:
    """The same table as Markdown, for the README."""
    lines = [f"Evaluated on the {source}; floor BCE(x, x) = {FLOOR_BCE}.", "",
             "| model | test BCE | MSE | article | PCA, same code size | above floor | extra |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['model']} | — | — | — | — | — | no weights |")
            continue
        extra = (f"ELBO {r['elbo_nats']:.1f} nats/image" if "elbo_nats" in r else
                 f"mean abs(code) {r['code_mean_activation']:.2f}, "
                 f"{100 * r['code_near_zero_fraction']:.0f}% near 0")
        article = f"{r['article_bce']:.3f}" if r["article_bce"] else "—"
        pca = f"{r['pca_bce']:.4f} (k={r['latent_dim']})" if "pca_bce" in r else "—"
        lines.append(f"| {r['model']} | {r['test_bce']:.4f} | {r['test_mse']:.4f} | {article} | "
                     f"{pca} | {r['floor_gap']:.4f} | {extra} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score the trained models on the test set.")
    parser.add_argument("--model", default="all", help="a model name or 'all'")
    parser.add_argument("--weights-dir", default=None)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)
    names = list_models() if args.model == "all" else [args.model]
    try:
        rows, source = evaluation_rows(names, args.weights_dir)
    except (DatasetNotFound, WeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"source": source, "rows": rows}, indent=2))
    else:
        print(format_markdown(rows, source) if args.markdown else format_table(rows, source))
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
