"""Import: documents from a JSON array, NDJSON or CSV file written with POST /{db}/_bulk_docs in batches,
reading the file a piece at a time and holding one batch, so any size costs the same memory.

Each row's outcome is reported: stored, already there (a document with that id exists: a rerun never
duplicates), refused by CouchDB (validate_doc_update, rights) or not a document at all (bad JSON, bad
id, a bad CSV cell). What was stored stays. With `keep_revisions` the documents keep their exported
`_rev` (new_edits=false), as a replica would: a rerun then stores nothing new.
"""

import csv
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.documents import documents_at_quorum, id_problem
from browser.couch.errors import BadRequest, PayloadTooLarge
from browser.couch.jsontext import Json, JsonObject
from browser.couch.transfer import (
    Item,
    NotUtf8,
    Path,
    StreamBroken,
    array_items,
    column_name,
    file_chunks,
    ndjson_items,
    text_chunks,
    text_lines,
)

KINDS = ("json", "ndjson", "csv")
BATCH = 500
SPECIAL_MEMBERS = ("_id", "_rev", "_attachments", "_deleted", "_revisions")
ATTACHMENT_KEPT = ("content_type", "data")


@dataclass(frozen=True)
class Failure:
    row: int
    docid: str
    kind: str  # "already there", "refused", "invalid"
    reason: str


@dataclass
class Progress:
    """Running totals after a batch, and the failures of that batch."""

    rows: int = 0
    stored: int = 0
    existing: int = 0
    refused: int = 0
    invalid: int = 0
    bytes_read: int = 0
    failures: list[Failure] = field(default_factory=list)
    broken: str = ""  # why reading stopped before the end of the file
    done: bool = False

    @property
    def failed(self) -> int:
        return self.existing + self.refused + self.invalid


# A batch to send: (row number, document) pairs.
Batch = list[tuple[int, JsonObject]]


def import_documents(client: CouchClient, db: str, source: IO[bytes], kind: str, keep_revisions: bool = False,
                     batch_size: int = BATCH) -> Iterator[Progress]:
    """Read `source` (a binary file) and write its documents; yields a Progress after every batch,
    and a last one with done=True."""
    progress = Progress()
    batch: Batch = []
    unreported = 0
    try:
        for item in _items(source, kind):
            progress.rows += 1
            unreported += 1
            doc, problem = _prepared(item, keep_revisions)
            if doc is None:
                progress.invalid += 1
                progress.failures.append(Failure(item.number, _id_of(item.value), "invalid", problem))
            else:
                batch.append((item.number, doc))
            if len(batch) >= batch_size:
                _sent(client, db, batch, keep_revisions, progress, source)
                batch = []
            if unreported >= batch_size:  # also when every row is invalid: failures are held a batch at most
                yield progress
                progress.failures, unreported = [], 0
    except StreamBroken as exc:
        # A byte that is not UTF-8 stops a JSON array or a CSV file there (an NDJSON line is a row of its own);
        # every row before it has been read, and is sent below.
        progress.broken = f"{exc} Reading stopped there." if isinstance(exc, NotUtf8) else str(exc)
    if batch:
        _sent(client, db, batch, keep_revisions, progress, source)
    progress.done = True
    progress.bytes_read = _position(source)
    yield progress


def _items(source: IO[bytes], kind: str) -> Iterator[Item]:
    if kind == "json":
        return array_items(text_chunks(file_chunks(source)))
    return csv_items(text_lines(source)) if kind == "csv" else ndjson_items(source)


def _position(source: IO[bytes]) -> int:
    try:
        return source.tell()
    except (OSError, ValueError):
        return 0


def _id_of(value: Json) -> str:
    docid = value.get("_id") if isinstance(value, dict) else None
    return docid if isinstance(docid, str) else ""


