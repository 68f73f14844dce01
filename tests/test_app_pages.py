"""AppTest: the app shell (navigation, sidebar) and the Overview, Compare and Training curves pages.

The weights store is pointed at a temporary folder so the tests do not depend on what the
background training has written: one with a tiny trained dense model, a damaged model (its ONNX
file changed) and a VAE history; one with every model but one damaged; and an empty one.
"""

from __future__ import annotations

import io
import json
import re
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest
from pagetools import captions, figures, gallery_labels, tables
from PIL import Image
from streamlit.testing.v1 import AppTest

import aecore
from aecore.models.registry import all_specs, list_models
from aecore.runtime import store
from aecore.training.train import train_model
from ui.pages import PAGES

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 240
PAGE = {Path(p.path).stem: p.path for p in PAGES}
OVERVIEW, COMPARE, CURVES = PAGE["overview"], PAGE["compare"], PAGE["training_curves"]
MY_PAGES = (OVERVIEW, COMPARE, CURVES)

TRAINED = next(s for s in all_specs() if s.family == "dense" and s.article_bce)   # fast
DAMAGED = next(s for s in all_specs() if s.name != TRAINED.name and not s.has_plane)
VAE = next(s for s in all_specs() if s.is_vae)             # a history only, no weights
ABSENT = [s for s in all_specs() if s.name not in (TRAINED.name, DAMAGED.name)]
EXPORT_FIX = "python -m aecore.export --model"


def tiny_data():
    """The test set (or the shipped sample) as both training and validation data."""
    split = aecore.load_test_set()
    return (split.x, split.y), (split.x, split.y)


def train_tiny(name: str, folder: Path, **kwargs) -> dict:
    kwargs.setdefault("epochs", 1)
    return train_model(name, "quick", weights_dir=folder, limit=256, eval_limit=256, verbose=0,
                       data=tiny_data(), **kwargs)


def damage(folder: Path, name: str) -> None:
    """Flip bytes in the model's ONNX decoder, as a bad copy or disk would."""
    path = store.serving_file(name, "decoder", folder)
    raw = bytearray(path.read_bytes())
    raw[-200] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.fixture(scope="session")
def trained_dir(tmp_path_factory, untrained) -> Path:
    """TRAINED: 1 epoch on 256 images; DAMAGED: its ONNX file changed; VAE: a history only."""
    folder = tmp_path_factory.mktemp("weights")
    train_tiny(TRAINED.name, folder)
    untrained.copy_into(folder, [DAMAGED.name])
    damage(folder, DAMAGED.name)
    store.atomic_write_json(store.history_file(VAE.name, folder), {
        "model": VAE.name, "epoch": [1, 2, 3], "loss": [260.0, 250.0, 247.0],
        "val_loss": [258.0, 252.0, 251.0], "preset": "full", "backend": "tensorflow"})
    return folder


@pytest.fixture
def weights(monkeypatch, trained_dir) -> Path:
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", trained_dir)
    return trained_dir


@pytest.fixture
def one_damaged(monkeypatch, tmp_path, untrained) -> str:
    """Every model served from untrained weights, except one whose ONNX file is damaged."""
    untrained.copy_into(tmp_path, list_models())
    damage(tmp_path, DAMAGED.name)
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", tmp_path)
    return DAMAGED.name


@pytest.fixture
def no_weights(monkeypatch, tmp_path) -> Path:
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", tmp_path)
    return tmp_path


@pytest.fixture
def sample_only(monkeypatch):
    """Pretend Fashion-MNIST is not installed: the app must run on weights/sample.npz."""
    from ui import cache

    monkeypatch.setattr("aecore.data.fashion_mnist.candidate_dirs", lambda: [])
    cache.test_set.clear()
    cache.data_description.clear()
    yield
    cache.test_set.clear()
    cache.data_description.clear()


def open_app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    if page:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at




def is_error(caption: str) -> bool:
    """A grid cell's caption: the per-image error, with ★ on the best model."""
    return re.fullmatch(r"-?\d+\.\d{3}( ★)?", caption) is not None


def image_urls(at: AppTest) -> list[str]:
    return [f.src for f in figures(at)]


