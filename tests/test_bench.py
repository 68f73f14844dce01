"""bench (`make bench`): targets, judging, the pure helpers and the report, without measuring."""

from __future__ import annotations

import json

import pytest

from bench import gc_probe, report, server, sessions, single_user, slider, suite, training
from bench.targets import (
    FAIL,
    INFO,
    MISSING,
    PASS,
    TARGETS,
    count_tracebacks,
    decoder_kind,
    fps_target,
    measured,
    missing,
    percentile,
)


def test_targets_judge_at_most_and_at_least():
    assert measured("s", "a", 3.0, "s", "cold_start_s").status == PASS
    assert measured("s", "a", 3.01, "s", "cold_start_s").status == FAIL
    assert measured("s", "b", 1000, "×", "decode_vs_predict").status == PASS
    assert measured("s", "b", 999, "×", "decode_vs_predict").status == FAIL
    assert measured("s", "c", 58.5, "fps", "drag_fps_mlp").status == PASS  # 60 Hz frame counting
    assert measured("s", "c", 58.0, "fps", "drag_fps_mlp").status == FAIL
    info = measured("s", "d", 12.0, "ms")
    assert (info.status, info.target) == (INFO, "")
    assert str(TARGETS["slider_p95_ms"]) == "≤ 250 ms"
    assert str(TARGETS["decode_vs_predict"]) == "≥ 1000×"


def test_missing_rows_keep_their_target():
    row = missing("decode", "x: decode vs predict", "no weights", "decode_vs_predict")
    assert (row.status, row.value, row.target) == (MISSING, None, "≥ 1000×")


def test_percentile_matches_linear_interpolation():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 95) == pytest.approx(95.05)
    assert percentile([7.0], 95) == 7.0


def test_decoder_kind_from_layers_or_spec():
    assert decoder_kind([{"op": "dense"}, {"op": "conv2d_transpose"}]) == "conv"
    assert decoder_kind([{"op": "dense"}, {"op": "reshape"}]) == "mlp"
    vae = "Conv 1-64 → Dense 128 → (μ, log σ²) → sample → Dense 128 → ConvT 64 → Conv 1"
    assert decoder_kind(None, "vae", vae) == "conv"
    assert decoder_kind(None, "vae", "Conv 32 → (μ, log σ²) → sample → Dense 256 → 784") == "mlp"
    assert decoder_kind(None, "conv", "") == "conv"
    assert (fps_target("conv"), fps_target("mlp")) == ("drag_fps_conv", "drag_fps_mlp")


def test_count_tracebacks():
    log = "ok\nTraceback (most recent call last):\n  x\nValueError\nTraceback (most recent call"
    assert count_tracebacks(log) == 1
    assert count_tracebacks(log + " last):\n") == 2


def test_slider_phases_split_a_step():
    step = {"key": 100.0, "painted": 300.0, "sent": [90.0, 110.0], "fetchStart": 200.0,
            "fetchEnd": 260.0, "last_recv": 280.0}
    parts = slider.phases(step)
    assert parts["total"] == 200.0
    assert parts["input → request sent"] == 10.0
    assert parts["request → image requests"] == 90.0
    assert parts["image fetch"] == 60.0
    assert parts["images loaded → painted"] == 40.0
    assert parts["release → Python's run finished (after the paint)"] == 170.0
    assert slider.phases({"key": 0.0, "painted": 5.0, "sent": []}) == {"total": 5.0}


def test_sessions_rows_count_boxes_tracebacks_and_broken_sessions():
    results = [
        {"working": True, "seconds": 4.0, "early_click": True, "exceptions": [], "error": ""},
        {"working": True, "seconds": 6.0, "early_click": False, "exceptions": [], "error": ""},
        {"working": False, "seconds": None, "early_click": True,
         "exceptions": ["ImportError: x\nmore"], "error": "exception box on the page"},
    ]
    rows = {r.name: r for r in sessions.rows_for(results, 2, 300.0, 320.0, 1.0, 3)}
    exceptions = rows["3 sessions at once: exception boxes + server tracebacks"]
    assert (exceptions.value, exceptions.status) == (3, FAIL)
    assert "ImportError: x | more" in exceptions.note
    assert rows["3 sessions at once: sessions without a working page"].value == 1
    assert rows["3 sessions: time to a working page, p50"].value == 5.0
    assert rows["server RSS after 3 sessions visited every page"].status == FAIL


