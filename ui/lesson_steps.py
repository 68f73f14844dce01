"""The lesson's eight steps: a few sentences, a live view, a prediction, then the computed answer.

Every answer is measured from the models when the student asks for it; nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st

import aecore
from aecore.analysis import denoise, latent
from aecore.analysis import lesson as measure
from aecore.analysis.compare import per_image_errors
from aecore.analysis.metrics import bce
from ui import cache, datatable
from ui.components import latent_plane
from ui.lesson import (
    Cast,
    ask,
    balanced,
    check_button,
    class_name,
    first_of,
    loaded,
    one_each,
    revealed,
    rows,
    title,
    verdict,
)
from ui.pages import PAGES

TROUSER, SANDAL = aecore.CLASS_NAMES.index("Trouser"), aecore.CLASS_NAMES.index("Sandal")
SAME_WITHIN = 0.002  # mean BCE differences smaller than this count as "about the same"
GENERATED = 8        # pictures drawn from the prior in the generating step


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str
    show: Callable[[Cast], None]


def _out(images, name: str) -> tuple[np.ndarray, list[str]]:
    """A model's reconstructions with their BCE as captions."""
    out = cache.reconstruct(name, images)
    return out, [f"BCE {e:.3f}" for e in per_image_errors(images, out)]


def _mean_bce(name: str) -> float:
    x, _ = balanced()
    return bce(x, cache.reconstruct(name, x))


# --- 1. squeeze -------------------------------------------------------------------------------

def squeeze(c: Cast) -> None:
    if not loaded("squeeze", c.shallow):
        return
    images, captions = one_each()
    rows(images, captions, {title(c.shallow): (cache.reconstruct(c.shallow, images), None)})
    names = aecore.CLASS_NAMES
    guess = ask("squeeze", "which kind of garment will this model rebuild worst, on average?",
                range(len(names)), class_name)
    if guess is None:
        return
    x, y = balanced()
    errors = measure.per_class_error(x, cache.reconstruct(c.shallow, x), y, len(names))
    worst, best = int(np.nanargmax(errors)), int(np.nanargmin(errors))
    verdict(guess == worst, f"Over {len(x)} test pictures the hardest class is "
                            f"**{class_name(worst)}**, the easiest **{class_name(best)}**.")
    order = np.argsort(-errors)
    datatable.show({"Class": [names[i] for i in order], "Error above the floor": errors[order]},
                   formats={"Error above the floor": ".4f"})
    st.caption("The error is the cross-entropy above what a perfect copy of each picture "
               "would score: grey pictures score more even when copied exactly, so the raw "
               "number would partly measure greyness.")
    st.caption("Garments that differ a lot from one picture to the next, with prints, folds "
               "and outlines of many kinds, do not fit into a few numbers; plain shapes that "
               "all look alike do.")


# --- 2. more layers ---------------------------------------------------------------------------

def layers(c: Cast) -> None:
    if not loaded("layers", c.shallow, c.deep):
        return
    images, captions = one_each()
    answers = {"better": "Yes, clearly better", "same": "About the same", "worse": "No, worse"}
    guess = ask("layers", f"the {title(c.deep)} keeps the same "
                f"{aecore.get_spec(c.deep).latent_dim} numbers. Will its extra layers rebuild "
                "the pictures better?", list(answers), answers.get)
    outputs = {title(c.shallow): _out(images, c.shallow)}
    if guess is not None:
        outputs[title(c.deep)] = _out(images, c.deep)
    rows(images, captions, outputs)
    if guess is None:
        return
    a, b = _mean_bce(c.shallow), _mean_bce(c.deep)
    answer = measure.same_or_better(a, b, SAME_WITHIN)
    verdict(guess == answer, f"{answers[answer]}: mean BCE {b:.4f} against {a:.4f} on "
                             f"{len(balanced()[0])} test pictures.")
    st.caption("Each layer can bend the data a little; several in a row can fold it into a "
               "shape that a single layer cannot reach, so the same budget holds more.")


# --- 3. convolutions --------------------------------------------------------------------------

def convolutions(c: Cast) -> None:
    if not loaded("conv", c.shallow, c.deep, c.conv):
        return
    sandal, caption = first_of(SANDAL)
    names = [c.shallow, c.deep, c.conv]
    guess = ask("conv", "which model will rebuild this sandal best?", names, title)
    rows([sandal], [caption], {title(n): _out(sandal[None], n) for n in names}
         if guess is not None else {})
    if guess is None:
        return
    scores = {n: float(per_image_errors(sandal[None], cache.reconstruct(n, sandal[None]))[0])
              for n in names}
    best = measure.winner(scores)
    verdict(guess == best, f"**{title(best)}** rebuilds it best: "
            + ", ".join(f"{title(n)} {s:.3f}" for n, s in scores.items()) + " (BCE).")
    st.caption(f"A convolution slides one small filter over the whole picture, so a strap or "
               f"an edge is recognised wherever it is. The convolutional model also keeps "
               f"{aecore.get_spec(c.conv).latent_dim} numbers in its middle instead of "
               f"{aecore.get_spec(c.shallow).latent_dim}: a small grid of features rather "
               "than one list.")


