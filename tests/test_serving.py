"""Serving through ONNX Runtime: the shipped ONNX files agree with Keras, the manifest's checksums
match the serving files, and damaged or missing serving files are a WeightsError with the fix.

A registry model without shipped weights skips locally and fails under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from pagetools import in_ci, require_shipped

from aecore import WeightsError, list_models, load_model
from aecore.data import load_sample
from aecore.models.registry import get_spec, plane_models
from aecore.paths import PACKAGE_ROOT, WEIGHTS_DIR
from aecore.runtime import store
from aecore.training.export import AGREEMENT_TOLERANCE, max_difference
from aecore.training.weights import keras_model, load_built
from ui.pages import PAGES

EXPORT_FIX = "python -m aecore.export"


def shipped() -> dict[str, dict]:
    """The shipped manifest's models, read when a test runs (weights may be retrained meanwhile)."""
    return store.read_manifest()["models"]


def fixed_inputs(latent_dim: int) -> tuple[np.ndarray, np.ndarray]:
    """Real images (the first 64 of the shipped sample) and fixed codes, the same every run."""
    codes = np.random.default_rng(123).standard_normal((64, latent_dim)).astype(np.float32)
    return load_sample().x[:64], codes


def as_list(out):
    """(z_mean, z_log_var) as the list `max_difference` compares part by part."""
    return list(out) if isinstance(out, tuple) else out


def serving_records(entry: dict) -> dict[str, dict]:
    return {part: record for part, record in entry["serving"].items() if "file" in record}


@pytest.mark.parametrize("name", list_models())
def test_onnx_agrees_with_keras_on_fixed_inputs(name):
    require_shipped(name, shipped())
    images, codes = fixed_inputs(get_spec(name).latent_dim)
    built, _ = load_built(name)
    keras_side, onnx_side = keras_model(name, built), load_model(name)
    encode = "encode_distribution" if onnx_side.spec.is_vae else "encode"
    for method, x in ((encode, images), ("decode", codes), ("reconstruct", images)):
        served, reference = (getattr(side, method)(x) for side in (onnx_side, keras_side))
        # |ONNX - Keras|, relative to the values' scale where it exceeds 1 (as the export checks)
        difference = max_difference(as_list(served), as_list(reference))
        assert difference <= AGREEMENT_TOLERANCE, f"{name}.{method}: {difference:.2e}"


@pytest.mark.parametrize("name", list_models())
def test_manifest_checksums_match_the_serving_files(name):
    entry = require_shipped(name, shipped())
    records = serving_records(entry)
    expected = {"encoder", "decoder", *(["browser"] if get_spec(name).has_plane else [])}
    assert set(records) == expected
    for record in records.values():
        path = WEIGHTS_DIR / record["file"]
        assert path.stat().st_size == record["bytes"]
        assert store.sha256_of(path) == record["sha256"], path


# --- damaged and missing files, on a copy of one model's shipped files -----------------------

