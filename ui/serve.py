"""Start the app as `streamlit run app.py` does, with a head start: `python -m ui.serve [options]`.

Options are `streamlit run`'s (`--server.port 8502`, ...); the config is the same
(.streamlit/config.toml). The difference: once the server answers, a background thread does
what the first visitor's first run would otherwise do while the visitor's browser is still
loading Streamlit's scripts (about a second): it imports the app's modules (ui/preload.py's
order, the order every session takes) and fills the shared read-only caches the first page
reads (the weights status, the test set, one ONNX Runtime session per model, the Overview's
default strip). A first run that arrives before it is done waits for the module or cache entry
being made, as a second session does. `streamlit run app.py` still works; it only misses the
head start.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"
THREAD = "ae-warm-up"
WAIT_FOR_SERVER_S = 300.0
POLL_S = 0.02

# What the warm-up did, for tests and logs: step -> seconds, and "error" if it failed.
report: dict[str, float | str] = {}
done = threading.Event()


def warm_up() -> dict[str, float]:
    """Import the app's modules and fill the caches the first page reads; seconds per step."""
    steps: dict[str, float] = {}
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        steps[name] = round(now - clock, 3)
        clock = now

    import ui.preload  # noqa: F401  (first, as app.py: the same imports in the same order)
    # isort: split
    import aecore
    from aecore.analysis import compare, downloads, metrics, tables  # noqa: F401  (the Overview's)
    from ui import cache

    streamlit_first_run_work()
    step("imports")
    ready = cache.ready_models()          # the weights status: every serving file's checksum
    step("weights status")
    try:
        cache.data_description()          # loads the test set
        split = cache.test_set()
    except aecore.DatasetNotFound:        # no dataset and no sample: the pages say so
        split = None
    step("test set")
    for name in list(ready):
        try:
            cache.get_model(name)         # one ONNX Runtime session pair per model
        except aecore.WeightsError:       # changed since the status was read: the page says so
            ready.remove(name)
    step("models")
    if split is not None:
        images = split.x[compare.one_per_class(split.y, OVERVIEW_COUNT, OVERVIEW_SEED)]
        for name in ready:
            cache.reconstruct(name, images)   # first inference + the Overview's strip
        step("overview strip")
    return steps


def streamlit_first_run_work() -> None:
    """What Streamlit itself does once per process in the first run (found with py-spy): it
    imports the material icon names (st.set_page_config's and the pages' icons) and, at the
    first element, checks whether it runs outside `streamlit run` (a REPL, or `python app.py`)
    to print a warning. That check maps every loaded module to its file with inspect.stack()
    (0.2 s of CPU, half the samples of an otherwise warm first run). This process runs under
    `streamlit run` by construction, so the check is marked done instead of made."""
    import streamlit.material_icon_names  # noqa: F401
    from streamlit import delta_generator

    if hasattr(delta_generator, "_use_warning_has_been_displayed"):  # private: may go away
        delta_generator._use_warning_has_been_displayed = True
    else:  # a newer Streamlit: make the check here rather than in a visitor's first run
        getattr(delta_generator, "_maybe_print_use_warning", lambda: None)()


# The Overview strip's defaults (views/overview.py: the "n" and "seed" address parameters).
OVERVIEW_COUNT, OVERVIEW_SEED = 6, 0


def log():
    from streamlit.logger import get_logger

    return get_logger("ui.serve")   # Streamlit's format and level (logger.level)


def server_started() -> bool:
    """True once Streamlit's runtime accepts sessions (what /_stcore/health reports)."""
    from streamlit.runtime import Runtime, RuntimeState

    return Runtime.exists() and Runtime.instance().state in (
        RuntimeState.NO_SESSIONS_CONNECTED, RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED)


class NoPageHere(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the warm-up thread only: a
    cache miss with a spinner message (cache.get_model's "Loading model…") asks for the page
    to show the spinner on, and the warm-up has none. Any other thread's warning stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != THREAD or "missing ScriptRunContext" not in record.msg


def warm_when_serving(timeout_s: float = WAIT_FOR_SERVER_S) -> None:
    """Wait for the server to answer, then warm up; never raises (the app works without it)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        NoPageHere())
    try:
        deadline = time.monotonic() + timeout_s
        while not server_started():
            if time.monotonic() > deadline:
                report["error"] = f"the server did not start within {timeout_s:.0f} s"
                log().warning("no warm-up: %s", report["error"])
                return
            time.sleep(POLL_S)
        report.update(warm_up())
        log().info("warm-up done: %s", ", ".join(f"{k} {v:.2f} s" for k, v in report.items()))
    except Exception as exc:  # a broken model or dataset: the pages report it themselves
        report["error"] = f"{type(exc).__name__}: {exc}"
        log().warning("warm-up stopped: %s", report["error"])
    finally:
        done.set()


def skip_component_package_scan() -> bool:
    """Before the server answers, Streamlit's Runtime reads the metadata of every installed
    package, looking for packaged Components v2 (0.2 s of CPU with this project's ~75
    packages, more in a bigger environment). The app's one component is defined inline
    (ui/components/) and none of its packages ships one (tests/test_serve.py runs the real
    scan to check), so the launcher skips it. False if this Streamlit has no such scan."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:
        return False
    if not hasattr(manifest_scanner, "scan_component_manifests"):   # private: may go away
        return False
    manifest_scanner.scan_component_manifests = no_component_packages
    return True


def no_component_packages(*_args, **_kwargs) -> list:
    return []


def main(argv: list[str] | None = None) -> None:
    """`streamlit run app.py [argv]`, plus the warm-up thread."""
    from streamlit.web import cli  # all of Streamlit imported here, before the thread starts

    skip_component_package_scan()
    threading.Thread(target=warm_when_serving, name=THREAD, daemon=True).start()
    cli.main(["run", str(APP), *(sys.argv[1:] if argv is None else argv)], prog_name="streamlit")


if __name__ == "__main__":
    main()
