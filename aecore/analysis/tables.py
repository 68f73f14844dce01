"""Facts about the variants for the overview table, the sidebar and the training curves."""

from __future__ import annotations

import contextlib
from pathlib import Path

from aecore.analysis.latent import empty_share
from aecore.analysis.metrics import FLOOR_BCE
from aecore.errors import WeightsError
from aecore.models.registry import all_specs, get_spec, list_models
from aecore.runtime import store

STATUS_KINDS = ("ok", "missing", "damaged")


def status_kind(message: str) -> str:
    """'ok', 'missing' or 'damaged' for one value of `weights_status()`."""
    if message == "ok":
        return "ok"
    if message.startswith("No trained weights"):
        return "missing"
    return "damaged"


def weights_stamp(name: str | None = None, weights_dir: str | Path | None = None) -> tuple:
    """Modification times and sizes of the manifest and weights files: changes when they do."""
    names = [name] if name else list_models()
    folders = dict.fromkeys(store.model_dir(n, weights_dir) for n in names)  # lab models: own
    paths = [*(f / store.MANIFEST_NAME for f in folders or [store.resolve_dir(weights_dir)]),
             *(store.weights_file(n, weights_dir) for n in names)]
    stamp = []
    for path in paths:
        try:
            info = path.stat()
            stamp.append((str(path), info.st_mtime_ns, info.st_size))
        except OSError:
            stamp.append((str(path), None, None))
    return tuple(stamp)


def floor_gap(test_bce: float | None) -> float | None:
    """How far a test BCE sits above the floor BCE(x, x) that no model can beat."""
    return None if test_bce is None else test_bce - FLOOR_BCE


def recorded_bce(entry: dict | None) -> float | None:
    """The test BCE a manifest entry records, if any."""
    return (entry or {}).get("metrics", {}).get("test_bce")


def target_bce(name: str, scores: dict[str, float | None]) -> float | None:
    """The test BCE `name` must reach: its spec's target, or the score of the model it must beat."""
    spec = get_spec(name)
    return scores.get(spec.target_beats) if spec.target_beats else spec.target_bce


def zoo_row(name: str, entry: dict | None, status: str, target: float | None = None) -> dict:
    """One row of the model table (missing numbers are None)."""
    spec = get_spec(name)
    test_bce = recorded_bce(entry) if status == "ok" else None
    return {
        "name": name,
        "Model": spec.title,
        "Latent size": spec.latent_dim,
        "Parameters": (entry or {}).get("parameters"),
        "Test BCE": test_bce,
        "Target": target,
        "Article BCE": spec.article_bce,
        "Above floor": floor_gap(test_bce),
        "Weights": status_kind(status),
        "Architecture": spec.architecture,
    }


def zoo_rows(status: dict[str, str], weights_dir: str | Path | None = None) -> list[dict]:
    """The model table: one row per variant in registry order."""
    manifest = read_manifest_safely(weights_dir)
    scores = {n: recorded_bce(entry) for n, entry in manifest.items()}
    return [zoo_row(n, manifest.get(n), status.get(n, "missing"), target_bce(n, scores))
            for n in list_models()]


def read_manifest_safely(weights_dir: str | Path | None = None) -> dict[str, dict]:
    """The manifest's models table, or {} when the manifest is unreadable; with the default
    folder, the entries of models kept elsewhere (the lab's) too."""
    try:
        models = store.read_manifest(weights_dir)["models"]
    except WeightsError:  # a damaged manifest is reported by weights_status
        models = {}
    if weights_dir is None:
        models = {**models, **elsewhere_entries()}
    return models


def elsewhere_entries() -> dict[str, dict]:
    """Manifest entries of the models whose spec keeps its weights in a folder of its own."""
    found = {}
    for spec in all_specs():
        if spec.weights_dir:
            with contextlib.suppress(WeightsError):
                entry = store.read_manifest(spec.weights_dir)["models"].get(spec.name)
                found.update({spec.name: entry} if entry else {})
    return found


def test_bce_by_model(status: dict[str, str], weights_dir=None) -> dict[str, float]:
    """Recorded test BCE of every model whose weights are ok."""
    manifest = read_manifest_safely(weights_dir)
    out = {}
    for name in list_models():
        value = recorded_bce(manifest.get(name))
        if status.get(name) == "ok" and value is not None:
            out[name] = float(value)
    return out


def is_history(history) -> bool:
    """True for a training record as train.py writes it (a dict with a list of epochs)."""
    return isinstance(history, dict) and isinstance(history.get("epoch"), list)


def curve(history: dict, key: str) -> tuple[list[int], list[float]]:
    """(epochs, values) of one logged series, skipping epochs where it is missing or not numeric."""
    epochs, values = history.get("epoch") or [], history.get(key) or []
    if not isinstance(values, list):
        return [], []
    pairs = []
    for epoch, value in zip(epochs, values, strict=False):
        try:
            pairs.append((int(epoch), float(value)))
        except (TypeError, ValueError):
            continue
    return [e for e, _ in pairs], [v for _, v in pairs]


