"""Export: a database (GET /{db}/_all_docs, one streamed answer) or a Mango selection (POST /{db}/_find,
paged by bookmark) written out as JSON, NDJSON or CSV, a piece at a time.

Documents are written as CouchDB returns them (exact numbers, `_rev` included); without inline
attachments `_attachments` is left out, since stubs without data cannot be imported anywhere. A JSON or
NDJSON export of a whole database copies each document's text from the _all_docs answer as it is, unparsed,
unless the row has to be changed (stubs to leave out, another server's layout): parsing and writing it again
was half the export's time.

A CSV file says each column's type in its header ("total:number", "vip:boolean", "items:json", "note:mixed"
when the values' types differ), which the import reads, so that a raw export imports as it was: the
documents are read once into a temporary file to learn the types, then written.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import requests

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.jsontext import Json, JsonObject
from browser.couch.queries import FindResult, find
from browser.couch.replication import is_replicator_database, shown
from browser.couch.transfer import Path, array_items, column_title, text_chunks
from browser.couch.wire import DESIGN_PREFIX

FORMATS = {"json": "application/json", "ndjson": "application/x-ndjson", "csv": "text/csv"}
FIND_PAGE = 1000
# Fewer documents a page when their attachments come inline: memory holds one page.
FIND_PAGE_WITH_ATTACHMENTS = 50
READ_BYTES = 64 * 1024
WRITE_CHARS = 64 * 1024
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV Injection"): in a CSV
# export for spreadsheets such a text cell is written with a leading "'", which the spreadsheet shows as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A CSV export holds its documents in memory up to this size, then in a temporary file on disk.
SPOOL_MEMORY = 8 * 1024 * 1024
# A CSV of whole documents starts with these columns (pouchdb-server writes them last in a document).
FIRST_COLUMNS = ("_id", "_rev")


@dataclass(frozen=True)
class ExportChoice:
    """What to export and how: format, CSV (or projected) fields as paths (tuples of names; none: every field
    of a CSV), an optional selector."""

    format: str = "ndjson"
    fields: tuple[Path, ...] = ()
    selector: JsonObject | None = None
    include_design: bool = True
    attachments: bool = False
    csv_raw: bool = False  # CSV cells exactly as stored (for programs), not neutralised for spreadsheets


class DocText(str):
    """A document's JSON text exactly as CouchDB sent it, written out unchanged."""


def export_chunks(client: CouchClient, db: str, choice: ExportChoice) -> Iterator[str]:
    """The export's text in pieces of about WRITE_CHARS; CouchDB is asked before this returns, so a
    refusal is raised here rather than in the middle of a download."""
    docs: Iterable[JsonObject | DocText]
    replications = is_replicator_database(db)
    if choice.selector is not None:
        docs = _selected_documents(client, db, choice)
    else:
        as_text = choice.format != "csv" and not choice.fields and not replications
        docs = _all_documents(client, db, choice, as_text=as_text)
    if replications:
        # an export is a page too: no replication's credentials
        docs = (shown(db, doc) for doc in docs if isinstance(doc, dict))
    writers: dict[str, Callable[[Iterable[Any], ExportChoice], Iterator[str]]] = {
        "json": _json_pieces, "ndjson": _ndjson_pieces, "csv": _csv_pieces}
    writer = writers[choice.format]
    return _grouped(writer(_shaped(docs, choice), choice))


def _all_documents(client: CouchClient, db: str, choice: ExportChoice,
                   as_text: bool = False) -> Iterator[JsonObject | DocText]:
    """GET /{db}/_all_docs?include_docs=true, streamed: each document, or (`as_text`) its text where it can be
    written unchanged."""
    params = {"include_docs": True, "attachments": True if choice.attachments else None}
    response = client.request("GET", db, "_all_docs", params=params, stream=True)
    return _rows_of(response, choice.include_design, choice.attachments, as_text)


def _rows_of(response: requests.Response, include_design: bool, attachments: bool,
             as_text: bool) -> Iterator[JsonObject | DocText]:
    try:
        for item in array_items(text_chunks(response.iter_content(READ_BYTES)), member="rows", parse=not as_text):
            if as_text:
                if not include_design and item.text.startswith(_DESIGN_ROW):
                    continue
                text = _doc_text(item.text, attachments)
                if text is not None:
                    yield text
                    continue
            row = item.parsed().value
            doc = row.get("doc") if isinstance(row, dict) else None
            if not isinstance(doc, dict):
                continue
            if not include_design and str(doc.get("_id", "")).startswith(DESIGN_PREFIX):
                continue
            yield doc
    finally:
        response.close()


