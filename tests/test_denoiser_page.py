"""AppTest: the denoiser page renders, reacts to its controls, and explains missing weights."""

import pagetools
import pytest
from streamlit.testing.v1 import AppTest

from aecore.analysis import denoise
from aecore.models.registry import ROLE_DENOISER, ROLE_DENOISER_BASELINE, get_spec, with_role

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


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_default_render_shows_metrics_and_curves(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    assert not at.exception
    labels = [m.label for m in at.metric]
    for row in ("Noisy input", get_spec(DENOISER).title, get_spec(BASELINE).title):
        assert f"{row} · PSNR" in labels and f"{row} · SSIM" in labels
    assert any("σ = 0.5" in md.value for md in at.markdown)
    assert not at.warning and not at.error


def test_noise_slider_changes_the_metrics(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    before = metric(at, "Noisy input · PSNR")
    at.slider(key="denoiser_level").set_value(0.9).run()
    assert not at.exception
    after = metric(at, "Noisy input · PSNR")
    assert float(after.split()[0]) < float(before.split()[0])  # more noise, lower PSNR
    assert at.slider(key="denoiser_level").value == 0.9


@pytest.mark.parametrize("kind", ["salt_pepper", "mask"])
def test_other_noise_kinds_and_a_seed_render(monkeypatch, weights_dir, kind):
    at = run_page(monkeypatch, weights_dir, denoiser_kind=kind, denoiser_seed=7,
                  denoiser_level=0.3)
    assert not at.exception
    assert metric(at, "Noisy input · PSNR").endswith("dB")


def test_same_seed_gives_the_same_numbers(monkeypatch, weights_dir):
    first = metric(run_page(monkeypatch, weights_dir, denoiser_seed=3), "Noisy input · SSIM")
    again = metric(run_page(monkeypatch, weights_dir, denoiser_seed=3), "Noisy input · SSIM")
    other = metric(run_page(monkeypatch, weights_dir, denoiser_seed=4), "Noisy input · SSIM")
    assert first == again and first != other


def test_missing_weights_show_the_fix_not_a_traceback(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path)
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert f"python -m aecore.train --model {DENOISER}" in text
    assert f"python -m aecore.train --model {BASELINE}" in text
    assert [m.label for m in at.metric] == ["Noisy input · PSNR", "Noisy input · SSIM"]


def test_no_images_chosen_is_explained(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, denoiser_img_mode="Upload")  # nothing uploaded yet
    assert not at.exception
    assert not at.metric
    assert any("Choose at least one image" in i.value for i in at.info)
