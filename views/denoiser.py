"""Denoiser: corrupt chosen images live; the registry's denoiser against its plain baseline."""

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import denoise, tables
from aecore.data import sample_indices
from aecore.models.registry import (
    ROLE_DENOISER,
    ROLE_DENOISER_BASELINE,
    session_specs,
    with_role,
)
from ui import address, cache, chooser, gallery, sidebar, sweep_chart
from ui.components.flipbook import flipbook
from ui.sweep_chart import label

DENOISER, PLAIN = with_role(ROLE_DENOISER), with_role(ROLE_DENOISER_BASELINE)
KIND_LABELS = {"gaussian": "Gaussian", "salt_pepper": "Salt and pepper", "mask": "Masking"}
KIND_HELP = {
    "gaussian": "Level = standard deviation of the noise added to every pixel (then clipped).",
    "salt_pepper": "Level = share of pixels set to pure white or pure black at random.",
    "mask": "Level = share of pixels blacked out at random.",
}
SWEEP_SEED = 0
ADDRESS = address.bind("denoiser", [
    address.num("level", "denoiser_level", 0.0, 1.0, 0.5, step=0.05),
    address.pick("kind", "denoiser_kind", aecore.NOISE_KINDS, "gaussian"),
    address.whole("noise_seed", "denoiser_seed", 0, 1_000_000, 0),
    *chooser.address_params("denoiser", n_default=6),
])


@st.cache_data(show_spinner=f"Measuring the models at {len(denoise.SWEEP_LEVELS)} noise levels "
                            "(once per noise type)…")
def sweep(kind: str, names: tuple[str, ...], stamps: tuple) -> denoise.Sweep:
    """Mean PSNR/SSIM per noise level on a fixed class-balanced subset (stamps key the cache)."""
    split = cache.test_set()
    x = split.x[sample_indices(split.y, denoise.SWEEP_PER_CLASS, seed=0)]
    models = {name: cache.get_model(name).reconstruct for name in names}
    return denoise.noise_sweep(models, x, denoise.SWEEP_LEVELS, kind, SWEEP_SEED)


def intro(spec: aecore.ModelSpec, baseline: str | None) -> None:
    st.title("Denoiser")
    plain = (f"The {aecore.get_spec(baseline).title.lower()}, trained on clean images, shows "
             "what an ordinary autoencoder does with the same noisy input. " if baseline else "")
    st.markdown(
        "A denoising autoencoder is shown a damaged picture and scored against the undamaged "
        "one, so copying its input is no longer the best it can do: it has to know what "
        "garments look like and pull the picture back towards one. "
        f"**The {spec.title.lower()} was trained only on Gaussian noise with "
        f"σ = {spec.input_noise:g}** (fresh noise every batch). {plain}Try the other "
        "noise types to see how far the learned cleaning carries beyond what it was trained on."
    )


def controls() -> tuple[str, int]:
    """Noise type and seed, kept for the session (the level is the flipbook's)."""
    kind_col, seed_col = st.columns([3, 1], vertical_alignment="bottom")
    kind = kind_col.segmented_control(
        "Noise type", aecore.NOISE_KINDS, default="gaussian", required=True,
        format_func=KIND_LABELS.get, key="denoiser_kind", persist_state="session")
    seed = seed_col.number_input("Noise seed", 0, 1_000_000, 0, 1, key="denoiser_seed",
                                 help="The same seed gives the same noise: results repeat.",
                                 persist_state="session")
    return kind or "gaussian", int(seed)


def current_level() -> float:
    """The noise level kept for the session (the address may have set it)."""
    return float(st.session_state.setdefault("denoiser_level", 0.5))


def keep_level() -> None:
    """The flipbook was released: keep its level for the session and the address."""
    st.session_state["denoiser_level"] = float(st.session_state["denoiser_book"].value)


def reconstructors(names: tuple[str, ...]) -> dict:
    """The models' own reconstruct (fresh noise every step: a cache would only miss)."""
    return {name: cache.get_model(name).reconstruct for name in names}


def scored(q: denoise.Quality) -> list[str]:
    return [f"{p:.1f} dB · SSIM {s:.2f}" for p, s in zip(q.psnr, q.ssim, strict=True)]


def row_label(name: str, scores: dict[str, denoise.Quality]) -> str:
    """A row's title, its mean PSNR and SSIM over the chosen images and, for a model, the
    change from the noisy input."""
    q, noisy = scores[name], scores[denoise.NOISY]
    text = f"**{label(name)}**  \nmean {q.mean_psnr:.1f} dB · SSIM {q.mean_ssim:.3f}"
    if name != denoise.NOISY:
        text += (f"  \n{q.mean_psnr - noisy.mean_psnr:+.1f} dB, "
                 f"{q.mean_ssim - noisy.mean_ssim:+.3f} vs noisy")
    return text


