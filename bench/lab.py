"""The Lab's targets (issue #12): a dense model's seconds per epoch on a 10,000-image subset, and
the time from pressing Train to the first curve point on screen.

`run(quick)` returns bench rows (section "lab"); `python -m bench.lab [--quick]` prints them.
- epoch: the Lab's default ("Basic dense": 784-32-784, batch 64, 10 epochs on 10,000 images)
  trained through the app's training queue (a warm worker process, as the app does); the median
  of the epochs after the first (which pays the first calls' costs) against ≤ 2 s, and the
  whole job (training, scoring, ONNX export) against "well under a minute" (≤ 60 s).
- first point (worker): submit -> the first epoch's point in the progress file, with the spare
  worker warmed up first (what the Lab does when its page opens). Informational; its note says
  when the job's `fit` began and whether it used the spare's head start.
- first point (browser): in Chromium on a fresh `streamlit run app.py`: open the Lab, wait for
  the warm spare, press Train with the defaults, until "Epoch 1 of" is painted; against ≤ 5 s.
  The note gives the timeline (the page shows the job starting, the worker's `fit` begins and
  writes epoch 1, the page paints it) and the CPU seconds the server, the training worker and
  the browser spent meanwhile. Skipped with --quick.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from bench.targets import INFO, MISSING, Row, Target, load1

SECTION = "lab"
SUBSET = 10_000
EPOCH_TARGET = Target("<=", 2.0, "s")
DEFAULT_JOB_TARGET = Target("<=", 60.0, "s")
FIRST_POINT_TARGET = Target("<=", 5.0, "s")
WAIT_S = 600.0
POLL_S = 0.02


def judged(name: str, value: float, target: Target | None, note: str, load: float) -> Row:
    if target is None:
        return Row(SECTION, name, value, "s", "", INFO, load, note)
    return Row(SECTION, name, value, "s", str(target),
               "PASS" if target.met(value) else "FAIL", load, note)


def progress_marks(marks: dict[str, float], epoch: int | None, now: float) -> None:
    """Note when a job's progress file first said its `fit` began (epoch 0) and epoch 1."""
    if epoch is not None and epoch >= 0:
        marks.setdefault("fit began", now)
    if epoch is not None and epoch >= 1:
        marks.setdefault("epoch 1 written", now)


def first_point(progress_file: Path, started: float,
                timeout: float = WAIT_S) -> dict[str, float]:
    """Seconds from `started` until the progress file said "fit began" and "epoch 1 written"
    (a key is missing on timeout)."""
    from aecore.training.jobs import read_progress

    marks: dict[str, float] = {}
    while "epoch 1 written" not in marks and time.monotonic() - started < timeout:
        progress_marks(marks, read_progress(progress_file).get("epoch"),
                       time.monotonic() - started)
        time.sleep(POLL_S)
    return marks


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
        marks = first_point(Path(job.progress_file), started)
        first = marks.get("epoch 1 written")
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
               f"{lab.VALIDATION_IMAGES:,}); the first epoch took {seconds[0]:.2f} s", load),
        judged("Train -> first point in the progress file (warm worker)", first, None,
               f"the job's first epoch written by a warm spare worker; its fit began at "
               f"{marks['fit began']:.2f} s, "
               f"{'with' if ticket.result.get('head_start') else 'without'} the spare's head "
               "start; the page shows the point at its next refresh", load),
        judged(f"the Lab's default job ({settings.epochs} epochs), Train -> ready", whole,
               DEFAULT_JOB_TARGET if epochs is None else None,
               "training, test-set scores and the ONNX export for serving", load),
    ]


SCREEN_ROW = "Train -> first curve point on screen"


def browser_row() -> Row:
    """Press Train on the Lab's defaults in Chromium; seconds until "Epoch 1 of" is painted."""
    from playwright.sync_api import sync_playwright

    from aecore.runtime.workspace import LAB_DIR_ENV
    from bench.browser import chromium_problem, launch
    from bench.server import AppServer

    problem = chromium_problem()
    if problem:
        return Row(SECTION, SCREEN_ROW, None, "", str(FIRST_POINT_TARGET), MISSING, load1(),
                   problem)
    lab_dir = Path(tempfile.mkdtemp(prefix="bench-lab-sessions-"))
    with (mock.patch.dict(os.environ, {LAB_DIR_ENV: str(lab_dir)}),
          AppServer("lab-server.log") as server, sync_playwright() as p):
        server.wait_healthy()
        browser = launch(p)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(WAIT_S * 1000)
        page.goto(f"{server.url}/lab")
        page.get_by_role("button", name="Train").wait_for()
        if not wait_spare_idle(server.proc.pid):
            return Row(SECTION, SCREEN_ROW, None, "", str(FIRST_POINT_TARGET), MISSING,
                       load1(), "no warm worker appeared")
        load = load1()
        cpu = CpuMeter({"server": server.proc.pid, "browser": os.getpid()})
        marks = press_train_and_watch(page, lab_dir)
        spent = cpu.spent()
        browser.close()
    if "painted" not in marks:
        return Row(SECTION, SCREEN_ROW, None, "", str(FIRST_POINT_TARGET), MISSING, load1(),
                   "the first point was not painted in time")
    return judged(SCREEN_ROW, marks["painted"], FIRST_POINT_TARGET,
                  "Chromium, fresh server, the Lab's defaults (Basic dense, 10,000 images), "
                  f"pressed once the page's warm spare worker was idle; {timeline(marks)}; "
                  f"CPU s meanwhile: {', '.join(f'{k} {v:.2f}' for k, v in spent.items())}",
                  load)


