"""AppTest: the denoiser page renders, reacts to its controls, and explains missing weights."""

import re

import pagetools
import pytest
from streamlit.testing.v1 import AppTest

from aecore.analysis import denoise
from aecore.models.registry import ROLE_DENOISER, ROLE_DENOISER_BASELINE, get_spec, with_role
from ui.sweep_chart import NOISY_LABEL

DENOISER, BASELINE = with_role(ROLE_DENOISER), with_role(ROLE_DENOISER_BASELINE)

TIMEOUT = 180  # first run encodes and sweeps on a busy 2-core machine


@pytest.fixture(scope="module")
def weights_dir(tmp_path_factory, untrained):
    """Untrained (random) weights for the two models the page uses, stored like real ones."""
    return untrained.copy_into(tmp_path_factory.mktemp("weights"), (DENOISER, BASELINE))


def run_page(monkeypatch, folder, **state) -> AppTest:
    monkeypatch.setattr(denoise, "SWEEP_LEVELS", (0.0, 0.5, 1.0))  # a short sweep: fast tests
    monkeypatch.setattr(denoise, "SWEEP_PER_CLASS", 2)
    state = {"denoiser_img_mode": "By test index", "denoiser_img_indices": "0, 1, 2", **state}
    return pagetools.run_page("denoiser", monkeypatch, folder, TIMEOUT, **state)


def means(at: AppTest) -> dict[str, tuple[float, float]]:
    """Row title -> (mean PSNR, mean SSIM) of the chosen images, read from the grid's labels."""
    out = {}
    for label in pagetools.gallery_labels(at):
        title, *lines = label.split("\n")
        found = re.match(r"mean (\S+) dB · SSIM (\S+)$", lines[0]) if lines else None
        if found:
            out[title] = (float(found[1]), float(found[2]))
    return out


def test_default_render_shows_means_images_and_curves(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    assert not at.exception
    rows = means(at)
    assert list(rows) == [NOISY_LABEL, get_spec(DENOISER).title, get_spec(BASELINE).title]
    labels = pagetools.gallery_labels(at)
    assert sum("vs noisy" in label for label in labels) == 2   # each model against the input
    assert len(pagetools.figures(at)) == 4 * 3                  # clean, noisy, two models
    chart = next(body for body in pagetools.html_blocks(at) if "ae-chart" in body)
    assert "current level 0.5" in chart
    book = pagetools.flipbooks(at)[0]
    assert book["values"] == list(denoise.SLIDER_LEVELS) and book["values"][book["index"]] == 0.5
    assert len(book["frames"]) == len(book["summaries"]) == len(denoise.SLIDER_LEVELS)
    assert book["summaries"][book["index"]].startswith("Noise level 0.5. Means: Noisy input")
    assert any("σ = 0.5" in md.value for md in at.markdown)
    assert not at.warning and not at.error


def frame_means(at: AppTest, level: float) -> dict[str, tuple[float, float]]:
    """`means` of the frame the flipbook shows at `level` (what the browser swaps in)."""
    book = pagetools.flipbooks(at)[0]
    book["index"] = book["values"].index(level)
    shown = pagetools.flipbooks
    try:
        pagetools.flipbooks = lambda _at: [book]
        return means(at)
    finally:
        pagetools.flipbooks = shown


def test_every_slider_level_is_drawn_in_advance(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    psnr = [frame_means(at, level)[NOISY_LABEL][0] for level in (0.1, 0.5, 0.9)]
    assert psnr[0] > psnr[1] > psnr[2]  # more noise, lower PSNR


def test_released_level_is_kept_and_shown(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    before = means(at)[NOISY_LABEL][0]
    at.session_state["denoiser_level"] = 0.9   # what keep_level stores on release
    at.run()
    assert not at.exception
    book = pagetools.flipbooks(at)[0]
    assert book["values"][book["index"]] == 0.9
    assert means(at)[NOISY_LABEL][0] < before


@pytest.mark.parametrize("kind", ["salt_pepper", "mask"])
def test_other_noise_kinds_and_a_seed_render(monkeypatch, weights_dir, kind):
    at = run_page(monkeypatch, weights_dir, denoiser_kind=kind, denoiser_seed=7,
                  denoiser_level=0.3)
    assert not at.exception
    assert NOISY_LABEL in means(at)


def test_same_seed_gives_the_same_numbers(monkeypatch, weights_dir):
    first = means(run_page(monkeypatch, weights_dir, denoiser_seed=3))[NOISY_LABEL]
    again = means(run_page(monkeypatch, weights_dir, denoiser_seed=3))[NOISY_LABEL]
    other = means(run_page(monkeypatch, weights_dir, denoiser_seed=4))[NOISY_LABEL]
    assert first == again and first != other


def test_missing_weights_show_the_fix_not_a_traceback(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path)
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert f"python -m aecore.train --model {DENOISER}" in text
    assert f"python -m aecore.train --model {BASELINE}" in text
    assert list(means(at)) == [NOISY_LABEL]


def test_no_images_chosen_is_explained(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, denoiser_img_mode="Upload")  # nothing uploaded yet
    assert not at.exception
    assert not means(at) and not pagetools.figures(at)
    assert any("Choose at least one image" in i.value for i in at.info)
