"""The server-wide training queue: limit, order, cancel, crash, failure, time limit, spares.

Workers here run `fake_runner` (no Keras, no warm-up), which acts on the job's name and notes
when it started and ended in the job's folder, so the tests check order and overlap from what
the workers wrote, not from wall-clock budgets.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from aecore.training.job_queue import (
    CANCELLED,
    DONE,
    FAILED,
    QUEUED,
    RUNNING,
    JobQueue,
    QueueExecutor,
    configured_workers,
    request_stop,
)
from aecore.training.jobs import TrainingJob, default_workers

WAIT = 120.0   # seconds a test waits for a worker at most (a busy 2-core machine is slow)


def fake_runner(job: TrainingJob) -> dict:
    """'sleep-S' sleeps S seconds (or until its stop file appears), 'crash' dies, 'fail' raises."""
    folder = Path(job.weights_dir)
    (folder / f"{job.name}.start").write_text(f"{time.time()} {os.getpid()}")
    kind, _, arg = job.name.partition("-")
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "fail":
        raise ValueError("the knobs made no sense")
    deadline = time.monotonic() + float(arg or 0)
    while time.monotonic() < deadline:
        if job.stop_file and Path(job.stop_file).exists():
            break
        time.sleep(0.02)
    (folder / f"{job.name}.end").write_text(str(time.time()))
    return {"name": job.name}


def job(folder: Path, name: str) -> TrainingJob:
    return TrainingJob(name, weights_dir=str(folder), stop_file=str(folder / f"{name}.stop"))


def span(folder: Path, name: str) -> tuple[float, float]:
    start = float((folder / f"{name}.start").read_text().split()[0])
    return start, float((folder / f"{name}.end").read_text())


def wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


@pytest.fixture
def make_queue():
    queues = []

    def make(**kwargs) -> JobQueue:
        kwargs.setdefault("warm", 0)
        queue = JobQueue(runner="test_job_queue:fake_runner", warm_up=False, **kwargs)
        queues.append(queue)
        return queue

    yield make
    for queue in queues:
        queue.shutdown()


def test_default_limit_is_one_per_two_cores(monkeypatch):
    monkeypatch.delenv("AE_TRAINING_WORKERS", raising=False)
    assert configured_workers() == default_workers() == max(1, (os.cpu_count() or 2) // 2)
    monkeypatch.setenv("AE_TRAINING_WORKERS", "3")
    assert configured_workers() == 3


def test_never_more_than_limit_at_once(make_queue, tmp_path):
    queue = make_queue(limit=2)
    tickets = [queue.submit(job(tmp_path, f"sleep-{n}.{n}")) for n in (1, 2, 3, 4)]
    assert queue.counts()["running"] <= 2
    for ticket in tickets:
        assert queue.wait(ticket, WAIT) and ticket.state == DONE, ticket.error
    spans = [span(tmp_path, t.job.name) for t in tickets]
    for start, _ in spans:
        overlapping = sum(s <= start < e for s, e in spans)
        assert overlapping <= 2


def test_jobs_start_in_order_and_know_their_place(make_queue, tmp_path):
    queue = make_queue(limit=1)
    first = queue.submit(job(tmp_path, "sleep-1.5"))
    second = queue.submit(job(tmp_path, "sleep-0.1"))
    third = queue.submit(job(tmp_path, "sleep-0.2"))
    assert (first.state, first.position) == (RUNNING, 0)
    assert (second.state, second.position, third.position) == (QUEUED, 1, 2)
    assert queue.wait(third, WAIT) and third.state == DONE
    starts = [span(tmp_path, t.job.name)[0] for t in (first, second, third)]
    assert starts == sorted(starts)
    assert span(tmp_path, "sleep-1.5")[1] <= starts[1]


def test_cancel_a_queued_job_never_runs_it(make_queue, tmp_path):
    queue = make_queue(limit=1)
    done = []
    first = queue.submit(job(tmp_path, "sleep-1"))
    second = queue.submit(job(tmp_path, "sleep-0.2"), on_done=done.append)
    queue.cancel(second)
    assert second.state == CANCELLED and done == [second]
    assert queue.wait(first, WAIT) and first.state == DONE
    assert not (tmp_path / "sleep-0.2.start").exists()


def test_cancel_a_running_job_ends_its_process(make_queue, tmp_path):
    queue = make_queue(limit=1)
    done = []
    ticket = queue.submit(job(tmp_path, "sleep-600"), on_done=done.append)
    wait_for(tmp_path / "sleep-600.start")
    pid = int((tmp_path / "sleep-600.start").read_text().split()[1])
    queue.cancel(ticket)
    assert queue.wait(ticket, WAIT) and ticket.state == CANCELLED and done == [ticket]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    nxt = queue.submit(job(tmp_path, "sleep-0"))
    assert queue.wait(nxt, WAIT) and nxt.state == DONE


def test_stop_file_ends_a_job_early_with_a_result(make_queue, tmp_path):
    queue = make_queue(limit=1)
    ticket = queue.submit(job(tmp_path, "sleep-600"))
    wait_for(tmp_path / "sleep-600.start")
    assert request_stop(ticket)
    assert queue.wait(ticket, WAIT) and ticket.state == DONE
    assert ticket.result == {"name": "sleep-600"}


def test_a_crashed_worker_fails_its_job_only(make_queue, tmp_path):
    queue = make_queue(limit=1)
    crashed = queue.submit(job(tmp_path, "crash"))
    after = queue.submit(job(tmp_path, "sleep-0"))
    assert queue.wait(crashed, WAIT) and crashed.state == FAILED
    assert "stopped unexpectedly" in crashed.error and "SIGKILL" in crashed.error
    assert queue.wait(after, WAIT) and after.state == DONE


def test_an_exception_is_reported(make_queue, tmp_path):
    queue = make_queue(limit=1)
    ticket = queue.submit(job(tmp_path, "fail"))
    assert queue.wait(ticket, WAIT) and ticket.state == FAILED
    assert ticket.error == "ValueError: the knobs made no sense"


def test_a_job_over_the_time_limit_is_stopped(make_queue, tmp_path):
    queue = make_queue(limit=1, job_seconds=0.5)
    ticket = queue.submit(job(tmp_path, "sleep-600"))
    assert queue.wait(ticket, WAIT) and ticket.state == FAILED
    assert "longer than" in ticket.error


def test_a_warm_spare_takes_the_next_job(make_queue, tmp_path):
    queue = make_queue(limit=1, warm=1)
    queue.prewarm()
    assert queue.wait_spare(WAIT)
    spare_pid = queue._spares[0].process.pid
    ticket = queue.submit(job(tmp_path, "sleep-0"))
    assert queue.wait(ticket, WAIT) and ticket.state == DONE
    assert int((tmp_path / "sleep-0.start").read_text().split()[1]) == spare_pid
    queue.prewarm(seconds=0)
    deadline = time.monotonic() + WAIT
    while queue.counts()["spares"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_shutdown_cancels_everything(make_queue, tmp_path):
    queue = make_queue(limit=1)
    running = queue.submit(job(tmp_path, "sleep-600"))
    waiting = queue.submit(job(tmp_path, "sleep-0"))
    queue.shutdown()
    assert running.state == waiting.state == CANCELLED
    with pytest.raises(RuntimeError):
        queue.submit(job(tmp_path, "sleep-0"))


def test_the_queue_is_an_executor_with_futures(make_queue, tmp_path):
    executor = QueueExecutor(make_queue(limit=1))
    good = executor.submit(fake_runner, job(tmp_path, "sleep-0"))
    bad = executor.submit(fake_runner, job(tmp_path, "fail"))
    assert good.result(timeout=WAIT) == {"name": "sleep-0"}
    with pytest.raises(RuntimeError, match="the knobs made no sense"):
        bad.result(timeout=WAIT)