def test_training_rows_from_the_manifest_report_a_missing_model():
    models = {"a": {"train_seconds": 100.0, "epochs": 4, "trained_on": "somewhere"}}
    rows = training.manifest_rows(models, ["a", "b"])
    assert rows[0].value == 25.0 and "somewhere" in rows[0].note
    assert rows[1].status == MISSING
    assert training.per_epoch({"train_seconds": 5.0}) is None


def test_app_imports_are_read_from_the_app_files(tmp_path):
    (tmp_path / "app.py").write_text("import streamlit as st\nfrom ui.pages import PAGES\n")
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "a.py").write_text("from . import x\nimport numpy, json\n")
    assert gc_probe.app_imports(tmp_path) == ["json", "numpy", "streamlit", "ui.pages"]


def test_markdown_describes_the_machine_and_marks_failures():
    info = {"date": "2026-01-01T00:00:00", "commit": "abc", "cpu": "Some CPU", "cores": 2,
            "logical_cpus": 2, "memory_gib": 8.0, "python_loop_s": 0.1234, "python": "3.11.9",
            "platform": "Linux",
            "packages": {"streamlit": "1.0"}, "chromium": "Chromium 1",
            "load_average": [1.0, 2.0, 3.0]}
    rows = [measured("cold start", "x", 5.0, "s", "cold_start_s", note="a|b"),
            missing("decode", "y", "no weights", "decode_vs_predict")]
    text = report.markdown(info, rows, 120.0, [4.0, 5.0, 6.0], "make bench")
    for needle in ("Some CPU", "2 usable cores", "RAM 8.0 GiB", "Python 3.11.9", "streamlit 1.0",
                   "1.00 / 2.00 / 3.00", "**FAIL**", "MISSING", "a\\|b", "cold_start_s",
                   "Single-core speed: 0.123 s"):
        assert needle in text
    assert report.fmt_value(rows[0]) == "5.00 s"


def test_main_writes_the_report_and_exits_0_when_a_section_breaks(monkeypatch, tmp_path):
    def fine(args):
        return [measured("decode", "fast", 2000.0, "×", "decode_vs_predict")]

    def broken(args):
        raise RuntimeError("no keras here")

    monkeypatch.setattr(suite, "SECTIONS", {**suite.SECTIONS, "decode": fine, "gc": broken})
    out, js = tmp_path / "B.md", tmp_path / "b.json"
    assert suite.main(["--only", "decode", "gc", "--output", str(out), "--json", str(js)]) == 0
    text = out.read_text()
    assert "PASS" in text and "ERROR" in text and "no keras here" in text
    rows = json.loads(js.read_text())["rows"]
    assert [r["status"] for r in rows] == ["PASS", "ERROR"]
    assert all("load" in r for r in rows)


def test_cold_start_note_gives_the_launchers_warm_up_steps():
    log = ("2026-12-01 10:11:43.960 Uvicorn server started on 127.0.0.1:41371\n"
           "2026-12-01 10:11:45.367 warm-up done: imports 0.73 s, models 0.31 s\n  Stopping...\n")
    assert single_user.warm_up_note(log) == "; warm-up thread: imports 0.73 s, models 0.31 s"
    assert single_user.warm_up_note("Uvicorn server started\n") == ""


def test_servers_start_as_make_run_does_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.setattr(server, "LAUNCHER", server.LAUNCHER)
    monkeypatch.setattr(suite, "SECTIONS", {**suite.SECTIONS, "decode": lambda args: []})
    out, js = tmp_path / "B.md", tmp_path / "b.json"
    suite.main(["--only", "decode", "--output", str(out), "--json", str(js)])
    assert server.LAUNCHER == "make-run" and "plain `streamlit run" not in out.read_text()
    assert server.LAUNCHERS["make-run"] == ["-m", "ui.serve"]
    makefile = (server.ROOT / "Makefile").read_text()
    assert "run: venv data bytecode\n\t$(BIN)/python -m ui.serve" in makefile
    suite.main(["--only", "decode", "--launcher", "streamlit", "--output", str(out),
                "--json", str(js)])
    assert server.LAUNCHER == "streamlit" and "plain `streamlit run app.py`" in out.read_text()
    assert server.AppServer("x.log").launcher == "streamlit"


def test_a_failing_floor_is_a_missing_row_not_a_lost_section(monkeypatch):
    from bench import single_user

    def no_browser(pw, log_name, launcher=None):
        raise RuntimeError("chromium crashed")

    monkeypatch.setattr(single_user, "cold_start", no_browser)
    row = single_user.framework_floor(None, 3)
    assert row.status == "MISSING" and "chromium crashed" in row.note
    assert row.name == single_user.FLOOR
