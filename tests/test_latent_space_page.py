"""AppTest: the latent-space page plots codes, shows a selected image, explains projections."""

import re

import pagetools
import pytest
from streamlit.testing.v1 import AppTest

import aecore
from aecore.models.registry import all_specs, plane_models
from aecore.runtime import tsne

PLANES = plane_models()
WIDE = next(s for s in all_specs() if s.latent_dim > 2 and s.family == "dense")

TIMEOUT = 180  # the first run encodes the whole test set


@pytest.fixture(scope="module")
def weights_dir(tmp_path_factory, untrained):
    """Untrained (random) weights for every 2-D model and a wide dense one."""
    return untrained.copy_into(tmp_path_factory.mktemp("weights"), (*PLANES, WIDE.name))


def run_page(monkeypatch, folder, **state) -> AppTest:
    return pagetools.run_page("latent_space", monkeypatch, folder, TIMEOUT, **state)


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [i.value for i in at.info])


def test_default_render_plots_2d_codes_without_projection(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    assert not at.exception and not at.warning and not at.error
    assert at.selectbox(key="latent_space_model").value in PLANES
    assert re.search(r"z(_mean)? = \(", texts(at))
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
    at = run_page(monkeypatch, weights_dir, latent_space_model=WIDE.name)
    assert not at.exception
    assert "This is a projection" in texts(at) and "PCA" in texts(at)
    assert f"{WIDE.latent_dim} numbers" in texts(at)


def test_t_sne_of_unshipped_weights_is_made_once_elsewhere(monkeypatch, weights_dir):
    """Weights with no shipped view (as a Lab model's): another process makes it, the page
    caches it beside the weights and shows it."""
    at = run_page(monkeypatch, weights_dir, latent_space_model=WIDE.name,
                  latent_space_method="tsne")
    assert not at.exception and not at.error
    assert "t-SNE places" in texts(at)
    shipped, cached = tsne.tsne_files(WIDE.name, aecore.load_test_set().source, weights_dir)
    assert cached.is_file() and not shipped.exists()


def test_missing_weights_show_the_fix_not_a_traceback(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path, latent_space_model=PLANES[-1])
    assert not at.exception
    assert f"python -m aecore.train --model {PLANES[-1]}" in " ".join(w.value for w in at.warning)