GRID_NOTE = ("PSNR: peak signal-to-noise ratio against the clean image, in decibels (higher "
             "is better). SSIM: structural similarity to the clean image (1 = identical). "
             "Each row's label gives the mean over your images.")


def image_rows_html(result: denoise.Comparison, captions: list[str]) -> str:
    """Clean / noisy / each model's output, every image captioned with its PSNR and SSIM."""
    shown = {denoise.NOISY: result.noisy, **result.outputs}
    rows = [("**Clean**", result.clean, captions)]
    rows += [(row_label(n, result.scores), img, scored(result.scores[n]))
             for n, img in shown.items()]
    return (gallery.image_grid_html(rows, alts=row_alts(result, captions))
            + f"<p>{GRID_NOTE}</p>")


def row_alts(result: denoise.Comparison, captions: list[str]) -> list[list[str]]:
    """Alt texts: the clean test image, then the noisy copy and each model's output, scored."""
    def cells(name: str) -> list[str]:
        q = result.scores[name]
        return [(f"{gallery.alt_text(c)} with noise added" if name == denoise.NOISY
                 else gallery.alt_text(c, label(name), "cleaned-up version of the noisy"))
                + f", PSNR {p:.1f} dB, SSIM {s:.2f}"
                for c, p, s in zip(captions, q.psnr, q.ssim, strict=True)]

    return [[gallery.alt_text(c) for c in captions], cells(denoise.NOISY),
            *(cells(name) for name in result.outputs)]


def curves_note(result: denoise.Sweep, kind: str) -> str:
    return (f"Lines: mean over {result.count} class-balanced test images ({KIND_LABELS[kind]} "
            f"noise, seed {SWEEP_SEED}); the dashed line is the current level, the crosses your "
            "images at that level. The noisy input is left out at level 0, where it equals the "
            "original.")


def summary(level: float, live: dict) -> str:
    """What a screen reader hears when the slider rests: the level and each row's mean."""
    parts = [f"{label(n)} {p:.1f} dB, SSIM {q:.2f}" for n, (p, q) in live.items()]
    return f"Noise level {level:g}." + (" Means: " + "; ".join(parts) + "." if parts else "")


@st.cache_resource(show_spinner="Drawing every noise level…", max_entries=32)
def frames(kind: str, seed: int, images: np.ndarray, captions: tuple[str, ...],
           names: tuple[str, ...], stamps: tuple, dark: bool
           ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """One HTML frame per slider level (images, then the chart) and its spoken summary.

    Drawn once per noise type, seed, image choice and model set (stamps key the weights); the
    slider then only swaps frames in the browser. The same seed at every level: the same noise
    pattern grows as the slider moves. Immutable strings, so shared as they are
    (cache_resource): a release's rerun copies nothing (cache_data unpickled ~0.75 MB).
    """
    curves = sweep(kind, names, stamps)
    models = reconstructors(names)
    out, said = [], []
    for level in denoise.SLIDER_LEVELS:
        live, grid = {}, ""
        if len(images):
            result = denoise.compare(models, images, level, kind, seed)
            grid = image_rows_html(result, list(captions))
            live = {name: (q.mean_psnr, q.mean_ssim) for name, q in result.scores.items()}
        chart = sweep_chart.chart_html(curves, level, live, dark=dark)
        out.append(f"{grid}<h2>Quality against noise level</h2>{chart}"
                   f"<p>{curves_note(curves, kind)}</p>")
        said.append(summary(level, live))
    return tuple(out), tuple(said)


@st.fragment
@ADDRESS.synced
def noise_lab(images: np.ndarray, captions: list[str], names: tuple[str, ...]) -> None:
    """Everything that changes with the noise controls (reruns on its own)."""
    kind, seed = controls()
    if not len(images):
        st.info("Choose at least one image above to see it corrupted and cleaned.")
    pages, said = frames(kind, seed, np.asarray(images, dtype=np.float32), tuple(captions),
                         names, tuple(tables.weights_stamp(n) for n in names),
                         st.context.theme.type == "dark")
    flipbook("denoiser_book", "Noise level", denoise.SLIDER_LEVELS, current_level(), pages, said,
             help=KIND_HELP[kind] + " Moving the slider redraws in your browser.",
             on_change=keep_level)


if DENOISER is None:
    st.title("Denoiser")
    st.info("No model in the registry has the denoiser role, so there is nothing to show here.")
    st.stop()
intro(aecore.get_spec(DENOISER), PLAIN)
try:
    chosen, chosen_captions = chooser.choose_images("denoiser", n_default=6)
except aecore.DatasetNotFound as exc:
    st.error(str(exc))
    st.stop()
yours = tuple(session_specs())   # this session's own models (the Lab's) join the comparison
loaded = tuple(name for name in (DENOISER, PLAIN, *yours)
               if name and sidebar.model_or_notice(name, key="denoiser") is not None)
noise_lab(chosen, chosen_captions, loaded)