def png_upload(name="shirt.png", light_background=False) -> tuple[str, bytes, str]:
    arr = np.zeros((60, 40), np.uint8)
    arr[10:50, 8:32] = 220
    if light_background:
        arr = 255 - arr
    buffer = io.BytesIO()
    Image.fromarray(arr).save(buffer, format="PNG")
    return name, buffer.getvalue(), "image/png"


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


# --- app shell -------------------------------------------------------------------------------

def test_shell_sidebar_shows_data_source_and_weights(weights):
    at = open_app()
    sidebar = texts(at.sidebar.caption)
    assert aecore.load_test_set().description in sidebar
    assert f"`{TRAINED.name}`" in sidebar and f"`{DAMAGED.name}` — damaged" in sidebar
    assert f"`{ABSENT[0].name}` — missing" in sidebar
    assert f"{TRAINED.name}` — " not in sidebar  # ok models carry no note
    assert at.title[0].value == "Autoencoder Explorer"  # the Overview is the default page


def test_every_page_renders_without_weights(no_weights):
    at = open_app()
    assert f"`{TRAINED.name}` — missing" in texts(at.sidebar.caption)
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, f"{page.path}: {at.exception}"


def test_every_page_renders_with_weights(weights):
    at = open_app()
    for page in PAGES:
        at.switch_page(page.path).run()
        assert not at.exception, f"{page.path}: {at.exception}"
        if page.path in MY_PAGES:
            assert not at.error, f"{page.path}: {texts(at.error)}"


# --- one damaged model -----------------------------------------------------------------------

def test_a_damaged_model_is_named_with_its_fix_and_the_others_serve(one_damaged):
    at = open_app()
    sidebar = texts(at.sidebar.caption)
    assert f"`{one_damaged}` — damaged" in sidebar
    assert sidebar.count(" — ") == 1  # every other model is ok
    fixes = texts(at.sidebar.expander[0].caption)
    assert f"`{one_damaged}`" in fixes and f"{EXPORT_FIX} {one_damaged}" in fixes
    at.switch_page(COMPARE).run()
    at.multiselect(key="compare_models").set_value(list_models()).run()
    assert not at.exception
    assert f"{EXPORT_FIX} {one_damaged}" in texts(at.warning)
    assert len(captions(at)) == 8 * len(list_models())  # originals + every other model


# --- overview --------------------------------------------------------------------------------

def test_overview_table_maths_strip_and_differences(weights):
    at = open_app(OVERVIEW)
    table = tables(at)[0]
    assert list(table["Model"]) == [s.title for s in all_specs()]
    assert list(table["Latent size"]) == [s.latent_dim for s in all_specs()]
    row = table[table["Model"] == TRAINED.title].iloc[0]
    entry = store.read_manifest(weights)["models"][TRAINED.name]
    assert 0.2422 < row["Test BCE"] < 1 and row["Weights"] == "ok"
    assert row["Above floor"] == pytest.approx(row["Test BCE"] - 0.2422, abs=1e-6)
    assert row["Parameters"] == entry["parameters"] and row["Article BCE"] == TRAINED.article_bce
    damaged = table[table["Model"] == DAMAGED.title].iloc[0]
    assert np.isnan(damaged["Test BCE"]) and damaged["Weights"] == "damaged"
    formulas = [m.value for m in at.markdown if '<math display="block">' in m.value]
    assert len(formulas) == 2 and not at.latex   # MathML, drawn without KaTeX
    assert all(m.allow_html for m in at.markdown if "<math" in m.value)
    assert len(figures(at)) == 2  # originals + the trained model (the others: no usable weights)
    assert len(at.main.expander) == len(list_models())
    about = next(e for e in at.main.expander if e.label.startswith(TRAINED.title))
    assert TRAINED.article_settings in texts(about.markdown)


def test_overview_slider_changes_the_strip(weights):
    at = open_app(OVERVIEW)
    before = image_urls(at)
    at.slider(key="overview_count").set_value(3).run()
    assert not at.exception and image_urls(at) != before
    again = image_urls(at)
    at.button(key="overview_redraw").click().run()
    assert not at.exception and image_urls(at) != again


# --- compare ---------------------------------------------------------------------------------

