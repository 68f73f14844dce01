"""A server-wide queue of training jobs: at most `limit` run at once, each in a worker process of
its own; the others wait in order and know their place in line.

Each worker is a fresh process (`python -m aecore.training.worker`, started with subprocess)
that imports the training stack, says it is ready, runs one `TrainingJob` and exits, so a crash
or a kill ends only its own job and memory goes back after every job. Starting Python and
TensorFlow takes seconds, so the queue keeps a `warm` spare process ready after `prewarm()` (for
a while; an idle spare is let go).
The web process imports nothing from Keras: the queue only sends plain job values down a pipe.
"""

from __future__ import annotations

import atexit
import itertools
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from aecore.training.jobs import TrainingJob, default_workers

LOG = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINAL = (DONE, FAILED, CANCELLED)
WORKERS_ENV = "AE_TRAINING_WORKERS"     # how many trainings may run at once on this server
SPARES_ENV = "AE_TRAINING_SPARES"       # warm worker processes kept ready (default 1)
JOB_SECONDS_ENV = "AE_TRAINING_JOB_SECONDS"
DEFAULT_JOB_SECONDS = 900.0             # a job running longer is stopped (bounded CPU per user)
SPARE_IDLE_SECONDS = 600.0              # a warm spare nobody asked for this long is let go


def configured_workers() -> int:
    """$AE_TRAINING_WORKERS, else one training per two cores (`jobs.default_workers`)."""
    value = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else default_workers()


def configured_spares() -> int:
    """$AE_TRAINING_SPARES (0 turns pre-warming off), else 1."""
    value = os.environ.get(SPARES_ENV, "").strip()
    return int(value) if value.isdigit() else 1


def configured_job_seconds() -> float:
    value = os.environ.get(JOB_SECONDS_ENV, "").strip()
    try:
        return float(value) if value else DEFAULT_JOB_SECONDS
    except ValueError:
        return DEFAULT_JOB_SECONDS


@dataclass(eq=False)
class Ticket:
    """One submitted job as its owner sees it; the queue updates it from its own thread."""

    job: TrainingJob
    id: int
    state: str = QUEUED
    position: int = 0                 # place in line while queued (1 = next), else 0
    result: dict | None = None
    error: str | None = None
    submitted: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    on_done: list[Callable[[Ticket], None]] = field(default_factory=list, repr=False)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL


# --- the worker process ---------------------------------------------------------------------

class Worker:
    """The queue's handle on one worker process (`python -m aecore.training.worker`)."""

    def __init__(self, runner: str, threads: int | None, warm: bool):
        child_in, self_out = os.pipe()
        self_in, child_out = os.pipe()
        command = [sys.executable, "-m", "aecore.training.worker", "--fds", str(child_in),
                   str(child_out), "--runner", runner, "--threads", str(threads or 0)]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            self.process = subprocess.Popen([*command, *([] if warm else ["--no-warm-up"])],
                                            pass_fds=(child_in, child_out), env=env,
                                            stdin=subprocess.DEVNULL)
        finally:
            os.close(child_in)
            os.close(child_out)
        self.conn = Connection(self_in, writable=False)
        self.outbox = Connection(self_out, readable=False)
        self.ready = False
        self.ticket: Ticket | None = None
        self.since = time.monotonic()

    def send(self, ticket: Ticket) -> None:
        self.outbox.send(ticket.job)
        self.ticket = ticket

    def message(self) -> tuple | None:
        """The next message from the worker, or None (none yet, or the pipe is closed)."""
        try:
            while self.conn.poll():
                kind, value = self.conn.recv()
                if kind == "ready":
                    self.ready = True
                    continue
                return kind, value
        except (EOFError, OSError):
            return None
        return None

    def alive(self) -> bool:
        return self.process.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self.process.poll()

    def terminate(self) -> None:
        """Ask the process to end now (SIGTERM); `gone()` kills it if it lingers."""
        if self.alive():
            self.process.terminate()
        self.since = time.monotonic()

    def gone(self, grace: float = 3.0) -> bool:
        """True once the process has exited (killed after `grace` seconds); closes the pipes."""
        if self.alive() and time.monotonic() - self.since > grace:
            self.process.kill()
        if self.alive():
            return False
        self.conn.close()
        self.outbox.close()
        return True


def crash_message(exitcode: int | None) -> str:
    """What the user reads when a worker died without reporting."""
    if exitcode is not None and exitcode < 0:
        with_signal = f"killed by {signal.Signals(-exitcode).name}"
    else:
        with_signal = f"exit code {exitcode}"
    return (f"The training process stopped unexpectedly ({with_signal}; the server may have run "
            "out of memory). Nothing was kept. Try fewer training images or a smaller model.")