# --- 4. noise in, clean out -------------------------------------------------------------------

def noise(c: Cast) -> None:
    if not loaded("noise", c.denoiser, c.baseline):
        return
    level = aecore.get_spec(c.denoiser).input_noise or 0.5
    images, captions = one_each(6)
    outputs = {n: (lambda x, n=n: cache.reconstruct(n, x)) for n in (c.denoiser, c.baseline)}
    result = denoise.compare(outputs, images, level, "gaussian", seed=0)
    neither = "neither"
    guess = ask("noise", f"we bury the pictures in Gaussian noise (σ = {level:g}). Whose "
                "output will be closer to the clean picture?", [*outputs, neither],
                lambda n: "Neither: both copy the noise" if n == neither else title(n))
    shown = {"Noisy input": (result.noisy, None)}
    if guess is not None:
        shown |= {title(n): (result.outputs[n], [f"{p:.1f} dB" for p in result.scores[n].psnr])
                  for n in outputs}
    rows(images, captions, shown, first="**Clean**")
    if guess is None:
        return
    psnr = {n: result.scores[n].mean_psnr for n in outputs}
    best = measure.winner(psnr, lower_is_better=False)
    if psnr[best] <= result.scores[denoise.NOISY].mean_psnr:
        best = neither
    verdict(guess == best, "Mean PSNR against the clean pictures (higher is better): "
            + ", ".join(f"{title(n)} {p:.1f} dB" for n, p in psnr.items())
            + f", the noisy input {result.scores[denoise.NOISY].mean_psnr:.1f} dB.")
    st.caption("The denoising model was scored against clean pictures while it was fed noisy "
               "ones, so copying its input never paid off; it learned what garments look like "
               "and pulls the picture back towards one.")


# --- 5. a 2-D code ----------------------------------------------------------------------------

def plane(c: Cast) -> None:
    if not loaded("plane", c.vae):
        return
    split, codes = cache.test_set(), cache.test_codes(c.vae)
    st.markdown(f"**Predict:** where on the plane of the {title(c.vae)} will trousers land? "
                "Drag the marker (or use the arrow keys) to your guess. The grey dots are "
                "the test pictures; which is which stays hidden until you check.")
    shown = revealed("plane")
    guess = tuple(st.session_state.get("lesson_guess_xy", (0.0, 0.0)))
    report = (measure.guess_report(codes, split.y, guess, TROUSER, len(aecore.CLASS_NAMES))
              if shown else None)
    extra = {"xy": list(report.centre), "label": "trousers"} if report else None
    result = latent_plane("lesson_plane", cache.browser_export(c.vae), codes,
                          split.y if shown else None, aecore.CLASS_NAMES, extra=extra)
    st.session_state["lesson_guess_xy"] = (float(result.point[0]), float(result.point[1]))
    if not check_button("plane") or report is None:
        return
    verdict(report.close, f"Trousers land around z = ({report.centre[0]:.2f}, "
            f"{report.centre[1]:.2f}); your guess ({guess[0]:.2f}, {guess[1]:.2f}) is "
            f"{report.distance:.2f} away, and {report.share:.0%} of the "
            f"{measure.NEARBY} pictures nearest to it are trousers (the most common there: "
            f"{class_name(report.majority)}).")
    st.caption("Now the dots are coloured by class. Pictures that look alike get codes that "
               "lie close together, although nobody told the model which picture is which.")


# --- 6. plain versus variational planes -------------------------------------------------------

def planes(c: Cast) -> None:
    if not loaded("planes", c.plain, c.vae):
        return
    pair = [c.plain, c.vae]
    guess = ask("planes", "which plane will leave more empty gaps between its codes?",
                pair, title)
    if guess is None:
        return
    split = cache.test_set()
    empty = {n: latent.empty_share(cache.test_codes(n)) for n in pair}
    for col, name in zip(st.columns(2), pair, strict=True):
        with col:
            st.markdown(f"**{title(name)}**: {empty[name]:.0%} of the plane empty")
            latent_plane(f"lesson_planes_{name}", cache.browser_export(name),
                         cache.test_codes(name), split.y, aecore.CLASS_NAMES)
    gappy = measure.winner(empty, lower_is_better=False)
    cells = latent.COVER_CELLS
    verdict(guess == gappy, f"**{title(gappy)}** leaves {empty[gappy]:.0%} of its plane "
            f"empty: cells of a {cells}×{cells} grid over its codes that no test picture "
            "falls in.")
    st.caption("The variational model is also penalised when its codes stray from a standard "
               "normal cloud, so it packs them tightly; the plain one only cares about "
               "rebuilding, and leaves gaps where decoding is guesswork. Drag in a gap to see.")