# An _all_docs row as CouchDB 3 writes it: {"id":"…","key":"…","value":{"rev":"…"},"doc":{…}}. Inside a string
# a quote is escaped, so the first '},"doc":{' ends the value.
_ROW_START, _DOC_START, _DESIGN_ROW = '{"id":"', '},"doc":{', '{"id":"' + DESIGN_PREFIX


def _doc_text(row: str, attachments: bool) -> DocText | None:
    """The row's document text, when it may be written as it is: None for another layout, a text on more than
    one line (NDJSON), or attachment stubs to leave out."""
    at = row.find(_DOC_START)
    if not row.startswith(_ROW_START) or at < 0 or not row.endswith("}"):
        return None
    text = row[at + len(_DOC_START) - 1:-1]
    if "\n" in text or (not attachments and '"_attachments":' in text):
        return None
    return DocText(text)


def _selected_documents(client: CouchClient, db: str, choice: ExportChoice) -> Iterator[JsonObject]:
    page_size = FIND_PAGE_WITH_ATTACHMENTS if choice.attachments else FIND_PAGE
    query: JsonObject = {"selector": choice.selector, "limit": page_size}
    first = find(client, db, query)
    return _pages_from(client, db, query, first, choice.attachments)


def _pages_from(client: CouchClient, db: str, query: JsonObject, page: FindResult,
                with_attachments: bool) -> Iterator[JsonObject]:
    while True:
        docs = _with_attachments(client, db, page.docs) if with_attachments else page.docs
        yield from (doc for doc in docs if isinstance(doc, dict))
        if not page.next_bookmark:
            return
        page = find(client, db, query, bookmark=page.next_bookmark)


def _with_attachments(client: CouchClient, db: str, docs: Sequence[Json]) -> list[JsonObject]:
    """POST /{db}/_all_docs?include_docs=true&attachments=true — the page's documents with their files
    (_find cannot send attachments)."""
    keys = [doc["_id"] for doc in docs if isinstance(doc, dict) and isinstance(doc.get("_id"), str)]
    if not keys:
        return []
    answer = client.send_exact("POST", db, "_all_docs", body={"keys": keys},
                               params={"include_docs": True, "attachments": True})
    return [row["doc"] for row in answer.get("rows", []) if isinstance(row, dict) and isinstance(row.get("doc"), dict)]


def _shaped(docs: Iterable[JsonObject | DocText], choice: ExportChoice) -> Iterator[JsonObject | DocText]:
    for doc in docs:
        if isinstance(doc, DocText):
            yield doc
            continue
        if not choice.attachments and "_attachments" in doc:
            doc = {k: v for k, v in doc.items() if k != "_attachments"}
        if choice.fields and choice.format != "csv":
            doc = projected(doc, choice.fields)
        yield doc


def projected(doc: JsonObject, fields: Iterable[Path]) -> JsonObject:
    """The document's _id and the named fields (dotted paths), nested as they were."""
    out: JsonObject = {"_id": doc.get("_id")}
    for path in fields:
        found, value = value_at(doc, path)
        if not found:
            continue
        into = out
        for part in path[:-1]:
            if not isinstance(into.get(part), dict):
                into[part] = {}
            into = into[part]
        into[path[-1]] = value
    return out


def value_at(doc: Json, path: Path) -> tuple[bool, Json]:
    """(True, value) at a path (("address", "city"), ("tags", "0")), or (False, None) when it is missing."""
    value = doc
    for part in path:
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isascii() and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return False, None
    return True, value


def _json_pieces(docs: Iterable[JsonObject | DocText], choice: ExportChoice) -> Iterator[str]:
    yield "["
    separator = "\n"
    for doc in docs:
        yield separator + _written(doc)
        separator = ",\n"
    yield "\n]\n"


def _ndjson_pieces(docs: Iterable[JsonObject | DocText], choice: ExportChoice) -> Iterator[str]:
    for doc in docs:
        yield _written(doc) + "\n"


def _written(doc: JsonObject | DocText) -> str:
    return doc if isinstance(doc, DocText) else jsontext.dumps(doc)


