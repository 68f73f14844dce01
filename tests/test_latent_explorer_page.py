"""AppTest: the latent explorer page. The plane is a custom component (UnknownElement here), so
the tests set its state (the released point) through session state and check what Python shows."""

import io

import numpy as np
import pagetools
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import aecore
from aecore.analysis import latent
from aecore.models.registry import all_specs, plane_models
from ui.planes import plane_key

PLANES = plane_models()          # the page shows the first two that serve, side by side
WIDE = next(s for s in all_specs() if s.latent_dim > 2 and s.family == "dense")
ABSENT = next(n for n in aecore.list_models() if n not in (*PLANES, WIDE.name))

TIMEOUT = 240  # the first run encodes the test set on a busy 2-core machine


@pytest.fixture(scope="module")
def weights_dir(tmp_path_factory, untrained):
    """Untrained (random) weights for every 2-D model and a wide dense one."""
    return untrained.copy_into(tmp_path_factory.mktemp("weights"), (*PLANES, WIDE.name))


def run_page(monkeypatch, folder, **state) -> AppTest:
    at = pagetools.run_page("latent_explorer", monkeypatch, folder, TIMEOUT, **state)
    assert not at.exception, at.exception
    return at


def near_text(at: AppTest) -> str:
    return next(md.value for md in at.markdown if md.value.startswith("**Near the marker**"))




def png_upload(name="shirt.png") -> tuple[str, bytes, str]:
    arr = np.zeros((60, 40), np.uint8)
    arr[10:50, 8:32] = 220
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, format="PNG")
    return name, buffer.getvalue(), "image/png"


def test_default_render(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    assert at.title[0].value == "Latent explorer"
    assert "z = (0.00, 0.00)" in near_text(at)
    assert any(c.value.startswith("Class mix of the 50 nearest:") for c in at.caption)
    assert any("the codes' 1%–99% percentiles" in c.value for c in at.caption)
    assert any("15×15 codes" in c for c in pagetools.captions(at))
    assert not at.warning and not at.error
    at.radio(key="lx_grid_spacing").set_value("Normal quantiles (article)").run()
    assert any("norm.ppf(linspace(0.005, 0.995, 15))" in c.value for c in at.caption)


def test_released_point_shows_its_nearest_images(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, **{plane_key(PLANES[0]): {"point": [1.5, -0.5]}})
    assert "z = (1.50, -0.50)" in near_text(at)
    split = aecore.load_test_set()
    codes = aecore.load_model(PLANES[0], weights_dir).encode(split.x)
    idx = latent.nearest(codes, (1.5, -0.5), 8)
    expected = [aecore.CLASS_NAMES[int(split.y[i])] for i in idx]
    assert pagetools.captions(at)[:8] == expected
    mix = latent.class_mix(split.y, latent.nearest(codes, (1.5, -0.5), 50))
    top = aecore.CLASS_NAMES[int(np.argmax(mix))]
    mix_caption = next(c.value for c in at.caption if c.value.startswith("Class mix"))
    assert mix_caption.startswith(f"Class mix of the 50 nearest: {top} {mix.max():.0%}")


def test_grid_controls(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    at.slider(key="lx_grid_n").set_value(7).run()
    assert any("7×7 codes" in c for c in pagetools.captions(at))
    at.radio(key="lx_grid_spacing").set_value("Even").run()
    at.slider(key="lx_grid_limit").set_value(2.0).run()
    assert not at.exception
    assert any("evenly spaced in [−2.0, 2.0]" in c.value for c in at.caption)


def test_interpolation_with_a_vae_and_a_plain_model(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, lx_interp_steps=5, lx_a_mode="Test index",
                  lx_a_index=3)
    assert any(c.startswith("5 codes on the straight line") and "(2 numbers each)" in c
               for c in pagetools.captions(at))
    first = aecore.CLASS_NAMES[int(aecore.load_test_set().y[3])]
    assert "From: #3 " + first in pagetools.captions(at)
    assert any("dashed line" in c.value for c in at.caption)
    at.selectbox(key="lx_interp_model").set_value(WIDE.name).run()
    assert not at.exception
    assert any(f"({WIDE.latent_dim} numbers each)" in c for c in pagetools.captions(at))
    assert not any("dashed line" in c.value for c in at.caption)


def test_interpolation_without_weights_explains(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir, lx_interp_model=ABSENT)
    assert any("cannot be shown" in w.value for w in at.warning)


def test_upload_lands_and_moves_the_marker(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    at.file_uploader(key="lx_upload").set_value(png_upload()).run()
    assert not at.exception
    lands = next(md.value for md in at.markdown if md.value.startswith("It lands at z = ("))
    assert any(c.startswith("Reconstruction") for c in pagetools.captions(at))
    at.button(key="lx_goto_upload").click().run()
    assert lands.split("z = ")[1].split(",")[0] in near_text(at)  # same x coordinate


def test_bad_upload_shows_an_error(monkeypatch, weights_dir):
    at = run_page(monkeypatch, weights_dir)
    at.file_uploader(key="lx_upload").set_value(("notes.txt", b"hello", "text/plain")).run()
    assert not at.exception
    assert at.error


@pytest.mark.parametrize("name", PLANES[1:])
def test_every_other_plane_model(monkeypatch, weights_dir, name):
    at = run_page(monkeypatch, weights_dir, lx_models=[name],
                  **{plane_key(name): {"point": [0.2, 0.1]}})
    assert "z = (0.20, 0.10)" in near_text(at)


def test_missing_weights_offer_training(monkeypatch, tmp_path):
    at = run_page(monkeypatch, tmp_path)
    assert any("cannot be shown" in w.value for w in at.warning)
    assert at.button(key=f"train_lx_{PLANES[0]}")