def training_summary(name: str, history: dict | None, entry: dict | None) -> dict:
    """What was recorded about a training run: preset, epochs, backend, best val_loss, time."""
    history, entry = history or {}, entry or {}
    _, val = curve(history, "val_loss")
    best = min(val) if val else None
    preset = history.get("preset") or entry.get("preset")
    return {
        "Model": get_spec(name).title,
        "Preset": preset,
        "Epoch cap": epoch_cap(name, preset),
        "Epochs": len(history.get("epoch") or []) or entry.get("epochs"),
        "Best epoch": entry.get("best_epoch") or (val.index(best) + 1 if val else None),
        "Best val_loss": best,
        "Batch": history.get("batch_size") or entry.get("batch_size"),
        "Backend": history.get("backend") or entry.get("backend"),
        "Keras": history.get("keras_version") or entry.get("keras_version"),
        "Seconds": entry.get("train_seconds"),
        "Stopped by": "time limit" if entry.get("stopped_by_time_limit") else None,
        "Trained on": entry.get("trained_on"),
        "Date": trained_date(entry.get("date")),
    }


def shared_columns(rows: list[dict], keep: tuple[str, ...] = ("Model",)
                   ) -> tuple[list[dict], dict]:
    """Columns that hold one and the same (non-blank) value in every one of two or more rows,
    taken out of the table to be said once: (rows without them, {column: value}). Columns in
    `keep` always stay."""
    if len(rows) < 2:
        return rows, {}
    shared = {column: value for column, value in rows[0].items()
              if column not in keep and value is not None
              and all(row.get(column) == value for row in rows[1:])}
    return [{k: v for k, v in row.items() if k not in shared} for row in rows], shared


def trained_date(stamp: str | None) -> str | None:
    """The day of a manifest time stamp ('2026-12-01T02:11:04Z' -> '2026-12-01')."""
    return stamp.split("T", 1)[0] if stamp else None


def epoch_cap(name: str, preset: str | None) -> int:
    """How many epochs the model's preset allows (early stopping may end sooner)."""
    train = get_spec(name).train
    return train.quick_epochs if preset == "quick" else train.full_epochs


def measured_summary(entry: dict | None) -> str:
    """What the manifest records about the shipped model, in one line ('' when nothing)."""
    entry = entry or {}
    metrics = entry.get("metrics", {})
    parts = []
    if metrics.get("test_bce") is not None:
        parts.append(f"test BCE {metrics['test_bce']:.4f}")
    if entry.get("epochs"):
        parts.append(f"{entry['epochs']} epochs (best {entry.get('best_epoch') or '—'})")
    if "kl_nats" in metrics:
        parts.append(f"KL {metrics['kl_nats']:.2f} and ELBO {metrics['elbo_nats']:.1f} nats "
                     "per image")
    if "code_mean_activation" in metrics:
        parts.append(f"mean |code| {metrics['code_mean_activation']:.2f}, "
                     f"{metrics['code_near_zero_fraction']:.0%} of code values near zero")
    if "code_hoyer_sparsity" in metrics:
        parts.append(f"Hoyer sparsity {metrics['code_hoyer_sparsity']:.2f}")
    return "; ".join(parts)


def about_markdown(spec, entry: dict | None) -> str:
    """A variant's description, architecture, loss, the article's settings, our changes and
    what the manifest measured, as one markdown text (paragraphs and a list)."""
    parts = [spec.description, f"**Architecture:** {spec.architecture}  \n**Loss:** {spec.loss}"]
    if spec.article_settings:
        parts.append(f"**The article:** {spec.article_settings}")
    if spec.differences:
        parts.append("**Our changes:**\n" + "\n".join(f"- {d}" for d in spec.differences))
    measured = measured_summary(entry)
    if measured:
        parts.append(f"**Measured** (from the manifest): {measured}.")
    return "\n\n".join(parts)


def plane_row(name: str, entry: dict | None, codes) -> dict:
    """One row of the 2-D plane comparison: reconstruction, KL (VAEs) and the plane's gaps."""
    metrics = (entry or {}).get("metrics", {})
    return {
        "Model": get_spec(name).title,
        "Test BCE": metrics.get("test_bce"),
        "KL (nats per image)": metrics.get("kl_nats"),
        "Empty cells": empty_share(codes),
    }


def plane_tradeoffs(rows: dict[str, dict]) -> list[str]:
    """For each 2-D model whose spec names a rival to beat (in `rows`, name -> `plane_row`):
    how the two compare in reconstruction and in how much of the plane they leave empty."""
    out = []
    for name, row in rows.items():
        other = rows.get(get_spec(name).target_beats or "")
        if other is None or row["Test BCE"] is None or other["Test BCE"] is None:
            continue
        verb = "rebuilds better than" if row["Test BCE"] < other["Test BCE"] else \
            "rebuilds no better than"
        out.append(f"{row['Model']} {verb} {other['Model']} (test BCE {row['Test BCE']:.4f} "
                   f"against {other['Test BCE']:.4f}) and leaves {row['Empty cells']:.0%} of "
                   f"its plane empty against {other['Empty cells']:.0%}.")
    return out


def number_span(values) -> str:
    """'60 to 300' for the smallest and largest of some numbers, '150' when they are equal."""
    values = list(values)
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low} to {high}"
