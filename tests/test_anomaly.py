"""aecore's anomaly detection: data without a class, scores, curves, thresholds, the cache, jobs."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

import aecore
from aecore.analysis import anomaly
from aecore.analysis.metrics import per_image_bce
from aecore.models.registry import ROLE_ANOMALY, get_spec
from aecore.paths import WEIGHTS_DIR
from aecore.runtime.api import TrainedModel
from aecore.training import jobs
from aecore.training.anomaly import anomaly_jobs, class_index, main

SHIPPED = anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, WEIGHTS_DIR)


def labelled(n=40, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 10
    return rng.random((n, 28, 28), dtype=np.float32), y


def test_without_class_removes_it_from_training_and_validation():
    (x, y), (xt, yt) = labelled(), labelled(30, 1)
    (x2, y2), (xt2, yt2) = anomaly.without_class(((x, y), (xt, yt)), 3)
    assert 3 not in y2 and 3 not in yt2
    assert len(x2) == len(y2) == np.sum(y != 3) and len(xt2) == np.sum(yt != 3)
    np.testing.assert_array_equal(x2, x[y != 3])


def test_anomaly_models_come_from_the_registry_role():
    names = anomaly.anomaly_models()
    assert names and all(ROLE_ANOMALY in get_spec(n).roles for n in names)
    assert any(get_spec(n).is_vae for n in names), "the negative-ELBO score needs a VAE"
    assert any(not get_spec(n).is_vae for n in names), "the reconstruction score needs a plain AE"


def test_class_index_accepts_numbers_and_names():
    assert class_index("8") == class_index("bag") == aecore.CLASS_NAMES.index("Bag")
    with pytest.raises(Exception, match="no class"):
        class_index("hat")


def fake_vae(decoded: float = 0.5) -> TrainedModel:
    """A 'VAE' whose encoder says N(0, 1) for every image and whose decoder paints grey."""
    vae = next(n for n in anomaly.anomaly_models() if get_spec(n).is_vae)
    spec = get_spec(vae)
    encode = lambda x: [np.zeros((len(x), spec.latent_dim), np.float32)] * 2  # noqa: E731
    decode = lambda z: np.full((len(z), 28, 28), decoded, np.float32)  # noqa: E731
    return TrainedModel(spec, encode, decode)


def test_negative_elbo_of_a_known_model():
    # z ~ N(0, 1) = the prior: KL is 0; a grey decoder costs 784 * ln 2 nats on any image.
    x, _ = labelled(5)
    np.testing.assert_allclose(anomaly.negative_elbo(fake_vae(), x), 784 * math.log(2), rtol=1e-5)
    (score, values), = anomaly.model_scores(fake_vae(), x).items()
    assert anomaly.score_model(score) == fake_vae().name and values.shape == (5,)


def test_a_plain_model_gives_its_bce_and_the_bce_above_the_floor():
    x, _ = labelled(5)
    name = next(n for n in anomaly.anomaly_models() if not get_spec(n).is_vae)
    copy = TrainedModel(get_spec(name), lambda x: x.reshape(len(x), -1)[:, :32],
                        lambda z: np.full((len(z), 28, 28), 0.5, np.float32))
    copy.reconstruct = lambda images: images   # a perfect copy: only the floor is left
    scores = anomaly.model_scores(copy, x)
    assert list(scores) == [f"{name}.bce", f"{name}.excess"]
    np.testing.assert_allclose(scores[f"{name}.excess"], 0.0, atol=1e-9)
    np.testing.assert_allclose(scores[f"{name}.bce"], per_image_bce(x, x))  # not zero: grey
    assert set(anomaly.score_ids()) >= set(scores)
    assert anomaly.score_label(f"{name}.excess") == f"BCE above the image's floor ({name})"


def test_curves_agree_with_scikit_learn_and_the_extremes():
    rng = np.random.default_rng(0)
    truth = np.arange(200) < 20
    scores = rng.normal(size=200) + 2.0 * truth
    c = anomaly.curves(scores, truth)
    assert c.roc_auc == pytest.approx(roc_auc_score(truth, scores))
    assert c.base_rate == pytest.approx(0.1) and c.base_rate < c.pr_auc <= 1.0
    perfect = anomaly.curves(truth.astype(float), truth)
    assert perfect.roc_auc == pytest.approx(1.0) and perfect.pr_auc == pytest.approx(1.0)


def test_counts_precision_recall_f1_by_hand():
    scores = np.array([0.1, 0.2, 0.3, 0.8, 0.9, 0.4])
    truth = np.array([False, False, True, True, True, False])
    c = anomaly.counts_at(scores, truth, 0.35)   # flags 0.8, 0.9, 0.4
    assert (c.tp, c.fp, c.tn, c.fn) == (2, 1, 2, 1)
    assert c.precision == pytest.approx(2 / 3) and c.recall == pytest.approx(2 / 3)
    assert c.f1 == pytest.approx(2 / 3)
    none = anomaly.counts_at(scores, truth, 1.0)
    assert (none.precision, none.recall, none.f1) == (0.0, 0.0, 0.0)


def test_threshold_rules_from_training_scores():
    reference = np.arange(101, dtype=float)
    rules = anomaly.threshold_rules(reference, 2.0, 90.0)
    assert rules == {"mean + 2·σ": pytest.approx(50 + 2 * np.std(reference)),
                     "90th percentile": pytest.approx(90.0), "maximum": 100.0}


def test_extremes_pick_the_worst_normals_and_the_best_anomalies():
    scores = np.array([5.0, 1.0, 9.0, 0.5, 3.0, 7.0])
    truth = np.array([False, False, False, True, True, True])
    worst_normal, best_anomalous = anomaly.extremes(scores, truth, 2)
    assert list(worst_normal) == [2, 0] and list(best_anomalous) == [3, 4]


def test_jobs_train_without_the_class_into_its_own_folder(tmp_path):
    planned = anomaly_jobs(4, tmp_path, progress_dir=tmp_path / "progress")
    assert [j.name for j in planned] == anomaly.anomaly_models()
    assert all(j.exclude_class == 4 and j.time_limit for j in planned)
    assert {j.weights_dir for j in planned} == {str(tmp_path / "anomaly" / "without-4")}
    (_, y_train), (_, y_test) = jobs.job_data(planned[0])
    assert 4 not in y_train and 4 not in y_test and len(y_train) > 50_000
    assert jobs.job_data(jobs.TrainingJob("basic")) is None


@pytest.fixture
def shipped_copy(tmp_path):
    """The shipped models of the default held-out class, copied to a scratch weights folder."""
    assert SHIPPED.is_dir(), f"{SHIPPED} is missing: python -m aecore.anomaly"
    shutil.copytree(SHIPPED, anomaly.held_out_dir(anomaly.DEFAULT_HELD_OUT, tmp_path))
    return tmp_path


def test_score_table_is_computed_once_then_read_from_disk(shipped_copy, monkeypatch):
    monkeypatch.setattr(anomaly, "REFERENCE_IMAGES", 300)
    split = aecore.load_test_set()
    x, y = split.x[::25], split.y[::25]
    table = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, x, y, shipped_copy)
    assert list(table.test) == anomaly.score_ids()
    assert all(s.shape == (len(x),) and np.isfinite(s).all() for s in table.test.values())
    assert table.reference is not None and all(len(r) == 300 for r in table.reference.values())
    assert table.is_anomaly.sum() == np.sum(y == anomaly.DEFAULT_HELD_OUT) > 0
    assert list((shipped_copy / ".cache" / "anomaly").glob("without-*.npz"))

    monkeypatch.setattr(anomaly, "model_scores", lambda *a: pytest.fail("not from the cache"))
    again = anomaly.score_table(anomaly.DEFAULT_HELD_OUT, x, y, shipped_copy)
    for name in table.test:
        np.testing.assert_array_equal(again.test[name], table.test[name])


def test_shipped_models_flag_the_held_out_class_better_than_chance():
    (_, y_train), _ = aecore.load_fashion_mnist(allow_download=False)
    split = aecore.load_test_set()
    models = anomaly.load_anomaly_models(anomaly.DEFAULT_HELD_OUT)
    truth = split.y == anomaly.DEFAULT_HELD_OUT
    for name, model in models.items():
        assert model.entry["train_images"] == np.sum(y_train != anomaly.DEFAULT_HELD_OUT), name
        for score, values in anomaly.model_scores(model, split.x[::10]).items():
            auc = anomaly.curves(values, truth[::10]).roc_auc
            assert auc > 0.7, f"{score}: ROC AUC {auc:.3f}"


def test_the_command_runs_one_job_per_model(tmp_path, capsys, monkeypatch):
    ran = []

    def fake_run(job):
        ran.append(job)
        return {"name": job.name, "test_bce": 0.3, "epochs": job.epochs, "train_seconds": 1.0}

    monkeypatch.setattr("aecore.training.anomaly.run_job", fake_run)
    assert main(["--held-out", "trouser", "--epochs", "2", "--weights-dir", str(tmp_path)]) == 0
    assert [job.name for job in ran] == anomaly.anomaly_models()
    assert {(job.exclude_class, job.epochs) for job in ran} == {
        (aecore.CLASS_NAMES.index("Trouser"), 2)}
    out = capsys.readouterr().out
    assert all(f"== {name}: test BCE 0.3000" in out for name in anomaly.anomaly_models())


def test_score_text_keeps_a_rows_decimals():
    assert [anomaly.score_text(v) for v in (0.11, 0.131, 0.0512)] == ["0.110", "0.131", "0.051"]
    assert [anomaly.score_text(v) for v in (412.26, 1234.5, -3.0)] == ["412.3", "1,234.5", "-3.000"]
