"""The lab's core: specs from knobs, session models in the registry, the workspace folder, and
real training jobs run by the queue's worker processes, served through ONNX afterwards.

The end-to-end tests train a tiny 2-D model (2 epochs, 300 images) in worker processes: once,
once more with the same settings (the same curve), once with a stop file (kept, cut short), and
load a downloaded zip back (the same reconstructions). In this process, a spare worker's head
start (a model traced before its job) trains the same curve as a fresh build.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from pagetools import in_ci

from aecore.analysis import downloads, tables
from aecore.data import find_dataset_dir
from aecore.models import lab, registry
from aecore.models.registry import get_spec, list_models, session_models
from aecore.runtime import store
from aecore.runtime import workspace as ws_files
from aecore.runtime.api import load_model
from aecore.runtime.workspace import Workspace
from aecore.training import jobs
from aecore.training.job_queue import DONE, JobQueue

ROOT = Path(__file__).resolve().parent.parent
TINY = lab.LabSettings(code_size=2, hidden=(16,), code_activation="linear", epochs=2,
                       batch_size=64, train_images=300, seed=3)
WAIT = 900.0   # seconds for one tiny job on a busy 2-core machine (TensorFlow starts slowly)


def needs_dataset():
    if find_dataset_dir() is None:
        if in_ci():
            pytest.fail("Fashion-MNIST is not installed (CI=true: an error, not a skip)")
        pytest.skip("training needs the Fashion-MNIST dataset")


# --- specs from knobs ------------------------------------------------------------------------

@pytest.mark.parametrize("key", list(lab.PRESETS))
def test_every_preset_makes_a_valid_spec(key):
    settings = lab.PRESETS[key].settings
    spec = lab.make_spec(f"my_{key}", lab.PRESETS[key].title, settings)
    assert spec.origin == lab.ORIGIN and spec.title.endswith(lab.YOURS)
    assert lab.settings_of(spec) == lab.validate(settings)
    assert spec.has_plane == (spec.latent_dim == 2)
    assert json.loads(json.dumps(spec.params)) == spec.params


def test_a_spec_file_is_rebuilt_from_validated_knobs_only():
    spec = lab.make_spec("mine", "Mine", TINY, "/somewhere")
    data = json.loads(json.dumps(downloads.spec_dict(spec)))
    assert lab.spec_from_file(data, "/somewhere") == spec
    hostile = {**data, "builder": "os:system", "weights_dir": "/etc", "origin": "shipped"}
    rebuilt = lab.spec_from_file(hostile, "/here")
    assert (rebuilt.builder, rebuilt.weights_dir, rebuilt.origin) == (lab.BUILDER, "/here", "lab")
    with pytest.raises(lab.LabError):
        lab.spec_from_file({**data, "params": {**data["params"], "learning_rate": 5.0}})
    with pytest.raises(lab.LabError):
        lab.spec_from_file({**data, "name": "../../etc"})
    with pytest.raises(lab.LabError):
        lab.spec_from_file({"name": "x"})


@pytest.mark.parametrize("change", [
    {"family": "conv", "hidden": (16, 8)},          # conv needs three stages
    {"family": "vae", "noise": 0.3},                # the VAE trains on clean images
    {"epochs": 0}, {"batch_size": 4}, {"hidden": (4096,)}, {"family": "lstm"},
    {"code_activation": "tanh"},
])
def test_bad_knobs_are_refused_with_a_reason(change):
    with pytest.raises(lab.LabError):
        lab.validate(dataclasses.replace(TINY, **change))


def test_names_are_file_safe_and_free():
    assert lab.slug("My deep AE!") == "my_deep_ae" and lab.slug("2-D") == "my_2_d"
    shipped = list_models()[0]
    assert lab.free_name(shipped) == f"{shipped}_2"
    assert lab.free_name("x", ["x", "x_2"]) == "x_3"
    assert lab.marked(lab.marked("Mine")) == "Mine" + lab.YOURS


# --- session models in the registry ----------------------------------------------------------

def test_session_models_are_seen_only_where_they_are_set():
    spec = lab.make_spec("only_here", "Only here", TINY)
    shipped = list_models()
    with session_models({spec.name: spec}):
        assert list_models() == [*shipped, spec.name] and get_spec(spec.name) is spec
        assert spec.name in registry.plane_models()
        seen = []
        thread = threading.Thread(target=lambda: seen.append(list_models()))
        thread.start()
        thread.join()
        assert seen == [shipped]  # another thread (another session) does not see it
    assert list_models() == shipped
    with pytest.raises(KeyError):
        get_spec(spec.name)


def test_the_session_source_serves_when_no_context_is_set():
    spec = lab.make_spec("from_source", "From source", TINY)
    registry.set_session_source(lambda: {spec.name: spec})
    try:
        assert list_models()[-1] == spec.name
        with session_models({}):
            assert spec.name not in list_models()
    finally:
        registry.set_session_source(None)
    assert spec.name not in list_models()


def test_a_model_with_its_own_folder_is_found_there(tmp_path):
    spec = lab.make_spec("elsewhere", "Elsewhere", TINY, str(tmp_path))
    shipped = list_models()[0]
    store.update_entry(spec.name, lambda _: {"metrics": {"test_bce": 0.3}}, tmp_path)
    with session_models({spec.name: spec}):
        assert store.weights_file(spec.name).parent == tmp_path
        assert store.serving_file(spec.name, "encoder").is_relative_to(tmp_path)
        assert store.history_file(spec.name).is_relative_to(tmp_path)
        assert store.weights_file(shipped).parent == store.DEFAULT_WEIGHTS_DIR
        assert tables.read_manifest_safely()[spec.name]["metrics"]["test_bce"] == 0.3
        assert str(tmp_path / store.MANIFEST_NAME) in str(tables.weights_stamp())
        assert store.weights_status()[spec.name] != "ok"


# --- the workspace ----------------------------------------------------------------------------

class Ticket:
    def __init__(self, state):
        self.state = state
        self.is_final = True


def test_workspace_keeps_finished_models_and_drops_the_rest(tmp_path):
    space = Workspace(tmp_path)
    job = space.training_job("kept", "Kept", TINY)
    Path(job.weights_dir, "x.weights.h5").parent.mkdir(parents=True)
    space.finished(Ticket(DONE))
    assert list(space.specs) == ["kept"]
    space.rename("kept", "Renamed")
    assert space.specs["kept"].title == lab.marked("Renamed")
    job = space.training_job("failed", "Failed", TINY)
    Path(job.weights_dir).mkdir(parents=True)
    space.finished(Ticket("failed"))
    assert list(space.specs) == ["kept"] and not Path(job.weights_dir).exists()
    with pytest.raises(lab.LabError):
        space.training_job("kept", "Again", TINY)
    space.ticket = type("Running", (), {"is_final": False})()
    with pytest.raises(lab.LabError, match="not finished"):
        space.training_job("another", "Another", TINY)
    space.ticket = None
    for n in range(ws_files.MAX_MODELS - 1):
        space.add(dataclasses.replace(space.specs["kept"], name=f"m{n}"))
    with pytest.raises(lab.LabError, match="remove one"):
        space.training_job("another", "Another", TINY)


def test_workspace_goes_with_its_session_and_after_the_time_limit(tmp_path):
    space = Workspace(tmp_path)
    space.training_job("one", "One", TINY)
    assert space.folder.is_dir()
    space.release()
    assert not space.folder.exists() and space.specs == {}
    old = Workspace(tmp_path)
    old.training_job("two", "Two", TINY)
    os.utime(old.folder / ws_files.ALIVE, (time.time() - 100, time.time() - 100))
    fresh = Workspace(tmp_path)
    fresh.training_job("three", "Three", TINY)
    assert ws_files.sweep(tmp_path, max_age=50) == [old.folder]
    assert fresh.folder.is_dir()


def test_uploads_say_what_is_missing(tmp_path):
    with pytest.raises(lab.LabError, match="spec.json"):
        ws_files.read_upload([("m.weights.h5", b"x")])
    with pytest.raises(lab.LabError, match="zip"):
        ws_files.read_upload([("m.zip", b"not a zip")])
    with pytest.raises(lab.LabError, match="JSON"):
        ws_files.read_upload([("m.weights.h5", b"x"), ("m.spec.json", b"{nope")])


# --- real jobs in worker processes ------------------------------------------------------------

@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A queue and a workspace; one tiny model trained through them (and its ticket)."""
    needs_dataset()
    queue = JobQueue(limit=1, warm=1)
    queue.prewarm()
    space = Workspace(tmp_path_factory.mktemp("lab"), cancel=queue.cancel)
    space.ticket = queue.submit(space.training_job("tiny", "Tiny", TINY),
                                on_done=space.finished)
    assert queue.wait(space.ticket, WAIT)
    yield queue, space, space.ticket
    queue.shutdown()


