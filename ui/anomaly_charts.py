"""The anomaly page's tables and figures (plain dicts: cheap to cache and to send)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import anomaly
from ui import anomaly as anomaly_ui

HIST_BINS = 60
LINE_STYLES = ("solid", "dot", "dash", "dashdot")   # your threshold, then the rules
NORMAL_COLOR, ANOMALY_COLOR = "#4c78a8", "#e45756"


def auc_rows(curves: dict[str, anomaly.Curves]) -> list[dict]:
    """Each score's areas under its ROC and precision–recall curves."""
    return [{"Score": anomaly.score_label(score), "ROC AUC": f"{c.roc_auc:.3f}",
             "PR AUC": f"{c.pr_auc:.3f}"} for score, c in curves.items()]


def rule_rows(scores: np.ndarray, is_anomaly: np.ndarray, rules: dict[str, float]) -> list:
    """Where each threshold rule lands: its value and what it flags."""
    rows = []
    for rule, value in rules.items():
        c = anomaly.counts_at(scores, is_anomaly, value)
        rows.append({"Rule (on training scores)": rule, "Threshold": f"{value:.4g}",
                     "Flagged": f"{c.tp + c.fp:,}", "Precision": f"{c.precision:.3f}",
                     "Recall": f"{c.recall:.3f}", "F1": f"{c.f1:.3f}"})
    return rows


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
    table = anomaly_ui.scores(held_out)
    return histogram_figure(table.test[score], table.is_anomaly, anomaly.score_label(score),
                            aecore.CLASS_NAMES[held_out])


def histogram(held_out: int, score: str, lines: dict[str, float]) -> dict:
    """One score's histogram (cached) with lines at the given thresholds."""
    return with_lines(_histogram(held_out, score, anomaly_ui.stamp(held_out)), lines)


@st.cache_data(show_spinner=False, max_entries=40)
def _curve(held_out: int, kind: str, stamp: tuple) -> dict:
    return curve_figure(kind, anomaly_ui.curves(held_out))


def curve(held_out: int, kind: str, score: str, point: tuple[float, float]) -> dict:
    """ROC or precision–recall curves (cached) with the operating point of `score`."""
    return with_point(_curve(held_out, kind, anomaly_ui.stamp(held_out)), score, point)
