"""Each page in Chromium shows what it is for: images painted, charts drawn, latent planes drawn.

Runs against the app as served (the shipped weights/); counts come from the registry and the
weights status, never from a typed list of models.
"""

from __future__ import annotations

import pytest
from st_browser import assert_no_exception, wait_for_app

import aecore
from aecore.analysis import tables
from aecore.runtime import store
from ui.pages import PAGES

FIRST_LOAD_MS = 180_000  # model loading and first encodings on a busy 2-core machine
WAIT_MS = 120_000
READY = [name for name, message in store.weights_status().items() if message == "ok"]

# At least `n` <img> in the main area, every one decoded (naturalWidth > 0).
IMAGES_PAINTED = """(n) => {
  const imgs = [...document.querySelectorAll('[data-testid=stMain] img')];
  return imgs.length >= n && imgs.every((i) => i.complete && i.naturalWidth > 0);
}"""
# At least `n` drawn traces (svg paths with a non-empty d) in Plotly charts matching `sel`.
PLOTLY_PATHS = """([sel, n]) => [...document.querySelectorAll('.js-plotly-plot ' + sel)]
  .filter((p) => (p.getAttribute('d') || '').length > 2).length >= n"""
# How many pixels of a canvas are not transparent.
PAINTED_PIXELS = """(c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
}"""
# What does not fit: a page wider than the window, tables that do not fit the main column
# without scrolling sideways (`scroll`: allowed on a phone), and words of picture captions or
# row labels split across lines ("Sanda / l"; a break at a hyphen or space is fine).
LAYOUT_PROBLEMS = """(scroll) => {
  const main = document.querySelector('[data-testid=stMainBlockContainer]').getBoundingClientRect();
  const page = document.querySelector('[data-testid=stMain]');
  const problems = page.scrollWidth > page.clientWidth + 1 ? ['the page scrolls sideways'] : [];
  for (const wrap of document.querySelectorAll('.ae-table-wrap')) {
    const table = wrap.querySelector('table');
    const wide = scroll ? wrap.getBoundingClientRect().right > main.right + 1
      : table.getBoundingClientRect().right > main.right + 1;
    if (wide) problems.push(`table wider than the page: ${table.querySelector('th')?.textContent}`);
  }
  const words = '[data-testid=stMain] figcaption, [data-testid=stMain] .ae-label';
  for (const cap of document.querySelectorAll(words)) {
    const walker = document.createTreeWalker(cap, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const word of node.data.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(`word split across lines: ${word[0]}`);
      }
    }
  }
  return problems;
}"""


def open_page(page, base: str, entry) -> None:
    path = "" if entry == PAGES[0] else entry.url_path
    page.goto(f"{base}/{path}")
    wait_for_app(page, timeout=FIRST_LOAD_MS)
    assert_no_exception(page)


def images_painted(page, at_least: int) -> None:
    page.wait_for_function(IMAGES_PAINTED, arg=at_least, timeout=WAIT_MS, polling=200)


def plotly_paths(page, selector: str, at_least: int) -> None:
    page.wait_for_function(PLOTLY_PATHS, arg=[selector, at_least], timeout=WAIT_MS,
                           polling=200)


def check_overview(page) -> None:
    page.get_by_text(f"The {len(aecore.list_models())} variants").wait_for()
    images_painted(page, 1 + len(READY))  # the originals, then one strip per served model
    page.locator("table.ae-table").first.wait_for(timeout=WAIT_MS)   # the variants


def check_compare(page) -> None:
    images_painted(page, 8)
    recorded = tables.test_bce_by_model(store.weights_status())
    plotly_paths(page, ".barlayer path", len(recorded))  # one bar per recorded model


def frame_images(page) -> list[dict]:
    """The flipbook frame's images (in the component's shadow root: locators pierce it)."""
    return page.locator(".fb-frame img").evaluate_all(
        "(imgs) => imgs.map((i) => ({src: i.src, ok: i.complete && i.naturalWidth > 0}))")