@pytest.fixture
def copied(tmp_path):
    """A weights folder holding one shipped 2-D model (every kind of serving file): its name."""
    name = plane_models()[0]
    entry = require_shipped(name, shipped())
    for record in [*serving_records(entry).values(), entry]:
        (tmp_path / record["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(WEIGHTS_DIR / record["file"], tmp_path / record["file"])
    store.atomic_write_json(tmp_path / store.MANIFEST_NAME,
                            {"version": store.MANIFEST_VERSION, "models": {name: entry}})
    assert store.weights_status(tmp_path, [name]) == {name: "ok"}
    return name


def flip_bytes(path, where: int = -200) -> None:
    raw = bytearray(path.read_bytes())
    raw[where] ^= 0xFF
    path.write_bytes(bytes(raw))


def part_path(folder, name, part):
    return store.serving_file(name, part, folder)


@pytest.mark.parametrize("part", ["encoder", "decoder", "browser"])
def test_a_damaged_serving_file_names_the_export_command(tmp_path, copied, part):
    flip_bytes(part_path(tmp_path, copied, part))
    with pytest.raises(WeightsError, match=f"checksum.*{EXPORT_FIX} --model {copied}"):
        load_model(copied, tmp_path)
    assert EXPORT_FIX in store.weights_status(tmp_path, [copied])[copied]


def test_damage_is_caught_after_a_verified_load(tmp_path, copied):
    """Checksums are remembered per file version: a change of the same size, with its
    modification time set back, is still a new version (and a damaged file)."""
    load_model(copied, tmp_path)
    path = part_path(tmp_path, copied, "decoder")
    before = path.stat()
    flip_bytes(path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    with pytest.raises(WeightsError, match="checksum"):
        load_model(copied, tmp_path)


def test_remembered_checksums_stay_right_past_the_cap(tmp_path, monkeypatch):
    from aecore import files

    monkeypatch.setattr(files, "_KNOWN_DIGESTS", {})
    monkeypatch.setattr(files, "KNOWN_DIGESTS_MAX", 2)
    paths = [tmp_path / f"{i}.bin" for i in range(5)]
    for i, path in enumerate(paths):
        path.write_bytes(bytes([i]) * 100)
    for _ in range(2):
        assert [files.sha256_of_unchanged(p) for p in paths] == [files.sha256_of(p) for p in paths]
    assert len(files._KNOWN_DIGESTS) <= 2


@pytest.mark.parametrize("part", ["encoder", "decoder", "browser"])
def test_a_missing_serving_file_names_the_export_command(tmp_path, copied, part):
    part_path(tmp_path, copied, part).unlink()
    with pytest.raises(WeightsError, match=f"missing.*{EXPORT_FIX} --model {copied}"):
        load_model(copied, tmp_path)
    assert EXPORT_FIX in store.weights_status(tmp_path, [copied])[copied]


def test_an_unreadable_onnx_file_with_a_matching_checksum(tmp_path, copied):
    """Checksums can be recomputed by hand; ONNX Runtime still refuses the file, with the fix."""
    path = part_path(tmp_path, copied, "decoder")
    path.write_bytes(b"not an onnx model")
    manifest = store.read_manifest(tmp_path)
    manifest["models"][copied]["serving"]["decoder"].update(
        sha256=store.sha256_of(path), bytes=path.stat().st_size)
    store.atomic_write_json(tmp_path / store.MANIFEST_NAME, manifest)
    with pytest.raises(WeightsError, match=f"could not be read.*{EXPORT_FIX}"):
        load_model(copied, tmp_path)


def test_damaged_keras_weights_do_not_stop_serving(tmp_path, copied):
    """Documented behaviour: the app serves from the ONNX and browser files; a damaged
    .weights.h5 only matters for resuming training and re-exporting (load_built says so)."""
    flip_bytes(store.weights_file(copied, tmp_path))
    assert store.weights_status(tmp_path, [copied]) == {copied: "ok"}
    model = load_model(copied, tmp_path)
    assert model.decode(np.zeros((3, 2))).shape == (3, 28, 28)
    with pytest.raises(WeightsError, match=f"checksum.*python -m aecore.train --model {copied}"):
        load_built(copied, tmp_path)


# --- the serving process never imports TensorFlow or Keras -------------------------------------

NO_TENSORFLOW = """
import sys
import numpy as np
from streamlit.testing.v1 import AppTest

import aecore
from ui.pages import PAGES

at = AppTest.from_file("app.py", default_timeout={timeout}).run()
assert not at.exception, at.exception
for page in PAGES:
    at.switch_page(page.path).run()
    assert not at.exception, (page.path, at.exception)
wide = next(n for n in aecore.list_models() if not aecore.get_spec(n).has_plane)
at.session_state["latent_space_model"] = wide      # t-SNE: a stored view, no scikit-learn
at.session_state["latent_space_method"] = "tsne"
at.switch_page("views/latent_space.py").run()
assert not at.exception, at.exception
print("t-SNE shown:", wide, any("t-SNE places" in i.value for i in at.info))
images = aecore.load_test_set().x[:4]
for name in aecore.list_models():
    try:
        model = aecore.load_model(name)
    except aecore.WeightsError as exc:
        print("not served:", name, exc)
        continue
    assert model.decode(np.zeros((2, model.spec.latent_dim))).shape == (2, 28, 28)
    assert model.reconstruct(images).shape == (4, 28, 28)
    print("served:", name)
heavy = ("tensorflow", "keras", "tf_keras", "sklearn", "scipy", "pandas", "pyarrow")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy)
assert not loaded, f"imported: {{loaded[:10]}}"
assert "onnxruntime" in sys.modules
print("pages:", len(PAGES))
"""


def test_pages_and_models_serve_without_tensorflow():
    """A fresh process (pytest's own imports Keras for other tests) runs every page through
    AppTest (and the Latent space page's t-SNE) and every model's decode/reconstruct, then
    finds no TensorFlow, Keras, scikit-learn, SciPy or pandas module."""
    manifest = shipped()
    result = subprocess.run([sys.executable, "-c", NO_TENSORFLOW.format(timeout=300)],
                            cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    served = [line.split()[1] for line in result.stdout.splitlines()
              if line.startswith("served:")]
    for name in list_models():
        if name in manifest or in_ci():
            assert name in served, result.stdout
    assert f"pages: {len(PAGES)}" in result.stdout
    wide = next(n for n in list_models() if not get_spec(n).has_plane)
    if wide in manifest or in_ci():
        assert f"t-SNE shown: {wide} True" in result.stdout
