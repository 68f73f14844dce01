"""The anomaly page's Streamlit side: cached scores, on-demand training with progress, figures."""

from __future__ import annotations

import tempfile

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import anomaly
from aecore.runtime import store
from aecore.training import jobs
from aecore.training.anomaly import anomaly_jobs
from ui import address, cache, sidebar

HIST_BINS = 60
EXTREMES = 8   # images shown of each kind that fools the detector
LINE_STYLES = ("solid", "dot", "dash", "dashdot")   # your threshold, then the rules
NORMAL_COLOR, ANOMALY_COLOR = "#4c78a8", "#e45756"
COUNTS_NOTE = ("Caught: anomalies above the threshold. False alarms: normal images above it. "
               "Missed: anomalies at or below it. Passed: normal images at or below it.")


def stamp(held_out: int) -> tuple:
    """Changes when the held-out class's manifest does (after training)."""
    path = anomaly.held_out_dir(held_out) / store.MANIFEST_NAME
    try:
        info = path.stat()
        return str(path), info.st_mtime_ns, info.st_size
    except OSError:
        return str(path), None, None


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
def test_images(indices: tuple[int, ...]) -> np.ndarray:
    return cache.test_set().x[list(indices)]


def auc_rows(curves: dict[str, anomaly.Curves]) -> list[dict]:
    return [{"Score": anomaly.score_label(score), "ROC AUC": f"{c.roc_auc:.3f}",
             "PR AUC": f"{c.pr_auc:.3f}"} for score, c in curves.items()]


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
    try:
        aecore.load_fashion_mnist(allow_download=False)
    except aecore.DatasetNotFound as exc:
        st.error(f"Training needs the full dataset. {exc}")
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


def rule_rows(scores: np.ndarray, is_anomaly: np.ndarray, rules: dict[str, float]) -> list:
    """Where each threshold rule lands: its value and what it flags."""
    rows = []
    for rule, value in rules.items():
        c = anomaly.counts_at(scores, is_anomaly, value)
        rows.append({"Rule (on training scores)": rule, "Threshold": f"{value:.4g}",
                     "Flagged": f"{c.tp + c.fp:,}", "Precision": f"{c.precision:.3f}",
                     "Recall": f"{c.recall:.3f}", "F1": f"{c.f1:.3f}"})
    return rows


# --- figures (plain dicts: cheap to cache and to send) ------------------------------------------

def _bins(values: np.ndarray) -> np.ndarray:
    """Histogram edges over the central 99.8 % of the values, so a few outliers don't squash it."""
    low, high = np.percentile(values, [0.1, 99.9])
    return np.linspace(low, high, HIST_BINS + 1)


def histogram_figure(scores: np.ndarray, is_anomaly: np.ndarray, title: str,
                     class_name: str) -> dict:
    """Normal and anomalous score histograms, each as a share of its group."""
    edges = _bins(scores)
    centres, width = (edges[:-1] + edges[1:]) / 2, edges[1] - edges[0]
    fig, top = go.Figure(), 0.0
    for label, mask, colour in (("normal (other classes)", ~is_anomaly, NORMAL_COLOR),
                                (f"anomalous ({class_name})", is_anomaly, ANOMALY_COLOR)):
        counts, _ = np.histogram(np.clip(scores[mask], edges[0], edges[-1]), edges)
        shares = counts / max(mask.sum(), 1)
        top = max(top, float(shares.max(initial=0.0)))
        fig.add_bar(x=centres, y=shares, width=width, name=label, marker_color=colour,
                    opacity=0.6)
    fig.update_layout(barmode="overlay", height=340, title=title, bargap=0, meta={"top": top},
                      margin={"t": 40, "b": 10, "l": 10, "r": 10},
                      xaxis_title="score (higher = more unusual)", yaxis_title="share of images",
                      legend={"orientation": "h", "y": -0.3})
    return fig.to_dict()


def with_lines(fig: dict, lines: dict[str, float]) -> dict:
    """The histogram with vertical lines: your threshold (solid), then the rules."""
    top = fig["layout"]["meta"]["top"] * 1.05
    fig["data"] += [{"type": "scatter", "x": [value, value], "y": [0, top], "mode": "lines",
                     "name": label, "line": {"color": "#222", "dash": style, "width": 2}}
                    for (label, value), style in zip(lines.items(), LINE_STYLES, strict=False)]
    return fig


def dash(score: str) -> str:
    """Scores of one model share its colour; the floor-corrected one is dashed."""
    return "dash" if score.endswith(".excess") else "solid"


def curve_figure(kind: str, curves: dict[str, anomaly.Curves]) -> dict:
    """ROC (kind 'roc') or precision–recall ('pr') curves of every score, with AUCs."""
    fig = go.Figure()
    for score, c in curves.items():
        x, y, area = (c.fpr, c.tpr, c.roc_auc) if kind == "roc" else (c.recall, c.precision,
                                                                       c.pr_auc)
        fig.add_scatter(x=x, y=y, mode="lines", name=f"{anomaly.score_label(score)}: AUC "
                        f"{area:.3f}", line={"color": colour(score), "dash": dash(score)})
    base = next(iter(curves.values())).base_rate if curves else 0.0
    guess = ([0, 1], [0, 1]) if kind == "roc" else ([0, 1], [base, base])
    fig.add_scatter(x=guess[0], y=guess[1], mode="lines", name="guessing",
                    line={"dash": "dot", "color": "#999"})
    titles = (("false positive rate", "true positive rate") if kind == "roc"
              else ("recall", "precision"))
    fig.update_layout(height=330, margin={"t": 30, "b": 10, "l": 10, "r": 10},
                      title="ROC" if kind == "roc" else "Precision–recall",
                      xaxis_title=titles[0], yaxis_title=titles[1], yaxis_range=[0, 1.02],
                      legend={"orientation": "h", "y": -0.3})
    return fig.to_dict()


def colour(score: str) -> str:
    return aecore.model_color(anomaly.score_model(score))


def with_point(fig: dict, score: str, point: tuple[float, float]) -> dict:
    """The curves with your threshold's operating point on one score's curve."""
    fig["data"].append({"type": "scatter", "x": [point[0]], "y": [point[1]], "mode": "markers",
                        "marker": {"color": colour(score), "size": 11, "symbol": "x"},
                        "name": "your threshold", "showlegend": False})
    return fig


@st.cache_data(show_spinner=False, max_entries=60)
def _histogram(held_out: int, score: str, stamp: tuple) -> dict:
    table = _scores(held_out, stamp)
    return histogram_figure(table.test[score], table.is_anomaly, anomaly.score_label(score),
                            aecore.CLASS_NAMES[held_out])


def histogram(held_out: int, score: str, lines: dict[str, float]) -> dict:
    """One score's histogram (cached) with lines at the given thresholds."""
    return with_lines(_histogram(held_out, score, stamp(held_out)), lines)


@st.cache_data(show_spinner=False, max_entries=40)
def _curve(held_out: int, kind: str, stamp: tuple) -> dict:
    return curve_figure(kind, _curves(held_out, stamp))


def curve(held_out: int, kind: str, score: str, point: tuple[float, float]) -> dict:
    """ROC or precision–recall curves (cached) with the operating point of `score`."""
    return with_point(_curve(held_out, kind, stamp(held_out)), score, point)


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