def _prepared(item: Item, keep_revisions: bool) -> tuple[JsonObject | None, str]:
    """(document to send, "") or (None, why this row is not a document CouchDB would take)."""
    if item.problem:
        return None, item.problem
    doc = item.value
    if not isinstance(doc, dict):
        return None, "not a JSON object"
    problem = _document_problem(doc, keep_revisions)
    if problem:
        return None, problem
    attachments = doc.get("_attachments")
    kept = ATTACHMENT_KEPT + (("revpos",) if keep_revisions else ())
    doc = {k: v for k, v in doc.items() if keep_revisions or k != "_rev"}
    if attachments:
        doc["_attachments"] = {name: {k: v for k, v in att.items() if k in kept} for name, att in attachments.items()}
    return doc, ""


def _document_problem(doc: JsonObject, keep_revisions: bool) -> str:
    docid = doc.get("_id")
    if "_id" in doc and not isinstance(docid, str):
        return "the _id is not a string"
    if docid is not None and (problem := id_problem(docid)):
        return problem
    special = next((k for k in doc if k.startswith("_") and k not in SPECIAL_MEMBERS), None)
    if special:
        return f"“{special}” is not a member CouchDB allows (names starting with “_” are reserved)"
    if keep_revisions and not isinstance(doc.get("_rev"), str):
        return "it has no _rev to keep (import without keeping revisions)"
    return _attachments_problem(doc.get("_attachments"))


def _attachments_problem(attachments: Json) -> str:
    if attachments is None:
        return ""
    if not isinstance(attachments, dict):
        return "_attachments is not an object"
    for name, att in attachments.items():
        if not isinstance(att, dict) or not isinstance(att.get("data"), str):
            return f"the attachment “{name}” has no data (export with attachments inline)"
    return ""


def _sent(client: CouchClient, db: str, batch: Batch, keep_revisions: bool, progress: Progress,
          source: IO[bytes]) -> Progress:
    """POST /{db}/_bulk_docs — one batch; outcomes counted into progress."""
    if not keep_revisions and not (batch := _not_there_yet(client, db, batch, progress)):
        progress.bytes_read = _position(source)
        return progress
    try:
        outcomes = _bulk_docs(client, db, [doc for _, doc in batch], keep_revisions)
    except (BadRequest, PayloadTooLarge):
        # CouchDB refuses the whole batch for one bad document: send them one by one to say which.
        outcomes = []
        for _, doc in batch:
            try:
                outcomes.extend(_bulk_docs(client, db, [doc], keep_revisions))
            except (BadRequest, PayloadTooLarge) as exc:
                outcomes.append({"id": doc.get("_id", ""), "error": exc.error or "bad_request",
                                 "reason": exc.reason or exc.message})
    _count(batch, outcomes, keep_revisions, progress)
    progress.bytes_read = _position(source)
    return progress


def _not_there_yet(client: CouchClient, db: str, batch: Batch, progress: Progress) -> Batch:
    """POST /{db}/_all_docs with keys — the rows whose id no document has, read at quorum; the others are counted
    as already there. Without this a cluster's copy that does not have a document yet takes the row as a new
    document (CouchDB answers 202 Accepted, not 409) and, the bodies differing, its copies then hold two
    conflicting documents: a rerun of an import just made would duplicate."""
    ids = [doc["_id"] for _, doc in batch if isinstance(doc.get("_id"), str)]
    there = {docid for docid, held in documents_at_quorum(client, db, ids, bodies=False).items() if not held.deleted}
    for number, doc in batch:
        if doc.get("_id") in there:
            _failed(progress, number, {"id": doc["_id"], "error": "conflict"})
    return [(number, doc) for number, doc in batch if doc.get("_id") not in there]


def _bulk_docs(client: CouchClient, db: str, docs: list[JsonObject], keep_revisions: bool) -> list[Json]:
    return client.flavour.bulk_docs(db, docs, new_edits=not keep_revisions)


def _count(batch: Batch, outcomes: list[Json], keep_revisions: bool, progress: Progress) -> None:
    if keep_revisions:
        # With new_edits=false CouchDB answers only the failures, by id (and rev).
        rows: dict[Json, int] = {}
        for number, doc in batch:
            rows.setdefault(doc.get("_id"), number)
        errors = [o for o in outcomes if isinstance(o, dict) and o.get("error")]
        progress.stored += len(batch) - len(errors)
        for outcome in errors:
            _failed(progress, rows.get(outcome.get("id"), 0), outcome)
        return
    for (number, _), outcome in zip(batch, outcomes, strict=False):
        if isinstance(outcome, dict) and outcome.get("error"):
            _failed(progress, number, outcome)
        else:
            progress.stored += 1


