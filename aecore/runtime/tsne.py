"""t-SNE views of the test-set codes, kept beside the weights so the app never runs t-SNE itself.

t-SNE comes from scikit-learn, which the serving process does not import (130 MB and two
seconds). `python -m aecore.export` ships the t-SNE of every shipped model with codes wider than
two numbers in `weights/tsne/`. Anything else (a Lab model, weights retrained without
re-exporting) is computed once, when first asked for, by `python -m aecore.runtime.tsne` in a
separate process, and cached in `.cache/tsne/` beside the model's weights. A stored file is
used only if it was made from the same weights (sha256), the same number of images and the
same t-SNE settings.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aecore.analysis.projection import (
    TSNE_ITERATIONS,
    TSNE_PERPLEXITY,
    TSNE_SAMPLE,
    Projection,
    project,
)
from aecore.data import DataSplit
from aecore.files import atomic_write_bytes
from aecore.runtime.codes import stored_or_made
from aecore.runtime.store import model_dir

if TYPE_CHECKING:   # the t-SNE process need not load ONNX Runtime
    from aecore.runtime.api import TrainedModel

SEED = 0
SETTINGS = json.dumps({"sample": TSNE_SAMPLE, "perplexity": TSNE_PERPLEXITY,
                       "iterations": TSNE_ITERATIONS, "seed": SEED}, sort_keys=True)
CHILD_SECONDS = 900   # a t-SNE of 2,000 codes takes ~10 s on two busy cores


def tsne_files(name: str, source: str, weights_dir=None) -> tuple[Path, Path]:
    """(shipped file, runtime cache file) for one model and one image set."""
    folder = model_dir(name, weights_dir)
    filename = f"{name}-{source}.npz"
    return folder / "tsne" / filename, folder / ".cache" / "tsne" / filename


def read_tsne(path: Path, weights_sha256: str, count: int) -> Projection | None:
    """The stored view if it belongs to these weights, this many images and these settings."""
    try:
        with np.load(path) as stored:
            if (str(stored["weights_sha256"]) != weights_sha256
                    or int(stored["count"]) != count or str(stored["settings"]) != SETTINGS):
                return None
            return Projection(stored["points"], stored["index"], "tsne")
    except (OSError, KeyError, ValueError):
        return None


def write_tsne(path: Path, proj: Projection, weights_sha256: str, count: int) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, points=proj.points.astype(np.float32), index=proj.index,
                        weights_sha256=weights_sha256, count=count, settings=SETTINGS)
    atomic_write_bytes(path, buffer.getvalue())


def compute(codes: np.ndarray, labels: np.ndarray) -> Projection:
    """t-SNE of a class-balanced subsample of the codes, in this process (scikit-learn)."""
    return project(codes, "tsne", labels=labels, seed=SEED)


def compute_elsewhere(codes: np.ndarray, labels: np.ndarray) -> Projection:
    """`compute` in a separate Python process: its imports and memory leave with it."""
    with tempfile.TemporaryDirectory(prefix="ae-tsne-") as folder:
        given, result = Path(folder) / "codes.npz", Path(folder) / "tsne.npz"
        np.savez(given, codes=codes, labels=labels)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        done = subprocess.run([sys.executable, "-m", "aecore.runtime.tsne", str(given),
                               str(result)], capture_output=True, text=True, env=env,
                              stdin=subprocess.DEVNULL, timeout=CHILD_SECONDS)
        if done.returncode != 0:
            raise RuntimeError(f"t-SNE failed in its process: {done.stderr.strip()[-800:]}")
        with np.load(result) as points:
            return Projection(points["points"], points["index"], "tsne")


def test_set_tsne(model: TrainedModel, split: DataSplit, codes: np.ndarray,
                  weights_dir=None) -> Projection:
    """The t-SNE view of `split`'s codes: shipped, cached, or computed now in another process
    (seconds) and cached."""
    sha, n = model.entry.get("sha256", ""), len(split.x)
    return stored_or_made(tsne_files(model.name, split.source, weights_dir), sha,
                          lambda path: read_tsne(path, sha, n),
                          lambda: compute_elsewhere(codes, split.y),
                          lambda path, proj: write_tsne(path, proj, sha, n))


def ship_tsne(model: TrainedModel, split: DataSplit, codes: np.ndarray,
              weights_dir=None) -> Path:
    """Compute the view here and write it into the shipped folder (the export command)."""
    shipped, _ = tsne_files(model.name, split.source, weights_dir)
    write_tsne(shipped, compute(codes, split.y), model.entry["sha256"], len(split.x))
    return shipped


def main(argv: list[str] | None = None) -> int:
    """`python -m aecore.runtime.tsne CODES.npz OUT.npz`: codes and labels in, points out."""
    given, result = argv if argv is not None else sys.argv[1:]
    with np.load(given) as inputs:
        proj = compute(inputs["codes"], inputs["labels"])
    np.savez(result, points=proj.points, index=proj.index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
