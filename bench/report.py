"""BENCHMARKS.md and the terminal table from measured rows (pure: no measuring here)."""

from __future__ import annotations

from bench.targets import FAIL, STATUSES, TARGETS, Row

HOW = {
    "cold start": "`streamlit run app.py` started fresh with Chromium already open; until the "
                  "Overview's title and every image are loaded, the script idle, one frame "
                  "painted. Median of several fresh servers.",
    "one visitor": "On the last cold-start server: one session clicks every sidebar link in "
                   "turn (first visits: models load, caches fill).",
    "denoiser slider": "The noise slider (a flipbook: every level drawn in advance, swapped "
                       "in the browser) focused and moved by one step with ArrowRight/Left; "
                       "the clock runs from keydown until every replaced image has its new src "
                       "loaded, plus two animation frames. Python hears of the step on release "
                       "(its run is a part row); a new noise seed redraws every level (timed); "
                       "`python:` rows time one level's work without Streamlit.",
    "sessions": "A fresh server; N Chromium contexts open it at the same moment and each clicks "
                "another page's link as soon as the sidebar shows (before its first page has "
                "loaded). Exception boxes ever shown + tracebacks in the server log.",
    "memory": "VmRSS of the server process (psutil when installed, else /proc).",
    "decode": "`aecore.load_model(name).decode` of one point (ONNX Runtime, this process) vs "
              "Keras `decoder.predict` of the same point in a separate process that imports "
              "Keras (`aecore.training.weights.load_built`), same bench run; medians.",
    "latent plane": "The latent plane component in headless Chromium on the shipped browser "
                    "arrays, one pointer move per animation frame (60 Hz: ≥ 58.5 counts as 60). "
                    "The target follows the decoder's layers: MLP 60 fps, convolutional 30 fps.",
    "gc per rerun": "Full `gc.collect()` (Streamlit runs one after every script run) in a "
                    "process that imported every module the app imports and loaded every "
                    "model; the TensorFlow row is the same with Keras models instead (the old "
                    "app, which froze GC because of it).",
    "training": "Seconds per epoch from weights/manifest.json (where each model was trained), "
                "and one epoch of the dense models on a 10,000-image subset on this CPU.",
}


def fmt_value(row: Row) -> str:
    if row.value is None:
        return "–"
    v = row.value
    if row.unit == "×":
        return f"{v:,.0f}×"
    if row.unit in ("", "MiB"):
        return f"{v:,.0f}{' MiB' if row.unit else ''}"
    digits = 3 if v < 1 else 2 if v < 10 else 1 if v < 100 else 0
    return f"{v:.{digits}f} {row.unit}"


def counts(rows: list[Row]) -> dict[str, int]:
    return {s: n for s in STATUSES if (n := sum(r.status == s for r in rows))}


def escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def results_table(rows: list[Row]) -> list[str]:
    lines = ["| measurement | value | target | result | load (1 min) | note |",
             "|---|---|---|---|---|---|"]
    for r in rows:
        result = f"**{r.status}**" if r.status == FAIL else r.status
        lines.append(f"| {escape(r.section)}: {escape(r.name.strip())} | {fmt_value(r)} | "
                     f"{r.target or '–'} | {result} | {r.load:.1f} | {escape(r.note)} |")
    return lines


def machine_lines(info: dict) -> list[str]:
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    load = " / ".join(f"{v:.2f}" for v in info["load_average"])
    return [
        f"- Date: {info['date']}; commit {info.get('commit') or '?'}",
        f"- CPU: {info['cpu']}; {info['cores']} usable cores ({info['logical_cpus']} logical "
        f"CPUs); RAM {info['memory_gib']} GiB",
        *([f"- Single-core speed: {info['python_loop_s']:.3f} s for a pure-Python loop of ten "
           "million additions (best of 5; lower is faster; compare it before comparing "
           "timings of two runs)"] if info.get("python_loop_s") else []),
        f"- Python {info['python']} on {info['platform']}",
        f"- Packages: {packages}",
        f"- Browser: {info.get('chromium') or 'not found'} (headless, through Playwright)",
        f"- Load average when the run started (1 / 5 / 15 min): {load}",
        *([f"- Server started with extra options (A/B run): {' '.join(info['server_options'])}"]
          if info.get("server_options") else []),
        *(["- Servers started with plain `streamlit run app.py` (A/B run), not as `make run` "
           "does (`python -m ui.serve`)"] if info.get("launcher") == "streamlit" else []),
    ]


def markdown(info: dict, rows: list[Row], seconds: float, end_load: list[float],
             command: str) -> str:
    """The whole BENCHMARKS.md."""
    summary = ", ".join(f"{n} {s}" for s, n in counts(rows).items())
    sections = list(dict.fromkeys(r.section for r in rows))
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{command}` (bench/, see bench/README.md) in {seconds / 60:.0f} min. "
        "Every timing carries the 1-minute load average when it was measured: on a shared "
        f"{info['cores']}-core machine a load above {info['cores']} means other work competed "
        "for the CPU and wall times are inflated.",
        "",
        "## Machine",
        "",
        *machine_lines(info),
        f"- Load average at the end: {' / '.join(f'{v:.2f}' for v in end_load)}",
        "",
        "## Results",
        "",
        f"Summary: {summary}.",
        "",
        *results_table(rows),
        "",
        "## Targets (bench/targets.py)",
        "",
        *[f"- `{key}`: {target}" for key, target in TARGETS.items()],
        "",
        "## How each row is measured",
        "",
        *[f"- **{s}**: {HOW[s]}" for s in sections if s in HOW],
        "",
    ]
    return "\n".join(lines)


def terminal_table(rows: list[Row]) -> str:
    cells = [("measurement", "value", "target", "result", "load", "note")]
    cells += [(f"{r.section}: {r.name.strip()}", fmt_value(r), r.target or "–", r.status,
               f"{r.load:.1f}", r.note[:80]) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(5)]
    return "\n".join("  ".join(s.ljust(w) for s, w in zip(c[:5], widths, strict=True))
                     + "  " + c[5] for c in cells)