# --- 7. generating ----------------------------------------------------------------------------

def generate(c: Cast) -> None:
    if not loaded("generate", c.vae):
        return
    answers = {"copies": "Copies of test pictures", "new": "New pictures that look like "
               "clothes", "noise": "Shapeless noise"}
    guess = ask("generate", f"we draw {GENERATED} random points from a standard normal and let "
                f"the {title(c.vae)} decode them. What comes out?", list(answers),
                answers.get)
    if guess is None:
        return
    split = cache.test_set()
    made = cache.get_model(c.vae).decode(measure.prior_points(GENERATED))
    index, rms = measure.nearest_in_pixels(made, split.x)
    noise_rms = measure.nearest_in_pixels(measure.strangers(made)["noise"], split.x)[1]
    answer = measure.generated_verdict(rms, noise_rms)
    rows(made, [f"z{i + 1}" for i in range(len(made))],
         {"Nearest test picture": (split.x[index], [f"{d:.2f} away" for d in rms])},
         first="**Generated**")
    verdict(guess == answer, f"{answers[answer]}: the typical distance to the nearest of "
            f"{len(split.x):,} test pictures is {np.median(rms):.2f} (root-mean-square per "
            f"pixel); a copy would be 0, random pixels are {np.median(noise_rms):.2f} away.")
    st.caption("Every point of the plane decodes to some picture, and the prior says which "
               "points are typical; this is what makes a VAE a generator.")


# --- 8. what they are for ---------------------------------------------------------------------

def uses(c: Cast) -> None:
    if not loaded("uses", c.shallow):
        return
    answers = {"up": "It goes up", "same": "It stays about the same", "down": "It goes down"}
    guess = ask("uses", "this model only ever saw clothes. Show it inverted pictures and random "
                "noise: what happens to its reconstruction error?", list(answers), answers.get)
    if guess is not None:
        images, captions = one_each(6)
        inputs = measure.strangers(images)
        errors = {k: measure.excess_error(x, cache.reconstruct(c.shallow, x))
                  for k, x in inputs.items()}
        ratio = min(errors["inverted"], errors["noise"]) / errors["clothes"]
        answer = "up" if ratio > 1.2 else "down" if ratio < 0.8 else "same"
        rows(images, captions, {f"{k.title()} → rebuilt": (cache.reconstruct(c.shallow, x),
                                                           None) for k, x in inputs.items()})
        verdict(guess == answer, f"{answers[answer]}: error above each input's floor "
                + ", ".join(f"{k} {e:.3f}" for k, e in errors.items()) + ".")
    links = [f"[{p.title}]({p.url_path})" for p in PAGES[1:] if p.url_path != "lesson"]
    st.markdown("That gap is the idea behind **anomaly detection**. The short code is also "
                "useful on its own: **compressing** data (compare it with PCA), **search** by "
                "similarity among codes, **cleaning** pictures, and **generating** new ones. "
                "Explore further: " + " · ".join(links))


STEPS: tuple[Step, ...] = (
    Step("squeeze", "Squeeze", "An autoencoder is asked to copy its input, but through a "
         "narrow middle. Here each picture, 784 pixel values, must pass through a short list "
         "of numbers, with one layer to squeeze and one to rebuild. Nobody says which numbers "
         "to keep: training only scores how close the copy comes.", squeeze),
    Step("layers", "More layers", "Keep the middle just as narrow, but give the encoder and "
         "the decoder a few more layers each.", layers),
    Step("conv", "Convolutions", "Pictures have structure: neighbouring pixels belong "
         "together. Convolutional layers use that.", convolutions),
    Step("noise", "Noise in, clean out", "Feed the network damaged pictures but score it "
         "against the clean ones, and copying is no longer enough.", noise),
    Step("plane", "A 2-D code", "Squeeze each picture into just two numbers and every picture "
         "becomes a point on a plane that we can look at, and move around on.", plane),
    Step("planes", "Plain AE vs VAE", "A variational autoencoder adds one more rule: its codes "
         "must look like samples from a standard normal cloud. Here are a plain 2-D "
         "autoencoder and a variational one.", planes),
    Step("generate", "Generating", "If the codes fill a known cloud, any point drawn from that "
         "cloud should decode to something sensible.", generate),
    Step("uses", "What they are for", "An autoencoder learns what normal data looks like, and "
         "a short code that describes it.", uses),
)