def _failed(progress: Progress, number: int, outcome: JsonObject) -> None:
    error, reason = str(outcome.get("error")), str(outcome.get("reason") or "")
    docid = str(outcome.get("id") or "")
    if error == "conflict":
        progress.existing += 1
        progress.failures.append(Failure(number, docid, "already there",
                                         "a document with this id exists; it was left as it is"))
    elif error in ("forbidden", "unauthorized"):
        progress.refused += 1
        progress.failures.append(Failure(number, docid, "refused", _refusal(error, reason)))
    else:
        progress.invalid += 1
        progress.failures.append(Failure(number, docid, "invalid", f"{error}: {reason}" if reason else error))


def _refusal(error: str, reason: str) -> str:
    if error == "forbidden":
        return f"the database's validate_doc_update refused it: {reason}"
    return f"not allowed: {reason}"


# --- CSV ---

@dataclass(frozen=True)
class Column:
    path: Path
    type: str
    title: str


def csv_columns(header: Sequence[str]) -> list[Column]:
    """The header row's columns: "name", "name:type" (string, number, boolean, json, mixed), dotted for nesting,
    a backslash keeping the next character as it is ("dot\\.ted"); ":type" alone names the field ""."""
    columns: list[Column] = []
    seen: set[Path] = set()
    for title in header:
        path, kind = column_name(title)
        if any(not part for part in path) and not (path == ("",) and kind):
            raise StreamBroken(f"The header names a column “{title}” that is not a field name.")
        if path in seen:
            raise StreamBroken(f"The header names “{title}” twice.")
        seen.add(path)
        columns.append(Column(path, kind or "string", title))
    if not columns:
        raise StreamBroken("The file has no header row.")
    return columns


def csv_items(text: Iterable[str]) -> Iterator[Item]:
    """Each data row of a CSV file (header first) as an Item numbered by its line."""
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise StreamBroken("The file is empty: it needs a header row.")
        columns = csv_columns(header)
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            yield _csv_row(reader.line_num, columns, cells)
    except csv.Error as exc:
        raise StreamBroken(f"Line {reader.line_num:,} is not CSV ({exc}): reading stopped there.") from None


def _csv_row(line: int, columns: Sequence[Column], cells: Sequence[str]) -> Item:
    if len(cells) > len(columns):
        return Item(line, problem=f"the row has {len(cells)} cells but the header has {len(columns)} columns")
    doc: JsonObject = {}
    for column, cell in zip(columns, cells, strict=False):
        if cell == "":
            continue  # an empty cell leaves the field out
        value, problem = _typed(cell, column.type)
        if problem:
            return Item(line, doc, problem=f"column “{column.title}”: {problem}")
        _set_path(doc, column.path, value)
    return Item(line, doc)


def _typed(cell: str, kind: str) -> tuple[Json, str]:
    if kind == "string":
        return cell, ""
    if kind == "number":
        text = cell.strip()
        if not jsontext.is_number_text(text) or not math.isfinite(float(text)):
            return None, f"“{cell}” is not a number"
        return jsontext.JsonNumber(text), ""
    if kind == "boolean":
        word = cell.strip().lower()
        if word not in ("true", "false"):
            return None, f"“{cell}” is not true or false"
        return word == "true", ""
    try:  # json, and mixed (a column whose values' types differ: each cell is JSON)
        return jsontext.loads_strict(cell), ""
    except jsontext.JsonSyntaxError as exc:
        return None, f"not valid JSON ({exc})"


def _set_path(doc: JsonObject, path: Path, value: Json) -> None:
    into = doc
    for part in path[:-1]:
        if not isinstance(into.get(part), dict):
            into[part] = {}
        into = into[part]
    into[path[-1]] = value
