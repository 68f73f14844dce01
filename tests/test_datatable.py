"""ui.datatable: tables as plain HTML, numbers formatted, raw values kept, text escaped."""

from __future__ import annotations

import math

import numpy as np
import pagetools

from ui import datatable


class FakeAppTest:
    def __init__(self, body):
        self.body = body

    def get(self, kind):
        assert kind == "html"
        return [type("Block", (), {"proto": type("P", (), {"body": self.body})})()]


def test_cells_follow_their_format_and_leave_missing_values_blank():
    assert datatable.cell_text(0.283118, ".4f") == "0.2831"
    assert datatable.cell_text(1234567, ",") == "1,234,567"
    assert datatable.cell_text(0.5432, ".1%") == "54.3%"
    assert datatable.cell_text(None, ".4f") == "" and datatable.cell_text(math.nan, ".4f") == ""
    assert datatable.cell_text(np.float32(0.25), ".2f") == "0.25"
    assert datatable.cell_text("ok", ".4f") == "ok" and datatable.cell_text(True) == "True"


def test_table_html_has_headers_help_raw_values_and_escapes_text():
    html = datatable.table_html(
        [{"Model": "<b>Basic</b>", "Test BCE": 0.283118, "Weights": "ok"},
         {"Model": "Broken", "Test BCE": None, "Weights": "damaged"}],
        formats={"Test BCE": ".4f"}, help={"Test BCE": 'Our "test" BCE'})
    assert '<th scope="col" title="Our &quot;test&quot; BCE">Test BCE</th>' in html
    assert '<td class="num" data-value="0.283118">0.2831</td>' in html
    assert "&lt;b&gt;Basic&lt;/b&gt;" in html and "<b>" not in html
    (frame,) = pagetools.tables(FakeAppTest(html))
    assert list(frame.columns) == ["Model", "Test BCE", "Weights"]
    assert frame["Test BCE"][0] == 0.283118 and math.isnan(frame["Test BCE"][1])
    assert list(frame["Weights"]) == ["ok", "damaged"]


def test_columns_dict_and_markdown_cells(monkeypatch):
    shown = []
    monkeypatch.setattr(datatable.st, "html", shown.append)
    datatable.show({"Class": ["Bag", "Shirt"], "Error": [0.1, 0.2]}, formats={"Error": ".2f"})
    (frame,) = pagetools.tables(FakeAppTest(shown[0]))
    assert frame.to_dict("list") == {"Class": ["Bag", "Shirt"], "Error": [0.1, 0.2]}
    assert "<code>x</code>" in datatable.table_html([{"a": "`x`"}], markdown=True)