def _csv_pieces(docs: Iterable[JsonObject], choice: ExportChoice) -> Iterator[str]:
    """The header (each column's type learnt from every document), then a row a document. The documents are
    held in a temporary file meanwhile: one read of CouchDB, and the rows are the documents the header describes."""
    survey = _Survey(csv_paths(choice.fields))
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
        for doc in docs:
            survey.add(doc)
            spool.write(jsontext.dumps(doc).encode("utf-8", "surrogatepass") + b"\n")
        spool.seek(0)
        columns = survey.columns()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        titles = [column_title(path, kind) for path, kind in columns]
        writer.writerow(titles if choice.csv_raw else [neutralised(title) for title in titles])
        for line in spool:
            doc = jsontext.loads(line.decode("utf-8", "surrogatepass"))
            writer.writerow([csv_cell(doc, path, kind, choice.csv_raw) for path, kind in columns])
            if out.tell() > WRITE_CHARS:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()


def csv_paths(fields: tuple[Path, ...]) -> tuple[Path, ...] | None:
    """The CSV's columns: the fields named, `_id` first unless named; None (every field) when none are named."""
    if not fields:
        return None
    return fields if ("_id",) in fields else (("_id",), *fields)


def value_kind(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (jsontext.JsonNumber, int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


def column_type(kinds: set[str], has_empty_text: bool) -> str:
    """The type a header gives a column whose values are of these kinds: "mixed" for more than one (each cell
    then JSON), "json" for objects, lists and nulls, and for texts one of which is empty (an empty cell is a
    missing field: the empty text is written "")."""
    if len(kinds) > 1:
        return "mixed"
    kind = next(iter(kinds), "string")
    if kind == "string":
        return "json" if has_empty_text else "string"
    return kind if kind in ("number", "boolean") else "json"


class _Survey:
    """Which columns the documents fill, and with values of which kinds. Without named fields every top-level
    field is a column, in an order that keeps each document's order of fields where the documents agree."""

    def __init__(self, paths: tuple[Path, ...] | None) -> None:
        self.paths = paths
        self.kinds: dict[Path, set[str]] = {path: set() for path in paths or ()}
        self.empty_texts: set[Path] = set()
        # Without named fields, the columns as a linked list: () -> the first column.
        self.following: dict[Path, Path | None] = {}

    def add(self, doc: JsonObject) -> None:
        if self.paths is not None:
            for path in self.paths:
                found, value = value_at(doc, path)
                if found:
                    self._note(path, value)
            return
        previous: Path = ()
        names = [name for name in FIRST_COLUMNS if name in doc] + [name for name in doc if name not in FIRST_COLUMNS]
        for name in names:
            path, value = (name,), doc[name]
            if path not in self.kinds:
                self.kinds[path] = set()
                self.following[path] = self.following.get(previous)
                self.following[previous] = path
            self._note(path, value)
            previous = path

    def _note(self, path: Path, value: Json) -> None:
        self.kinds[path].add(value_kind(value))
        if value == "":
            self.empty_texts.add(path)

    def columns(self) -> list[tuple[Path, str]]:
        """(path, type) of each column."""
        paths: Sequence[Path] | None = self.paths
        if paths is None:
            linked: list[Path] = []
            path = self.following.get(())
            while path is not None:
                linked.append(path)
                path = self.following.get(path)
            paths = linked
        return [(path, column_type(self.kinds[path], path in self.empty_texts)) for path in paths]


def csv_cell(doc: Json, path: Path, kind: str, raw: bool = True) -> str:
    """A value as the column's type writes it: text as it is (for spreadsheets, neutralised), a number
    exactly, true/false, JSON for json and mixed columns (so null is "null"); a missing field is an empty cell."""
    found, value = value_at(doc, path)
    if not found:
        return ""
    if kind == "string":
        return str(value) if raw else neutralised(value)
    if kind == "boolean":
        return "true" if value else "false"
    return jsontext.dumps(value)


def neutralised(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _grouped(pieces: Iterable[str]) -> Iterator[str]:
    """Join small pieces into writes of about WRITE_CHARS (one write per document would be slow)."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        held.append(piece)
        size += len(piece)
        if size >= WRITE_CHARS:
            yield "".join(held)
            held, size = [], 0
    if held:
        yield "".join(held)
