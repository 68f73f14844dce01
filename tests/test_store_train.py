"""Training CLI on a few hundred images, the manifest, verified loading and resume."""

import json

import h5py
import keras
import numpy as np
import pytest

from aecore import WeightsError, files, load_model
from aecore.models.registry import all_specs, get_spec
from aecore.runtime import store
from aecore.training.evaluate import add_targets
from aecore.training.evaluate import main as evaluate_main
from aecore.training.train import main as train_main
from aecore.training.train import parse_args, train_model
from aecore.training.weights import load_built

DENSE = next(s for s in all_specs() if s.family == "dense" and s.target_bce)  # a fast one
VAE = next(s for s in all_specs() if s.is_vae and s.has_plane)


@pytest.fixture(scope="module")
def trained_dir(tmp_path_factory):
    """A dense model and a 2-D VAE trained for one epoch on 512 images through the CLI."""
    folder = tmp_path_factory.mktemp("weights")
    for name in (DENSE.name, VAE.name):
        code = train_main(["--model", name, "--epochs", "1", "--limit", "512",
                           "--eval-limit", "256", "--weights-dir", str(folder)])
        assert code == 0
    return folder


def test_cli_writes_weights_serving_files_history_and_manifest(trained_dir):
    manifest = json.loads((trained_dir / "manifest.json").read_text())
    entry = manifest["models"][DENSE.name]
    assert entry["file"] == f"{DENSE.name}.weights.h5" and len(entry["sha256"]) == 64
    assert entry["epochs"] == 1 and entry["train_images"] == 512
    assert entry["backend"] == keras.backend.backend() and entry["keras_version"]
    assert entry["trained_on"].endswith(f", {keras.backend.backend()}")
    assert 0.2422 < entry["metrics"]["test_bce"] < 0.7
    assert set(entry["serving"]) == {"encoder", "decoder", "max_abs_difference"}
    assert set(manifest["models"][VAE.name]["serving"]) >= {"encoder", "decoder", "browser"}
    for part in ("encoder", "decoder"):
        record = entry["serving"][part]
        assert store.sha256_of(trained_dir / record["file"]) == record["sha256"]
    history = json.loads((trained_dir / "history" / f"{DENSE.name}.json").read_text())
    assert history["epoch"] == [1] and len(history["val_loss"]) == 1
    assert not (trained_dir / "checkpoints").exists()
    vae = manifest["models"][VAE.name]["metrics"]
    assert vae["elbo_nats"] == pytest.approx(vae["reconstruction_nats"] + vae["kl_nats"])


def test_weights_have_no_optimizer_state(trained_dir):
    with h5py.File(trained_dir / f"{DENSE.name}.weights.h5") as handle:
        assert "optimizer" not in handle
    assert (trained_dir / f"{DENSE.name}.weights.h5").stat().st_size < 1_000_000


def test_trained_model_serves_and_reconstructs(trained_dir):
    model = load_model(DENSE.name, trained_dir)
    x = np.random.default_rng(0).random((4, 28, 28)).astype(np.float32)
    assert model.reconstruct(x).shape == (4, 28, 28)
    assert model.entry["metrics"]["test_bce"] > 0
    status = store.weights_status(trained_dir)
    assert status[DENSE.name] == status[VAE.name] == "ok"
    other = next(s.name for s in all_specs() if s.name not in (DENSE.name, VAE.name))
    assert "no entry" in status[other]


def test_evaluate_cli_prints_table(trained_dir, capsys):
    evaluate_main(["--model", DENSE.name, "--weights-dir", str(trained_dir)])
    out = capsys.readouterr().out
    assert DENSE.name in out and "0.2422" in out and "Hoyer" in out
    if DENSE.article_bce:
        assert f"{DENSE.article_bce:.3f}" in out
    assert f"≤ {DENSE.target_bce:.4f} ✗" in out   # one epoch on 512 images misses the target


def test_targets_follow_the_spec_or_another_models_score(trained_dir):
    beats = next(s for s in all_specs() if s.target_beats)
    rival = get_spec(beats.target_beats)
    own = next(s for s in all_specs() if s.target_bce and s.name != rival.name)
    unscored = next(s for s in all_specs() if s.target_bce and s.name not in (rival.name, own.name))
    score = rival.target_bce - 0.005
    rows = [{"model": rival.name, "test_bce": score},
            {"model": beats.name, "test_bce": score - 1e-4},
            {"model": own.name, "test_bce": own.target_bce + 4e-5}, {"model": unscored.name}]
    add_targets(rows, trained_dir)
    rival_row, beats_row, own_row, unscored_row = rows
    assert rival_row["target_bce"] == rival.target_bce and rival_row["meets_target"]
    assert beats_row["target_bce"] == score and beats_row["meets_target"]
    assert not own_row["meets_target"]                  # strictly: 4e-5 above misses
    assert unscored_row["target_bce"] == unscored.target_bce
    assert "meets_target" not in unscored_row


