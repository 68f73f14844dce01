"""One short training epoch per dense model on this CPU, in its own process (imports Keras).

`python -m bench.epoch_probe --images 10000 --budget 30` trains each registry model of family
"dense" for one epoch on a fixed subset of the training images, with the model's own batch size
and compile settings, after a short warm-up fit (tracing and compilation, timed apart). A model
that would not finish inside the time budget (judged by the one before) is reported skipped.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import time


def one_epoch(name: str, x) -> dict:
    from aecore.models.registry import get_spec
    from aecore.training.train import STEPS_PER_EXECUTION, compile_for_training, training_model
    from aecore.training.weights import build_ready

    spec = get_spec(name)
    model = training_model(spec, build_ready(name))
    compile_for_training(spec, model, spec.train.learning_rate)
    batch = spec.train.batch_size
    chunk = batch * STEPS_PER_EXECUTION  # warm-up sees a full chunk and the same ragged tail,
    warm = x[: chunk + len(x) % chunk]   # so the timed epoch traces nothing new
    t0 = time.perf_counter()
    model.fit(warm, warm, batch_size=batch, epochs=1, verbose=0)
    compiled = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.fit(x, x, batch_size=batch, epochs=1, verbose=0)
    return {"epoch_s": time.perf_counter() - t0, "warmup_s": compiled, "batch_size": batch,
            "images": len(x)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.epoch_probe")
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--budget", type=float, default=30.0, help="seconds for all models")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    import keras  # noqa: F401  (imported inside the budget)
    import numpy as np

    from aecore.data import load_fashion_mnist
    from aecore.models.registry import all_specs

    (x_train, _), _ = load_fashion_mnist(allow_download=False)
    rng = np.random.default_rng(0)
    x = x_train[np.sort(rng.choice(len(x_train), args.images, replace=False))]
    out = {"setup_s": round(time.perf_counter() - started, 2), "models": {}}
    last = 0.0
    for spec in all_specs():
        if spec.family != "dense":
            continue
        spent = time.perf_counter() - started
        if spent + last > args.budget:
            out["models"][spec.name] = {
                "skipped": f"would not fit the {args.budget:g} s budget ({spent:.0f} s spent, "
                           f"{out['setup_s']:.0f} s of it importing Keras and reading the data)"}
            continue
        t0 = time.perf_counter()
        out["models"][spec.name] = one_epoch(spec.name, x)
        last = time.perf_counter() - t0
    out["total_s"] = round(time.perf_counter() - started, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
