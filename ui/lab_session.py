"""The lab's place in the app: one training queue for the whole server, one workspace per session
(removed when the session ends), and the registry's view of this session's own models.

`attach()` runs at the start of every full script run (app.py). The registry finds the session's
models through `current_specs`, which reads the running session's state: fragment reruns run in
threads app.py never ran in, so a context variable set there would not reach them.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from aecore.models import registry
from aecore.models.registry import ModelSpec
from aecore.runtime.workspace import Workspace
from aecore.training.job_queue import JobQueue

KEY = "_lab_workspace"


@st.cache_resource(show_spinner=False)
def training_queue() -> JobQueue:
    """The server's queue: at most $AE_TRAINING_WORKERS trainings at once (one per two cores)."""
    return JobQueue()


def _release(workspace: Workspace) -> None:
    workspace.release()


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _ends_with_session(folder: str, _workspace: Workspace) -> Workspace:
    """Holds the workspace in a session-scoped cache: Streamlit releases it (and so removes its
    models) when the session disconnects. Keyed by the workspace's folder."""
    return _workspace


def current_specs() -> dict[str, ModelSpec] | None:
    """The registry's session source: this session's models (None outside a script run)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    workspace = st.session_state.get(KEY)
    return workspace.specs if workspace is not None else None


def attach() -> Workspace | None:
    """Put this session's workspace in its state and let the registry see its models (does
    nothing outside a script run: a process that imports app.py bare)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    workspace = st.session_state.get(KEY)
    if workspace is None or workspace.closed:
        workspace = Workspace(cancel=training_queue().cancel)
        st.session_state[KEY] = workspace
    _ends_with_session(str(workspace.folder), workspace)
    registry.set_session_source(current_specs)
    workspace.touch()
    gone = workspace.prune()
    if gone:
        st.toast(f"Your models {', '.join(gone)} were removed after the time limit.")
    return workspace


def workspace() -> Workspace:
    """This session's workspace (attached by app.py; attached here when a page runs alone)."""
    found = st.session_state.get(KEY)
    return found if found is not None else attach()
