"""Keyboard only: Tab reaches the latent plane, focus shows, the arrow keys move the marker, the
decoded picture changes, the live region says where the marker is and which class lies nearest,
and Python receives the point."""

from __future__ import annotations

import re

import pytest
from axe_audit import wait_until_drawn
from st_browser import assert_no_exception, wait_for_app

from ui.pages import PAGES

MAX_TABS = 120
# The element that really has the focus, looking inside open shadow roots.
_FOCUSED = """() => { let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a; }"""
# Resolve once the element's data attribute `name` differs from `old` (checked every frame).
_CHANGED = """(el, [name, old]) => new Promise((done) => {
  const check = () => (el.dataset[name] !== old ? done() : requestAnimationFrame(check));
  check();
})"""
_SIBLING = "(plane, selector) => plane.getRootNode().querySelector(selector)"


def tab_to_plane(page):
    """Press Tab until the focus is on a latent plane; return that canvas."""
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # from the top
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle(_FOCUSED)
        if focused.evaluate("(e) => !!e && e.matches && e.matches('canvas.latent-plane')"):
            return focused
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached the latent plane")


def spoken(text: str) -> tuple[float, float]:
    """The point a live-region sentence names ('Marker at z1 = 0.12, z2 = −0.50. ...')."""
    found = re.search(r"z1 = (\S+), z2 = (\S+)\.", text)
    assert found, f"no point in the live region: {text!r}"
    return tuple(float(v.replace("\u2212", "-")) for v in found.groups())


def test_keyboard_moves_the_marker_and_the_live_region_follows(page, app_server):
    entry = next(p for p in PAGES if p.path.endswith("/latent_explorer.py"))
    page.goto(f"{app_server}/{entry.url_path}")
    wait_for_app(page, timeout=180_000)
    assert_no_exception(page)
    wait_until_drawn(page)

    plane = tab_to_plane(page)
    assert plane.get_attribute("role") == "application"
    assert plane.get_attribute("aria-label").startswith("Latent plane")
    outline = plane.evaluate("(c) => [getComputedStyle(c).outlineStyle, "
                             "parseFloat(getComputedStyle(c).outlineWidth)]")
    assert outline[0] != "none" and outline[1] >= 2, f"focus not visible: {outline}"

    decoded = plane.evaluate_handle(_SIBLING, "canvas.decoded")
    live = plane.evaluate_handle(_SIBLING, ".lp-live")
    picture, start = decoded.evaluate("(c) => c.toDataURL()"), plane.get_attribute("data-point")
    for key in ["Shift+ArrowRight"] * 2 + ["Shift+ArrowUp"] * 2:
        before = plane.get_attribute("data-point")
        page.keyboard.press(key)
        plane.evaluate(_CHANGED, ["point", before])
    x, y = (float(v) for v in plane.get_attribute("data-point").split(","))
    x0, y0 = (float(v) for v in start.split(","))
    assert x > x0 and y > y0, f"the marker went from {start} to ({x}, {y})"
    assert decoded.evaluate("(c) => c.toDataURL()") != picture, "the decoded image did not change"

    page.wait_for_function("(e) => e.textContent.includes('Nearest test image:')", arg=live,
                           timeout=10_000)
    said = live.evaluate("(e) => e.textContent")
    assert spoken(said) == pytest.approx((x, y), abs=0.006), said
    assert re.search(r"Nearest test image: [A-Z]", said), said

    # Python gets the point once the keys rest: the page shows what lies near it.
    page.wait_for_function(
        """(text) => [...document.querySelectorAll('[data-testid=stMarkdownContainer]')]
             .some((e) => e.innerText.includes(text))""",
        arg=f"z = ({x:.2f}, {y:.2f})", timeout=60_000)