def test_compare_default_grid_with_errors(weights):
    at = open_app(COMPARE)
    assert at.multiselect(key="compare_models").value == [TRAINED.name]
    caps = captions(at)
    assert len(caps) == 16 and all(is_error(c) for c in caps[8:])
    assert any("mean BCE" in label for label in gallery_labels(at))
    assert len(at.get("plotly_chart")) == 1  # the test-BCE bar chart


def test_compare_slider_metric_and_view_change_the_output(weights):
    at = open_app(COMPARE)
    at.slider(key="compare_img_count").set_value(3).run()
    assert len(captions(at)) == 6
    bce = captions(at)[3:]
    at.selectbox(key="compare_metric").set_value("SSIM").run()
    assert any("mean SSIM" in label for label in gallery_labels(at))
    assert captions(at)[3:] != bce and all(is_error(c) for c in captions(at)[3:])
    plain = image_urls(at)
    at.radio(key="compare_view").set_value("Difference").run()
    diff = image_urls(at)
    at.radio(key="compare_view").set_value("Error heat").run()
    heat = image_urls(at)
    assert not at.exception
    assert plain[:3] == diff[:3] == heat[:3]  # originals stay
    assert len({tuple(plain[3:]), tuple(diff[3:]), tuple(heat[3:])}) == 3


def test_compare_by_class_and_by_index(weights):
    at = open_app(COMPARE)
    at.radio(key="compare_img_mode").set_value("By class").run()
    at.multiselect(key="compare_img_classes").set_value(["Bag", "Sneaker"]).run()
    assert [c.split(" ", 1)[1] for c in captions(at)[:2]] == ["Bag", "Sneaker"]
    at.radio(key="compare_img_mode").set_value("By test index").run()
    at.text_input(key="compare_img_indices").input("0, 5-7").run()
    prefix = "#" if aecore.load_test_set().source == "full" else "sample #"
    assert [c.split(" ")[0] for c in captions(at)[:4]] == [f"{prefix}{i}" for i in (0, 5, 6, 7)]
    at.text_input(key="compare_img_indices").input("12, banana").run()
    assert not at.exception and "'banana' is not a number" in texts(at.error)


def test_compare_upload_reconstructs_the_picture(weights):
    at = open_app(COMPARE)
    at.radio(key="compare_img_mode").set_value("Upload").run()
    assert "Upload one or more pictures" in texts(at.info)
    at.file_uploader(key="compare_img_files").set_value(
        [png_upload("shirt.png"), png_upload("inverted.png", light_background=True)]).run()
    assert not at.exception and not at.error
    assert captions(at)[:2] == ["shirt.png", "inverted.png"]
    assert is_error(captions(at)[2])


def test_compare_bad_upload_shows_an_error(weights):
    at = open_app(COMPARE)
    at.radio(key="compare_img_mode").set_value("Upload").run()
    at.file_uploader(key="compare_img_files").set_value(
        [("notes.png", b"this is not a picture", "image/png"), png_upload("good.png")]).run()
    assert not at.exception
    assert "notes.png" in texts(at.error) and "not a picture format" in texts(at.error)
    assert captions(at)[0] == "good.png"  # the good file is still used
    at.file_uploader(key="compare_img_files").set_value(("empty.png", b"", "image/png")).run()
    assert not at.exception and "empty" in texts(at.error)


def test_compare_choices_survive_a_page_switch(weights):
    at = open_app(COMPARE)
    at.radio(key="compare_img_mode").set_value("By test index").run()
    at.text_input(key="compare_img_indices").input("3, 4").run()
    at.radio(key="compare_view").set_value("Difference").run()
    before = captions(at)
    at.switch_page(OVERVIEW).run()
    at.switch_page(COMPARE).run()
    assert at.radio(key="compare_img_mode").value == "By test index"
    assert at.text_input(key="compare_img_indices").value == "3, 4"
    assert at.radio(key="compare_view").value == "Difference"
    assert captions(at) == before


def test_uploads_survive_a_page_switch(weights):
    at = open_app(COMPARE)
    at.radio(key="compare_img_mode").set_value("Upload").run()
    at.file_uploader(key="compare_img_files").set_value(png_upload("kept.png")).run()
    at.switch_page(CURVES).run()
    at.switch_page(COMPARE).run()
    assert not at.exception and captions(at)[0] == "kept.png"
    assert "earlier upload: kept.png" in texts(at.caption)
    at.button(key="compare_img_clear_uploads").click().run()
    assert not figures(at) and "Upload one or more pictures" in texts(at.info)


