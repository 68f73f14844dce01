"""One training worker process: `python -m aecore.training.worker --fds IN OUT --runner M:F`.

The job queue (aecore.training.job_queue) starts it with `subprocess`, never with
multiprocessing: under Streamlit `__main__` is the app script, which a spawned multiprocessing
child would run again. The worker imports the training stack, says "ready", runs the one job the
queue sends through the pipe with `runner(job)`, reports the result or the error, and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from multiprocessing.connection import Connection


def warm_up(threads: int | None) -> None:
    """Import the training stack and read the dataset once, before any job arrives."""
    import keras

    if threads and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    import aecore.training.train  # noqa: F401  (Keras, the builders, the store)
    from aecore.data import load_fashion_mnist
    from aecore.errors import DatasetNotFound

    with contextlib.suppress(DatasetNotFound):  # the job itself reports it
        load_fashion_mnist(allow_download=False)
    warm_fit()


def warm_fit() -> None:
    """A throwaway fit of a tiny model: TensorFlow's first-call costs (runtime, graph passes,
    kernels) are paid here, so a job's first epoch only traces its own model."""
    import keras
    import numpy as np

    from aecore.models.dense import dense_autoencoder

    x = np.zeros((64, 28, 28), np.float32)
    model = dense_autoencoder("warm_up", hidden=(8,), code_size=4).autoencoder
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  steps_per_execution=16)
    model.fit(x, x, epochs=1, batch_size=32, validation_data=(x, x), verbose=0)


def load_runner(path: str):
    """'module:function' -> the function."""
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)


def serve_one(inbox: Connection, outbox: Connection, runner, threads: int | None,
              warm: bool) -> None:
    """Warm up, say ready, run the one job that arrives (None: exit), report it."""
    try:
        if warm:
            warm_up(threads)
        outbox.send(("ready", None))
        job = inbox.recv()
    except (EOFError, OSError, KeyboardInterrupt):
        return
    if job is None:
        return
    try:
        outbox.send(("done", runner(job)))
    except BaseException as exc:  # every failure goes to the queue, then the process exits
        outbox.send(("failed", f"{type(exc).__name__}: {exc}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fds", type=int, nargs=2, required=True, metavar=("IN", "OUT"))
    parser.add_argument("--runner", default="aecore.training.jobs:run_job")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--no-warm-up", dest="warm", action="store_false")
    args = parser.parse_args(argv)
    inbox = Connection(args.fds[0], writable=False)
    outbox = Connection(args.fds[1], readable=False)
    try:
        serve_one(inbox, outbox, load_runner(args.runner), args.threads, args.warm)
    finally:
        inbox.close()
        outbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
