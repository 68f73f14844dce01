"""Tables as plain HTML (one st.html block): readable by screen readers, drawn at once.

st.dataframe and st.table go through pandas, which costs the server ~70 MiB and half a second
of import for tables of at most a dozen rows; the grid st.dataframe draws is a canvas that
screen readers cannot read. Every cell keeps its raw value in `data-value`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from numbers import Number

import streamlit as st

from ui.gallery import markdown_html

# Page-wide (ui/stylesheet.py adds it once per run). Numbers right-aligned, rows lightly striped.
# A long text (a "prose" cell, e.g. where a model was trained) may break inside a word such as
# KERAS_BACKEND=jax, so a wide table still fits the column; short cells keep their words whole.
CSS = """<style>
.ae-table-wrap { margin-bottom: 1rem; overflow-x: auto; }   /* a phone: the table scrolls */
.ae-table { border-collapse: collapse; font-size: 0.875rem; width: 100%; }
.ae-table th, .ae-table td { padding: 0.3rem 0.6rem; text-align: left; vertical-align: top;
                             border-bottom: 1px solid rgba(128, 128, 128, 0.25); }
.ae-table th { font-weight: 600; }
.ae-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.ae-table td.prose { overflow-wrap: anywhere; min-width: 8rem; }
.ae-table tbody tr:nth-child(even) { background: rgba(128, 128, 128, 0.07); }
</style>"""

PROSE = 24   # characters: a longer text cell is a "prose" cell


def is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def cell_text(value, spec: str | None = None) -> str:
    """What a cell shows: numbers by `spec` (a format spec such as '.4f', ',', '.1%'),
    blank for None or NaN, anything else as text."""
    if value is None or (is_number(value) and math.isnan(value)):
        return ""
    if is_number(value) and spec is not None:
        return format(value, spec)
    return str(value)


def _cell(value, spec: str | None, markdown: bool) -> str:
    raw = "" if value is None else f' data-value="{escape(str(value))}"'
    text = cell_text(value, spec)
    body = markdown_html(text) if markdown else escape(text)
    kind = ' class="num"' if is_number(value) else ' class="prose"' if len(text) > PROSE else ""
    return f"<td{kind}{raw}>{body}</td>"


def _title(text: str | None) -> str:
    return f' title="{escape(text)}"' if text else ""


def table_html(rows: Sequence[Mapping], formats: Mapping[str, str] | None = None,
               help: Mapping[str, str] | None = None, markdown: bool = False) -> str:
    """An HTML table of `rows` (dicts with the same keys, in column order)."""
    formats, help = formats or {}, help or {}
    columns = list(rows[0]) if rows else []
    head = "".join(f'<th scope="col"{_title(help.get(c))}>{escape(c)}</th>' for c in columns)
    body = "".join("<tr>" + "".join(_cell(row.get(c), formats.get(c), markdown)
                                    for c in columns) + "</tr>" for row in rows)
    return (f'<div class="ae-table-wrap"><table class="ae-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def show(rows: Sequence[Mapping] | Mapping[str, Sequence],
         formats: Mapping[str, str] | None = None, help: Mapping[str, str] | None = None,
         markdown: bool = False) -> None:
    """Show a table: a list of row dicts, or a dict of equal-length columns."""
    if isinstance(rows, Mapping):
        columns = {name: list(values) for name, values in rows.items()}
        rows = [dict(zip(columns, cells, strict=True)) for cells in zip(*columns.values(),
                                                                         strict=True)]
    st.html(table_html(list(rows), formats, help, markdown))
