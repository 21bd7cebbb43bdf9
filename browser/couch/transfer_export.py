"""Export: a database (GET /{db}/_all_docs, one streamed answer) or a Mango selection (POST /{db}/_find,
paged by bookmark) written out as JSON, NDJSON or CSV, a piece at a time.

Documents are written as CouchDB returns them (exact numbers, `_rev` included); without inline
attachments `_attachments` is left out, since stubs without data cannot be imported anywhere.
"""

import csv
import io
from dataclasses import dataclass

from browser.couch import jsontext
from browser.couch.documents import DESIGN_PREFIX
from browser.couch.queries import find
from browser.couch.replication import is_replicator_database, shown
from browser.couch.transfer import array_items, text_chunks

FORMATS = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv"}
FIND_PAGE = 1000
# Fewer documents a page when their attachments come inline: memory holds one page.
FIND_PAGE_WITH_ATTACHMENTS = 50
READ_BYTES = 64 * 1024
WRITE_CHARS = 64 * 1024
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"): in a CSV
# export for spreadsheets such a text cell is written with a leading "'", which the spreadsheet shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportChoice:
    """What to export and how: format, CSV (or projected) fields as dotted paths, an optional selector."""

    format: str = "ndjson"
    fields: tuple = ()
    selector: dict | None = None
    include_design: bool = True
    attachments: bool = False
    csv_raw: bool = False  # CSV cells exactly as stored (for programs), not neutralised for spreadsheets


def export_chunks(client, db, choice):
    """The export's text in pieces of about WRITE_CHARS; CouchDB is asked before this returns, so a
    refusal is raised here rather than in the middle of a download."""
    if choice.selector is not None:
        docs = _selected_documents(client, db, choice)
    else:
        docs = _all_documents(client, db, choice)
    if is_replicator_database(db):
        docs = (shown(db, doc) for doc in docs)  # an export is a page too: no replication's credentials
    writer = {"json": _json_pieces, "ndjson": _ndjson_pieces, "csv": _csv_pieces}[choice.format]
    return _grouped(writer(_shaped(docs, choice), choice))


def _all_documents(client, db, choice):
    params = {"include_docs": True, "attachments": True if choice.attachments else None}
    response = client.request("GET", db, "_all_docs", params=params, stream=True)
    return _rows_of(response, choice.include_design)


def _rows_of(response, include_design):
    try:
        for item in array_items(text_chunks(response.iter_content(READ_BYTES)), member="rows"):
            row = item.value
            doc = row.get("doc") if isinstance(row, dict) else None
            if not isinstance(doc, dict):
                continue
            if not include_design and str(doc.get("_id", "")).startswith(DESIGN_PREFIX):
                continue
            yield doc
    finally:
        response.close()


def _selected_documents(client, db, choice):
    page_size = FIND_PAGE_WITH_ATTACHMENTS if choice.attachments else FIND_PAGE
    query = {"selector": choice.selector, "limit": page_size}
    first = find(client, db, query)
    return _pages_from(client, db, query, first, choice.attachments)


def _pages_from(client, db, query, page, with_attachments):
    while True:
        docs = _with_attachments(client, db, page.docs) if with_attachments else page.docs
        yield from (doc for doc in docs if isinstance(doc, dict))
        if not page.next_bookmark:
            return
        page = find(client, db, query, bookmark=page.next_bookmark)


def _with_attachments(client, db, docs):
    """POST /{db}/_all_docs?include_docs=true&attachments=true — the page's documents with their files
    (_find cannot send attachments)."""
    keys = [doc["_id"] for doc in docs if isinstance(doc, dict) and isinstance(doc.get("_id"), str)]
    if not keys:
        return []
    answer = client.send_exact("POST", db, "_all_docs", body={"keys": keys},
                               params={"include_docs": True, "attachments": True})
    return [row["doc"] for row in answer.get("rows", []) if isinstance(row, dict) and isinstance(row.get("doc"), dict)]


def _shaped(docs, choice):
    for doc in docs:
        if not choice.attachments and "_attachments" in doc:
            doc = {k: v for k, v in doc.items() if k != "_attachments"}
        if choice.fields and choice.format != "csv":
            doc = projected(doc, choice.fields)
        yield doc


def projected(doc, fields):
    """The document's _id and the named fields (dotted paths), nested as they were."""
    out = {"_id": doc.get("_id")}
    for path in fields:
        found, value = value_at(doc, path)
        if not found:
            continue
        parts = path.split(".")
        into = out
        for part in parts[:-1]:
            if not isinstance(into.get(part), dict):
                into[part] = {}
            into = into[part]
        into[parts[-1]] = value
    return out


def value_at(doc, path):
    """(True, value) at a dotted path ("address.city", "tags.0"), or (False, None) when it is missing."""
    value = doc
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isascii() and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _json_pieces(docs, choice):
    yield "["
    separator = "\n"
    for doc in docs:
        yield separator + jsontext.dumps(doc)
        separator = ",\n"
    yield "\n]\n"


def _ndjson_pieces(docs, choice):
    for doc in docs:
        yield jsontext.dumps(doc) + "\n"


def _csv_pieces(docs, choice):
    fields = choice.fields or ("_id",)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    cell = csv_cell if choice.csv_raw else spreadsheet_cell
    writer.writerow(fields if choice.csv_raw else [neutralised(name) for name in fields])
    for doc in docs:
        writer.writerow([cell(doc, path) for path in fields])
        if out.tell() > WRITE_CHARS:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_cell(doc, path):
    """A value as CSV text: strings as they are, numbers exactly, true/false, objects and lists as JSON;
    a missing field or null is an empty cell."""
    found, value = value_at(doc, path)
    if not found or value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, jsontext.JsonNumber):
        return value
    return jsontext.dumps(value)


def spreadsheet_cell(doc, path):
    """A CSV cell a spreadsheet cannot take for a formula: text starting with = + - @ tab or CR gets a leading
    "'". Numbers, true/false and JSON objects and lists cannot start so as text; they are written as csv_cell
    writes them (a number stays a number)."""
    found, value = value_at(doc, path)
    if isinstance(value, str) and not isinstance(value, jsontext.JsonNumber):
        return neutralised(value)
    return csv_cell(doc, path)


def neutralised(text):
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _grouped(pieces):
    """Join small pieces into writes of about WRITE_CHARS (one write per document would be slow)."""
    held, size = [], 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= WRITE_CHARS:
            yield "".join(held)
            held, size = [], 0
    if held:
        yield "".join(held)
