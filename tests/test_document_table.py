"""The document table's rows (templates/browser/_document_table_rows.html): every value from CouchDB
escaped, whatever it holds, and every link the one reverse() writes."""

import pytest
from django.urls import reverse

from browser.couch.documents import DocRow
from browser.visible_text import visible
from tests.support.data import HOSTILE
from tests.support.html_elements import Elements
from tests.support.templates import from_text

NASTY = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "' onmouseover='x", "&amp; &lt;", "a\u202eb"]
IDS = [*HOSTILE["document_ids"], *NASTY, "..", "_design/x"]


def rendered(rows, mode, db="team/orders"):
    template = from_text('{% include "browser/_document_table_rows.html" %}')
    parser = Elements()
    parser.feed("<table><tbody>" + template.render({"rows": rows, "db": db, "mode": mode}) + "</tbody></table>")
    parser.close()
    assert not parser.open[2:]
    return parser.elements


def item(docid, cells=(), conflicts=(), attachments=None):
    doc = {"_id": docid, "_conflicts": list(conflicts)} if conflicts else {"_id": docid}
    if attachments:
        doc["_attachments"] = attachments
    return {"row": DocRow(id=docid, rev=f"1-{docid}", doc=doc), "cells": list(cells)}


@pytest.mark.parametrize("docid", IDS)
def test_field_rows_escape_ids_revisions_and_cells(docid):
    elements = rendered([item(docid, cells=[docid, "plain", ""], conflicts=["2-a", "2-b"])], "table")
    tags = [e["tag"] for e in elements]
    assert tags == ["table", "tbody", "tr", "td", "input", "th", "a", "a", "td", "td", "td"], tags
    tr, _, checkbox, _, link, conflict_link, *cells = elements[2:]
    assert tr["attrs"]["data-id"] == docid
    assert checkbox["attrs"] == {"type": "checkbox", "name": "selected", "value": f"1-{docid} {docid}",
                                 "aria-label": f"Select {docid}"}
    assert link["attrs"]["href"] == reverse("browser:document", kwargs={"db": "team/orders", "docid": docid})
    assert link["text"] == visible(docid)
    assert conflict_link["attrs"] == {
        "class": "warn-mark", "data-testid": "conflict-mark",
        "href": reverse("browser:document-conflicts", kwargs={"db": "team/orders", "docid": docid})}
    assert conflict_link["text"] == "⚠ 2 conflicts"
    assert [c["text"] for c in cells] == [docid, "plain", ""]


def test_meta_rows_show_revision_attachments_and_conflicts():
    elements = rendered([item("<b>", conflicts=["2-a"], attachments={"a": {}, "b": {}}), item("plain")], "meta")
    rows = [e for e in elements if e["tag"] == "tr"]
    assert [r["attrs"]["data-id"] for r in rows] == ["<b>", "plain"]
    texts = [e["text"] for e in elements if e["tag"] == "td"]
    assert texts == ["", "1-<b>", "2", "⚠ 1 conflict", "", "1-plain", "0", "—"]
    links = [e["attrs"].get("href") for e in elements if e["tag"] == "a"]
    assert links == [reverse("browser:document", kwargs={"db": "team/orders", "docid": "<b>"}),
                     reverse("browser:document-conflicts", kwargs={"db": "team/orders", "docid": "<b>"}),
                     reverse("browser:document", kwargs={"db": "team/orders", "docid": "plain"})]
    assert not [e for e in elements if e["attrs"].get("data-testid") == "conflict-mark"]


def test_no_rows_no_markup():
    assert [e["tag"] for e in rendered([], "table")] == ["table", "tbody"]
