"""Anomaly detection: models trained without one class flag it by how poorly they explain it."""

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import anomaly
from aecore.training.anomaly import TIME_LIMIT
from ui import address, datatable, gallery
from ui import anomaly as anomaly_ui
from ui import anomaly_charts as charts

ADDRESS = address.bind("anomaly", anomaly_ui.address_params())

st.title("Anomaly detection")
st.markdown(
    "Train an autoencoder only on what is *normal* and it learns to rebuild that well and "
    "anything else badly. Here the models saw every class but one; the class they never saw "
    "plays the anomaly. Each test image gets scores: how poorly the dense autoencoder rebuilds "
    "it (per-pixel cross-entropy), the same less what a perfect copy of that image would score "
    "(cross-entropy on grey pixels is never zero, so the raw number also grows with how grey a "
    "picture is), and for the variational model the negative ELBO, an upper bound on how "
    "improbable the model finds the image. Pick a threshold on a score and everything above it "
    "is flagged. In practice the threshold comes from normal data only, so the usual rules "
    f"below look at the scores of {anomaly.REFERENCE_IMAGES:,} normal training images, never "
    "at the anomalies."
)
held_out = st.selectbox("Class held out of training (the anomaly)", range(len(aecore.CLASS_NAMES)),
                        index=anomaly.DEFAULT_HELD_OUT, format_func=aecore.CLASS_NAMES.__getitem__,
                        key="anomaly_class", persist_state="session")
class_name = aecore.CLASS_NAMES[held_out]


def offer_training(problems: dict[str, str]) -> None:
    """What to do when this class has no trained models yet: train them, with progress."""
    minutes = len(anomaly.anomaly_models()) * TIME_LIMIT / 60
    st.info(f"No models have been trained without **{class_name}** yet. Training them runs in a "
            f"separate process, at most {minutes:.0f} minutes of training plus set-up; the "
            "results are kept, so later visits are instant.")
    if anomaly_ui.is_training(held_out):
        anomaly_ui.training_progress(held_out)
    elif st.button(f"Train without {class_name} now", key=f"anomaly_train_{held_out}"):
        anomaly_ui.start_training(held_out)
        st.rerun()
    with st.expander("What is missing"):
        for name, message in problems.items():
            st.caption(f"`{name}`: {message}")
        st.caption(f"To train this class from a terminal instead: "
                   f"`python -m aecore.anomaly --held-out {held_out}`")


def set_threshold(key: str, value: float, low: float, high: float) -> None:
    st.session_state[key] = float(min(max(value, low), high))


def rule_controls(table: anomaly.ScoreTable, score: str) -> dict[str, float]:
    """k and the percentile for the rules; the rules' thresholds (none without training data)."""
    a, b = st.columns(2)
    k = a.slider("k in mean + k·σ", 0.0, 5.0, 3.0, 0.5, key="anomaly_k", persist_state="session")
    pct = b.slider("Percentile", 90.0, 100.0, 99.0, 0.5, key="anomaly_pct",
                   persist_state="session")
    if table.reference is None:
        st.info("The threshold rules need the training images (install the dataset).")
        return {}
    return anomaly.threshold_rules(table.reference[score], k, pct)


def counts_row(counts: anomaly.Counts) -> None:
    cols = st.columns(7)
    for col, (label, value) in zip(cols, [
            ("Precision", f"{counts.precision:.3f}"), ("Recall", f"{counts.recall:.3f}"),
            ("F1", f"{counts.f1:.3f}"), ("Caught (TP)", f"{counts.tp:,}"),
            ("False alarms (FP)", f"{counts.fp:,}"), ("Missed (FN)", f"{counts.fn:,}"),
            ("Passed (TN)", f"{counts.tn:,}")], strict=True):
        col.metric(label, value)
    st.caption(anomaly_ui.COUNTS_NOTE)


