"""Python decode of one latent point, ONNX vs Keras, and a rerun's garbage collection.

`TrainedModel.decode` runs here, through `aecore.load_model` (ONNX Runtime: this process never
imports Keras). Keras `predict` of the same point runs in a separate process
(bench/keras_probe.py) in the same bench run; the ratio of the medians is the row's value.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time

import numpy as np

from bench.server import ROOT
from bench.targets import Row, measured, median, missing

DECODE_CALLS = 2000
PREDICT_CALLS = 30


def run_json(module: str, *args: str, timeout: float = 900) -> dict:
    """`python -m module args` in the project root; its last stdout line as JSON."""
    proc = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = (proc.stderr or "").strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
        raise RuntimeError(f"{module}: {tail[0]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


@functools.cache
def keras_results(names: tuple[str, ...], repeats: int) -> dict:
    """One Keras process for the whole bench run: predict timings and its GC time."""
    return run_json("bench.keras_probe", "--predict", *names, "--repeats", str(repeats), "--gc")


def servable() -> dict[str, str]:
    from aecore.runtime.store import weights_status

    return weights_status()


def decode_ms(name: str, calls: int) -> float:
    import aecore

    model = aecore.load_model(name)
    z = np.full((1, model.spec.latent_dim), 0.5, dtype=np.float32)
    for _ in range(50):
        model.decode(z)
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        model.decode(z)
        times.append((time.perf_counter() - t0) * 1000)
    return median(times)


def ratio_target(name: str) -> str | None:
    """The ≥1000× target holds for dense decoders (the issue measured one at 0.4-0.6 ms). A
    convolutional one does ~20M multiply-adds per point, about 1 ms in ONNX Runtime, so its
    ratio to a ~50 ms predict is shown for information."""
    from aecore.runtime.store import serving_file
    from aecore.web.decoder_arrays import load_export
    from bench.targets import decoder_kind

    kind = decoder_kind(load_export(serving_file(name, "browser"))["layers"])
    return "decode_vs_predict" if kind == "mlp" else None


def run(quick: bool) -> list[Row]:
    """Per 2-D model (the latent plane decodes one point at a time): ONNX, Keras, ratio."""
    from aecore.models.registry import plane_models

    status = servable()
    names = tuple(n for n in plane_models() if status.get(n) == "ok")
    rows = [missing("decode", f"{n}: decode vs predict", status[n].splitlines()[0][:110],
                    "decode_vs_predict") for n in plane_models() if n not in names]
    if not names:
        return rows
    repeats = 10 if quick else PREDICT_CALLS
    onnx = {n: decode_ms(n, DECODE_CALLS // (4 if quick else 1)) for n in names}
    keras = keras_results(names, repeats)["predict"]
    for name in names:
        if "error" in keras[name]:
            rows.append(missing("decode", f"{name}: decode vs predict", keras[name]["error"],
                                "decode_vs_predict"))
            continue
        ratio = keras[name]["ms"] / onnx[name]
        rows.append(measured("decode", f"{name}: Keras predict ÷ TrainedModel.decode (1 point)",
                             ratio, "×", ratio_target(name),
                             note=f"decode {onnx[name]:.3f} ms (ONNX, median of "
                                  f"{DECODE_CALLS // (4 if quick else 1)}), predict "
                                  f"{keras[name]['ms']:.1f} ms (Keras subprocess, median of "
                                  f"{repeats})"))
    return rows


def gc_rows(quick: bool) -> list[Row]:
    """Full gc.collect() in an app-shaped process (ONNX) and in a TensorFlow one (before)."""
    from aecore.models.registry import plane_models

    now = run_json("bench.gc_probe")
    rows = [measured("gc per rerun", "gc.collect() with the app's modules + every model (ONNX)",
                     now["ms"], "ms",
                     note=f"CPU {now['cpu_ms']:.0f} ms; {now['objects']:,} objects; "
                          f"{len(now['models'])} models; TensorFlow loaded: "
                          f"{now['tensorflow_loaded']}")]
    rows += [measured("memory", f"app-shaped process (no server): RSS after {step}", mib, "MiB",
                      note="bench/gc_probe.py: where the server's memory starts")
             for step, mib in now["rss_mib"].items()]
    status = servable()
    names = tuple(n for n in plane_models() if status.get(n) == "ok")
    before = keras_results(names, 10 if quick else PREDICT_CALLS).get("gc")
    if before:
        rows.append(measured(
            "gc per rerun", "gc.collect() with TensorFlow + Keras models (the old app)",
            before["ms"], "ms",
            note=f"CPU {before['cpu_ms']:.0f} ms; {before['objects']:,} objects; "
                 f"{len(before['models'])} Keras models"))
    return rows
