"""AppTest: the Anomaly detection, Retrieval and AE vs PCA pages on the shipped weights.

The first run of each page fills the disk caches (test-set codes, PCA, neighbour scores,
anomaly scores) under weights/.cache/; later runs and the browser tests read them.
"""

from __future__ import annotations

import functools
import io
from concurrent.futures import Future

import numpy as np
import pytest
from pagetools import PAGE_FILES, figures, gallery_labels, tables
from PIL import Image
from streamlit.testing.v1 import AppTest

import aecore
from aecore.analysis import anomaly, pca
from aecore.runtime import store
from ui import anomaly as anomaly_ui
from ui import representations as reps

TIMEOUT = 900   # a first run encodes the test set with every model on a busy 2-core machine
HELD_OUT = anomaly.DEFAULT_HELD_OUT


def run(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(PAGE_FILES[page]), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture(scope="module")
def shipped_scores() -> anomaly.ScoreTable:
    split = aecore.load_test_set()
    return anomaly.score_table(HELD_OUT, split.x, split.y)


# --- anomaly detection ------------------------------------------------------------------------

def test_anomaly_page_shows_the_aucs_of_every_score(shipped_scores):
    at = run("anomaly")
    aucs = tables(at)[0]
    assert list(aucs["Score"]) == [anomaly.score_label(s) for s in anomaly.score_ids()]
    for score, row in zip(anomaly.score_ids(), aucs.itertuples(), strict=True):
        c = anomaly.curves(shipped_scores.test[score], shipped_scores.is_anomaly)
        assert (row[2], row[3]) == (f"{c.roc_auc:.3f}", f"{c.pr_auc:.3f}")
    assert len(at.get("plotly_chart")) == len(anomaly.score_ids()) + 2  # histograms, ROC, PR
    assert len(figures(at)) == 4 * anomaly_ui.EXTREMES   # originals + reconstructions, twice
    assert len(tables(at)[1]) == 3                # one row per threshold rule


def counts(at: AppTest) -> tuple[int, int, int, int]:
    shown = metrics(at)
    return tuple(int(shown[label].replace(",", "")) for label in (
        "Caught (TP)", "False alarms (FP)", "Passed (TN)", "Missed (FN)"))


def test_threshold_slider_and_rules_update_the_counts(shipped_scores):
    at = run("anomaly")
    score = anomaly.score_ids()[0]
    scores, truth = shipped_scores.test[score], shipped_scores.is_anomaly
    slider = at.slider(key=f"anomaly_threshold_{HELD_OUT}_{score}")
    low = float(np.percentile(scores, 50))
    slider.set_value(low).run()
    expected = anomaly.counts_at(scores, truth, at.slider(key=slider.key).value)
    assert counts(at) == (expected.tp, expected.fp, expected.tn, expected.fn)
    assert metrics(at)["Recall"] == f"{expected.recall:.3f}"

    rules = anomaly.threshold_rules(shipped_scores.reference[score], 3.0, 99.0)
    at.button(key=f"{slider.key}_maximum").click().run()
    assert at.slider(key=slider.key).value == pytest.approx(rules["maximum"])
    strict = anomaly.counts_at(scores, truth, rules["maximum"])
    assert counts(at) == (strict.tp, strict.fp, strict.tn, strict.fn)
    assert strict != expected


def submitted_names() -> list[str]:
    return anomaly.anomaly_models()


class InlinePool:
    """Runs each job at once in this process (the app's pool spawns processes)."""

    def submit(self, fn, *args):
        future = Future()
        future.set_result(fn(*args))
        return future


@pytest.mark.slow
def test_training_a_new_class_from_the_page_then_showing_it(monkeypatch, tmp_path):
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", tmp_path)
    monkeypatch.setattr("ui.sidebar.training_executor", InlinePool)
    monkeypatch.setattr(anomaly_ui, "anomaly_jobs", functools.partial(
        anomaly_ui.anomaly_jobs, epochs=1, limit=256))
    held_out = aecore.CLASS_NAMES.index("Trouser")
    at = run("anomaly", anomaly_class=held_out)
    at.button(key=f"anomaly_train_{held_out}").click().run()   # trains, then reloads
    assert not at.exception, at.exception
    at.run()
    assert list(tables(at)[0]["Score"]) == [anomaly.score_label(s)
                                                for s in anomaly.score_ids()]
    assert "1 epochs on 256 images" in texts(at.caption)
    assert anomaly.held_out_dir(held_out, tmp_path).is_dir()


def test_an_untrained_class_offers_training_in_the_pool(monkeypatch):
    missing = next(c for c in range(10) if not anomaly.held_out_dir(c).exists())
    submitted = []

    class Pool:
        def submit(self, fn, job):
            submitted.append(job)
            return Future()   # never finishes: the page keeps showing progress

    monkeypatch.setattr("ui.sidebar.training_executor", lambda: Pool())
    at = run("anomaly", anomaly_class=missing)
    assert f"without **{aecore.CLASS_NAMES[missing]}**" in texts(at.info)
    at.button(key=f"anomaly_train_{missing}").click().run()
    try:
        assert [j.name for j in submitted] == submitted_names()
        assert {j.exclude_class for j in submitted} == {missing}
        bars = [bar.proto.text for bar in at.get("progress")]
        assert bars == [f"{n}: waiting for a free training process" for n in submitted_names()]
    finally:
        anomaly_ui._runs().pop(missing, None)


# --- retrieval --------------------------------------------------------------------------------

def test_retrieval_shows_three_rows_of_neighbours_and_the_table():
    at = run("retrieval")
    k = at.slider(key="retrieval_k").value
    assert len(figures(at)) == 1 + 3 * k              # the query, then codes, PCA, raw pixels
    marks = [f.caption for f in figures(at)[1:]]
    assert all(c.endswith(("✓", "✗")) for c in marks)
    heads = [label for label in gallery_labels(at) if "same class" in label]
    assert sum(c.endswith("✓") for c in marks) == sum(int(h.split("\n")[1].split()[0])
                                                      for h in heads)
    table = tables(at)[0]
    served = [name for name, status in aecore.weights_status().items() if status == "ok"]
    assert list(table["Representation"]) == [rep.label for rep in reps.every(served)]
    assert table[f"Precision@{k}"].astype(float).between(0, 1).all()
    assert len(at.get("plotly_chart")) == 1


def png(light_background=False) -> bytes:
    arr = np.zeros((60, 40), np.uint8)
    arr[10:50, 8:32] = 220
    buffer = io.BytesIO()
    Image.fromarray(255 - arr if light_background else arr).save(buffer, format="PNG")
    return buffer.getvalue()


def test_retrieval_uploads_a_query_and_explains_a_bad_one():
    at = run("retrieval", retrieval_query_mode="Upload")
    assert "Upload a picture" in texts(at.info)
    at.file_uploader(key="retrieval_query_upload").set_value(
        ("notes.png", b"this is not a picture", "image/png")).run()
    assert not at.exception and "notes.png" in texts(at.error)
    at.file_uploader(key="retrieval_query_upload").set_value(
        ("shirt.png", png(), "image/png")).run()
    assert not at.exception and not at.error
    k = at.slider(key="retrieval_k").value
    assert len(figures(at)) == 1 + 3 * k and figures(at)[0].caption.endswith("shirt.png")


# --- AE vs PCA --------------------------------------------------------------------------------

def test_ae_vs_pca_verdicts_follow_the_numbers():
    at = run("ae_vs_pca")
    table = tables(at)[0]
    models = list(table["Model"])
    assert models == [n for n in aecore.list_models() if n in models] and models
    curve = pca.cached_bce_by_size(pca.training_pca(), aecore.load_test_set().x,
                                   tuple(sorted({*pca.CURVE_SIZES, *table["Numbers"]})))
    losers = []
    for _, row in table.iterrows():
        assert row["PCA, same size"] == f"{curve[row['Numbers']]:.4f}"
        loses = float(row["Model BCE"]) >= curve[row["Numbers"]]
        assert row["Verdict"] == ("loses to PCA" if loses else "beats PCA")
        losers += [row["Model"]] if loses else []
    summary = next(m.value for m in at.markdown if m.value.startswith("**Where")
                   or m.value.startswith("**Every"))
    assert all(f"`{name}`" in summary for name in losers)
    noisy = [n for n in models if aecore.get_spec(n).input_noise]
    assert all(table.set_index("Model").loc[n, "Scored on"] == "clean input, here" for n in noisy)
    assert len(at.get("plotly_chart")) == 2
    knn_line = next(m.value for m in at.markdown if "classifies" in m.value)
    for name in models:
        size = aecore.get_spec(name).latent_dim
        code, linear = (reps.scores(r).knn_accuracy for r in (reps.of_model(name),
                                                               reps.pca_of(size)))
        assert (f"`{name}`" in knn_line) == (code < linear), name
    sizes = [aecore.get_spec(n).latent_dim for n in models]
    assert len(figures(at)) == 1 + 2 * len(set(sizes))   # at first one model per code size


# --- without the dataset: the shipped sample ----------------------------------------------------

@pytest.fixture
def sample_only(monkeypatch):
    """Fashion-MNIST not installed: the test set is the shipped sample, no training images."""
    from ui import cache

    def clear():  # ui.cache keys the codes by the weights only: the images change here
        for cached in (cache.test_set, cache.data_description, cache._test_codes,
                       reps.test_split, reps.basis, reps.test_fingerprint, anomaly_ui._scores,
                       anomaly_ui._curves):
            cached.clear()

    monkeypatch.setattr("aecore.data.fashion_mnist.candidate_dirs", lambda: [])
    clear()
    yield
    clear()


def test_the_pages_explain_what_needs_the_dataset(sample_only):
    at = run("anomaly")
    assert "need the training images" in texts(at.info)      # no threshold rules
    assert len(tables(at)[0]) == len(anomaly.score_ids())  # the AUCs still show
    at = run("retrieval")
    assert "PCA is fitted on the training images" in texts(at.info)
    assert list(tables(at)[0]["Representation"])[-1] == reps.RAW.label
    at = run("ae_vs_pca")
    assert "PCA is fitted on the training images" in texts(at.info) and not tables(at)
