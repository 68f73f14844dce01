"""Serving files from trained Keras weights: `python -m aecore.export --model NAME|all`.

For each model: the encoder and decoder as ONNX (what the app serves through ONNX Runtime) and,
for models with a 2-D code, the decoder's arrays for the browser and (from the command) the
test set's codes; for wider codes (from the command) the t-SNE view of the test set's codes,
which the app shows without running t-SNE. The command also ships what the Retrieval, AE vs PCA
and Anomaly detection pages derive from the weights and the full test set (`ship_results`), so
a fresh clone computes none of it on a visitor's first click. Each export is checked
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

from aecore.analysis import anomaly, pca, retrieval
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


def ship_results(names: list[str], weights_dir: str | Path | None = None) -> None:
    """Store in the weights folder what pages derive from the weights and the full test set:
    the nearest-neighbour scores of each model's codes (weights/retrieval/<name>.json), the clean
    BCE of models trained on noisy input (weights/clean-bce/), the PCA basis and its BCE curve
    (weights/pca/), PCA's and raw pixels' neighbour scores (weights/retrieval/pca-<k>.json,
    pixels.json), and the scores of each trained anomaly class (weights/anomaly/without-<k>/
    scores.npz). Each holds the key of what it was made from and is ignored when that changes;
    a current file is kept as it is. Needs the dataset (else nothing is shipped)."""
    if find_dataset_dir() is None:
        print("no dataset installed: no page results shipped", file=sys.stderr)
        return
    split = load_test_set()
    test_key = retrieval.test_set_key(split.x, split.y)
    for name in names:
        model = load_model(name, weights_dir)

        def model_codes(model=model):
            return codes.test_set_codes(model, split, weights_dir)
        retrieval.cached_neighbour_scores(retrieval.model_key_parts(name, model.entry, test_key),
                                          model_codes, split.y, weights_dir, ship=True)
        if model.spec.input_noise:   # the others' clean BCE is the manifest's test BCE
            pca.clean_bce(model, split.x, weights_dir, codes=model_codes, ship=True)
    basis = pca.training_pca(ship=True)
    sizes = sorted({get_spec(name).latent_dim for name in list_models()})
    pca.cached_bce_by_size(basis, split.x, sorted({*pca.CURVE_SIZES, *sizes}), ship=True)
    for k in sizes:
        retrieval.cached_neighbour_scores(retrieval.pca_key_parts(k, basis.components, test_key),
                                          lambda k=k: basis.encode(split.x, k), split.y,
                                          data_only=True, ship=True)
    retrieval.cached_neighbour_scores(retrieval.pixels_key_parts(test_key),
                                      lambda: retrieval.features(split.x), split.y,
                                      data_only=True, ship=True)
    for held_out in trained_anomaly_classes(weights_dir):
        anomaly.score_table(held_out, split.x, split.y, weights_dir, ship=True)


def trained_anomaly_classes(weights_dir: str | Path | None = None) -> list[int]:
    """The held-out classes whose anomaly models all serve."""
    return [held_out for held_out in range(len(anomaly.CLASS_NAMES))
            if anomaly.held_out_dir(held_out, weights_dir).is_dir()
            and all(message == "ok" for message in store.weights_status(
                anomaly.held_out_dir(held_out, weights_dir), anomaly.anomaly_models()).values())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Export trained weights for serving (ONNX).")
    parser.add_argument("--model", default="all", help=f"one of {', '.join(list_models())} or all")
    parser.add_argument("--weights-dir", default=None, help="where the weights are (weights/)")
    parser.add_argument("--no-codes", action="store_true",
                        help="do not store the test-set codes of 2-D models in weights/codes/, "
                             "the t-SNE views of the others in weights/tsne/ nor the pages' "
                             "results (ship_results)")
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
    if not args.no_codes and not failed:
        ship_results(names, args.weights_dir)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
