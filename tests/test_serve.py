"""ui/serve.py, the launcher `make run` uses: the warm-up's log filter, its waiting for the
server, and the command it hands to Streamlit. The served app itself: tests/browser/
test_launcher.py and test_concurrent_sessions.py."""

from __future__ import annotations

import logging
import threading

import pytest

from ui import serve


def record(thread: str, msg: str) -> logging.LogRecord:
    rec = logging.LogRecord("streamlit.runtime.scriptrunner_utils.script_run_context",
                            logging.WARNING, __file__, 1, msg, (), None)
    rec.threadName = thread
    return rec


def test_filter_drops_only_the_warm_up_threads_missing_context_warning():
    keep = serve.NoPageHere().filter
    missing = "Thread '%s': missing ScriptRunContext! This warning can be ignored"
    assert not keep(record(serve.THREAD, missing))
    assert keep(record("ScriptRunner.scriptThread", missing))   # a page's thread: shown
    assert keep(record(serve.THREAD, "something else went wrong"))


def test_warm_up_gives_up_when_no_server_starts(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "server_started", lambda: False)
    monkeypatch.setattr(serve, "warm_up", lambda: calls.append(1) or {})
    monkeypatch.setattr(serve, "report", {})
    monkeypatch.setattr(serve, "done", threading.Event())
    serve.warm_when_serving(timeout_s=0.1)
    assert serve.done.is_set() and not calls
    assert "did not start" in serve.report["error"]


def test_warm_up_failure_is_reported_not_raised(monkeypatch):
    def broken():
        raise RuntimeError("damaged manifest")
    monkeypatch.setattr(serve, "server_started", lambda: True)
    monkeypatch.setattr(serve, "warm_up", broken)
    monkeypatch.setattr(serve, "report", {})
    monkeypatch.setattr(serve, "done", threading.Event())
    serve.warm_when_serving(timeout_s=1)
    assert serve.done.is_set() and serve.report["error"] == "RuntimeError: damaged manifest"


def test_no_server_outside_streamlit():
    assert serve.server_started() is False


def test_main_runs_streamlit_run_on_app_py_with_the_options_given(monkeypatch):
    import streamlit.web.cli as cli
    from streamlit.components.v2 import manifest_scanner

    monkeypatch.setattr(manifest_scanner, "scan_component_manifests",
                        manifest_scanner.scan_component_manifests)   # restored after the test

    seen = {}
    monkeypatch.setattr(cli, "main", lambda args, prog_name: seen.update(args=args, prog=prog_name))
    monkeypatch.setattr(serve, "warm_when_serving", lambda: None)
    serve.main(["--server.port", "8599"])
    assert seen == {"args": ["run", str(serve.APP), "--server.port", "8599"], "prog": "streamlit"}
    assert serve.APP.name == "app.py" and serve.APP.is_file()


def test_the_overview_defaults_the_warm_up_fills_are_the_pages():
    """The strip's reconstructions are warmed for the Overview's default count and seed."""
    source = (serve.APP.parent / "views" / "overview.py").read_text()
    assert (f'address.whole("n", "overview_count", 3, 10, {serve.OVERVIEW_COUNT})' in source)
    assert (f'address.whole("seed", "overview_seed", 0, 1_000_000, {serve.OVERVIEW_SEED})'
            in source)
    assert f'"Images (one per class)", 3, 10, {serve.OVERVIEW_COUNT}' in source


@pytest.mark.parametrize("module", ["serve", "preload"])
def test_preload_does_not_import_the_launcher_or_itself(module, monkeypatch):
    import importlib
    imported = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *a: imported.append(name) or real(name, *a))
    from ui import preload

    preload.import_ui_modules()
    assert f"ui.{module}" not in imported and "ui.cache" in imported


def test_no_installed_package_ships_a_component_so_skipping_the_scan_loses_none(monkeypatch):
    """The launcher skips Streamlit's scan for packaged components: the real scan of this
    environment finds none, so the skip changes nothing but the time. (The app's inline
    component still works: tests/browser/test_launcher.py waits for the latent plane's
    decoder to draw under ui.serve.)"""
    from streamlit.components.v2 import manifest_scanner

    real = manifest_scanner.scan_component_manifests
    assert real() == []
    monkeypatch.setattr(manifest_scanner, "scan_component_manifests", real)  # restored after
    assert serve.skip_component_package_scan()
    assert manifest_scanner.scan_component_manifests is not real
    assert manifest_scanner.scan_component_manifests() == []
