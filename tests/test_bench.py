"""bench (the `make bench` report): targets, the table and the JSON, without measuring anything."""

from __future__ import annotations

import json

from bench import suite


def test_row_status_against_targets():
    assert suite.row("s", "a", 4.9, "ms", below=5).status == "PASS"
    assert suite.row("s", "a", 5.0, "ms", below=5).status == "FAIL"
    assert suite.row("s", "b", 29.0, "fps", at_least=30).status == "FAIL"
    assert suite.row("s", "b", 59.0, "fps", at_least=60, slack=suite.FPS_SLACK).status == "PASS"
    info = suite.row("s", "c", 140.0, "ms")
    assert (info.status, info.target) == ("INFO", "")
    assert suite.row("s", "a", 1, "ms", below=5).target == "< 5 ms"


def test_main_prints_fail_and_writes_json_and_exits_0(monkeypatch, tmp_path, capsys):
    def fake(quick, shipped_only):
        return [suite.row("fake", "fast", 1.0, "ms", below=5),
                suite.row("fake", "slow", 9.0, "ms", below=5, note="too slow"),
                suite.skip("fake", "missing", "no shipped weights yet", "< 5 ms")]

    def broken(quick, shipped_only):
        raise RuntimeError("no browser")

    monkeypatch.setattr(suite, "BENCHES", {"decode": fake, "js": broken})
    out = tmp_path / "bench.json"
    assert suite.main(["--only", "decode", "js", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "load average" in text and "nproc" in text
    assert "FAIL: fake: slow" in text and "ERROR: js" in text
    report = json.loads(out.read_text())
    assert report["summary"] == {"PASS": 1, "FAIL": 1, "ERROR": 1, "SKIP": 1, "INFO": 0}
    assert {r["name"] for r in report["rows"]} == {"fast", "slow", "missing", "(section)"}
    assert all("load" in r for r in report["rows"])
    assert report["machine"]["nproc"] >= 1
