"""AppTest: the latent-space page plots codes, shows a selected image, explains projections."""


import pagetools
import pytest
from pagetools import record_untrained
from streamlit.testing.v1 import AppTest

TIMEOUT = 180  # the first run encodes the whole test set


@pytest.fixture(scope="module")
def weights_dir(tmp_path_factory):
    """Untrained (random) weights for a 2-D VAE and a 32-D dense model."""
    return record_untrained(tmp_path_factory.mktemp("weights"), ("vae_mlp", "basic"))


def run_page(monkeypatch, folder, **state) -> AppTest:
    return pagetools.run_page("latent_space", monkeypatch, folder, TIMEOUT, **state)


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info])


def test_default_render_plots_the_vae_codes_without_projection(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    assert not at.exception and not at.warning and not at.error
    assert at.selectbox(key="latent_space_model").value == "vae_mlp"
    assert "z_mean = (" in texts(at)
    assert "This is a projection" not in texts(at)
    assert "**#0 · " in texts(at) or "**sample #0 · " in texts(at)


def test_a_selection_set_in_session_state_shows_that_image(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, latent_space_selected=123)
    assert not at.exception
    assert "#123 · " in texts(at)
    at.number_input(key="latent_space_selected").set_value(45).run()
    assert "#45 · " in texts(at) and "#123 · " not in texts(at)


def test_an_out_of_range_selection_is_clamped(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, latent_space_selected=10**9)
    assert not at.exception
    assert at.number_input(key="latent_space_selected").value < 10_000


def test_wide_codes_are_projected_with_pca_and_say_so(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, latent_space_model="basic")
    assert not at.exception
    assert "This is a projection" in texts(at) and "PCA" in texts(at)
    assert "32 numbers" in texts(at)


def test_missing_weights_show_the_fix_not_a_traceback(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path, latent_space_model="vae_conv")
    assert not at.exception
    assert "python -m aecore.train --model vae_conv" in " ".join(w.value for w in at.warning)
