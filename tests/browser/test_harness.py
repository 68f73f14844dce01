"""The browser harness itself, on a tiny throwaway script (no dependency on app.py)."""

import pytest
from PIL import Image
from st_browser import assert_no_exception, screenshot, serve, wait_for_app

TINY_APP = """
import time
import streamlit as st

st.title("Harness")
time.sleep(1.0)  # the running indicator is up for a while
st.write("script finished")
if st.query_params.get("boom"):
    raise RuntimeError("boom from the harness app")
"""


@pytest.fixture(scope="module")
def tiny_server(tmp_path_factory):
    app = tmp_path_factory.mktemp("tiny_app") / "tiny_app.py"
    app.write_text(TINY_APP)
    with serve(app, log_name="streamlit-harness.log") as url:
        yield url


def test_waits_for_script_and_screenshots(page, tiny_server):
    page.goto(tiny_server)
    wait_for_app(page)
    assert page.get_by_text("script finished").is_visible()
    assert_no_exception(page)
    path = screenshot(page, "harness/ok")
    with Image.open(path) as im:
        assert im.format == "PNG" and im.width >= 1000


def test_exception_box_is_reported(page, tiny_server):
    page.goto(f"{tiny_server}/?boom=1")
    wait_for_app(page)
    with pytest.raises(AssertionError, match="boom from the harness app"):
        assert_no_exception(page)
