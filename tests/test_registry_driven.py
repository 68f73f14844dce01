"""One registry drives every page: a throwaway 2-D spec, registered for this module only, with
real (untrained) weights exported like shipped ones, runs through every page of ui.pages.PAGES
and shows up wherever models are listed, including the latent planes."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from pagetools import gallery_labels, run_page, tables
from streamlit.testing.v1 import AppTest

import aecore
from aecore.analysis import latent
from aecore.models import registry
from aecore.runtime import store
from ui import planes
from ui.pages import PAGES

TIMEOUT = 300  # first runs encode the test set on a busy 2-core machine
THROWAWAY = registry.ModelSpec(
    name="zz_throwaway_plane", title="Throwaway plane (test only)",
    description="A random-weight 2-D autoencoder registered by a test.", family="dense",
    latent_shape=(2,), loss="BCE", architecture="784 → 256 → 2 → 256 → 784 (untrained)",
    builder="aecore.models.dense:build_plain_2d",
    train=registry.TrainSettings(quick_epochs=1, full_epochs=2), origin="tests",
)
# Pages whose lists show every registered model (the others list models by role, or none).
LISTS_EVERY_MODEL = ("views/overview.py", "views/compare.py", "views/latent_space.py",
                     "views/latent_explorer.py", "views/training_curves.py")
HISTORY = {"model": THROWAWAY.name, "epoch": [1, 2], "loss": [0.40, 0.35],
           "val_loss": [0.41, 0.37], "preset": "full", "backend": "tensorflow"}


def other_plane() -> str:
    """A shipped 2-D model to put beside the throwaway (the registry's first)."""
    return aecore.plane_models()[0]


@pytest.fixture(scope="module")
def throwaway():
    with registry.registered(THROWAWAY) as spec:
        yield spec


@pytest.fixture(scope="module")
def weights_dir(throwaway, untrained, tmp_path_factory):
    """The throwaway and one shipped plane model, untrained, plus a history for the throwaway."""
    folder = untrained.copy_into(tmp_path_factory.mktemp("weights"),
                                 [throwaway.name, other_plane()])
    path = store.history_file(throwaway.name, folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(HISTORY))
    return folder


def page_stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def listed_texts(at: AppTest) -> str:
    """Everything a user reads where models are listed: text, tables and choice widgets."""
    texts = [e.value for kind in (at.title, at.markdown, at.caption, at.info, at.warning)
             for e in kind]
    texts += [frame.to_string() for frame in tables(at)] + gallery_labels(at)
    for widgets in (at.selectbox, at.multiselect, at.radio):
        texts += [option for widget in widgets for option in widget.options]
    return "\n".join(texts)


def test_the_pages_that_list_every_model_are_in_the_page_list():
    assert set(LISTS_EVERY_MODEL) <= {p.path for p in PAGES}


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_runs_with_an_extra_model(monkeypatch, weights_dir, entry):
    at = run_page(page_stem(entry.path), monkeypatch, weights_dir, TIMEOUT)
    assert not at.exception, at.exception
    if entry.path in LISTS_EVERY_MODEL:
        assert THROWAWAY.title in listed_texts(at), entry.path


def test_the_extra_model_is_the_latent_space_default(monkeypatch, weights_dir):
    """The default is the first 2-D model that serves; here the shipped one, then the extra."""
    at = run_page("latent_space", monkeypatch, weights_dir, TIMEOUT)
    assert at.selectbox(key="latent_space_model").value == other_plane()
    at.selectbox(key="latent_space_model").set_value(THROWAWAY.name).run()
    assert not at.exception
    assert any(c.value.startswith("z = (") for c in at.caption)  # not a VAE: no z_mean


def test_two_planes_side_by_side_with_their_own_markers(monkeypatch, weights_dir):
    names = [other_plane(), THROWAWAY.name]
    state = {planes.plane_key(THROWAWAY.name): {"point": [0.5, -0.25]}}
    at = run_page("latent_explorer", monkeypatch, weights_dir, TIMEOUT, **state)
    assert not at.exception, at.exception
    assert at.multiselect(key="lx_models").value == names
    headers = [m.value for m in at.markdown if m.value.startswith("**") and "Near" not in m.value]
    assert [f"**{aecore.get_spec(n).title}**" for n in names] == headers[:2]
    near = [m.value for m in at.markdown if m.value.startswith("**Near the marker**")]
    assert "z = (0.00, 0.00)" in near[0] and "z = (0.50, -0.25)" in near[1]
    grids = [c for image in at.image for c in image.captions if "codes, z₁" in c]
    assert [g.split(":")[0] for g in grids] == [aecore.get_spec(n).title for n in names]


def test_plane_comparison_is_computed_from_the_codes(monkeypatch, weights_dir):
    at = run_page("latent_explorer", monkeypatch, weights_dir, TIMEOUT)
    table = next(f for f in tables(at) if "Empty cells" in f.columns)
    split = aecore.load_test_set()
    for name in (other_plane(), THROWAWAY.name):
        row = table[table["Model"] == aecore.get_spec(name).title].iloc[0]
        codes = aecore.load_model(name, weights_dir).encode(split.x)
        assert row["Empty cells"] == pytest.approx(latent.empty_share(codes), abs=1e-6)
        assert pd.isna(row["Test BCE"])  # untrained weights record no metrics


def test_the_explorer_can_show_one_plane(monkeypatch, weights_dir):
    at = run_page("latent_explorer", monkeypatch, weights_dir, TIMEOUT,
                  lx_models=[THROWAWAY.name])
    assert not at.exception, at.exception
    near = [m.value for m in at.markdown if m.value.startswith("**Near the marker**")]
    assert len(near) == 1
