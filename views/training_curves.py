"""Training curves: loss and val_loss per epoch from the shipped histories."""

import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import downloads, tables
from aecore.analysis.metrics import FLOOR_BCE
from ui import address, datatable
from ui import downloads as download

st.title("Training curves")
st.caption("Loss per epoch as recorded while each shipped model was trained: solid lines are "
           "the validation loss (test images the model never trained on), dotted lines the "
           "training loss. Dashed horizontal lines mark the article's reported number.")


def _figure(title: str, y_title: str, log_y: bool) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=title, height=420, margin={"t": 50, "b": 10},
                      xaxis_title="epoch", yaxis_title=y_title, legend={"orientation": "h"},
                      yaxis_type="log" if log_y else "linear", hovermode="x unified")
    return fig


def _add_model(fig: go.Figure, name: str, history: dict, show_train: bool) -> None:
    color = aecore.model_color(name)
    for key, dash in (("val_loss", "solid"), ("loss", "dot")):
        if key == "loss" and not show_train:
            continue
        epochs, values = tables.curve(history, key)
        if epochs:
            fig.add_scatter(x=epochs, y=values, mode="lines", name=f"{name} {key}",
                            line={"color": color, "dash": dash}, legendgroup=name)
    article = aecore.get_spec(name).article_bce
    if article is not None:
        fig.add_hline(y=article, line_dash="dash", line_color=color, opacity=0.7,
                      annotation_text=f"article {name} {article}",
                      annotation_position="top left", annotation_font_color=color)


def _chart(names: list[str], histories: dict, vae: bool, show_train: bool, log_y: bool):
    if vae:
        fig = _figure("Variational models", "loss (nats per image: 784·BCE + KL)", log_y)
    else:
        fig = _figure("Reconstruction models", "binary cross-entropy per pixel", log_y)
        fig.add_hline(y=FLOOR_BCE, line_dash="dot", line_color="#555",
                      annotation_text=f"floor {FLOOR_BCE}", annotation_position="bottom right")
    for name in names:
        _add_model(fig, name, histories[name], show_train)
    longest = max(len(histories[n].get("epoch") or []) for n in names)
    step = max(1, round(longest / 10))
    fig.update_xaxes(tick0=1 if step == 1 else 0, dtick=step)
    st.plotly_chart(fig, key=f"curves_{'vae' if vae else 'bce'}")


@st.cache_data(show_spinner=False)
def _history(name: str, stamp: tuple) -> dict | None:
    return aecore.runtime.store.read_history(name)


def histories() -> dict[str, dict]:
    """The recorded history of every model that has one."""
    found = {n: _history(n, tables.weights_stamp(n)) for n in aecore.list_models()}
    return {n: h for n, h in found.items() if tables.is_history(h)}


found = histories()
ADDRESS = address.bind("curves", [
    address.picks("models", "curves_models", list(found), list(found)),
    address.switch("train", "curves_train", True),
    address.switch("log", "curves_log", False),
])


@st.fragment
@ADDRESS.synced
def curves(found: dict[str, dict]) -> None:
    """Model choice and the two charts (reruns on its own)."""
    if "curves_models" not in st.session_state:
        st.session_state["curves_models"] = list(found)
    a, b, c = st.columns([5, 1.3, 1], vertical_alignment="bottom")
    names = a.multiselect("Models", list(found), key="curves_models", persist_state="session",
                          format_func=lambda n: aecore.get_spec(n).title)
    show_train = b.toggle("Training loss", True, key="curves_train", persist_state="session")
    log_y = c.toggle("Log scale", False, key="curves_log", persist_state="session")
    bce = [n for n in names if not aecore.get_spec(n).is_vae]
    vae = [n for n in names if aecore.get_spec(n).is_vae]
    if not names:
        st.info("Choose at least one model.")
    if bce:
        _chart(bce, found, False, show_train, log_y)
    if vae:
        _chart(vae, found, True, show_train, log_y)
    if names:
        download.offer("Download the curves (CSV)",
                       lambda: downloads.history_csv({n: found[n] for n in names}),
                       "training_curves.csv", downloads.CSV, "curves_csv",
                       help="One row per model and epoch: loss, val_loss and the learning rate")


if found:
    curves(found)
else:
    st.info("No training history has been recorded yet. Histories appear here once a model is "
            "trained: `python -m aecore.train --model NAME` (or `make train` for all).")
    ADDRESS.write()

missing = [n for n in aecore.list_models() if n not in found]
if missing:
    st.caption("No history yet for " + ", ".join(f"`{n}`" for n in missing) +
               ". Train one with `python -m aecore.train --model NAME`.")

if found:
    st.header("How each model was trained")
    manifest = tables.read_manifest_safely()
    rows, shared = tables.shared_columns(
        [tables.training_summary(n, h, manifest.get(n)) for n, h in found.items()])
    datatable.show(rows, formats={"Best val_loss": ".4f", "Seconds": ",.0f"},
                   help={"Epoch cap": "The most epochs the preset allows this model"})
    caps = tables.number_span(aecore.get_spec(n).train.full_epochs for n in found)
    same = ", ".join(f"{column} {value}" for column, value in shared.items())
    st.caption((f"Same for every model: {same}. " if same else "")
               + "Preset *quick* is a few epochs for a laptop; *full* trains up to the model's "
               f"epoch cap ({caps} epochs "
               "here) and stops early when the validation loss stops improving. The weights "
               "kept are those of the best epoch.")
