"""The rows of the document table, written in Python because they are the dashboard's hottest HTML.

A page of 500 documents is 500 rows of some 15 values each. Through the template engine that cost ~45 µs
a row, most of it in Django's per-value escaping machinery (and format_html is no faster): ~23 ms a page,
more than CouchDB took to send the rows. Here every value goes through `html.escape` (which escapes
`& < > " '`) as it is written into literal markup of this module's own, so the result is safe by
construction; tests/test_document_table.py holds that to account with hostile ids, revisions and values.
"""

from html import escape

from django import template

from browser.docdiff import name_label
from browser.markup import markup
from browser.templatetags.couch_format import doc_path, url_prefix, visible

register = template.Library()


@register.filter
def field_label(name):
    """A top-level field's name as a column header writes it: `title`, `["a.b"]`, `[""]` (browser/docdiff.py)."""
    return name_label(str(name))


@register.simple_tag
def document_table_rows(rows, db, mode):
    """The <tr>s for `rows` (the document list's items: {"row": DocRow, "cells": [...]}), in the metadata
    mode (rev, attachments, conflicts) or the field mode (one cell per column)."""
    meta = mode == "meta"
    doc_base = url_prefix("browser:document", db)
    conflicts_base = url_prefix("browser:document-conflicts", db)
    write = _meta_cells if meta else _field_cells
    out = []
    for item in rows:
        row = item["row"]
        docid = escape(row.id)
        conflicts = len(row.conflicts)
        mark = "" if meta or not conflicts else " " + _conflict_link(row.id, conflicts_base, conflicts, testid=True)
        out.append(
            f'<tr data-id="{docid}">'
            f'<td><input type="checkbox" name="selected" value="{escape(row.rev)} {docid}"'
            f' aria-label="Select {docid}"></td>'
            f'<th scope="row"><a href="{escape(doc_path(row.id, doc_base))}">{escape(visible(row.id))}</a>{mark}</th>'
            f'{write(item, row, conflicts, conflicts_base)}</tr>\n'
        )
    return markup(*out)


def _field_cells(item, row, conflicts, conflicts_base):
    # A wide cell is cut short on screen (table.fields in app.css); its title holds the text shown.
    return "".join(f'<td title="{text}">{text}</td>' for text in (escape(str(cell)) for cell in item["cells"]))


def _meta_cells(item, row, conflicts, conflicts_base):
    link = _conflict_link(row.id, conflicts_base, conflicts) if conflicts else "—"
    return f'<td><code>{escape(row.rev)}</code></td><td class="num">{row.attachment_count}</td><td>{link}</td>'


def _conflict_link(docid, conflicts_base, count, testid=False):
    plural = "" if count == 1 else "s"
    attribute = ' data-testid="conflict-mark"' if testid else ""
    return (f'<a class="warn-mark" href="{escape(doc_path(docid, conflicts_base))}"{attribute}>'
            f"⚠ {count} conflict{plural}</a>")
