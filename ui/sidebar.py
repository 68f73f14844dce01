"""The sidebar (data source, weights status) and the notice shown for a model that cannot serve,
with a one-click quick training that runs in a separate process."""

from __future__ import annotations

import tempfile
from concurrent.futures import Executor
from pathlib import Path

import streamlit as st

import aecore
from aecore.analysis import tables
from aecore.training import jobs
from aecore.training.job_queue import QueueExecutor
from ui import cache

STATUS_ICON = {"ok": ":green[●]", "missing": ":orange[○]", "damaged": ":red[✖]"}
JOBS_KEY = "_training_jobs"   # session_state: model name -> (future, progress file)


def training_executor() -> Executor:
    """The server's training queue as an Executor (worker processes, shared by every session
    and limited together with the Lab's jobs)."""
    from ui import lab_session

    return QueueExecutor(lab_session.training_queue())


def sidebar() -> None:
    """Where the images come from and which models can be served."""
    with st.sidebar:
        try:
            st.caption(f"**Data:** {cache.data_description()}")
        except aecore.DatasetNotFound as exc:
            st.error(str(exc))
        try:
            status = cache.weights_status()
        except aecore.WeightsError as exc:
            st.error(f"Could not check the weights: {exc}")
            return
        lines = []
        for name, message in status.items():
            kind = tables.status_kind(message)
            note = "" if kind == "ok" else f" — {kind}"
            lines.append(f"{STATUS_ICON[kind]} `{name}`{note}")
        st.caption("**Weights**  \n" + "  \n".join(lines))
        problems = {n: m for n, m in status.items() if m != "ok"}
        if problems:
            with st.expander("How to fix the weights"):
                for name, message in problems.items():
                    st.caption(f"`{name}`: {message}")


def model_or_notice(name: str, key: str = "") -> aecore.TrainedModel | None:
    """The model, or None after a warning with the fix and a one-click quick training."""
    try:
        return cache.get_model(name)
    except aecore.WeightsError as exc:
        st.warning(f"**{aecore.get_spec(name).title}** cannot be shown: {exc}")
    running = st.session_state.get(JOBS_KEY, {}).get(name)
    if running is not None:
        training_progress(name)
    elif st.button("Train a quick version now", key=f"train_{key}_{name}",
                   help="A few epochs in a separate process; the page reloads when done."):
        start_quick_training(name)
    return None


def start_quick_training(name: str) -> None:
    """Submit the quick preset to the training pool; progress shows while it runs."""
    try:
        aecore.load_fashion_mnist(allow_download=False)
    except aecore.DatasetNotFound as exc:
        st.error(f"Training needs the full dataset. {exc}")
        return
    folder = Path(tempfile.mkdtemp(prefix="ae-train-"))
    progress = str(folder / "progress.json")
    future = training_executor().submit(jobs.run_job,
                                        jobs.TrainingJob(name, "quick", progress_file=progress))
    st.session_state.setdefault(JOBS_KEY, {})[name] = (future, progress)
    st.rerun()


@st.fragment(run_every=1.0)
def training_progress(name: str) -> None:
    """A progress bar that refreshes every second until the job ends, then reloads the app."""
    future, progress_file = st.session_state[JOBS_KEY][name]
    progress = jobs.read_progress(progress_file)
    epochs = progress.get("epochs") or aecore.get_spec(name).train.quick_epochs
    epoch = progress.get("epoch", 0)
    if not future.done():
        text = (f"Training {name} in a separate process: epoch {epoch} of {epochs}"
                + (f", val_loss {progress['val_loss']:.4f}" if "val_loss" in progress else ""))
        st.progress(min(epoch / epochs, 1.0), text=text)
        return
    del st.session_state[JOBS_KEY][name]
    error = future.exception()
    if error is not None:
        st.error(f"Training {name} failed: {error}. Try it from a terminal: "
                 f"python -m aecore.train --model {name}")
        return
    cache.clear_model_caches()
    st.rerun(scope="app")