def run(queue: JobQueue, space: Workspace, job: jobs.TrainingJob):
    space.ticket = queue.submit(job, on_done=space.finished)
    assert queue.wait(space.ticket, WAIT)
    assert space.ticket.state == DONE, space.ticket.error
    return space.ticket


def test_a_job_trains_reports_every_epoch_and_joins_the_session(trained):
    _, space, ticket = trained
    assert ticket.state == DONE, ticket.error
    assert ticket.result["epochs"] == 2 and not ticket.result["stopped"]
    progress = jobs.read_progress(ticket.job.progress_file)
    assert progress["phase"] == jobs.PHASE_SAVING and progress["epoch"] == 2
    assert len(progress["history"]["val_loss"]) == 2
    strip = np.load(jobs.preview_file(ticket.job.progress_file))
    assert strip.shape == (2, 10, 28, 28) and strip.dtype == np.uint8
    spec = space.specs["tiny"]
    with session_models(space.specs):
        assert store.weights_status()["tiny"] == "ok"
        model = load_model("tiny")
        assert model.reconstruct(np.zeros((3, 28, 28))).shape == (3, 28, 28)
        assert model.browser_file is not None and model.entry["seed"] == TINY.seed
        assert store.read_history("tiny")["val_loss"] == progress["history"]["val_loss"]
    assert Path(spec.weights_dir).is_relative_to(space.folder)


