"""Lab: build a variant from knobs, watch it learn live, then use it on every page."""

import functools

import streamlit as st

import aecore
from aecore.analysis import tables
from aecore.data import find_dataset_dir
from aecore.models import lab
from aecore.runtime import workspace as ws_files
from aecore.runtime.workspace import MAX_MODELS, Workspace
from ui import address, cache, downloads, lab_knobs, lab_panel, lab_session

st.title("Lab: train your own autoencoder")
st.caption("Pick a variant, turn its knobs and press **Train**. Training runs in a separate "
           "process on this server; the curves and reconstructions grow after every epoch. "
           "When it is done your model joins every page of this session, marked *yours*. "
           "It lives until you close the tab: download it to keep it.")


def train(workspace: Workspace, settings: lab.LabSettings, title: str) -> None:
    """Queue a training job for the knobs (errors are shown, nothing is queued)."""
    try:
        name = lab.free_name(title or "my_model", aecore.list_models())
        job = workspace.training_job(name, title, settings)
    except lab.LabError as exc:
        st.session_state["lab_error"] = str(exc)
        return
    workspace.ticket = lab_session.training_queue().submit(job, on_done=workspace.finished)


def train_button(workspace: Workspace, settings: lab.LabSettings | None, title: str) -> None:
    blocked = None
    if find_dataset_dir() is None:
        blocked = "Training needs the Fashion-MNIST dataset on the server (see the README)."
    elif workspace.full:
        blocked = f"You have {MAX_MODELS} models: remove one below to train another."
    if blocked:
        st.warning(blocked)
    st.button("Train", type="primary", icon=":material/model_training:", key="lab_train",
              disabled=bool(blocked) or settings is None or workspace.busy,
              on_click=train, args=(workspace, settings, title))
    if "lab_error" in st.session_state:
        st.error(st.session_state.pop("lab_error"))


def model_row(workspace: Workspace, spec: aecore.ModelSpec, bce: float | None) -> None:
    """One of the session's models: rename, facts, download, remove."""
    a, b, c = st.columns([3, 1.3, 1], vertical_alignment="bottom")
    a.text_input("Name", lab.unmarked(spec.title), key=f"lab_rename_{spec.name}",
                 on_change=lambda: workspace.rename(
                     spec.name, st.session_state[f"lab_rename_{spec.name}"]))
    with b:
        downloads.offer("Download", functools.partial(ws_files.model_zip, spec),
                        f"{spec.name}.zip", "application/zip", key=f"lab_zip_{spec.name}",
                        help=".weights.h5, spec JSON, manifest entry and history: upload the "
                             "zip here later to get the model back")
    c.button("Remove", key=f"lab_remove_{spec.name}", icon=":material/delete:",
             on_click=workspace.remove, args=(spec.name,))
    st.caption(f"`{spec.name}` · {spec.architecture}"
               + (f" · test BCE {bce:.4f}" if bce is not None else ""))


def upload(workspace: Workspace) -> None:
    """Bring back a downloaded model: its zip, or its .weights.h5 with its .spec.json."""
    count = st.session_state.setdefault("lab_uploads", 0)
    files = st.file_uploader("Bring back a model you downloaded", type=["zip", "h5", "json"],
                             accept_multiple_files=True, key=f"lab_upload_{count}")
    if not files or not st.button("Load it", key="lab_load", disabled=workspace.busy):
        return
    try:
        job = workspace.import_job([(f.name, f.getvalue()) for f in files],
                                   taken=aecore.list_models())
    except lab.LabError as exc:
        st.error(str(exc))
        return
    workspace.ticket = lab_session.training_queue().submit(job, on_done=workspace.finished)
    st.session_state["lab_uploads"] = count + 1
    st.rerun()


if "lab_epochs" not in st.session_state:
    lab_knobs.apply_preset()  # the knobs' starting values, which a link then adjusts
ADDRESS = address.bind("lab", lab_knobs.address_params())
workspace = lab_session.workspace()
lab_session.training_queue().prewarm()
left, right = st.columns([2, 3], gap="large")
with left:
    try:
        chosen, chosen_title = lab_knobs.knobs()
    except lab.LabError as exc:
        st.error(str(exc))
        chosen, chosen_title = None, ""
    train_button(workspace, chosen, chosen_title)
with right:
    lab_panel.panel(workspace)

st.header("Your models")
if workspace.specs:
    scores = tables.test_bce_by_model(cache.weights_status())
    for lab_spec in workspace.specs.values():
        model_row(workspace, lab_spec, scores.get(lab_spec.name))
else:
    st.caption("None yet in this session.")
upload(workspace)
ADDRESS.write()
