"""The MathML builders: well-formed, escaped, and the constructs the formulas rely on."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ui import formulas as f


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)   # raises on anything that is not well-formed


def test_display_formula_is_well_formed_and_in_display_style():
    root = parse(f.block(f.mi("z"), f.mo("="), f.frac(f.mn(1), f.mn(784)),
                         f.sum_over("i", f.mn(1), f.mn(784)), f.sub(f.mi("x"), f.mi("i"))))
    assert root.tag == "math" and root.get("display") == "block"
    assert root[0].tag == "mstyle" and root[0].get("displaystyle") == "true"
    assert [e.tag for e in root[0]] == ["mi", "mo", "mfrac", "munderover", "msub"]
    under = root.find(".//munderover")
    assert [e.tag for e in under] == ["mo", "mrow", "mn"] and under[0].text == "∑"


def test_inline_formula_has_no_display_attribute():
    root = parse(f.inline(f.sub(f.mi("f"), f.mi("φ"))))
    assert root.tag == "math" and root.get("display") is None
    assert [e.text for e in root.iter("mi")] == ["f", "φ"]


def test_text_is_escaped():
    root = parse(f.inline(f.mi("a<b"), f.mo("&"), f.mn("1<2")))
    assert [e.text for e in root] == ["a<b", "&", "1<2"]


def test_brackets_stretch_only_when_asked():
    fixed = parse(f.inline(f.fenced(f.mi("x"))))
    grows = parse(f.inline(f.fenced(f.mi("x"), opening="[", closing="]", stretchy=True)))
    assert [(o.text, o.get("stretchy")) for o in fixed.iter("mo")] == [("(", "false"),
                                                                        (")", "false")]
    assert [(o.text, o.get("stretchy")) for o in grows.iter("mo")] == [("[", "true"),
                                                                        ("]", "true")]


def test_hat_is_an_accent_and_function_applies_its_name():
    hat = parse(f.inline(f.hat(f.mi("x")))).find("mover")
    assert hat.get("accent") == "true" and hat[0].text == "x" and len(hat[1].text) == 1
    applied = parse(f.inline(f.function("log", f.mi("x"))))
    assert [e.tag for e in applied] == ["mspace", "mi", "mo", "mi"]
    assert applied[2].text == "\u2061"   # invisible function application: read as "log of x"


def test_stylesheet_sets_a_math_font():
    assert "math {" in f.RULES and "font-family" in f.RULES and f.CSS.startswith("<style>")
