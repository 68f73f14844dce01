"""`make run`'s launcher (python -m ui.serve): Streamlit's server with the project's config, the
warm-up done in the background, and the Overview served without an exception or a warning."""

from __future__ import annotations

import re
from pathlib import Path

from st_browser import LOG_DIR, ROOT, assert_no_exception, serve, wait_for_app

from ui.pages import PAGES

LOG = "streamlit-launcher.log"
EXPLORER = next(p for p in PAGES if p.path.endswith("latent_explorer.py"))
STEPS = ("imports", "weights status", "test set", "models", "overview strip")


def test_launcher_warms_up_and_serves_the_overview(browser):
    with serve(ROOT / "app.py", log_name=LOG, launcher=True) as url:
        page = browser.new_page()
        try:
            page.goto(url)
            wait_for_app(page, timeout=120_000)
            assert_no_exception(page)
            assert page.locator("h1").first.inner_text().strip() == "Autoencoder Explorer"
            images = page.locator('[data-testid="stMain"] img')
            assert images.count() >= 1
            assert page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stMain\"]"
                                 " img')].every((i) => i.complete && i.naturalWidth > 0)")
            # The launcher skips Streamlit's scan for packaged components: the app's inline
            # one (the latent plane) still registers, draws and decodes.
            page.goto(f"{url}/{Path(EXPLORER.path).stem}")
            wait_for_app(page, timeout=120_000)
            assert_no_exception(page)
            page.locator("canvas.decoded[data-frames]").first.wait_for(timeout=60_000)
        finally:
            page.close()
    log = (LOG_DIR / LOG).read_text(errors="replace")
    done = re.search(r"warm-up done: (.*)", log)
    assert done, log[-3000:]
    assert [re.sub(r" [\d.]+ s$", "", step) for step in done.group(1).split(", ")] == list(STEPS)
    assert "Traceback" not in log and "warm-up stopped" not in log, log[-3000:]
    assert "missing ScriptRunContext" not in log and "WARNING" not in log.upper(), log[-3000:]