# Records in the page, at each DOM change (no polling): when the job is shown starting and when
# "Epoch 1 of" is there, in the page's clock; returns that clock's reading now.
WATCH_PAGE_JS = """() => {
  const marks = window.__labMarks = {};
  const observer = new MutationObserver(() => {
    const text = document.body.textContent, now = performance.now();
    if (marks.starting === undefined && text.includes("Starting a trainer")) marks.starting = now;
    if (text.includes("Epoch 1 of")) { marks.painted = now; observer.disconnect(); }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  return performance.now();
}"""
PAGE_MARKS = {"starting": "page shows the job starting", "painted": "painted"}


def press_train_and_watch(page, lab_dir: Path, timeout: float = WAIT_S) -> dict[str, float]:
    """Press Train; seconds until the page shows the job starting, the job's progress file says
    its fit began and wrote epoch 1, and "Epoch 1 of" is in the page ("painted"). The page
    watches itself and a thread reads the files, so the measuring costs the browser no polling
    of its own."""
    page_zero = page.evaluate(WATCH_PAGE_JS)
    started = time.monotonic()
    files = ProgressWatcher(lab_dir, started)
    files.start()
    page.get_by_role("button", name="Train").click()
    try:
        page.wait_for_function("() => window.__labMarks.painted !== undefined",
                               polling=100, timeout=timeout * 1000)
    finally:
        files.stop.set()
        files.join()
    seen = page.evaluate("window.__labMarks")
    return {**files.marks, **{PAGE_MARKS[k]: (v - page_zero) / 1000 for k, v in seen.items()}}


class ProgressWatcher(threading.Thread):
    """Notes when a Lab job's progress file (any session under `lab_dir`) first said "fit
    began" and "epoch 1 written", in seconds from `started`."""

    def __init__(self, lab_dir: Path, started: float):
        super().__init__(daemon=True)
        self.lab_dir, self.started = lab_dir, started
        self.marks: dict[str, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        from aecore.training.jobs import read_progress

        while "epoch 1 written" not in self.marks and not self.stop.is_set():
            epochs = [read_progress(f).get("epoch")
                      for f in self.lab_dir.glob("*/job/progress.json")]
            progress_marks(self.marks, max((e for e in epochs if e is not None), default=None),
                           time.monotonic() - self.started)
            time.sleep(POLL_S)


def timeline(marks: dict[str, float]) -> str:
    """'page shows the job starting 0.31 s, fit began 0.45 s, …' in time order."""
    return ", ".join(f"{name} {at:.2f} s" for name, at in sorted(marks.items(),
                                                                  key=lambda kv: kv[1]))


def process_table() -> dict[int, tuple[int, int, bytes]]:
    """pid -> (parent pid, CPU ticks, command line) of every process we may read."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        table[int(stat.parent.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]),
                                        cmdline)
    return table


def descends(table: dict, pid: int, root: int) -> bool:
    while pid in table and pid > 1:
        if pid == root:
            return True
        pid = table[pid][0]
    return False


class CpuMeter:
    """CPU seconds spent since it was made: the server itself, its training workers, and the
    browser (the processes under `roots["browser"]` whose command line names Chrome)."""

    def __init__(self, roots: dict[str, int]):
        self.roots = roots
        self.before = self.ticks()

    def ticks(self) -> dict[str, int]:
        table = process_table()
        server = self.roots["server"]
        workers = [p for p, (parent, _, cmd) in table.items()
                   if parent == server and b"aecore.training.worker" in cmd]
        browser = [p for p, (_, _, cmd) in table.items()
                   if b"chrom" in cmd and descends(table, p, self.roots["browser"])]
        return {"server": table.get(server, (0, 0, b""))[1],
                "worker": sum(table[p][1] for p in workers),
                "browser": sum(table[p][1] for p in browser)}

    def spent(self) -> dict[str, float]:
        now = self.ticks()
        return {k: (now[k] - self.before[k]) / os.sysconf("SC_CLK_TCK") for k in now}


def worker_cpu(server_pid: int) -> dict[int, int]:
    """CPU ticks of the server's training workers (`python -m aecore.training.worker`)."""
    return {pid: ticks for pid, (parent, ticks, cmd) in process_table().items()
            if parent == server_pid and b"aecore.training.worker" in cmd}


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
