"""The databases table's rows (templates/browser/_database_table_rows.html): every name, count and reason
from CouchDB comes out escaped, with dashes for what is unknown."""

import pytest
from django.urls import reverse

from browser.couch.databases import DatabaseSummary
from browser.views.databases import _chart_rows
from browser.visible_text import visible
from tests.support.data import HOSTILE
from tests.support.html_elements import Elements
from tests.support.templates import from_text

NAMES = [*HOSTILE["database_names"], "plain", "team/orders"]


def elements_of(databases):
    template = from_text('{% include "browser/_database_table_rows.html" %}')
    parser = Elements()
    parser.feed("<table><tbody>" + template.render({"rows": _chart_rows(databases)}) + "</tbody></table>")
    parser.close()
    assert not parser.open[2:]
    return parser.elements


@pytest.mark.parametrize("name", NAMES)
def test_a_row_names_and_links_its_database(name):
    summary = DatabaseSummary(name=name, doc_count=1500, doc_del_count=3000, active_size=2048, external_size=1024,
                              partitioned=True, shards_q=2, replicas_n=3)
    elements = elements_of([summary])
    tr, th, link = elements[2:5]
    assert tr["attrs"]["data-db"] == name
    assert link["attrs"]["href"] == reverse("browser:database", kwargs={"db": name})
    assert link["text"] == visible(name)
    cells = [e["text"] for e in elements if e["tag"] == "td"]
    assert cells == ["1,500", "3,000 ⚠ more deleted than live documents", "2.0 KiB / 1.0 KiB", "yes", "2 / 3"]
    bars = [e["attrs"] for e in elements if e["tag"] == "svg"]
    assert [(b["class"], b["data-share"]) for b in bars] == [("bar bar-docs", "100"), ("bar bar-deleted", "100"),
                                                              ("bar bar-size", "100")]


def test_unknown_figures_show_dashes_and_a_problem_its_reason():
    elements = elements_of([DatabaseSummary(name="a"), DatabaseSummary(name="b", file_size=10, shards_q=None),
                            DatabaseSummary(name="c", problem='<img src=x onerror="alert(1)"> & gone')])
    cells = [e["text"] for e in elements if e["tag"] == "td"]
    assert cells == ["—", "—", "—", "no", "—", "—", "—", "10 B on disk", "no", "—",
                     'Details unavailable: <img src=x onerror="alert(1)"> & gone']
    assert not [e for e in elements if e["tag"] == "img"]
    assert [e["attrs"].get("colspan") for e in elements if e["tag"] == "td"][-1] == "5"
