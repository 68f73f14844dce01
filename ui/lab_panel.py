"""The lab's right-hand side: the job's place in line, then its curves and reconstruction strip
growing after every epoch (a fragment that reruns on its own), then how it ended."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from aecore.runtime.workspace import Workspace
from aecore.training import job_queue, jobs
from ui import gallery, lab_session

REFRESH_SECONDS = 0.5    # while training: how often the panel reads the progress file
WAITING_SECONDS = 2.0    # while queued: only the place in line changes


def read_strip(progress_file) -> np.ndarray | None:
    """(inputs, reconstructions) as floats in [0, 1], or None before the first epoch."""
    try:
        return np.load(jobs.preview_file(progress_file), allow_pickle=False) / 255.0
    except (OSError, ValueError):
        return None


def time_left(progress: dict) -> float | None:
    """Seconds until the last epoch ends, from the recent epochs' pace (the first is slower)."""
    seconds = (progress.get("history") or {}).get("seconds") or []
    epochs, done = progress.get("epochs") or 0, len(seconds)
    if not done or not epochs:
        return None
    recent = seconds[1:][-3:] or seconds
    return max(0.0, (epochs - done) * float(np.mean(recent)))


def status_line(ticket, progress: dict) -> tuple[str, float]:
    """What the job is doing in words, and how far along (0-1)."""
    if ticket.job.import_weights:
        return "Preparing your uploaded model for serving…", 0.5
    epoch, epochs = progress.get("epoch", 0), progress.get("epochs") or 0
    if progress.get("phase") == jobs.PHASE_SAVING:
        return "Keeping the best epoch and exporting it for serving…", 1.0
    if not epochs or not epoch:
        return "Starting a trainer and its first epoch…", 0.0
    left = time_left(progress)
    text = f"Epoch {epoch} of {epochs}" + (f" · about {left:.0f} s left" if left else "")
    return text, epoch / epochs


def curve_figure(progress: dict, vae: bool) -> go.Figure:
    """Loss and validation loss per epoch, on an x axis as long as the whole run."""
    history = progress.get("history") or {}
    fig = go.Figure()
    for key, name, dash in (("loss", "training loss", "dot"),
                            ("val_loss", "validation loss", "solid")):
        values = history.get(key) or []
        fig.add_scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers",
                        name=name, line={"dash": dash, "color": "#1f77b4"})
    fig.update_layout(height=300, margin={"t": 10, "b": 10, "l": 10, "r": 10},
                      xaxis={"title": "epoch", "range": [0.5, (progress.get("epochs") or 1) + 0.5]},
                      yaxis_title="nats per image" if vae else "BCE per pixel",
                      legend={"orientation": "h", "y": 1.1})
    return fig


def show_progress(ticket, progress: dict) -> None:
    """The curves and the reconstruction strip of the last epoch written."""
    vae = (ticket.job.spec or {}).get("params", {}).get("family") == "vae"
    if (progress.get("history") or {}).get("loss"):
        st.plotly_chart(curve_figure(progress, vae), key="lab_curves")
    strip = read_strip(ticket.job.progress_file)
    if strip is not None:
        done = len((progress.get("history") or {}).get("loss") or [])
        gallery.picture(gallery.strip(strip[0]), "Input test images, one per class",
                        "Test images the model never trained on")
        gallery.picture(gallery.strip(strip[1]), f"Reconstructions after epoch {done}",
                        f"Its reconstructions after epoch {done}")


def _stop(ticket) -> None:
    if ticket.state == job_queue.QUEUED:
        lab_session.training_queue().cancel(ticket)
    else:
        job_queue.request_stop(ticket)


@st.fragment(run_every=WAITING_SECONDS)
def waiting() -> None:
    """The place in line, refreshed every few seconds; reruns the app when the job starts."""
    ticket = lab_session.workspace().ticket
    if ticket is None or ticket.state != job_queue.QUEUED:
        st.rerun(scope="app")
    counts = lab_session.training_queue().counts()
    st.info(f"Waiting for a free trainer: you are **number {ticket.position}** in line "
            f"({counts['running']} of {counts['limit']} trainers busy).")
    st.button("Leave the queue", key="lab_leave", on_click=_stop, args=(ticket,),
              icon=":material/close:")


@st.fragment(run_every=REFRESH_SECONDS)
def live() -> None:
    """Refreshes itself while the job trains; reruns the app when it ends."""
    ticket = lab_session.workspace().ticket
    if ticket is None or ticket.is_final:
        st.rerun(scope="app")
    progress = jobs.read_progress(ticket.job.progress_file)
    text, share = status_line(ticket, progress)
    st.progress(share, text=text)
    show_progress(ticket, progress)
    if ticket.job.import_weights:
        return
    stopping = Path(ticket.job.stop_file).exists()
    st.button("Stopping…" if stopping else "Stop", key="lab_stop", on_click=_stop,
              args=(ticket,), disabled=stopping, icon=":material/stop_circle:",
              help="Ends training after the current batch and keeps the best epoch so far.")


def ended(workspace: Workspace) -> None:
    """How the last job ended, with its final curves."""
    ticket = workspace.ticket
    if ticket.state == job_queue.DONE:
        result = ticket.result or {}
        spec = workspace.specs.get(result.get("name"))
        title = spec.title if spec else result.get("name")
        bce = result.get("test_bce")
        st.success(f"**{title}** is ready" + (f": test BCE {bce:.4f}" if bce else "") +
                   (" (stopped early; the best epoch was kept)" if result.get("stopped") else "")
                   + ". It is in every list of models in this session: Compare, Denoiser, "
                   "Training curves" + (", the latent pages" if spec and spec.has_plane else "")
                   + " and the applications.")
    elif ticket.state == job_queue.FAILED:
        st.error(f"Training failed. {ticket.error}")
    else:
        st.info("The job was cancelled; nothing was kept.")
    progress = jobs.read_progress(ticket.job.progress_file)
    if progress and not ticket.job.import_weights:
        show_progress(ticket, progress)


def panel(workspace: Workspace) -> None:
    """The right-hand side for the session's current or last job."""
    ticket = workspace.ticket
    if ticket is None:
        st.info("Choose a variant and its knobs, then press **Train**: the curves and "
                "reconstructions appear here after every epoch.")
    elif ticket.is_final:
        ended(workspace)
    elif ticket.state == job_queue.QUEUED:
        waiting()
    else:
        live()