def fooled(table: anomaly.ScoreTable, score: str) -> None:
    """The normal images scored most unusual and the anomalies scored most normal."""
    st.header("What fools it")
    name = anomaly.score_model(score)
    st.caption(f"By {anomaly.score_label(score)}: each original above {name}'s reconstruction.")
    scores, rows, alts = table.test[score], [], []
    picked = anomaly.extremes(scores, table.is_anomaly, anomaly_ui.EXTREMES)
    for label, picks in zip(("**Normal, highest scores**", f"**{class_name}, lowest scores**"),
                            picked, strict=True):
        indices = tuple(int(i) for i in picks)
        recon = anomaly_ui.reconstruct(held_out, name, anomaly_ui.stamp(held_out), indices)
        shown = {i: f"#{i} {aecore.CLASS_NAMES[table.labels[i]]}" for i in picks}
        said = {i: anomaly.score_text(scores[i]) for i in picks}
        captions = [f"{aecore.CLASS_NAMES[table.labels[i]]} · {said[i]}" for i in picks]
        rows += [(label, list(anomaly_ui.test_images(indices)), captions),
                 ("reconstruction", list(recon), None)]
        alts += [[f"{gallery.alt_text(shown[i])}, score {said[i]}" for i in picks],
                 [gallery.alt_text(shown[i], name, score=f"score {said[i]}") for i in picks]]
    gallery.image_grid(rows, alts=alts)


@st.fragment
@ADDRESS.synced
def threshold_lab(table: anomaly.ScoreTable, score: str) -> None:
    """Rules and threshold for one score; histograms and curves mark where they land."""
    scores, is_anomaly = table.test[score], table.is_anomaly
    rules = rule_controls(table, score)
    reference = table.reference[score] if table.reference else scores[:0]
    everything = np.concatenate([scores, reference, list(rules.values())])
    margin = (float(everything.max()) - float(everything.min())) / 1000
    low, high = float(everything.min()) - margin, float(everything.max()) + margin  # all / none
    key = f"anomaly_threshold_{held_out}_{score}"
    start = next(iter(rules.values()), float(np.median(scores)))
    set_threshold(key, st.session_state.get(key, start), low, high)  # a link's may lie outside
    buttons = st.columns(max(len(rules), 1))
    for col, (rule, value) in zip(buttons, rules.items(), strict=False):
        col.button(f"Use {rule}", key=f"{key}_{rule}", on_click=set_threshold,
                   args=(key, value, low, high))
    threshold = st.slider("Threshold: images scoring above it are flagged", low, high,
                          step=margin, format="%.4f", key=key)
    counts = anomaly.counts_at(scores, is_anomaly, threshold)
    counts_row(counts)
    if rules:
        datatable.show(charts.rule_rows(scores, is_anomaly, rules))
    for col, other in zip(st.columns(len(table.test)), table.test, strict=True):
        lines = {"your threshold": threshold, **rules} if other == score else {}
        col.plotly_chart(charts.histogram(held_out, other, lines),
                         key=f"anomaly_hist_{other}")
    fpr = counts.fp / max(counts.fp + counts.tn, 1)
    points = {"roc": (fpr, counts.recall), "pr": (counts.recall, counts.precision)}
    for col, kind in zip(st.columns(2), points, strict=True):
        col.plotly_chart(charts.curve(held_out, kind, score, points[kind]),
                         key=f"anomaly_{kind}")


problems = anomaly_ui.problems(held_out)
if problems:
    offer_training(problems)
    ADDRESS.write()
    st.stop()
score_table = anomaly_ui.scores(held_out)
all_curves = anomaly_ui.curves(held_out)
datatable.show(charts.auc_rows(all_curves))
st.caption(f"Over every threshold at once. Guessing scores a ROC AUC of 0.5 and a PR AUC equal "
           f"to the share of anomalies, {next(iter(all_curves.values())).base_rate:.3f}.")
st.caption(anomaly_ui.training_note(held_out))
names = [score for score in anomaly.score_ids() if score in score_table.test]
chosen = st.segmented_control("Score to threshold", names, default=names[0], required=True,
                              format_func=anomaly.score_label, key="anomaly_score") or names[0]
threshold_lab(score_table, chosen)
fooled(score_table, chosen)
