"""AppTest: the Lab page's knobs, then a real tiny training pressed from the page whose model
shows up on the other pages of the same session, and only there."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pagetools import PAGE_FILES, html_blocks, in_ci
from streamlit.testing.v1 import AppTest

from aecore.data import find_dataset_dir
from aecore.models import lab
from ui import lab_session

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 300
WAIT = 900.0   # one tiny training on a busy 2-core machine


@pytest.fixture
def lab_dir(monkeypatch, tmp_path):
    """Session folders in a temporary folder; a fresh server-wide queue without a warm spare."""
    monkeypatch.setenv("AE_LAB_DIR", str(tmp_path))
    monkeypatch.setenv("AE_TRAINING_SPARES", "0")
    lab_session.training_queue.clear()
    yield tmp_path
    lab_session.training_queue().shutdown()
    lab_session.training_queue.clear()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def test_knobs_follow_the_variant_and_bad_values_block_training(lab_dir):
    at = AppTest.from_file(str(PAGE_FILES["lab"]), default_timeout=TIMEOUT).run()
    assert not errors(at)
    assert at.button(key="lab_train").disabled == (find_dataset_dir() is None)
    at.selectbox(key="lab_preset").set_value("conv").run()
    assert at.text_input(key="lab_hidden").value == "16, 8, 8"
    assert at.number_input(key="lab_code_size").disabled
    at.selectbox(key="lab_preset").set_value("vae").run()
    assert at.slider(key="lab_noise").disabled and at.text_input(key="lab_title").value.startswith(
        "My variational")
    at.text_input(key="lab_hidden").set_value("256, lots").run()
    assert any("whole numbers" in e.value for e in at.error)
    assert at.button(key="lab_train").disabled
    assert not (lab_dir.exists() and any(lab_dir.iterdir()))  # no folder before a job


def tiny_knobs(at: AppTest) -> AppTest:
    at.selectbox(key="lab_preset").set_value("plain_2d").run()
    at.text_input(key="lab_hidden").set_value("16").run()
    at.slider(key="lab_epochs").set_value(2).run()
    at.select_slider(key="lab_images").set_value(500).run()
    at.text_input(key="lab_title").set_value("Tiny plane").run()
    return at


def options(at: AppTest, key: str) -> list[str]:
    return list(at.multiselect(key=key).options)


def test_train_from_the_page_then_use_it_everywhere(lab_dir):
    if find_dataset_dir() is None:
        if in_ci():
            pytest.fail("Fashion-MNIST is not installed (CI=true: an error, not a skip)")
        pytest.skip("training needs the Fashion-MNIST dataset")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("views/lab.py").run()
    tiny_knobs(at).button(key="lab_train").click().run()
    workspace = at.session_state[lab_session.KEY]
    deadline = time.monotonic() + WAIT
    while not workspace.ticket.is_final:
        assert time.monotonic() < deadline, "the tiny training did not finish"
        time.sleep(1.0)
        at.run()
    assert workspace.ticket.state == "done", workspace.ticket.error
    at.run()
    assert not errors(at) and "is ready" in at.success[0].value
    title = "Tiny plane" + lab.YOURS
    assert at.text_input(key="lab_rename_tiny_plane").value == "Tiny plane"
    assert any("tiny_plane" in c.value for c in at.sidebar.caption)

    at.switch_page("views/compare.py").run()
    assert not errors(at) and title in options(at, "compare_models")
    at.switch_page("views/training_curves.py").run()
    assert not errors(at) and title in options(at, "curves_models")
    at.switch_page("views/denoiser.py").run()
    assert not errors(at) and any(title in body for body in html_blocks(at))  # a grid row
    at.switch_page("views/latent_space.py").run()
    assert not errors(at)
    assert any("Tiny plane" in o for o in at.selectbox(key="latent_space_model").options)
    at.switch_page("views/latent_explorer.py").run()
    assert not errors(at) and title in options(at, "lx_models")

    other = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    other.switch_page("views/compare.py").run()
    assert title not in options(other, "compare_models")  # another session

    at.switch_page("views/lab.py").run()
    at.text_input(key="lab_rename_tiny_plane").set_value("Renamed").run()
    at.switch_page("views/compare.py").run()
    picked = at.multiselect(key="compare_models")
    picked.set_value([*picked.value, "tiny_plane"]).run()
    assert not errors(at) and "Renamed" + lab.YOURS in options(at, "compare_models")

    at.switch_page("views/lab.py").run()
    at.button(key="lab_remove_tiny_plane").click().run()
    assert not errors(at) and not workspace.specs
    at.switch_page("views/compare.py").run()
    assert not errors(at) and "tiny_plane" not in at.multiselect(key="compare_models").value
