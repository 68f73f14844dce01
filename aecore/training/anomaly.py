"""Train the anomaly models without one class: `python -m aecore.anomaly --held-out Bag`.

Every model with the registry role ROLE_ANOMALY is trained on the nine other classes (training
and validation images alike) into weights/anomaly/without-<k>/, a weights folder with its own
manifest and ONNX files, served like any other through `aecore.load_model(name, folder)`.
The app runs the same jobs in its training pool for a class nobody has trained yet.
This module imports no Keras: the jobs do, in the process that runs them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from aecore.analysis.anomaly import DEFAULT_HELD_OUT, anomaly_models, held_out_dir
from aecore.data.fashion_mnist import CLASS_NAMES
from aecore.training.jobs import TrainingJob, run_job

EPOCHS = 20           # each model's cap; a 2-core CPU gets there in 1-5 minutes per model
TIME_LIMIT = 300.0    # seconds per model: on a busy machine training ends early instead


def anomaly_jobs(held_out: int, weights_dir=None, progress_dir: str | Path | None = None,
                 epochs: int = EPOCHS, time_limit: float | None = TIME_LIMIT,
                 limit: int | None = None) -> list[TrainingJob]:
    """One training job per anomaly model, all writing into the held-out class's folder."""
    folder = str(held_out_dir(held_out, weights_dir))
    return [TrainingJob(name, "quick", weights_dir=folder, epochs=epochs, limit=limit,
                        exclude_class=held_out, time_limit=time_limit,
                        progress_file=(str(Path(progress_dir) / f"{name}.json")
                                       if progress_dir else None))
            for name in anomaly_models()]


def class_index(text: str) -> int:
    """A class given by index (0-9) or by name, case-insensitive."""
    names = [name.lower() for name in CLASS_NAMES]
    if text.isdigit() and int(text) < len(CLASS_NAMES):
        return int(text)
    if text.lower() in names:
        return names.index(text.lower())
    raise argparse.ArgumentTypeError(f"{text!r} is no class; choose 0-9 or one of "
                                     f"{', '.join(CLASS_NAMES)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the anomaly models without one class.")
    parser.add_argument("--held-out", type=class_index, default=DEFAULT_HELD_OUT,
                        help=f"class left out of training (default {DEFAULT_HELD_OUT}, "
                             f"{CLASS_NAMES[DEFAULT_HELD_OUT]})")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                        help="per model; stop after the epoch that crosses it")
    parser.add_argument("--weights-dir", default=None, help="the main weights folder")
    parser.add_argument("--limit", type=int, help="train on this many images (smoke tests)")
    args = parser.parse_args(argv)
    progress = tempfile.mkdtemp(prefix="ae-anomaly-")
    print(f"== without {CLASS_NAMES[args.held_out]} into "
          f"{held_out_dir(args.held_out, args.weights_dir)} (progress: {progress})", flush=True)
    for job in anomaly_jobs(args.held_out, args.weights_dir, progress, args.epochs,
                            args.time_limit, args.limit):
        result = run_job(job)
        print(f"== {result['name']}: test BCE {result['test_bce']:.4f} on normal images after "
              f"{result['epochs']} epochs ({result['train_seconds']} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
