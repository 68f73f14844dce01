"""ui.gallery's grids: one st.html block of figures with inlined PNGs, alt texts and captions."""

from __future__ import annotations

import base64
import io

import numpy as np
import pagetools
from PIL import Image

from ui import gallery


class FakeAppTest:
    """Just enough of AppTest for pagetools.figures: the st.html bodies a call produced."""

    def __init__(self, bodies):
        self.bodies, self.image = bodies, []

    def get(self, kind):
        if kind == "bidi_component":   # no flipbooks here
            return []
        assert kind == "html"
        return [type("Block", (), {"proto": type("P", (), {"body": b})})() for b in self.bodies]


def shown(monkeypatch, draw) -> FakeAppTest:
    bodies = []
    monkeypatch.setattr(gallery.st, "html", bodies.append)
    draw()
    return FakeAppTest(bodies)


def test_label_markdown_becomes_safe_html():
    assert (gallery.markdown_html("**Basic**  \nmean BCE `0.3` <b>")
            == "<strong>Basic</strong><br>mean BCE <code>0.3</code> &lt;b&gt;")


def test_grid_is_one_block_with_every_image_alt_and_caption(monkeypatch):
    images = np.random.default_rng(0).random((3, 28, 28)).astype(np.float32)
    at = shown(monkeypatch, lambda: gallery.image_grid(
        [("**Original**", images, ["#1 Bag", "#2 Coat", "#3 <Shirt>"]),
         ("**Model**  \nmean BCE 0.300", images, None)]))
    assert len(at.bodies) == 1
    figures = pagetools.figures(at)
    assert [f.caption for f in figures] == ["#1 Bag", "#2 Coat", "#3 <Shirt>", None, None, None]
    assert figures[3].alt == "Model, mean BCE 0.300: #1 Bag"
    assert pagetools.gallery_labels(at) == ["Original", "Model\nmean BCE 0.300"]
    png = base64.b64decode(figures[0].src.split(",", 1)[1])
    decoded = np.asarray(Image.open(io.BytesIO(png)), dtype=np.float32) / 255
    assert decoded.shape == (28, 28) and np.abs(decoded - images[0]).max() <= 0.5 / 255 + 1e-6


def test_strip_rows_show_a_strip_or_a_note(monkeypatch):
    images = np.zeros((4, 28, 28), np.float32)
    at = shown(monkeypatch, lambda: gallery.strip_rows(
        [("**Original**", images, "four test images"), ("**Broken**", None, "Train `it`.")]))
    (figure,) = pagetools.figures(at)
    assert figure.alt == "four test images"
    assert "<code>it</code>" in at.bodies[0]
    png = base64.b64decode(figure.src.split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).size == (4 * 28 + 3, 28)   # one pixel between images
