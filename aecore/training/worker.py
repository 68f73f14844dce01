"""One training worker process: `python -m aecore.training.worker --fds IN OUT --runner M:F`.

The job queue (aecore.training.job_queue) starts it with `subprocess`, never with
multiprocessing: under Streamlit `__main__` is the app script, which a spawned multiprocessing
child would run again. The worker imports the training stack and prepares the Lab's head start
(`aecore.training.lab.prepare`), says "ready", runs the one job the queue sends through the pipe
with `runner(job)`, reports the result or the error, and exits.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from multiprocessing.connection import Connection


def warm_up(threads: int | None) -> None:
    """Import the training stack, read the dataset and prepare the Lab's head start once,
    before any job arrives."""
    import keras

    if threads and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    from aecore.data import load_fashion_mnist
    from aecore.errors import DatasetNotFound
    from aecore.training import lab  # Keras, the builders, the store, the Lab's job

    with contextlib.suppress(DatasetNotFound):  # the job itself reports it
        load_fashion_mnist(allow_download=False)
    try:
        lab.prepare()  # a throwaway fit: TensorFlow's first-call costs are paid here too
    except Exception as exc:  # only a head start lost: jobs still train from scratch
        print(f"warning: no head start for the Lab ({type(exc).__name__}: {exc})",
              file=sys.stderr)


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