# --- the queue ------------------------------------------------------------------------------

class JobQueue:
    """Runs at most `limit` jobs at once, in submission order; see the module docstring."""

    def __init__(self, limit: int | None = None, warm: int | None = None,
                 threads: int | None = None, job_seconds: float | None = None,
                 runner: str = "aecore.training.jobs:run_job", warm_up: bool = True,
                 poll_seconds: float = 0.1):
        """`runner` ('module:function') runs each job in its worker; `warm_up` imports the
        training stack before a job arrives (off in tests); `warm` spares (default
        $AE_TRAINING_SPARES or 1) wait ready after `prewarm()`."""
        self.limit = limit or configured_workers()
        self.warm = configured_spares() if warm is None else warm
        self.threads = threads or max(1, (os.cpu_count() or 2) // self.limit)
        self.job_seconds = job_seconds or configured_job_seconds()
        self.runner = runner
        self.warm_up = warm_up
        self.poll_seconds = poll_seconds
        self._cond = threading.Condition()
        self._ids = itertools.count(1)
        self._waiting: list[Ticket] = []
        self._running: list[Worker] = []
        self._spares: list[Worker] = []
        self._ending: list[tuple[Worker, str, object]] = []  # terminated, until they exit
        self._exiting: list[Worker] = []                      # done; reaped when they exit
        self._wanted_until = 0.0
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="ae-job-queue", daemon=True)
        self._thread.start()
        atexit.register(self.shutdown)

    # -- what callers use ---------------------------------------------------------------------
    def submit(self, job: TrainingJob,
               on_done: Callable[[Ticket], None] | None = None) -> Ticket:
        """Queue `job`; `on_done(ticket)` runs (in the queue's thread) when it ends in any way."""
        ticket = Ticket(job, next(self._ids), on_done=[on_done] if on_done else [])
        with self._cond:
            if self._closed:
                raise RuntimeError("The training queue is shut down.")
            self._waiting.append(ticket)
            self._step()
            self._cond.notify_all()
        return ticket

    def cancel(self, ticket: Ticket) -> None:
        """Drop a queued job, or end a running one now: its worker is terminated, and the ticket
        turns CANCELLED once the process has exited (so nothing writes into its folder after)."""
        ended = None
        with self._cond:
            if ticket in self._waiting:
                self._waiting.remove(ticket)
                ended = self._end(ticket, CANCELLED)
                self._number()
            else:
                worker = next((w for w in self._running if w.ticket is ticket), None)
                if worker is not None:
                    self._halt(worker, CANCELLED, None)
            self._cond.notify_all()
        if ended is not None:
            self._notify(ended)

    def prewarm(self, seconds: float = SPARE_IDLE_SECONDS) -> None:
        """Keep `warm` spare workers ready for the next `seconds` (a page that trains calls it)."""
        with self._cond:
            self._wanted_until = time.monotonic() + seconds
            self._cond.notify_all()

    def counts(self) -> dict[str, int]:
        with self._cond:
            return {"running": len(self._running), "waiting": len(self._waiting),
                    "spares": len(self._spares), "limit": self.limit}

    def wait(self, ticket: Ticket, timeout: float | None = None) -> bool:
        """Block until the ticket is final (tests, scripts); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not ticket.is_final:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def wait_spare(self, timeout: float = 120.0) -> bool:
        """Block until a warm spare is ready (benchmarks); False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                if any(w.ready for w in self._spares):
                    return True
            time.sleep(self.poll_seconds)
        return False

    def shutdown(self) -> None:
        """Cancel everything and stop every worker."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            tickets = [*self._waiting, *(w.ticket for w in self._running),
                       *(w.ticket for w, _, _ in self._ending)]
            for worker in [*self._running, *self._spares, *(w for w, _, _ in self._ending)]:
                worker.terminate()
            self._waiting, self._running, self._spares, self._ending = [], [], [], []
            ended = [self._end(t, CANCELLED) for t in tickets]
            self._cond.notify_all()
        for ticket in ended:
            self._notify(ticket)

    # -- the queue's thread -------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                ended = self._step()
                self._cond.notify_all()
            for ticket in ended:
                self._notify(ticket)
            with self._cond:
                self._cond.wait(self.poll_seconds)

    def _step(self) -> list[Ticket]:
        """Reap finished workers, start waiting jobs, keep spares; returns the ended tickets."""
        ended = self._reap() + self._finish_halted()
        self._exiting = [w for w in self._exiting if not w.gone()]
        for worker in list(self._spares):
            worker.message()  # notes "ready"
            if not worker.alive():  # died while warming up
                self._spares.remove(worker)
                worker.gone()
        while self._waiting and len(self._running) < self.limit:
            self._start(self._waiting.pop(0))
        self._keep_spares()
        self._number()
        return ended

    def _reap(self) -> list[Ticket]:
        """Tickets whose worker reported (or died): final now. Overdue ones are terminated."""
        ended = []
        for worker in list(self._running):
            message = worker.message()
            if message is not None:
                self._running.remove(worker)
                self._exiting.append(worker)
                kind, value = message
                ended.append(self._end(worker.ticket, DONE if kind == "done" else FAILED, value))
            elif not worker.alive():
                self._running.remove(worker)
                worker.gone()
                ended.append(self._end(worker.ticket, FAILED,
                                       crash_message(worker.exitcode)))
            elif time.monotonic() - worker.ticket.started > self.job_seconds:
                self._halt(worker, FAILED, f"The training took longer than "
                           f"{self.job_seconds:.0f} s and was stopped. Try fewer epochs or "
                           "training images.")
        return ended

    def _finish_halted(self) -> list[Ticket]:
        """Terminated workers that have exited: their tickets end now."""
        ended, still = [], []
        for worker, state, value in self._ending:
            if worker.gone():
                ended.append(self._end(worker.ticket, state, value))
            else:
                still.append((worker, state, value))
        self._ending = still
        return ended

    def _halt(self, worker: Worker, state: str, value) -> None:
        """Terminate a running worker; its ticket ends with `state` once the process is gone."""
        self._running.remove(worker)
        worker.terminate()
        self._ending.append((worker, state, value))

    def _start(self, ticket: Ticket) -> None:
        ready = sorted(self._spares, key=lambda w: not w.ready)
        worker = ready[0] if ready else self._new_worker()
        if ready:
            self._spares.remove(worker)
        ticket.state, ticket.started, ticket.position = RUNNING, time.monotonic(), 0
        worker.send(ticket)
        self._running.append(worker)

    def _keep_spares(self) -> None:
        """Spares while wanted and a slot will soon need one; none while all slots train and
        nobody waits (warming up would take CPU from the running job)."""
        wanted = time.monotonic() < self._wanted_until
        busy = len(self._running) >= self.limit and not self._waiting
        if not wanted:
            for worker in self._spares:
                worker.terminate()
            self._exiting += self._spares
            self._spares = []
        elif not busy:
            while len(self._spares) < self.warm:
                self._spares.append(self._new_worker())

    def _new_worker(self) -> Worker:
        return Worker(self.runner, self.threads, self.warm_up)

    def _number(self) -> None:
        for place, ticket in enumerate(self._waiting, start=1):
            ticket.position = place

    @staticmethod
    def _end(ticket: Ticket, state: str, value=None) -> Ticket:
        ticket.state, ticket.finished, ticket.position = state, time.monotonic(), 0
        if state == DONE:
            ticket.result = value
        elif state == FAILED:
            ticket.error = str(value)
        return ticket

    @staticmethod
    def _notify(ticket: Ticket) -> None:
        for callback in ticket.on_done:
            try:
                callback(ticket)
            except Exception:  # a broken callback must not stop the queue
                LOG.exception("on_done callback of training job %s failed", ticket.id)


def request_stop(ticket: Ticket) -> bool:
    """Ask a running job to stop after its current batch, keeping its best epoch (the job needs
    a `stop_file`); False when the job has no stop file."""
    if not ticket.job.stop_file:
        return False
    Path(ticket.job.stop_file).parent.mkdir(parents=True, exist_ok=True)
    Path(ticket.job.stop_file).touch()
    return True


class QueueExecutor(Executor):
    """The queue behind the `concurrent.futures.Executor` interface.

    `submit(run_job, job)` queues `job` (the queue's workers run its runner, `run_job`) and
    returns a Future that completes with the job's result or fails with its error; pages that
    only need an Executor (the sidebar's quick training, new anomaly classes) share the queue's
    limit with the Lab, and a deployment can pass any other Executor instead.
    """

    def __init__(self, queue: JobQueue):
        self.queue = queue

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if args[1:] or kwargs:
            raise TypeError("QueueExecutor.submit takes the runner and one TrainingJob.")
        future: Future = Future()
        future.set_running_or_notify_cancel()

        def finished(ticket: Ticket) -> None:
            if ticket.state == DONE:
                future.set_result(ticket.result)
            else:
                future.set_exception(RuntimeError(ticket.error or f"the job was {ticket.state}"))

        self.queue.submit(args[0], on_done=finished)
        return future
