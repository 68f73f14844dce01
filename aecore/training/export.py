"""Serving files from trained Keras weights: `python -m aecore.export --model NAME|all`.

For each model: the encoder and decoder as ONNX (what the app serves through ONNX Runtime) and,
for models with a 2-D code, the decoder's arrays for the browser and (from the command) the
test set's codes; for wider codes (from the command) the t-SNE view of the test set's codes,
which the app shows without running t-SNE. Each export is checked
against Keras on fixed inputs before it is recorded in the manifest with its checksum. Weights
trained under JAX on a GPU are exported here, on a TensorFlow machine (tf2onnx needs it).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np

from aecore.data import find_dataset_dir, load_sample, load_test_set
from aecore.errors import WeightsError
from aecore.models.registry import get_spec, list_models
from aecore.runtime import codes, store, tsne
from aecore.runtime.api import OnnxFunction, call_in_batches, load_model
from aecore.training.weights import load_built, traced
from aecore.web.decoder_arrays import reference_decode, save_export
from aecore.web.decoder_export import export_decoder

AGREEMENT_TOLERANCE = 1e-5   # max |ONNX - Keras| / max(1, max |Keras|) on the check inputs
CHECK_SEED = 0


def inference_copy(model: keras.Model) -> keras.Model:
    """The model without activity regularizers (their loss term is no part of inference and
    breaks the ONNX conversion), with the same weights."""
    def clone_layer(layer):
        config = layer.get_config()
        if config.get("activity_regularizer") is not None:
            config["activity_regularizer"] = None
        return layer.__class__.from_config(config)

    if not any(getattr(layer, "activity_regularizer", None) for layer in model.layers):
        return model
    copy = keras.models.clone_model(model, clone_function=clone_layer)
    copy.set_weights(model.get_weights())
    copy(np.zeros((1, *model.inputs[0].shape[1:]), dtype="float32"))  # export wants a call
    return copy


def export_onnx(model: keras.Model, path: Path) -> None:
    """`model.export(format="onnx")` into a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        inference_copy(model).export(tmp, format="onnx", verbose=False)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_inputs(latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Fixed images and codes the exports are checked on."""
    rng = np.random.default_rng(CHECK_SEED)
    return (rng.random((64, 28, 28), dtype=np.float32),
            rng.standard_normal((64, latent_dim), dtype=np.float32))


def max_difference(a, b) -> float:
    """Largest |a - b|, relative to b's largest value where that exceeds 1: float32 rounding
    grows with the values (a relu code of 30 already differs by ~1e-5 in the sixth digit)."""
    pairs = zip(a, b, strict=True) if isinstance(a, list) else [(a, b)]
    return max(float(np.max(np.abs(np.asarray(x) - np.asarray(y))))
               / max(1.0, float(np.max(np.abs(y)))) for x, y in pairs)


def export_model(name: str, weights_dir: str | Path | None = None) -> dict:
    """Write and check the serving files of one model; record them in its manifest entry."""
    spec = get_spec(name)
    folder = store.resolve_dir(weights_dir)
    built, _ = load_built(name, folder)
    images, codes = check_inputs(spec.latent_dim)
    serving, differences = {}, {}
    for part, model, inputs in (("encoder", built.encoder, images),
                                ("decoder", built.decoder, codes)):
        path = store.serving_file(name, part, folder)
        export_onnx(model, path)
        onnx_out = call_in_batches(OnnxFunction(path), inputs)
        differences[part] = max_difference(onnx_out, call_in_batches(traced(model), inputs))
        serving[part] = store.file_record(path, folder)
    if spec.has_plane:
        export = export_decoder(built.decoder)
        differences["browser"] = max_difference(
            reference_decode(export, codes), call_in_batches(traced(built.decoder), codes))
        path = store.serving_file(name, store.BROWSER_PART, folder)
        save_export(export, path)
        serving["browser"] = store.file_record(path, folder)
    worst = max(differences.values())
    if worst > AGREEMENT_TOLERANCE:
        raise WeightsError(f"The exports of '{name}' disagree with Keras by {worst:.2e} "
                           f"(allowed {AGREEMENT_TOLERANCE:.0e}): {differences}")
    serving["max_abs_difference"] = {k: float(f"{v:.3g}") for k, v in differences.items()}

    def add_serving(entry: dict) -> dict:
        entry["serving"] = serving
        entry["parameters"] = int(built.autoencoder.count_params())
        return entry
    return store.update_entry(name, add_serving, folder)


def image_sets() -> list:
    """The shipped sample, and the full test set where the dataset is installed."""
    return [load_sample(), *([load_test_set()] if find_dataset_dir() is not None else [])]


def ship_plane_codes(name: str, weights_dir: str | Path | None = None) -> list[Path]:
    """Store the test-set codes of a 2-D model beside its weights (the pages' scatter plots)."""
    model = load_model(name, weights_dir)
    return [codes.ship_codes(model, split, weights_dir) for split in image_sets()]


def ship_tsne_views(name: str, weights_dir: str | Path | None = None) -> list[Path]:
    """Store the t-SNE view of the test-set codes of a model whose codes are wider than two
    numbers (the Latent space page's t-SNE option), for each image set."""
    model = load_model(name, weights_dir)
    return [tsne.ship_tsne(model, split, codes.test_set_codes(model, split, weights_dir),
                           weights_dir) for split in image_sets()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export trained weights for serving (ONNX).")
    parser.add_argument("--model", default="all", help=f"one of {', '.join(list_models())} or all")
    parser.add_argument("--weights-dir", default=None, help="where the weights are (weights/)")
    parser.add_argument("--no-codes", action="store_true",
                        help="do not store the test-set codes of 2-D models in weights/codes/ "
                             "nor the t-SNE views of the others in weights/tsne/")
    args = parser.parse_args(argv)
    names = list_models() if args.model == "all" else [args.model]
    failed = 0
    for name in names:
        try:
            entry = export_model(name, args.weights_dir)
        except (KeyError, WeightsError) as exc:
            print(f"error: {name}: {exc}", file=sys.stderr)
            failed += 1
            continue
        if not args.no_codes:
            ship = ship_plane_codes if get_spec(name).has_plane else ship_tsne_views
            ship(name, args.weights_dir)
        diffs = entry["serving"]["max_abs_difference"]
        print(f"{name}: " + ", ".join(f"{k} max |diff| {v:.1e}" for k, v in diffs.items()),
              flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
