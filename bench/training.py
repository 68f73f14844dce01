"""Training seconds per epoch: what the manifest recorded, and one short epoch timed here.

Nothing is trained for long: each model's `train_seconds / epochs` comes from
weights/manifest.json with where it was trained (`trained_on`); the dense models also get one
epoch on a 10,000-image subset in a subprocess (bench/epoch_probe.py), within a small budget.
"""

from __future__ import annotations

from bench.decode import run_json
from bench.targets import Row, measured, missing

SUBSET = 10_000
BUDGET_S = 30.0


def per_epoch(entry: dict) -> float | None:
    """Seconds per epoch recorded in a manifest entry, or None."""
    seconds, epochs = entry.get("train_seconds"), entry.get("epochs")
    if not seconds or not epochs:
        return None
    return seconds / epochs


def manifest_rows(models: dict[str, dict], names: list[str]) -> list[Row]:
    rows = []
    for name in names:
        entry = models.get(name)
        seconds = per_epoch(entry) if entry else None
        if seconds is None:
            rows.append(missing("training", f"{name}: s/epoch (manifest)",
                                "no trained weights recorded yet (training?)"))
            continue
        rows.append(measured(
            "training", f"{name}: s/epoch (manifest)", seconds, "s",
            note=f"{entry['train_seconds']:.0f} s / {entry['epochs']} epochs of "
                 f"{entry.get('train_images', '?')} images, batch {entry.get('batch_size', '?')}; "
                 f"trained on: {entry.get('trained_on', 'not recorded')}"))
    return rows


def probe_rows(result: dict) -> list[Row]:
    rows = []
    for name, r in result["models"].items():
        if "skipped" in r:
            rows.append(missing("training", f"{name}: one epoch of {SUBSET:,} images here",
                                r["skipped"]))
            continue
        full = r["epoch_s"] * 60_000 / r["images"]
        rows.append(measured(
            "training", f"{name}: one epoch of {r['images']:,} images here", r["epoch_s"], "s",
            note=f"≈ {full:.1f} s per 60,000-image epoch; batch {r['batch_size']}; warm-up "
                 f"(tracing/XLA) {r['warmup_s']:.1f} s apart; this CPU, in a subprocess"))
    return rows


def run(quick: bool) -> list[Row]:
    from aecore.models.registry import list_models
    from aecore.runtime.store import read_manifest

    rows = manifest_rows(read_manifest()["models"], list_models())
    if not quick:
        result = run_json("bench.epoch_probe", "--images", str(SUBSET), "--budget",
                          str(BUDGET_S), timeout=300)
        rows += probe_rows(result)
    return rows