def copy_store(source, target):
    for path in source.rglob("*"):
        if path.is_file():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            (target / path.relative_to(source)).write_bytes(path.read_bytes())
    return target


def edit_manifest(folder, name, **changes):
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["models"][name].update(changes)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def test_damaged_keras_weights_stop_training_side_loading_not_serving(trained_dir, tmp_path):
    """The app serves from the ONNX files; the .weights.h5 file matters for resuming and
    re-exporting, so damage there is reported by `load_built` with the retrain command."""
    folder = copy_store(trained_dir, tmp_path)
    raw = bytearray((folder / f"{DENSE.name}.weights.h5").read_bytes())
    raw[-100] ^= 0xFF
    (folder / f"{DENSE.name}.weights.h5").write_bytes(bytes(raw))
    fix = f"python -m aecore.train --model {DENSE.name}"
    with pytest.raises(WeightsError, match=f"checksum.*{fix}"):
        load_built(DENSE.name, folder)
    assert store.weights_status(folder, [DENSE.name]) == {DENSE.name: "ok"}
    assert load_model(DENSE.name, folder).decode(np.zeros(DENSE.latent_dim)).shape == (1, 28, 28)


def test_fingerprint_mismatch_is_detected(trained_dir, tmp_path):
    folder = copy_store(trained_dir, tmp_path)
    edit_manifest(folder, DENSE.name, fingerprint="0" * 16)
    with pytest.raises(WeightsError, match="different architecture"):
        load_built(DENSE.name, folder)


def test_unreadable_file_with_matching_checksum(trained_dir, tmp_path):
    folder = copy_store(trained_dir, tmp_path)
    path = folder / f"{DENSE.name}.weights.h5"
    path.write_bytes(b"not hdf5")
    edit_manifest(folder, DENSE.name, sha256=store.sha256_of(path))
    with pytest.raises(WeightsError, match="could not be read"):
        load_built(DENSE.name, folder)


def test_missing_keras_file_and_damaged_manifest(trained_dir, tmp_path):
    folder = copy_store(trained_dir, tmp_path)
    (folder / f"{VAE.name}.weights.h5").unlink()
    with pytest.raises(WeightsError, match=f"missing.*--model {VAE.name}"):
        load_built(VAE.name, folder)
    assert load_model(VAE.name, folder).decode([0.0, 0.0]).shape == (1, 28, 28)
    (folder / "manifest.json").write_text("{ not json")
    with pytest.raises(WeightsError, match="manifest.json is damaged"):
        load_model(DENSE.name, folder)
    assert "manifest.json is damaged" in store.weights_status(folder)[DENSE.name]


def test_atomic_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    files.atomic_write_json(target, {"a": 1})

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", boom)
    with pytest.raises(OSError):
        files.atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


class StopAfter(keras.callbacks.Callback):
    """Simulates a kill after `epochs` finished epochs."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def random_data(seed: int):
    """256 random training images and 64 validation images, in load_fashion_mnist's layout."""
    x = np.random.default_rng(seed).random((256, 28, 28)).astype(np.float32)
    return (x, np.zeros(256, int)), (x[:64], np.zeros(64, int))


def test_training_resumes_after_a_kill(tmp_path):
    data = random_data(0)
    with pytest.raises(KeyboardInterrupt):
        train_model(DENSE.name, epochs=3, weights_dir=tmp_path, data=data, verbose=0,
                    callbacks=[StopAfter(2)])
    assert (tmp_path / "checkpoints" / DENSE.name / "backup").exists()
    entry = train_model(DENSE.name, epochs=3, weights_dir=tmp_path, data=data, verbose=0)
    history = json.loads((tmp_path / "history" / f"{DENSE.name}.json").read_text())
    assert history["epoch"] == [1, 2, 3] and entry["epochs"] == 3


def test_time_limit_stops_after_the_crossing_epoch_and_is_recorded(tmp_path):
    data = random_data(1)
    args = parse_args(["--model", DENSE.name, "--time-limit", "0", "--learning-rate", "3e-4"])
    assert args.time_limit == 0 and args.learning_rate == 3e-4
    entry = train_model(DENSE.name, epochs=5, weights_dir=tmp_path, data=data, verbose=0,
                        time_limit=0, learning_rate=3e-4)
    assert entry["epochs"] == 1 and entry["stopped_by_time_limit"] is True
    assert entry["initial_learning_rate"] == 3e-4
    assert store.read_manifest(tmp_path)["models"][DENSE.name]["stopped_by_time_limit"] is True
    entry = train_model(DENSE.name, epochs=2, weights_dir=tmp_path, data=data, verbose=0)
    assert entry["epochs"] == 2 and entry["stopped_by_time_limit"] is False