def test_the_app_process_serves_it_without_tensorflow(trained):
    _, space, _ = trained
    spec = space.specs["tiny"]
    code = (
        "import json, sys, numpy as np\n"
        "from aecore.models import lab\nfrom aecore.models.registry import session_models\n"
        "from aecore.runtime.api import load_model\n"
        f"spec = lab.spec_from_file(json.loads({json.dumps(json.dumps(lab.spec_json(spec)))}),"
        f" {str(spec.weights_dir)!r})\n"
        "with session_models({spec.name: spec}):\n"
        "    load_model(spec.name).reconstruct(np.zeros((2, 28, 28)))\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, timeout=300)


def test_same_settings_and_seed_give_the_same_curve(trained):
    queue, space, first = trained
    again = run(queue, space, space.training_job("tiny_again", "Tiny again", TINY))
    a = jobs.read_progress(first.job.progress_file)  # kept: the job folder is per job
    b = jobs.read_progress(again.job.progress_file)
    assert b["history"]["loss"] == a["history"]["loss"]
    assert b["history"]["val_loss"] == a["history"]["val_loss"]


def test_a_stopped_job_keeps_its_best_epoch(trained):
    queue, space, _ = trained
    job = space.training_job("stopped", "Stopped", dataclasses.replace(TINY, epochs=30))
    Path(job.stop_file).touch()   # pressed before the first batch ends
    ticket = run(queue, space, job)
    assert ticket.result["stopped"] and ticket.result["epochs"] == 1
    with session_models(space.specs):
        assert store.weights_status()["stopped"] == "ok"


def test_a_downloaded_model_comes_back_the_same(trained):
    queue, space, _ = trained
    spec = space.specs["tiny"]
    with session_models(space.specs):
        data = ws_files.model_zip(spec)
        images = np.random.default_rng(0).random((4, 28, 28), dtype=np.float32)
        before = load_model("tiny").reconstruct(images)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {"tiny.weights.h5", "tiny.spec.json", "tiny.history.json"} <= set(
            archive.namelist())
    job = space.import_job([("tiny.zip", data)], taken=list_models())
    assert job.name == "tiny_2"
    run(queue, space, job)
    with session_models(space.specs):
        back = load_model("tiny_2")
        assert np.max(np.abs(back.reconstruct(images) - before)) < 1e-5
        assert store.read_history("tiny_2")["val_loss"] == store.read_history("tiny")["val_loss"]
        assert space.specs["tiny_2"].title == spec.title


# --- a spare worker's head start (in this process) ----------------------------------------

def test_a_head_start_serves_only_its_architecture():
    from aecore.training.lab import architecture_key

    key = architecture_key(TINY)
    training_only = dataclasses.replace(TINY, epochs=7, learning_rate=0.01, batch_size=32,
                                        train_images=500, seed=9)
    assert key is not None and architecture_key(training_only) == key
    assert architecture_key(dataclasses.replace(TINY, code_size=3)) != key
    assert architecture_key(dataclasses.replace(TINY, l1=1e-4)) != key
    assert architecture_key(dataclasses.replace(TINY, noise=0.3)) is None  # a random layer
    assert architecture_key(dataclasses.replace(TINY, family="vae")) is None


def test_a_head_start_trains_the_same_curve_as_a_fresh_build(tmp_path):
    """A spare worker's traced model, restarted from the job's seeded weights, learns exactly
    what a fresh build learns (both in this process, so with the same threads)."""
    needs_dataset()
    from aecore.training import lab as lab_jobs

    space = Workspace(tmp_path)

    def curve(name: str) -> tuple[dict, dict]:
        job = space.training_job(name, name, TINY)
        result = lab_jobs.run_lab_job(job)
        space.pending = None
        return result, jobs.read_progress(job.progress_file)["history"]

    lab_jobs.take_head_start()            # none left over from another test
    fresh, fresh_curve = curve("fresh")
    lab_jobs.prepare(TINY)
    started, started_curve = curve("started")
    assert started["head_start"] and not fresh["head_start"]
    assert started_curve["loss"] == fresh_curve["loss"]
    assert started_curve["val_loss"] == fresh_curve["val_loss"]
    assert started["test_bce"] == fresh["test_bce"]
