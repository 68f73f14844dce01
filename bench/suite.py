"""`make bench` (`python -m bench`): every row of issue #9's table against its target.

Sections, in this order (`--only` picks some):
  app       cold start (fresh `streamlit run` → Overview painted), one visitor on every page,
            server RSS, Denoiser slider → images painted (p50/p95, with a breakdown)
  sessions  N sessions open a fresh server at once, each clicking a link early: exceptions,
            sessions without a working page, time to a working page, server RSS
  fps       latent plane drag fps for every 2-D model (MLP decoder 60, conv decoder 30)
  decode    TrainedModel.decode (ONNX) vs Keras predict (subprocess) of one point: ratio
  gc        a full gc.collect() in an app-shaped process (ONNX) and with TensorFlow (before)
  training  seconds per epoch from the manifest, and one 10,000-image epoch of the dense models
  lab       the Lab (issue #12): s/epoch of its default dense model on 10,000 images, the default
            job end to end, and in Chromium Train → the first curve point painted (bench/lab.py)

Writes BENCHMARKS.md (machine, rows with PASS/FAIL and the load average) and a JSON copy;
exits 0 whatever the results (it is a report). A model without servable weights is a MISSING
row; a section that breaks is an ERROR row and the others still run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from bench import machine, report, server
from bench.targets import ERROR, FAIL, Row, load1

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "BENCHMARKS.md"
JSON_OUTPUT = ROOT / "test-output" / "bench" / "bench.json"
ORDER = ("app", "sessions", "fps", "decode", "gc", "training", "lab")
BROWSER_SECTIONS = ("app", "sessions", "fps", "lab")


def _app(args) -> list[Row]:
    from bench import single_user
    return single_user.run(args.quick, args.cold_starts)


def _sessions(args) -> list[Row]:
    from bench import sessions
    return sessions.run(args.sessions)


def _fps(args) -> list[Row]:
    from bench import latent_fps
    return latent_fps.rows(args.quick)


def _decode(args) -> list[Row]:
    from bench import decode
    return decode.run(args.quick)


def _gc(args) -> list[Row]:
    from bench import decode
    return decode.gc_rows(args.quick)


def _training(args) -> list[Row]:
    from bench import training
    return training.run(args.quick)


def _lab(args) -> list[Row]:
    from bench import lab
    return lab.run(args.quick)


SECTIONS: dict[str, Callable[[argparse.Namespace], list[Row]]] = {
    "app": _app, "sessions": _sessions, "fps": _fps, "decode": _decode, "gc": _gc,
    "training": _training, "lab": _lab,
}


def run_section(name: str, args) -> list[Row]:
    """One section's rows; a section that breaks becomes one ERROR row (the rest still run)."""
    if name in BROWSER_SECTIONS:
        from bench.browser import chromium_problem

        problem = chromium_problem()
        if problem:
            return [Row(name, "(section)", None, "", "", ERROR, load1(), problem)]
    try:
        return SECTIONS[name](args)
    except Exception as exc:
        traceback.print_exc()
        return [Row(name, "(section)", None, "", "", ERROR, load1(),
                    f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200]}"
                    if str(exc).strip() else type(exc).__name__)]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=ORDER, default=list(ORDER))
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats, one cold start, no training epoch (a smoke run)")
    parser.add_argument("--sessions", type=int, default=20, help="sessions at once (20)")
    parser.add_argument("--cold-starts", type=int, default=3, help="fresh servers timed (3)")
    parser.add_argument("--server-option", action="append", default=[], metavar="KEY=VALUE",
                        help="A/B runs: pass --KEY=VALUE to streamlit run (e.g. "
                             "runner.postScriptGC=false); repeatable")
    parser.add_argument("--launcher", choices=sorted(server.LAUNCHERS), default=server.LAUNCHER,
                        help="how servers start: as make run does (python -m ui.serve, with "
                             "its warm-up; the default) or plain streamlit run app.py (an A/B)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"default: {OUTPUT.name}")
    parser.add_argument("--json", type=Path, default=JSON_OUTPUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    server.OPTIONS[:] = args.server_option
    server.LAUNCHER = args.launcher
    info = {**machine.describe(), "server_options": args.server_option,
            "launcher": args.launcher}
    print(f"benchmarks {info['date']}: {info['cpu']}, {info['cores']} cores, load "
          f"{' '.join(f'{v:.2f}' for v in info['load_average'])}", flush=True)
    started = time.monotonic()
    rows: list[Row] = []
    for name in [s for s in ORDER if s in args.only]:
        t0 = time.monotonic()
        print(f"[{name}] ...", flush=True)
        got = run_section(name, args)
        rows += got
        print(report.terminal_table(got), f"\n[{name}] {time.monotonic() - t0:.0f} s\n",
              flush=True)
    seconds = time.monotonic() - started
    end_load = [round(v, 2) for v in os.getloadavg()]
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m bench", *given]) if given else "make bench"
    args.output.write_text(report.markdown(info, rows, seconds, end_load, command))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"machine": info, "seconds": round(seconds, 1),
                                     "end_load": end_load, "rows": [asdict(r) for r in rows]},
                                    indent=1) + "\n")
    print(f"summary: {report.counts(rows)}; load now {' '.join(map(str, end_load))}")
    for r in rows:
        if r.status in (FAIL, ERROR):
            print(f"{r.status}: {r.section}: {r.name.strip()}: {report.fmt_value(r)} "
                  f"(target {r.target or '–'}, load {r.load:.1f}) {r.note}")
    print(f"written: {args.output}")
    return 0
