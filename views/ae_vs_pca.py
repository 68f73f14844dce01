"""AE vs PCA: does a learned non-linear code beat the best linear one of the same size?"""

import plotly.graph_objects as go
import streamlit as st

import aecore
from aecore.analysis import compare, pca, retrieval
from aecore.data import sample_indices
from ui import address, cache, datatable, gallery
from ui import representations as reps

st.title("Autoencoders vs PCA")
st.markdown(
    "PCA is the classic way to shrink images: keep the k directions along which the training "
    "images vary most. No other *linear* code of k numbers does better in squared error. An "
    "autoencoder may bend its code, so it should need fewer numbers for the same quality; the "
    "article claims it beats PCA for that reason. Here each model is set against PCA with "
    "exactly as many numbers as its code: in reconstruction error, and in how well a "
    "nearest-neighbour classifier can tell the classes apart from the code."
)

ADDRESS = address.bind("ae_vs_pca", [address.picks("models", "ae_vs_pca_models",
                                                   cache.ready_models, cache.ready_models)])
models = reps.served_models()
if not reps.pca_available():
    st.stop()

sizes = {name: aecore.get_spec(name).latent_dim for name in models}
curve = reps.pca_curve(tuple(sorted({*pca.CURVE_SIZES, *sizes.values()})))
scored = {name: reps.model_bce(name) for name in models}
floor = reps.floor_bce()


def bce_figure() -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(x=list(curve), y=list(curve.values()), mode="lines+markers",
                    name="PCA, k components", line={"color": "#9e9e9e"}, marker={"size": 5})
    for name, (value, computed) in scored.items():
        label = name + (" (clean input)" if computed else "")
        fig.add_scatter(x=[sizes[name]], y=[value], mode="markers", name=label,
                        marker={"size": 12, "color": aecore.model_color(name),
                                "line": {"width": 1, "color": "white"}},
                        hovertemplate=f"{label}: %{{y:.4f}} with %{{x}} numbers<extra></extra>")
    fig.add_hline(y=floor, line_dash="dot", line_color="#555",
                  annotation_text=f"floor {floor:.4f}: a perfect copy")
    fig.update_layout(height=430, margin={"t": 20, "b": 10, "l": 10, "r": 10},
                      xaxis={"title": "numbers in the code (log scale)", "type": "log"},
                      yaxis_title="test BCE per pixel (lower is better)")
    return fig


def verdicts() -> list[dict]:
    rows = []
    for name, (value, computed) in scored.items():
        linear = curve[sizes[name]]
        rows.append({"Model": name, "Numbers": sizes[name], "Model BCE": f"{value:.4f}",
                     "PCA, same size": f"{linear:.4f}", "Difference": f"{value - linear:+.4f}",
                     "Verdict": "beats PCA" if value < linear else "loses to PCA",
                     "Scored on": "clean input, here" if computed else "manifest"})
    return rows


st.header("Reconstruction error against code size")
st.plotly_chart(bce_figure(), key="ae_vs_pca_bce")
table = verdicts()
losers = [r for r in table if r["Verdict"] == "loses to PCA"]
if losers:
    st.markdown("**Where an autoencoder loses to PCA at its size:** " + "; ".join(
        f"`{r['Model']}` scores {r['Model BCE']} with {r['Numbers']} numbers, PCA-{r['Numbers']} "
        f"{r['PCA, same size']}" for r in losers) + ".")
else:
    st.markdown("**Every autoencoder here beats PCA with as many numbers.**")
datatable.show(table)
st.caption("Model BCE is the test-set score recorded when the model was trained, except where "
           "'Scored on' says otherwise: the denoiser is recorded on noisy input, so here it is "
           "scored on the same clean images as PCA. PCA is fitted on the training images.")

st.header("Telling classes apart from the code")
knn = {rep: reps.scores(rep) for rep in reps.every(models)}
pixels = knn[reps.RAW].knn_accuracy
names = list(models)
fig = go.Figure()
fig.add_bar(x=names, y=[knn[reps.of_model(n)].knn_accuracy for n in names], name="model code",
            marker_color=[aecore.model_color(n) for n in names])
fig.add_bar(x=names, y=[knn[reps.pca_of(sizes[n])].knn_accuracy for n in names],
            name="PCA, same size", marker_color="#9e9e9e")
fig.add_hline(y=pixels, line_dash="dot", annotation_text=f"raw pixels {pixels:.3f}")
fig.update_layout(barmode="group", height=340, margin={"t": 20, "b": 10, "l": 10, "r": 10},
                  yaxis={"title": "k-NN accuracy", "range": [0, 1]})
st.plotly_chart(fig, key="ae_vs_pca_knn")
worse = [f"`{n}` {knn[reps.of_model(n)].knn_accuracy:.3f} against PCA-{sizes[n]} "
         f"{knn[reps.pca_of(sizes[n])].knn_accuracy:.3f}" for n in names
         if knn[reps.of_model(n)].knn_accuracy < knn[reps.pca_of(sizes[n])].knn_accuracy]
st.markdown(("**Where a code classifies worse than PCA at its size:** " + "; ".join(worse) + ".")
            if worse else "**Every code classifies at least as well as PCA with as many "
                          "numbers.**")
half = len(reps.test_split().x) // 2
st.caption(f"A {retrieval.CLASSIFIER_K}-nearest-neighbour classifier fitted on {half:,} "
           f"test images' codes and scored on the other {half:,}; the same split for PCA and "
           "for raw pixels. Nothing here was trained on labels.")

st.header("Reconstructions at equal code size")
split = reps.test_split()
picks = sample_indices(split.y, 1, seed=0)
images = split.x[picks]
first_of_each_size = [n for i, n in enumerate(models)
                      if sizes[n] not in {sizes[m] for m in models[:i]}]
shown = st.multiselect("Models", models, default=first_of_each_size, key="ae_vs_pca_models",
                       persist_state="session", help="At first, one model per code size.")
rows = [("**Original**", images)]
for name in shown:
    rows += [(f"**{name}** ({sizes[name]})", cache.reconstruct(name, images)),
             (f"PCA-{sizes[name]}", reps.basis().reconstruct(images, sizes[name]))]
shown_images = ", ".join(f"#{i} ({aecore.CLASS_NAMES[int(split.y[i])]})" for i in picks)
for label, row in rows:
    left, right = st.columns([1.4, 10], vertical_alignment="center")
    left.markdown(label)
    made = ("The test images" if row is images else f"{gallery.plain(label)}: reconstructions, "
            f"mean BCE {compare.per_image_errors(images, row).mean():.3f}, of the test images")
    right.image(gallery.strip_png(row, scale=3), width="stretch",
                alt=f"{made}, one per class, left to right: {shown_images}")

ADDRESS.write()
