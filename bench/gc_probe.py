"""What a full garbage collection costs in a process shaped like the app server, without TF.

`python -m bench.gc_probe` imports every module that app.py, ui/ and views/ import (read from
their import statements), loads the test set and every servable model through ONNX Runtime
(one reconstruction each, plus the browser arrays of the 2-D models), then times full
`gc.collect()` calls: Streamlit runs one after every script run (`runner.postScriptGC`).
Prints one JSON object (with the process's RSS after each step); `tensorflow_loaded` must be
false.
"""

from __future__ import annotations

import ast
import gc
import importlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_FILES = ("app.py", "ui", "views")


def full_collections(repeats: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of `repeats` full gc.collect() calls (after one to settle)."""
    gc.collect()
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.thread_time()
        gc.collect()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
    return times, cpu


def app_imports(root: Path = ROOT) -> list[str]:
    """Absolute module names imported anywhere in the app's files, sorted."""
    names = set()
    for entry in APP_FILES:
        path = root / entry
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            for node in ast.walk(ast.parse(file.read_text())):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    return sorted(names)


def rss_mib() -> float:
    from bench.server import rss_mib as of_pid

    return round(of_pid(os.getpid())[0], 1)


def load_everything(memory: dict) -> list:
    """The test set, every servable model (used once) and the 2-D models' browser arrays."""
    import aecore
    from aecore.runtime.store import weights_status
    from aecore.web.decoder_arrays import load_export

    split = aecore.load_test_set()
    memory["test set loaded"] = rss_mib()
    kept = [split]
    for name, status in weights_status().items():
        if status != "ok":
            continue
        model = aecore.load_model(name)
        model.reconstruct(split.x[:16])
        kept.append(model)
        if model.browser_file is not None:
            kept.append(load_export(model.browser_file))
    memory["every model loaded and used once"] = rss_mib()
    return kept


def main(repeats: int = 7) -> None:
    sys.path.insert(0, str(ROOT))
    memory = {"python started": rss_mib()}
    modules = app_imports()
    t0 = time.perf_counter()
    for name in modules:
        importlib.import_module(name)
    imported = time.perf_counter() - t0
    memory["app modules imported"] = rss_mib()
    kept = load_everything(memory)
    times, cpu = full_collections(repeats)
    print(json.dumps({
        "ms": statistics.median(times), "cpu_ms": statistics.median(cpu), "max_ms": max(times),
        "objects": len(gc.get_objects()),
        "models": [m.name for m in kept if hasattr(m, "reconstruct")],
        "modules": len(modules), "import_s": round(imported, 2),
        "tensorflow_loaded": "tensorflow" in sys.modules or "keras" in sys.modules,
        "rss_mib": memory,
    }))


if __name__ == "__main__":
    main()
