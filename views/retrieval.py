"""Retrieval: find the test images nearest to a query by a model's code, by PCA, by raw pixels."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import aecore
from ui import address, cache, datatable, gallery, query
from ui import representations as reps

PCA_COLOR, PIXEL_COLOR = "#9e9e9e", "#333333"

st.title("Retrieval")
st.markdown(
    "A good code puts images that look alike close together, so searching a collection becomes "
    "a nearest-neighbour lookup among short vectors instead of among full pictures. Pick a "
    "query and compare the closest test images found three ways: by a model's code, by PCA "
    "keeping the same number of values, and by comparing raw pixels. Distances are Euclidean "
    "and every search is exact: a brute-force comparison with every test image (numpy)."
)

ADDRESS = address.bind("retrieval", [
    address.pick("model", "retrieval_model", cache.ready_models,
                 lambda: next(iter(cache.ready_models()), None)),
    address.whole("k", "retrieval_k", 1, 20, 10), *query.address_params("retrieval_query")])
models = reps.served_models()
pca_ok = reps.pca_available()


def label(name: str) -> str:
    return f"{aecore.get_spec(name).title} · {aecore.get_spec(name).latent_dim} numbers"


a, b = st.columns([3, 2])
model = a.selectbox("Model", models, format_func=label, key="retrieval_model",
                    persist_state="session")
k = b.slider("Neighbours (k)", 1, 20, 10, key="retrieval_k", persist_state="session")


def neighbour_row(rep: reps.Representation, q: query.Query) -> None:
    """The k nearest test images by one representation, each marked by whether its class
    matches the query's."""
    found, _ = reps.nearest(rep, q.image, k, q.index)
    labels = reps.test_split().y[found]
    marks = ["" if q.label is None else (" ✓" if c == q.label else " ✗") for c in labels]
    captions = [f"{aecore.CLASS_NAMES[c]}{m}" for c, m in zip(labels, marks, strict=True)]
    head = f"**{rep.label}**"
    if q.label is not None:
        head += f"  \n{int(np.sum(labels == q.label))} of {k} same class"
    same = {" ✓": ", same class as the query", " ✗": ", not the query's class", "": ""}
    cells = zip(found, labels, marks, strict=True)
    alts = [f"Neighbour {rank} by {rep.label}: "
            f"{gallery.alt_text(f'#{i} {aecore.CLASS_NAMES[c]}')}{same[m]}"
            for rank, (i, c, m) in enumerate(cells, start=1)]
    gallery.image_grid([(head, list(reps.test_split().x[found]), captions)],
                       min_columns=10, alts=[alts])


@st.fragment
@ADDRESS.synced
def search() -> None:
    q = query.choose_query("retrieval_query")
    if q is None:
        return
    left, right = st.columns([1.4, 10], vertical_alignment="center")
    left.markdown("**Query**")
    with right:
        gallery.picture(q.image, alt=q.caption, caption=q.caption, width=110)
    shown = [reps.of_model(model), *([reps.pca_of(reps.of_model(model).dims)] if pca_ok else []),
             reps.RAW]
    for rep in shown:
        neighbour_row(rep, q)


def colour(rep: reps.Representation) -> str:
    if rep.kind == reps.MODEL:
        return aecore.model_color(rep.model)
    return PCA_COLOR if rep.kind == reps.PCA else PIXEL_COLOR


def precision_table(measured: dict) -> None:
    """Precision@k of every representation over the whole test set: chart and table."""
    st.header(f"Precision@{k} over the whole test set")
    names = [rep.label for rep in measured]
    values = [s.at(k) for s in measured.values()]
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=[colour(r) for r in measured],
                           text=[f"{v:.3f}" for v in values], textposition="outside"))
    fig.update_layout(height=340, margin={"t": 20, "b": 10, "l": 10, "r": 10},
                      yaxis={"title": f"precision@{k}", "range": [0, 1.08]})
    st.plotly_chart(fig, key="retrieval_precision_chart")
    datatable.show([{"Representation": rep.label, "Numbers": rep.dims,
               f"Precision@{k}": f"{s.at(k):.3f}", "Precision@1": f"{s.at(1):.3f}",
               "Index build (ms)": f"{s.build_ms:.1f}", "One query (ms)": f"{s.query_ms:.2f}",
               "Search": s.algorithm, "Load then": s.load} for rep, s in measured.items()])
    n = len(reps.test_split().x)
    st.caption(f"Each of the {n:,} test images in turn is the query and the other {n - 1:,} are "
               "searched; precision@k is the share of its k nearest that share its class, "
               "averaged. Timings were measured when the numbers were computed (shipped with "
               "the weights for the shipped models, else on this server when first asked for), "
               f"on {machines(measured)}: building the index over every test image (for a "
               "brute-force search, each row's squared length: all the index there is), and "
               "the fastest of single queries; 'Load then' is the machine's load average at "
               "that moment (timings on a busy machine are slower and noisier). 'Search' is "
               "how the neighbours are found: brute force in numpy, every distance computed, "
               "so they are exact.")


def machines(measured: dict) -> str:
    """The machines the timings were taken on, in words."""
    named = sorted({s.machine for s in measured.values() if s.machine})
    return " and ".join(named) if named else "a machine not recorded"


search()
shown_reps = reps.every(models) if pca_ok else [*map(reps.of_model, models), reps.RAW]
precision_table({rep: reps.scores(rep) for rep in shown_reps})
