"""The Lab's targets (issue #12): a dense model's seconds per epoch on a 10,000-image subset, and
the time from pressing Train to the first curve point on screen.

`run(quick)` returns bench rows (section "lab"); `python -m bench.lab [--quick]` prints them.
- epoch: the Lab's default ("Basic dense": 784-32-784, batch 64, 10 epochs on 10,000 images)
  trained through the app's training queue (a warm worker process, as the app does); the median
  of the epochs after the first (which also traces the model) against ≤ 2 s, and the whole job
  (training, scoring, ONNX export) against "well under a minute" (≤ 60 s).
- first point (worker): submit -> the first epoch's point in the progress file, with the spare
  worker warmed up first (what the Lab does when its page opens). Informational.
- first point (browser): in Chromium on a fresh `streamlit run app.py`: open the Lab, wait for
  the warm spare, press Train with the defaults, until "Epoch 1 of" is painted; against ≤ 5 s.
  Skipped with --quick.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.targets import INFO, MISSING, Row, Target, load1

SECTION = "lab"
SUBSET = 10_000
EPOCH_TARGET = Target("<=", 2.0, "s")
DEFAULT_JOB_TARGET = Target("<=", 60.0, "s")
FIRST_POINT_TARGET = Target("<=", 5.0, "s")
WAIT_S = 600.0


def judged(name: str, value: float, target: Target | None, note: str, load: float) -> Row:
    if target is None:
        return Row(SECTION, name, value, "s", "", INFO, load, note)
    return Row(SECTION, name, value, "s", str(target),
               "PASS" if target.met(value) else "FAIL", load, note)


def first_point(progress_file: Path, started: float, timeout: float = WAIT_S) -> float | None:
    """Seconds from `started` until the progress file holds epoch 1 (None on timeout)."""
    from aecore.training.jobs import read_progress

    while time.monotonic() - started < timeout:
        if read_progress(progress_file).get("epoch", 0) >= 1:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def worker_rows(epochs: int | None = None) -> list[Row]:
    """Train the Lab's default model through a warm queue: epoch, first-point and job rows."""
    import dataclasses

    from aecore.models import lab
    from aecore.runtime.workspace import Workspace
    from aecore.training.job_queue import DONE, JobQueue
    from aecore.training.jobs import read_progress

    settings = lab.PRESETS["dense"].settings
    settings = dataclasses.replace(settings, train_images=SUBSET, epochs=epochs or settings.epochs)
    queue = JobQueue(limit=1, warm=1)
    try:
        queue.prewarm()
        if not queue.wait_spare(WAIT_S):
            return [Row(SECTION, "warm worker", None, "", "", MISSING, load1(),
                        "the spare worker did not get ready")]
        space = Workspace(Path(tempfile.mkdtemp(prefix="bench-lab-")))
        job = space.training_job("bench_dense", "Bench dense", settings)
        load = load1()
        started = time.monotonic()
        ticket = queue.submit(job, on_done=space.finished)
        first = first_point(Path(job.progress_file), started)
        queue.wait(ticket, WAIT_S)
        whole = time.monotonic() - started
        if ticket.state != DONE or first is None:
            return [Row(SECTION, "dense training", None, "", "", MISSING, load1(),
                        ticket.error or "did not finish in time")]
        seconds = read_progress(job.progress_file)["history"]["seconds"]
        space.release()
    finally:
        queue.shutdown()
    per_epoch = statistics.median(seconds[1:] or seconds)
    return [
        judged(f"dense 784-32-784: s/epoch on {SUBSET:,} images", per_epoch, EPOCH_TARGET,
               f"median of epochs 2-{len(seconds)} (batch {settings.batch_size}, validation on "
               f"{lab.VALIDATION_IMAGES:,}); the first epoch {seconds[0]:.1f} s includes "
               "tracing", load),
        judged("Train -> first point in the progress file (warm worker)", first, None,
               "the job's first epoch written by a warm spare worker; the page shows it at "
               "its next refresh (every 0.5 s)", load),
        judged(f"the Lab's default job ({settings.epochs} epochs), Train -> ready", whole,
               DEFAULT_JOB_TARGET if epochs is None else None,
               "training, test-set scores and the ONNX export for serving", load),
    ]


def browser_row() -> Row:
    """Press Train on the Lab's defaults in Chromium; seconds until "Epoch 1 of" is painted."""
    from playwright.sync_api import sync_playwright

    from bench.browser import chromium_problem, launch
    from bench.server import AppServer

    problem = chromium_problem()
    if problem:
        return Row(SECTION, "Train -> first curve point on screen", None, "",
                   str(FIRST_POINT_TARGET), MISSING, load1(), problem)
    with AppServer("lab-server.log") as server, sync_playwright() as p:
        server.wait_healthy()
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(WAIT_S * 1000)
        page.goto(f"{server.url}/lab")
        page.get_by_role("button", name="Train").wait_for()
        if not wait_spare_idle(server.proc.pid):
            return Row(SECTION, "Train -> first curve point on screen", None, "",
                       str(FIRST_POINT_TARGET), MISSING, load1(), "no warm worker appeared")
        load = load1()
        started = time.monotonic()
        page.get_by_role("button", name="Train").click()
        page.get_by_text("Epoch 1 of").first.wait_for()
        seconds = time.monotonic() - started
        browser.close()
    return judged("Train -> first curve point on screen", seconds, FIRST_POINT_TARGET,
                  "Chromium, fresh server, the Lab's defaults (Basic dense, 10,000 images), "
                  "pressed once the page's warm spare worker was idle", load)


def worker_cpu(server_pid: int) -> dict[int, int]:
    """CPU ticks of the server's training workers (`python -m aecore.training.worker`)."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == server_pid and b"aecore.training.worker" in cmdline:
            ticks[int(stat.parent.name)] = int(fields[11]) + int(fields[12])
    return ticks


def wait_spare_idle(server_pid: int, timeout: float = WAIT_S) -> bool:
    """Wait until the server has a worker that stopped using CPU (warmed up, waiting)."""
    deadline, before = time.monotonic() + timeout, {}
    while time.monotonic() < deadline:
        now = worker_cpu(server_pid)
        if any(before.get(pid) == ticks for pid, ticks in now.items()):
            return True
        before = now
        time.sleep(1.0)
    return False


def run(quick: bool = False) -> list[Row]:
    from aecore.data import find_dataset_dir

    if find_dataset_dir() is None:
        return [Row(SECTION, "dense training", None, "", str(EPOCH_TARGET), MISSING, load1(),
                    "the Lab trains on Fashion-MNIST, which is not installed")]
    rows = worker_rows(epochs=3 if quick else None)
    if not quick:
        rows.append(browser_row())
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The Lab's benchmarks (issue #12).")
    parser.add_argument("--quick", action="store_true", help="no browser row, fewer epochs")
    args = parser.parse_args(argv)
    for r in run(args.quick):
        value = "-" if r.value is None else f"{r.value:.2f} {r.unit}"
        print(f"{r.status:7} {r.name}: {value} (target {r.target or '-'}, load {r.load}) "
              f"{r.note}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
