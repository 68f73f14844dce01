"""The Anomaly detection, Retrieval and AE vs PCA pages in Chromium: charts drawn, images
painted, and on the anomaly page a threshold change updates the confusion counts.

Runs against the app as served (the shipped weights/); counts come from the registry and the
weights status. A first visit may fill the disk caches, hence the long first-load timeout.
"""

from __future__ import annotations

import re

from st_browser import assert_no_exception, screenshot, wait_for_app

from aecore import get_spec
from aecore.analysis import anomaly
from aecore.runtime import store
from ui.anomaly import EXTREMES
from ui.pages import PAGES

FIRST_LOAD_MS = 600_000   # a cold cache: every model encodes the test set on a busy machine
WAIT_MS = 120_000
READY = [name for name, message in store.weights_status().items() if message == "ok"]
URLS = {entry.path: entry.url_path for entry in PAGES}

IMAGES_PAINTED = """(n) => {
  const imgs = [...document.querySelectorAll('[data-testid=stMain] img')];
  return imgs.length >= n && imgs.every((i) => i.complete && i.naturalWidth > 0);
}"""
# The shown value of the metric whose label is exactly `label`, or null.
METRIC_VALUE = """(label) => {
  const box = [...document.querySelectorAll('[data-testid=stMetric]')].find(
    (m) => m.querySelector('[data-testid=stMetricLabel]').innerText.trim() === label);
  return box ? box.querySelector('[data-testid=stMetricValue]').innerText.trim() : null;
}"""
PLOTLY_PATHS = """([sel, n]) => [...document.querySelectorAll('.js-plotly-plot ' + sel)]
  .filter((p) => (p.getAttribute('d') || '').length > 2).length >= n"""


def open_view(page, base: str, path: str) -> None:
    page.goto(f"{base}/{URLS[path]}")
    wait_for_app(page, timeout=FIRST_LOAD_MS)
    assert_no_exception(page)
    page.locator("[data-testid=stMain] h1").first.wait_for()


def images_painted(page, at_least: int) -> None:
    page.wait_for_function(IMAGES_PAINTED, arg=at_least, timeout=WAIT_MS, polling=200)


def plotly_paths(page, selector: str, at_least: int) -> None:
    page.wait_for_function(PLOTLY_PATHS, arg=[selector, at_least], timeout=WAIT_MS,
                           polling=200)


def metric(page, label: str) -> str:
    return page.evaluate(f"({METRIC_VALUE})({label!r})")


def count(page, label: str) -> int:
    return int(re.sub(r"\D", "", metric(page, label)))


def test_anomaly_charts_images_and_the_threshold(page, app_server):
    open_view(page, app_server, "views/anomaly.py")
    scores = len(anomaly.score_ids())
    plotly_paths(page, ".barlayer path", 2 * scores)          # normal + anomalous per score
    plotly_paths(page, ".scatterlayer path.js-line", 2 * scores)  # ROC and PR curves
    images_painted(page, 4 * EXTREMES)
    caught = count(page, "Caught (TP)")
    alarms = count(page, "False alarms (FP)")

    page.get_by_role("button", name="Use maximum").click()     # the strictest rule
    page.wait_for_function(f"({METRIC_VALUE})('Caught (TP)') !== '{caught:,}'", timeout=WAIT_MS)
    wait_for_app(page)
    assert count(page, "Caught (TP)") < caught
    assert count(page, "False alarms (FP)") <= alarms

    slider = page.locator('[data-testid="stSlider"] input[type="range"]').last
    slider.focus()
    slider.press("Home")                                        # the lowest threshold
    page.wait_for_function(f"({METRIC_VALUE})('Missed (FN)') === '0'", timeout=WAIT_MS)
    wait_for_app(page)
    assert metric(page, "Recall") == "1.000"
    assert_no_exception(page)
    screenshot(page, "usage-anomaly")


def test_retrieval_neighbours_and_precision_chart(page, app_server):
    open_view(page, app_server, "views/retrieval.py")
    k = int(page.locator('[data-testid="stSlider"]').filter(has_text="Neighbours")
            .locator('input[type="range"]').get_attribute("value"))
    images_painted(page, 1 + 3 * k)                 # the query, then codes, PCA, raw pixels
    representations = len(READY) + len({get_spec(n).latent_dim for n in READY}) + 1
    plotly_paths(page, ".barlayer path", representations)
    assert page.locator('table.ae-table tbody tr').count() == representations
    assert_no_exception(page)
    screenshot(page, "usage-retrieval")


def test_ae_vs_pca_curve_points_bars_and_reconstructions(page, app_server):
    open_view(page, app_server, "views/ae_vs_pca.py")
    plotly_paths(page, ".scatterlayer path.js-line", 1)           # the PCA curve
    plotly_paths(page, ".scatterlayer .points path", len(READY))  # one point per model
    plotly_paths(page, ".barlayer path", 2 * len(READY))          # k-NN: codes and PCA
    sizes = {get_spec(n).latent_dim for n in READY}
    images_painted(page, 1 + 2 * len(sizes))   # originals; one model per size and its PCA-k
    assert page.get_by_text(re.compile(r"loses to PCA|beats PCA")).count() >= 1
    assert_no_exception(page)
    screenshot(page, "usage-ae-vs-pca")


