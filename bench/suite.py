"""The benchmark suite behind `make bench` (`python -m bench`): measured value vs target.

Sections (run in this order; `--only` picks some):
  decode     Python: TrainedModel.decode of one latent point (vae_mlp, vae_conv), < 5 ms median;
             Keras `predict` of the same point for contrast (informational).
  reconstruct  Python: reconstruct 16 test images with every model that has weights, < 100 ms.
  js         headless Chromium: the latent plane's decode+paint frames per second while dragging
             (bench/latent_fps.py), vae_mlp >= 60 fps, vae_conv >= 30 fps; decode-only ms (info).
  pages      AppTest: run() wall time of every page in pages/ after one warm-up run, < 1 s.
  memory     RSS of a fresh process after loading every available model and the test set, < 2 GiB.

Prints a table (value, target, PASS/FAIL, the 1-minute load average when measured) and writes
test-output/bench.json. Exits 0 whether or not targets are met: it is a report.
Timing rows use the shipped weights in weights/; a model still training is skipped, except that
the two cost-only rows (decode, js) fall back to an untrained build of the same architecture and
say so in the weights column (`--shipped-only` skips those too).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ("decode", "reconstruct", "js", "pages", "memory")
OUTPUT = ROOT / "test-output" / "bench.json"
VAES = ("vae_mlp", "vae_conv")
JS_TARGETS = {"vae_mlp": 60.0, "vae_conv": 30.0}
STATUSES = ("PASS", "FAIL", "ERROR", "SKIP", "INFO")
FPS_SLACK = 0.975  # rAF runs at 60 Hz: a perfect run counts 58.5-60 frames a second


@dataclass
class Row:
    section: str
    name: str
    value: float | None
    unit: str
    target: str  # "< 5 ms", ">= 30 fps"; "" for informational rows
    status: str  # PASS, FAIL, INFO, SKIP or ERROR
    load: float  # 1-minute load average when the row was measured
    weights: str = ""  # shipped, untrained, or "" where weights play no part
    note: str = ""


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def row(section, name, value, unit, *, below=None, at_least=None, slack=1.0, weights="",
        note="") -> Row:
    """A measured row: PASS/FAIL against `below` (strict) or `at_least`, else INFO."""
    if below is not None:
        target, ok = f"< {below:g} {unit}", value < below
    elif at_least is not None:
        target, ok = f">= {at_least:g} {unit}", value >= at_least * slack
    else:
        target, ok = "", None
    status = "INFO" if ok is None else ("PASS" if ok else "FAIL")
    return Row(section, name, value, unit, target, status, load1(), weights, note)


def skip(section, name, note, target="") -> Row:
    return Row(section, name, None, "", target, "SKIP", load1(), note=note)


def median_ms(fn: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def first_line(text: str, limit: int = 90) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---- sections ---------------------------------------------------------------------------------

def weights_problem(status: str) -> str:
    """A short note for a model whose weights cannot be used (weights_status's message)."""
    if status.startswith("No trained weights"):
        return "no shipped weights yet (still training?)"
    return first_line(status, 80)


def model_or_standin(name: str, shipped_only: bool):
    """(TrainedModel, "shipped") or, for cost-only rows, an untrained build ("untrained")."""
    import aecore
    from aecore.runtime.api import TrainedModel
    from aecore.runtime.store import build_ready, weights_status

    if weights_status().get(name) == "ok":
        return aecore.load_model(name), "shipped"
    if shipped_only:
        return None, ""
    return TrainedModel(aecore.get_spec(name), build_ready(name)), "untrained"


def bench_decode(quick: bool, shipped_only: bool) -> list[Row]:
    import numpy as np

    rows = []
    z = np.array([[0.5, -0.5]], dtype=np.float32)
    for name in VAES:
        model, weights = model_or_standin(name, shipped_only)
        if model is None:
            rows.append(skip("decode", f"{name} decode(1 point)", "no shipped weights yet",
                             "< 5 ms"))
            continue
        ms = median_ms(lambda m=model: m.decode(z), 20 if quick else 100, warmup=3)
        rows.append(row("decode", f"{name} decode(1 point)", ms, "ms", below=5, weights=weights,
                        note="TrainedModel.decode, median"))
        ms = median_ms(lambda m=model: m.decoder.predict(z, verbose=0), 5 if quick else 20)
        rows.append(row("decode", f"{name} keras predict(1 point)", ms, "ms", weights=weights,
                        note="for contrast: what decode avoids"))
    return rows


def bench_reconstruct(quick: bool, shipped_only: bool) -> list[Row]:
    import aecore
    from aecore.runtime.store import weights_status

    split = aecore.load_test_set()
    x = split.x[:16]
    rows = []
    for name, status in weights_status().items():
        label = f"{name} reconstruct(16)"
        if status != "ok":
            rows.append(skip("reconstruct", label, weights_problem(status), "< 100 ms"))
            continue
        model = aecore.load_model(name)
        ms = median_ms(lambda m=model: m.reconstruct(x), 5 if quick else 20)
        rows.append(row("reconstruct", label, ms, "ms", below=100, weights="shipped",
                        note=f"median; {split.source} test set"))
    return rows


def bench_js(quick: bool, shipped_only: bool) -> list[Row]:
    from aecore.runtime.store import weights_status
    from bench import latent_fps

    def missing(name, why):
        return skip("js", f"{name} drag fps (decode+paint)", why, f">= {JS_TARGETS[name]:g} fps")

    if not Path(latent_fps.CHROMIUM).exists():
        return [missing(m, f"{latent_fps.CHROMIUM} not found (apt-get install chromium)")
                for m in VAES]
    models = [m for m in VAES if not shipped_only or weights_status().get(m) == "ok"]
    rows = [missing(m, "no shipped weights yet") for m in VAES if m not in models]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return rows + [missing(m, "playwright not installed") for m in models]
    if not models:
        return rows
    results = latent_fps.measure(models, seconds=1.5 if quick else 3.0, drags=2 if quick else 3)
    for r in results:
        name = r["model"]
        drags = ", ".join(f"{f:g}" for f in r["drag_fps"])
        rows.append(row("js", f"{name} drag fps (decode+paint)", r["fps"], "fps",
                        at_least=JS_TARGETS[name], slack=FPS_SLACK, weights=r["weights"],
                        note=f"median of drags: {drags}"))
        rows.append(row("js", f"{name} JS decode only", r["decode_ms"], "ms",
                        weights=r["weights"], note="decoder_engine.js, mean over 3 s"
                        if not quick else "decoder_engine.js, mean over 1.5 s"))
    return rows


def bench_pages(quick: bool, shipped_only: bool) -> list[Row]:
    from streamlit.testing.v1 import AppTest

    # AppTest runs pages outside a server; Streamlit says so once per thread ("bare mode").
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)
    rows = []
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    for page in sorted((ROOT / "pages").glob("*.py")):
        rel = page.relative_to(ROOT).as_posix()
        t0 = time.perf_counter()
        at.switch_page(rel).run()  # warm-up: loads models, fills caches
        first = time.perf_counter() - t0
        times = []
        for _ in range(1 if quick else 3):
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
        errors = [first_line(e.message) for e in at.exception]
        if errors:
            rows.append(Row("pages", rel, statistics.median(times), "s", "< 1 s", "ERROR",
                            load1(), note=f"exception: {errors[0]}"))
            continue
        runs = "run" if len(times) == 1 else f"median of {len(times)} runs"
        rows.append(row("pages", rel, statistics.median(times), "s", below=1,
                        note=f"{runs}; first run {first:.2f} s"))
    return rows


