"""Files people keep from the app: image grids (PNG), tables (CSV) and models (zip).

Everything returns bytes and knows nothing of Streamlit, so the pages can hand these functions
to `st.download_button(data=...)` and the file is made only when someone clicks.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from aecore.analysis import tables
from aecore.models.registry import ModelSpec, TrainSettings, get_spec
from aecore.runtime import store

PNG, CSV, ZIP = "image/png", "text/csv", "application/zip"
LABEL_SIZE = 14      # points of the row labels drawn beside a grid
CELL_GAP = 2         # white pixels between cells (after scaling)


# --- images -----------------------------------------------------------------------------------

def _rgb(image) -> np.ndarray:
    """A grey (h, w) or colour (h, w, 3) image in [0, 1] as (h, w, 3) uint8."""
    arr = np.clip(np.nan_to_num(np.asarray(image, dtype=np.float32)), 0.0, 1.0)
    if arr.ndim == 1:
        side = int(round(np.sqrt(arr.size)))
        arr = arr.reshape(side, side)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=-1)
    if arr.ndim != 3 or arr.shape[-1] != 3:
        raise ValueError(f"expected a (h, w) or (h, w, 3) image, got shape {arr.shape}")
    return np.round(arr * 255).astype(np.uint8)


def _png(im: Image.Image) -> bytes:
    buffer = io.BytesIO()
    im.save(buffer, format="PNG")
    return buffer.getvalue()


def _label_width(labels: Sequence[str], font) -> int:
    if not any(labels):
        return 0
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    return 12 + max(int(probe.textlength(text, font=font)) for text in labels)


def grid_png(rows: Sequence[Sequence], labels: Sequence[str] | None = None,
             scale: int = 3) -> bytes:
    """Rows of equally sized images as one PNG, each row optionally labelled on the left.

    rows: [[image, ...], ...] with grey (28, 28) or colour (28, 28, 3) images in [0, 1];
    rows may be shorter than the longest one. Pixels are scaled up without smoothing.
    """
    rows = [[_rgb(img) for img in row] for row in rows]
    if not any(rows):
        raise ValueError("grid_png needs at least one image")
    h, w = next(img for row in rows for img in row).shape[:2]
    cell_h, cell_w = h * scale, w * scale
    labels = [str(t) for t in (labels or [])] + [""] * (len(rows) - len(labels or []))
    font = ImageFont.load_default(size=LABEL_SIZE)
    left = _label_width(labels, font)
    columns = max(len(row) for row in rows)
    size = (left + columns * (cell_w + CELL_GAP) - CELL_GAP,
            len(rows) * (cell_h + CELL_GAP) - CELL_GAP)
    canvas = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(canvas)
    for r, row in enumerate(rows):
        top = r * (cell_h + CELL_GAP)
        if labels[r]:
            draw.text((4, top + cell_h // 2), labels[r], fill="black", font=font, anchor="lm")
        for c, img in enumerate(row):
            cell = Image.fromarray(img).resize((cell_w, cell_h), Image.Resampling.NEAREST)
            canvas.paste(cell, (left + c * (cell_w + CELL_GAP), top))
    return _png(canvas)


def manifold_png(images, n: int, scale: int = 2) -> bytes:
    """An n×n grid of decoded images (row by row, as the latent grid decodes them), no gaps."""
    images = np.asarray(images, dtype=np.float32).reshape(-1, 28, 28)
    if len(images) != n * n:
        raise ValueError(f"expected {n * n} images for a {n}×{n} grid, got {len(images)}")
    tiled = images.reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(n * 28, n * 28)
    im = Image.fromarray(_rgb(tiled))
    return _png(im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST))


# --- tables -----------------------------------------------------------------------------------

def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return f"{float(value):.6g}"
    return value


def csv_bytes(rows: Sequence[Mapping], columns: Sequence[str] | None = None) -> bytes:
    """Rows of dicts as CSV (UTF-8, header first); columns default to every key, in order seen."""
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore",
                            lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buffer.getvalue().encode("utf-8")


def codes_csv(codes, labels, class_names: Sequence[str], index=None,
              axis_names: Sequence[str] | None = None) -> bytes:
    """One row per test image: its index, class (number and name) and code or 2-D position."""
    codes = np.asarray(codes, dtype=np.float64).reshape(len(codes), -1)
    labels = np.asarray(labels).astype(int)
    index = np.arange(len(codes)) if index is None else np.asarray(index).astype(int)
    axes = list(axis_names or [f"z{i + 1}" for i in range(codes.shape[1])])
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["index", "label", "class", *axes])
    for i, label, code in zip(index, labels, codes, strict=True):
        writer.writerow([int(i), int(label), class_names[int(label)],
                         *(f"{v:.6g}" for v in code)])
    return buffer.getvalue().encode("utf-8")


PROJECTION_AXES = {"identity": ("z1", "z2"), "pca": ("pc1", "pc2"), "tsne": ("tsne1", "tsne2")}


def projection_csv(proj, labels, class_names: Sequence[str]) -> bytes:
    """The points of a latent-space scatter (an aecore.analysis.projection.Projection):
    one row per plotted test image, its class, and its two coordinates."""
    return codes_csv(proj.points, np.asarray(labels)[proj.index], class_names, index=proj.index,
                     axis_names=PROJECTION_AXES.get(proj.method))


EVALUATE_COLUMNS = ("model", "title", "latent_dim", "parameters", "test_bce", "target_bce",
                    "article_bce", "floor_gap", "test_mse", "sample_bce", "weights")


def evaluate_rows(status: Mapping[str, str], weights_dir=None) -> list[dict]:
    """The evaluate table from the manifest: one row per model, every recorded metric."""
    manifest = tables.read_manifest_safely(weights_dir)
    rows = []
    for row in tables.zoo_rows(dict(status), weights_dir):
        name = row["name"]
        spec = get_spec(name)
        ok = status.get(name) == "ok"
        metrics = manifest.get(name, {}).get("metrics", {}) if ok else {}
        rows.append({"model": name, "title": spec.title, "latent_dim": spec.latent_dim,
                     "parameters": row["Parameters"], "target_bce": spec.target_bce,
                     "article_bce": spec.article_bce, "weights": row["Weights"], **metrics})
    return rows


def evaluate_csv(status: Mapping[str, str], weights_dir=None) -> bytes:
    rows = evaluate_rows(status, weights_dir)
    extra = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in EVALUATE_COLUMNS]
    return csv_bytes(rows, [*EVALUATE_COLUMNS, *extra])


def history_rows(histories: Mapping[str, dict]) -> list[dict]:
    """Training curves in long form: one row per model and epoch (loss, val_loss, …)."""
    rows = []
    for name, history in histories.items():
        series = [k for k, v in history.items() if k != "epoch" and isinstance(v, list)]
        columns = {key: dict(zip(*tables.curve(history, key), strict=True)) for key in series}
        for epoch in tables.curve(history, series[0])[0] if series else []:
            rows.append({"model": name, "epoch": epoch,
                         **{key: values.get(epoch) for key, values in columns.items()}})
    return rows


def history_csv(histories: Mapping[str, dict]) -> bytes:
    return csv_bytes(history_rows(histories))


# --- models -----------------------------------------------------------------------------------

def _json_safe(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def spec_dict(spec: ModelSpec) -> dict:
    """The spec as plain JSON data (fields that JSON cannot hold are left out)."""
    data = dataclasses.asdict(spec)
    return {key: value for key, value in data.items() if _json_safe(value)}


def spec_from_dict(data: Mapping) -> ModelSpec:
    """The inverse of `spec_dict` (unknown keys are ignored; lists become tuples)."""
    fields = {f.name for f in dataclasses.fields(ModelSpec)}
    values = {k: v for k, v in data.items() if k in fields}
    for key in ("latent_shape", "differences", "roles"):
        if key in values:
            values[key] = tuple(values[key])
    if isinstance(values.get("train"), Mapping):
        values["train"] = TrainSettings(**values["train"])
    return ModelSpec(**values)


def model_zip(name: str, weights_dir: str | Path | None = None) -> bytes:
    """A zip of the model's Keras weights, its spec and its manifest entry (JSON).

    Raises WeightsError when the weights file is missing or does not match the manifest.
    """
    folder = store.resolve_dir(weights_dir)
    entry = store.verified_entry(name, folder)
    weights = folder / entry.get("file", store.weights_file(name, folder).name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(weights, weights.name)
        archive.writestr(f"{name}.spec.json", json.dumps(spec_dict(get_spec(name)), indent=2))
        archive.writestr(f"{name}.manifest.json", json.dumps(entry, indent=2, sort_keys=True))
    return buffer.getvalue()
