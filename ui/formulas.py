"""Formulas as MathML: drawn by the browser itself and read by screen readers as maths.

`st.latex` and `$...$` in markdown fetch and run KaTeX (a 265 kB script and five font files)
before the elements after them appear: about 0.2 s of the Overview's first paint on a 2-core
machine. MathML needs neither. The builders below write the few constructs the app's formulas
use; `inline(...)` goes inside `st.markdown(..., unsafe_allow_html=True)` text, `show(...)` is
a centred display formula.
"""

from __future__ import annotations

from html import escape

import streamlit as st

# Page-wide (ui/stylesheet.py adds it once per run): a maths font where the system has one,
# a size that matches the text, display formulas spaced like paragraphs.
RULES = """
math { font-family: "STIX Two Math", "Cambria Math", "Latin Modern Math",
       "DejaVu Math TeX Gyre", math; font-size: 1.15em; }
math[display="block"] { margin: 0.5rem 0 1rem; overflow-x: auto; overflow-y: hidden; }
"""
CSS = f"<style>{RULES}</style>"


def mi(name: str) -> str:
    """An identifier (one letter is set in italics, a word such as log upright)."""
    return f"<mi>{escape(name)}</mi>"


def mn(number: int | float | str) -> str:
    return f"<mn>{escape(str(number))}</mn>"


def mo(op: str, stretchy: bool | None = None) -> str:
    """An operator; stretchy=False keeps a bracket at the text's height."""
    flag = "" if stretchy is None else f' stretchy="{str(stretchy).lower()}"'
    return f"<mo{flag}>{escape(op)}</mo>"


def row(*parts: str) -> str:
    return f"<mrow>{''.join(parts)}</mrow>"


def sub(base: str, script: str) -> str:
    return f"<msub>{base}{script}</msub>"


def sup(base: str, script: str) -> str:
    return f"<msup>{base}{script}</msup>"


def frac(numerator: str, denominator: str) -> str:
    return f"<mfrac>{numerator}{denominator}</mfrac>"


def hat(base: str) -> str:
    """base with a circumflex accent (x̂); U+02C6 sits best on a letter in Chromium's fonts."""
    return f'<mover accent="true">{base}<mo stretchy="false">\u02c6</mo></mover>'


def sum_over(index: str, first: str, last: str) -> str:
    """The summation sign with its limits below and above."""
    return f"<munderover><mo>∑</mo>{row(mi(index), mo('='), first)}{last}</munderover>"


def fenced(*parts: str, opening: str = "(", closing: str = ")", stretchy: bool = False) -> str:
    """parts between brackets; stretchy brackets grow with what they hold."""
    return row(mo(opening, stretchy), *parts, mo(closing, stretchy))


def function(name: str, *argument: str) -> str:
    """A named function applied to its argument, spaced as in print: log x."""
    return f'<mspace width="0.17em"/>{mi(name)}<mo>\u2061</mo>{"".join(argument)}'


def gap(em: float = 2.0) -> str:
    """Horizontal space between the parts of a formula."""
    return f'<mspace width="{em}em"/>'


def inline(*parts: str) -> str:
    """A formula inside a line of text (for markdown shown with unsafe_allow_html=True)."""
    return f"<math>{''.join(parts)}</math>"


def block(*parts: str) -> str:
    """A display formula: centred on its own line, in display style (full-size limits)."""
    return f'<math display="block"><mstyle displaystyle="true">{"".join(parts)}</mstyle></math>'


def show(*parts: str) -> None:
    """Put a display formula on the page."""
    st.markdown(block(*parts), unsafe_allow_html=True)
