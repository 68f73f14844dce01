"""AppTest: links that carry the view. Every page that keeps its state in the address restores a
good link, and ignores unknown names, malformed numbers, out-of-range values and wrong model
names with a notice, never an exception; the lesson advances, accepts a prediction and reveals.

Most runs point the weights store at an empty folder: reading the address happens before any
model is needed, and the pages show notices for the missing models.
"""

from __future__ import annotations

import pagetools
import pytest
from streamlit.testing.v1 import AppTest

import aecore
from aecore.models.registry import (
    ROLE_CONVOLUTIONAL,
    ROLE_DEEP,
    ROLE_SHALLOW,
    with_role,
)
from aecore.runtime import store

TIMEOUT = 240
BOUND = [name for name, path in pagetools.PAGE_FILES.items()
         if "address.bind(" in path.read_text()]
JUNK = {"nonsense": "1", "level": "abc", "models": "no_such_model", "step": "99",
        "image": "-3", "n": "1e9", "seed": "x", "images": "99999", "grid": "7.5"}


@pytest.fixture
def empty_weights(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", tmp_path)
    return tmp_path


def open_link(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(pagetools.PAGE_FILES[page]), default_timeout=TIMEOUT)
    at.query_params.update(params)
    at.run()
    assert not at.exception, at.exception
    return at


def notice(at: AppTest) -> str:
    return " ".join(t.value for t in at.toast)


def test_the_pages_that_keep_state_in_the_address():
    assert {"overview", "compare", "denoiser", "latent_space", "latent_explorer",
            "training_curves", "lesson"} <= set(BOUND)


@pytest.mark.parametrize("page", BOUND)
def test_bad_parameters_are_ignored_with_a_notice(page, empty_weights):
    at = open_link(page, **JUNK)
    assert "nonsense" in notice(at)
    left = dict(at.query_params)
    assert not {k: v for k, v in left.items() if JUNK.get(k) == v}, \
        f"junk stays in the address: {left}"


def test_a_denoiser_link_restores_its_view(empty_weights):
    kind = aecore.NOISE_KINDS[-1]
    at = open_link("denoiser", level="0.65", kind=kind, noise_seed="3", images="12,408,77")
    assert not at.toast
    assert at.session_state["denoiser_level"] == pytest.approx(0.65)
    assert at.session_state["denoiser_kind"] == kind
    assert at.number_input(key="denoiser_seed").value == 3
    assert at.radio(key="denoiser_img_mode").value == "By test index"
    assert at.text_input(key="denoiser_img_indices").value == "12, 408, 77"
    assert dict(at.query_params) == {"level": "0.65", "kind": kind, "noise_seed": "3",
                                     "images": "12 408 77"}


@pytest.mark.parametrize("params, field", [
    ({"level": "1.5"}, "level"),          # out of range
    ({"level": "0.5.5"}, "level"),        # malformed
    ({"level": "inf"}, "level"),          # not finite
    ({"kind": "purple"}, "kind"),         # not a noise kind
    ({"images": "3-1"}, "images"),        # a backwards range
    ({"noise_seed": "-1"}, "noise_seed"),
])
def test_a_bad_denoiser_value_keeps_the_default(params, field, empty_weights):
    at = open_link("denoiser", **params)
    assert field in notice(at)
    assert at.session_state["denoiser_level"] == 0.5
    assert at.session_state["denoiser_kind"] == "gaussian"
    assert at.radio(key="denoiser_img_mode").value == "Random"
    assert dict(at.query_params) == {}


def test_wrong_model_names_are_left_out_and_good_ones_kept(empty_weights):
    good = aecore.list_models()[:2]
    at = open_link("compare", models=f"{good[0]},not_a_model,{good[1]}", view="difference")
    assert "not_a_model" in notice(at)
    assert at.multiselect(key="compare_models").value == good
    assert at.radio(key="compare_view").value == "Difference"
    assert at.query_params["models"] == " ".join(good)


def test_a_single_wrong_model_name_is_ignored(empty_weights):
    at = open_link("latent_space", model="not_a_model")
    assert "model" in notice(at) and "not_a_model" in notice(at)
    assert at.selectbox(key="latent_space_model").value in aecore.list_models()


def test_chooser_classes_by_name(empty_weights):
    at = open_link("compare", classes="trouser+ankle-boot", seed="4")
    assert at.radio(key="compare_img_mode").value == "By class"
    assert at.multiselect(key="compare_img_classes").value == ["Trouser", "Ankle boot"]
    assert at.query_params["classes"] == "trouser ankle-boot"
    assert at.query_params["seed"] == "4"


@pytest.fixture(scope="module")
def lesson_weights(tmp_path_factory, untrained):
    """Untrained weights for the models of the lesson's convolution step."""
    names = [with_role(r) for r in (ROLE_SHALLOW, ROLE_DEEP, ROLE_CONVOLUTIONAL)]
    return untrained.copy_into(tmp_path_factory.mktemp("weights"), names)


def test_the_lesson_opens_at_the_linked_step_accepts_a_prediction_and_advances(
        lesson_weights, monkeypatch):
    monkeypatch.setattr(store, "DEFAULT_WEIGHTS_DIR", lesson_weights)
    at = open_link("lesson", step="3")
    assert at.header[0].value.startswith("3.")
    check = next(b for b in at.button if b.label == "Check my prediction")
    assert check.disabled, "nothing to check before a prediction"
    at.radio(key="lesson_guess_conv").set_value(with_role(ROLE_CONVOLUTIONAL)).run()
    next(b for b in at.button if b.label == "Check my prediction").click().run()
    assert not at.exception
    shown = [a.value for a in (*at.success, *at.info)]
    assert any("rebuilds it best" in text for text in shown), shown
    assert at.query_params["step"] == "3"
    next(b for b in at.button if b.label.startswith("Next")).click().run()
    assert at.header[0].value.startswith("4.") and at.query_params["step"] == "4"


def test_a_lesson_link_to_a_missing_step_starts_at_the_first(empty_weights):
    at = open_link("lesson", step="12")
    assert "step" in notice(at)
    assert at.header[0].value.startswith("1.") and "step" not in at.query_params
