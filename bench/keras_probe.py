"""Keras side of the benchmarks, in its own process (the bench itself never imports Keras).

`python -m bench.keras_probe --predict NAME ... [--gc]` prints one JSON object:
  predict: {name: {"ms": median ms of `decoder.predict` on one latent point, "calls": n}
            or {"error": "..."}}
  gc:      (with --gc) full `gc.collect()` ms after importing TensorFlow, the app's modules
           and every model with Keras weights: the per-rerun collection the old app paid
           (Streamlit runs gc.collect(2) after each script run).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time

import numpy as np


def predict_ms(name: str, repeats: int) -> dict:
    from aecore.errors import WeightsError
    from aecore.models.registry import get_spec
    from aecore.training.weights import load_built

    try:
        built, _ = load_built(name)
    except WeightsError as exc:
        return {"error": str(exc).splitlines()[0]}
    z = np.full((1, get_spec(name).latent_dim), 0.5, dtype=np.float32)
    for _ in range(3):
        built.decoder.predict(z, verbose=0)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        built.decoder.predict(z, verbose=0)
        times.append((time.perf_counter() - t0) * 1000)
    return {"ms": statistics.median(times), "calls": repeats}


def gc_with_keras(repeats: int = 5) -> dict:
    import importlib

    from aecore.errors import WeightsError
    from aecore.models.registry import list_models
    from aecore.training.weights import load_built
    from bench.gc_probe import app_imports, full_collections

    for module in app_imports():  # the app's own modules too, as in the old server
        importlib.import_module(module)
    loaded = {}  # kept alive, as the old app kept its models
    for name in list_models():
        try:
            loaded[name] = load_built(name)[0]
        except WeightsError:
            continue
    times, cpu = full_collections(repeats)
    return {"ms": statistics.median(times), "cpu_ms": statistics.median(cpu),
            "objects": len(gc.get_objects()), "models": list(loaded)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.keras_probe")
    parser.add_argument("--predict", nargs="*", default=[])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--gc", action="store_true")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    import keras  # noqa: F401  (timed: what the app no longer pays)

    out = {"import_keras_s": round(time.perf_counter() - t0, 2),
           "predict": {name: predict_ms(name, args.repeats) for name in args.predict}}
    if args.gc:
        out["gc"] = gc_with_keras()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