def bench_memory(quick: bool, shipped_only: bool) -> list[Row]:
    proc = subprocess.run([sys.executable, "-m", "bench.memory"], cwd=ROOT, capture_output=True,
                          text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(first_line(proc.stderr.strip().splitlines()[-1] if proc.stderr
                                      else f"exit {proc.returncode}"))
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    note = (f"{len(info['loaded'])} models ({', '.join(info['loaded']) or 'none'}) + "
            f"{info['test_set']}; peak {info['peak_mib']:.0f} MiB")
    if info["skipped"]:
        note += f"; not loaded: {', '.join(info['skipped'])}"
    return [row("memory", "RSS after loading models + test set", info["rss_mib"], "MiB",
                below=2048, note=note)]


BENCHES = {"decode": bench_decode, "reconstruct": bench_reconstruct, "js": bench_js,
           "pages": bench_pages, "memory": bench_memory}


# ---- report -----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        names = [ln.split(":", 1)[1].strip() for ln in cpuinfo.read_text().splitlines()
                 if ln.startswith("model name")]
        cpu = names[0] if names else cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info = {"cpu": cpu, "nproc": usable, "load_average": [round(v, 2) for v in os.getloadavg()],
            "python": platform.python_version(), "platform": platform.platform()}
    with contextlib.suppress(OSError):
        info["commit"] = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                        capture_output=True, text=True).stdout.strip()
    return info


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("keras", "tensorflow-cpu", "tensorflow", "streamlit", "numpy", "playwright"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def fmt_value(r: Row) -> str:
    if r.value is None:
        return "-"
    v = r.value
    digits = 0 if r.unit == "MiB" else 3 if r.unit == "s" else 2 if v < 10 else 1
    return f"{v:.{digits}f} {r.unit}"


def table(rows: list[Row]) -> str:
    head = ("measurement", "value", "target", "result", "load", "weights", "note")
    cells = [head] + [(f"{r.section}: {r.name}", fmt_value(r), r.target or "(info)",
                       r.status if r.status != "FAIL" else "FAIL <<<", f"{r.load:.1f}",
                       r.weights or "-", r.note) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head) - 1)]
    lines = []
    for i, c in enumerate(cells):
        lines.append("  ".join(s.ljust(w) for s, w in zip(c[:-1], widths, strict=False))
                     + "  " + c[-1])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 4)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="run these sections only")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    parser.add_argument("--shipped-only", action="store_true",
                        help="skip models without shipped weights everywhere")
    parser.add_argument("--json", type=Path, default=OUTPUT, help=f"default: {OUTPUT}")
    args = parser.parse_args(argv)

    info = machine()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    print(f"Autoencoder Explorer benchmarks  {dt.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {info['cpu']}, nproc {info['nproc']}, load average "
          f"{' '.join(f'{v:.2f}' for v in info['load_average'])} (1, 5, 15 min); "
          f"Python {info['python']}; commit {info.get('commit', '?')}")
    if info["load_average"][0] > info["nproc"]:
        print(f"note: the load average is above the core count ({info['nproc']}): timings are "
              "inflated by other processes (see the load column)")
    print(flush=True)
    started = time.time()
    rows: list[Row] = []
    for name in args.only:
        t0 = time.time()
        print(f"[{name}] ...", end=" ", flush=True)
        try:
            got = BENCHES[name](args.quick, args.shipped_only)
        except Exception as exc:  # a report: one broken section does not hide the others
            got = [Row(name, "(section)", None, "", "", "ERROR", load1(),
                       note=first_line(f"{type(exc).__name__}: {exc}", 120))]
            traceback.print_exc()
        rows.extend(got)
        print(f"{time.time() - t0:.0f} s", flush=True)

    print()
    print(table(rows))
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    print()
    print("summary: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
          + f"; load average now {' '.join(f'{v:.2f}' for v in os.getloadavg())}; "
          f"{time.time() - started:.0f} s")
    for r in rows:
        if r.status in ("FAIL", "ERROR"):
            print(f"{r.status}: {r.section}: {r.name}: {fmt_value(r)} (target {r.target or '-'}"
                  f", load {r.load:.1f}) {r.note}")

    report = {"started": dt.datetime.fromtimestamp(started).isoformat(timespec="seconds"),
              "seconds": round(time.time() - started, 1), "quick": args.quick,
              "machine": info, "versions": versions(),
              "chromium": chromium if Path(chromium).exists() else None,
              "summary": counts, "rows": [asdict(r) for r in rows]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2) + "\n")
    print(f"written: {args.json}")
    return 0