def check_denoiser(page) -> None:
    slider = page.get_by_role("slider", name="Noise level")   # ui/components/flipbook.py
    slider.wait_for(timeout=WAIT_MS)
    page.wait_for_function("""() => { const f = document.querySelector(
        '[data-testid=stBidiComponentIsolated]')?.shadowRoot?.querySelectorAll('.fb-frame img');
        return f && f.length >= 12 && [...f].every((i) => i.complete && i.naturalWidth > 0); }""",
                           timeout=WAIT_MS, polling=200)   # clean and noisy rows at least
    chart = page.locator("img.ae-chart")   # PSNR and SSIM against noise level, drawn as SVG
    assert page.evaluate("(i) => i.complete && i.naturalWidth > 0", chart.element_handle())
    alt = chart.get_attribute("alt")
    assert "PSNR" in alt and "current level 0.5" in alt
    before = frame_images(page)
    slider.focus()
    slider.press("ArrowRight")   # the browser swaps in the next level's frame itself
    assert slider.get_attribute("aria-valuetext") == "0.55"
    assert "current level 0.55" in chart.get_attribute("alt")
    after = frame_images(page)
    changed = sum(a["src"] != b["src"] for a, b in zip(before, after, strict=True))
    assert changed >= 6, "the noisy row and the models' rows change with the level"
    page.get_by_text("Noise level 0.55.").wait_for(state="attached", timeout=WAIT_MS)


def check_latent_space(page) -> None:
    images_painted(page, 2)  # the selected image and its reconstruction
    plotly_paths(page, ".xgrid, .ygrid", 2)  # the chart's axes are drawn
    assert page.locator(".js-plotly-plot canvas").count() >= 1  # the WebGL points layer


def check_latent_explorer(page) -> None:
    ready_planes = [n for n in aecore.plane_models() if n in READY]
    expected = min(2, len(ready_planes))
    page.locator("canvas.decoded[data-frames]").nth(expected - 1).wait_for(timeout=WAIT_MS)
    planes = page.locator("canvas.latent-plane")
    assert planes.count() == expected
    for i in range(expected):
        assert planes.nth(i).evaluate(PAINTED_PIXELS) > 1000, f"plane {i} is blank"
        decoded = page.locator("canvas.decoded").nth(i)
        assert int(decoded.get_attribute("data-frames")) >= 1
        assert decoded.evaluate(PAINTED_PIXELS) > 0
    images_painted(page, expected * 8)  # the nearest images under each plane


def check_training_curves(page) -> None:
    with_history = [n for n in aecore.list_models() if store.read_history(n) is not None]
    plotly_paths(page, ".scatterlayer path.js-line", len(with_history))


CHECKS = {
    "views/overview.py": check_overview,
    "views/compare.py": check_compare,
    "views/denoiser.py": check_denoiser,
    "views/latent_space.py": check_latent_space,
    "views/latent_explorer.py": check_latent_explorer,
    "views/training_curves.py": check_training_curves,
}


def test_every_checked_page_is_in_the_app():
    assert set(CHECKS) <= {p.path for p in PAGES}


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_page_shows_its_content(page, app_server, entry):
    elsewhere = []   # the app must work offline: nothing but the app's own server is asked
    page.on("request", lambda r: None if r.url.startswith((app_server, "data:", "blob:"))
            else elsewhere.append(r.url))
    open_page(page, app_server, entry)
    page.locator("[data-testid=stMain] h1").first.wait_for()
    check = CHECKS.get(entry.path)
    if check is not None:
        check(page)
    assert_no_exception(page)
    assert page.evaluate(LAYOUT_PROBLEMS, False) == []
    assert page.evaluate("() => document.querySelector(\"link[rel='shortcut icon']\").href"
                         ).startswith(app_server)   # the favicon: the app's, not a CDN's
    assert not elsewhere, f"requests that need the internet: {elsewhere}"


NARROW = {"phone": {"width": 390, "height": 844}, "narrow-window": {"width": 800, "height": 900}}


@pytest.mark.parametrize("screen", NARROW)
@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_page_fits_a_narrow_screen(browser, app_server, entry, screen):
    """A phone held upright, and a narrow window (two planes side by side in 500 px): nothing
    wider than the screen, no word split, and on the phone labelled picture rows with their
    labels above (ui/gallery.py's container rules)."""
    phone = screen == "phone"
    context = browser.new_context(viewport=NARROW[screen], is_mobile=phone, has_touch=phone)
    try:
        page = context.new_page()
        open_page(page, app_server, entry)
        page.locator("[data-testid=stMain] h1").first.wait_for()
        page.wait_for_function(IMAGES_PAINTED, arg=0, timeout=WAIT_MS, polling=200)
        assert page.evaluate(LAYOUT_PROBLEMS, True) == []
        labels = page.locator(".ae-gallery-box .ae-label")
        for i in range(min(labels.count(), 3) if phone else 0):   # above, as wide as the row
            box = labels.nth(i).bounding_box()
            row = labels.nth(i).locator("xpath=..").bounding_box()
            assert box["width"] > 0.9 * row["width"]
    finally:
        context.close()