def test_compare_notices_for_missing_and_damaged_models(weights):
    at = open_app(COMPARE)
    missing = ABSENT[0].name
    at.multiselect(key="compare_models").set_value([TRAINED.name, DAMAGED.name, missing]).run()
    assert not at.exception
    warnings = texts(at.warning)
    assert f"{EXPORT_FIX} {DAMAGED.name}" in warnings
    assert f"python -m aecore.train --model {missing}" in warnings
    assert {b.label for b in at.button} >= {"Train a quick version now"}
    assert len(captions(at)) == 16  # originals + the trained model still shown


class InlineExecutor:
    """Runs a submitted job at once in this process (a tiny training instead of the preset)."""

    def __init__(self, folder: Path):
        self.folder, self.jobs = folder, []

    def submit(self, fn, job) -> Future:
        self.jobs.append((job.name, job.preset))
        future = Future()
        future.set_result(train_tiny(job.name, self.folder))
        return future


def test_train_button_trains_in_the_pool_and_reloads(no_weights, monkeypatch):
    executor = InlineExecutor(no_weights)
    monkeypatch.setattr("ui.sidebar.training_executor", lambda: executor)
    at = open_app(COMPARE)
    assert "No trained weights" in texts(at.warning)
    at.button(key=f"train_compare_{TRAINED.name}").click().run()
    assert not at.exception and executor.jobs == [(TRAINED.name, "quick")]
    at.run()  # the progress fragment sees the finished job and reloads the app
    assert not at.exception
    assert not at.warning and any(is_error(c) for c in captions(at))


def test_compare_without_any_weights_explains(no_weights):
    at = open_app(COMPARE)
    assert not at.exception
    assert "No model has recorded test results yet" in texts(at.info)
    assert len(captions(at)) == 8  # the originals are still shown


def test_compare_on_the_shipped_sample(no_weights, sample_only):
    at = open_app()
    assert "shipped sample" in texts(at.sidebar.caption)
    at.switch_page(COMPARE).run()
    at.radio(key="compare_img_mode").set_value("By test index").run()
    at.text_input(key="compare_img_indices").input("999").run()
    assert captions(at)[0].startswith("sample #999")
    at.text_input(key="compare_img_indices").input("1000").run()
    assert "out of range" in texts(at.error)
    at.text_input(key="compare_img_indices").input("0").run()
    at.button(key=f"train_compare_{list_models()[0]}").click().run()
    assert not at.exception and "Training needs the full dataset" in texts(at.error)


# --- training curves -------------------------------------------------------------------------

def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_training_curves_show_both_charts_and_the_runs(weights):
    at = open_app(CURVES)
    specs = chart_specs(at)
    assert len(specs) == 2  # BCE models, then the VAE (nats) on its own chart
    names = [t["name"] for t in specs[0]["data"]]
    assert names == [f"{TRAINED.name} val_loss", f"{TRAINED.name} loss"]
    article = [s for s in specs[0]["layout"]["shapes"] if s["y0"] == TRAINED.article_bce]
    assert article, "the article's number is drawn as a reference line"
    assert "nats" in specs[1]["layout"]["yaxis"]["title"]["text"]
    table = tables(at)[0]
    assert list(table["Preset"]) == ["quick", "full"] and "Backend" not in table
    assert "Same for every model: Backend tensorflow." in texts(at.caption)   # the same for both


def test_training_curves_controls_change_the_chart(weights):
    at = open_app(CURVES)
    at.toggle(key="curves_train").set_value(False).run()
    assert [t["name"] for t in chart_specs(at)[0]["data"]] == [f"{TRAINED.name} val_loss"]
    at.toggle(key="curves_log").set_value(True).run()
    assert chart_specs(at)[0]["layout"]["yaxis"]["type"] == "log"
    at.multiselect(key="curves_models").set_value([VAE.name]).run()
    assert not at.exception and len(chart_specs(at)) == 1


def test_training_curves_without_histories(no_weights):
    at = open_app(CURVES)
    assert not at.exception and "No training history" in texts(at.info)
