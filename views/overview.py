"""Overview: what an autoencoder is, the variants side by side, one strip of images."""

import streamlit as st

import aecore
from aecore.analysis import compare, downloads, tables
from aecore.analysis.metrics import FLOOR_BCE
from aecore.data import PIXELS, SIDE
from ui import address, cache, datatable, formulas, gallery
from ui import downloads as download
from ui.formulas import fenced, frac, function, gap, hat, inline, mi, mn, mo, sub, sum_over, sup

VAES = ", ".join(aecore.get_spec(n).title for n in aecore.list_models()
                 if aecore.get_spec(n).is_vae)

ADDRESS = address.bind("overview", [address.whole("n", "overview_count", 3, 10, 6),
                                     address.whole("seed", "overview_seed", 0, 1_000_000, 0)])
st.title("Autoencoder Explorer")
st.markdown(
    "An **autoencoder** is a network trained to hand back exactly what it was given. That "
    "sounds pointless until you force the information through a narrow middle: to rebuild a "
    f"{PIXELS}-pixel picture from, say, 32 numbers, the network has to discover what those "
    "pictures have in common. The 32 numbers are the **code** (or latent vector); the half "
    "that produces it is the **encoder**, the half that paints the picture back is the "
    f"**decoder**. Every model here was trained on Fashion-MNIST: {SIDE}×{SIDE} greyscale "
    f"photos of {len(aecore.CLASS_NAMES)} kinds of clothing."
)

x, x_hat, x_i, x_hat_i = mi("x"), hat(mi("x")), sub(mi("x"), mi("i")), sub(hat(mi("x")), mi("i"))
ENCODER, DECODER = sub(mi("f"), mi("φ")), sub(mi("g"), mi("θ"))
st.markdown(f"**Squeeze, then rebuild.** With pixels scaled to [0, 1], the encoder "
            f"{inline(ENCODER)} maps an image to a short code and the decoder {inline(DECODER)} "
            "maps the code back:", unsafe_allow_html=True)
formulas.show(mi("z"), mo("="), ENCODER, fenced(x), mo("∈"), sup(mi("ℝ"), mi("k")), mo(","),
              gap(), x_hat, mo("="), DECODER, fenced(mi("z")), mo("∈"),
              sup(fenced(mn(0), mo(","), mn(1), opening="[", closing="]"), mn(PIXELS)), mo(","),
              gap(), mi("k"), mo("≪"), mn(PIXELS))
st.markdown(
    "Both halves are trained together and nothing tells them what the code should mean. A "
    "sigmoid on the last layer keeps every output pixel between 0 and 1, so it can be read as "
    "the probability that the pixel is lit. Training scores each reconstruction pixel by pixel "
    f"with the binary cross-entropy, averaged over the {PIXELS} pixels:"
)
formulas.show(mi("ℒ"), fenced(x, mo(","), x_hat), mo("="), mo("−"), frac(mn(1), mn(PIXELS)),
              sum_over("i", mn(1), mn(PIXELS)),
              fenced(x_i, function("log", x_hat_i), mo("+"),
                     fenced(mn(1), mo("−"), x_i), function("log", fenced(mn(1), mo("−"), x_hat_i)),
                     opening="[", closing="]", stretchy=True))
st.markdown(
    f"Fashion-MNIST pixels are shades of grey, not pure black or white, so even a perfect copy "
    f"({inline(x_hat, mo('='), x)}) scores above zero: about **{FLOOR_BCE:.4f}** on the test set. "
    "That is the **floor**, and the table below measures each model by its distance above it. The "
    f"variational models ({VAES}) add a Kullback–Leibler term that keeps their codes close to a "
    "standard normal distribution; their training loss is reported in nats per image "
    f"({PIXELS} × BCE + KL).", unsafe_allow_html=True
)

status = cache.weights_status()
kinds = {name: tables.status_kind(msg) for name, msg in status.items()}

st.header(f"The {len(aecore.list_models())} variants")
rows = tables.zoo_rows(status)
datatable.show(
    [{k: v for k, v in row.items() if k != "name"} for row in rows],
    formats={"Parameters": ",", "Test BCE": ".4f", "Target": ".4f", "Article BCE": ".3f",
             "Above floor": ".4f"},
    help={"Test BCE": "Our test-set BCE",
          "Target": "The test BCE the shipped weights must reach (its own target or the score "
                    "of the model it must beat)",
          "Article BCE": "The number the article reports (blank: it gives none)",
          "Above floor": f"Test BCE minus the floor {FLOOR_BCE} that no model can beat"},
)
st.caption("Latent size: how many numbers the code holds. Blank test BCE: the model has no "
           "trained weights yet (see the sidebar).")
download.offer("Download the table (CSV)", lambda: downloads.evaluate_csv(status),
               "autoencoders.csv", downloads.CSV, "overview_table_csv",
               help="Every model's recorded scores from the weights manifest")


@st.fragment
@ADDRESS.synced
def strip() -> None:
    """The same few test images through every model with weights."""
    st.header("Same images, every model")
    a, b = st.columns([3, 1], vertical_alignment="bottom")
    count = a.slider("Images (one per class)", 3, 10, 6, key="overview_count",
                     persist_state="session")
    if b.button("Other images", key="overview_redraw"):
        st.session_state["overview_seed"] = st.session_state.get("overview_seed", 0) + 1
    try:
        split = cache.test_set()
    except aecore.DatasetNotFound as exc:
        st.error(str(exc))
        return
    picks = compare.one_per_class(split.y, count, st.session_state.get("overview_seed", 0))
    images = split.x[picks]
    shown = [f"#{i} ({aecore.CLASS_NAMES[int(split.y[i])]})" for i in picks]
    rows = [("**Original**", images, "Test images, one per class, left to right: "
             + ", ".join(shown))]
    rows += [model_row(name, images, shown) for name in aecore.list_models()]
    gallery.strip_rows(rows)


def model_row(name: str, images, shown: list[str]) -> tuple:
    """(label, reconstructions, alt) of one model, or (label, None, why it has none)."""
    spec = aecore.get_spec(name)
    if kinds[name] != "ok":
        return (f"**{spec.title}**", None,
                f"No usable weights ({kinds[name]}). Train it on the Compare page or "
                f"with `python -m aecore.train --model {name}`.")
    try:
        recon = cache.reconstruct(name, images)
    except aecore.WeightsError as exc:  # weights changed under us, or a damaged file
        return f"**{spec.title}**", None, f"Could not load it: {exc}"
    errors = compare.per_image_errors(images, recon)
    return (f"**{spec.title}**  \nBCE {errors.mean():.3f} on these", recon,
            f"{spec.title}'s reconstructions of the same test images, BCE "
            + ", ".join(f"{s} {e:.3f}" for s, e in zip(shown, errors, strict=True)))


strip()

st.header("Where we differ from the article")
manifest = tables.read_manifest_safely()
for name in aecore.list_models():
    spec = aecore.get_spec(name)
    with st.expander(f"{spec.title} · {spec.family}, code of {spec.latent_dim}"):
        st.markdown(tables.about_markdown(spec, manifest.get(name)))   # one element, not five
        if kinds[name] == "ok":
            download.model(name, key=f"overview_model_{name}")
