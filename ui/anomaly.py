"""The anomaly page's Streamlit side: cached scores, on-demand training with progress, and the
page's address (figures: ui.anomaly_charts)."""

from __future__ import annotations

import tempfile

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import anomaly
from aecore.data.fashion_mnist import find_dataset_dir, not_found_message
from aecore.runtime import store
from aecore.training import jobs
from aecore.training.anomaly import anomaly_jobs
from ui import address, cache, sidebar

EXTREMES = 8   # images shown of each kind that fools the detector
COUNTS_NOTE = ("Caught: anomalies above the threshold. False alarms: normal images above it. "
               "Missed: anomalies at or below it. Passed: normal images at or below it.")


def stamp(held_out: int) -> tuple:
    """Changes when the held-out class's manifest does (after training) or the test images."""
    path = anomaly.held_out_dir(held_out) / store.MANIFEST_NAME
    try:
        info = path.stat()
        return str(path), info.st_mtime_ns, info.st_size, cache.data_description()
    except OSError:
        return str(path), None, None, cache.data_description()


@st.cache_data(show_spinner=False, max_entries=20)
def _status(held_out: int, stamp: tuple) -> dict[str, str]:
    return aecore.weights_status(anomaly.held_out_dir(held_out), anomaly.anomaly_models())


def problems(held_out: int) -> dict[str, str]:
    """{model: what is wrong} for the models of this class that cannot serve ({} when ready)."""
    return {n: m for n, m in _status(held_out, stamp(held_out)).items() if m != "ok"}


@st.cache_data(show_spinner="Scoring every test image (first time for this class only)…",
               max_entries=20)
def _scores(held_out: int, stamp: tuple) -> anomaly.ScoreTable:
    split = cache.test_set()
    return anomaly.score_table(held_out, split.x, split.y)


def scores(held_out: int) -> anomaly.ScoreTable:
    return _scores(held_out, stamp(held_out))


@st.cache_data(show_spinner=False, max_entries=64)
def _test_images(indices: tuple[int, ...], source: str) -> np.ndarray:
    return cache.test_set().x[list(indices)]


def test_images(indices: tuple[int, ...]) -> np.ndarray:
    return _test_images(indices, cache.data_description())


@st.cache_data(show_spinner=False, max_entries=64)
def reconstruct(held_out: int, name: str, stamp: tuple, indices: tuple[int, ...]) -> np.ndarray:
    """Reconstructions of some test images by one model of this held-out class."""
    model = aecore.load_model(name, anomaly.held_out_dir(held_out))
    return model.reconstruct(test_images(indices))


def training_note(held_out: int) -> str:
    """How each model of this class was trained, from its manifest."""
    entries = store.read_manifest(anomaly.held_out_dir(held_out))["models"]
    parts = []
    for name in anomaly.anomaly_models():
        entry = entries.get(name, {})
        cut = ", stopped by its time limit" if entry.get("stopped_by_time_limit") else ""
        parts.append(f"`{name}` {entry.get('epochs')} epochs on {entry.get('train_images', 0):,} "
                     f"images in {entry.get('train_seconds')} s ({entry.get('trained_on')}{cut})")
    return "Trained without this class: " + "; ".join(parts) + "."


# --- training a class nobody has trained yet ---------------------------------------------------

@st.cache_resource(show_spinner=False)
def _runs() -> dict[int, list]:
    """Server-wide: held-out class -> [(job, future)], so two sessions never train it twice."""
    return {}


def is_training(held_out: int) -> bool:
    return held_out in _runs()


def start_training(held_out: int) -> None:
    """Submit one job per anomaly model to the app's training pool (separate processes)."""
    if find_dataset_dir() is None:   # (checked without loading it into the app)
        st.error(f"Training needs the full dataset. {not_found_message()}")
        return
    progress_dir = tempfile.mkdtemp(prefix="ae-anomaly-")
    pool = sidebar.training_executor()
    _runs()[held_out] = [(job, pool.submit(jobs.run_job, job))
                         for job in anomaly_jobs(held_out, progress_dir=progress_dir)]


def _fraction(job: jobs.TrainingJob, progress: dict) -> float:
    """Epochs done, or time used when the time limit will end training first."""
    by_epoch = progress.get("epoch", 0) / (progress.get("epochs") or job.epochs or 1)
    by_time = progress.get("seconds", 0) / job.time_limit if job.time_limit else 0.0
    return min(max(by_epoch, by_time), 1.0)


@st.fragment(run_every=1.0)
def training_progress(held_out: int) -> None:
    """One progress bar per model until every job has ended, then the page reloads."""
    runs = _runs().get(held_out, [])
    for job, future in runs:
        progress = jobs.read_progress(job.progress_file)
        if future.done():
            text = f"{job.name}: done"
        elif progress:
            text = f"{job.name}: epoch {progress.get('epoch', 0)}, {progress['seconds']:.0f} s"
        else:
            text = f"{job.name}: waiting for a free training process"
        st.progress(1.0 if future.done() else _fraction(job, progress), text=text)
    if not all(future.done() for _, future in runs):
        return
    _runs().pop(held_out, None)
    failed = [f"{job.name}: {future.exception()}" for job, future in runs if future.exception()]
    if failed:
        st.error("Training failed. " + "; ".join(failed) + " Try it from a terminal: "
                 f"python -m aecore.anomaly --held-out {held_out}")
        return
    _status.clear()
    st.rerun(scope="app")


@st.cache_data(show_spinner=False, max_entries=20)
def _curves(held_out: int, stamp: tuple) -> dict[str, anomaly.Curves]:
    table = _scores(held_out, stamp)
    return {score: anomaly.curves(s, table.is_anomaly) for score, s in table.test.items()}


def curves(held_out: int) -> dict[str, anomaly.Curves]:
    """ROC and precision–recall of every score of this held-out class."""
    return _curves(held_out, stamp(held_out))


# --- the page's state in its address (ui.address) ---------------------------------------------

def threshold_key() -> str:
    """The threshold slider's key: one threshold per held-out class and score."""
    held_out = st.session_state.get("anomaly_class", anomaly.DEFAULT_HELD_OUT)
    score = st.session_state.get("anomaly_score") or anomaly.score_ids()[0]
    return f"anomaly_threshold_{held_out}_{score}"


def address_params() -> list[address.Param]:
    """`held_out=bag&score=vae_mlp&k=2&percentile=99.5&threshold=0.31`."""
    return [
        address.pick("held_out", "anomaly_class", range(len(aecore.CLASS_NAMES)),
                     anomaly.DEFAULT_HELD_OUT, label=aecore.CLASS_NAMES.__getitem__),
        address.pick("score", "anomaly_score", anomaly.score_ids,
                     lambda: anomaly.score_ids()[0]),
        address.num("k", "anomaly_k", 0.0, 5.0, 3.0, step=0.5),
        address.num("percentile", "anomaly_pct", 90.0, 100.0, 99.0, step=0.5),
        address.Param("threshold", threshold_key, address.number(-1e9, 1e9),
                      address.fmt_number),
    ]
