"""Documents: _all_docs and _local_docs paged by key, read, save, create, copy, delete, bulk delete,
revisions and conflicts. Bodies go through jsontext so that no number is ever rounded."""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from browser.couch.client import CouchClient, json_param
from browser.couch.flavour import ConflictScan
from browser.couch.jsontext import Json, JsonObject
from browser.couch.server import new_uuids
from browser.couch.wire import DESIGN_PREFIX, ID_END, LOCAL_PREFIX

# Members CouchDB keeps or adds itself; the editor shows them as metadata, not as fields.
METADATA_FIELDS = ("_id", "_rev", "_attachments", "_revs_info", "_revisions", "_conflicts",
                   "_deleted_conflicts", "_local_seq")
ALLOWED_SPECIAL_FIELDS = ("_deleted",)


class RowSource(Protocol):
    """What list_documents reads rows through: a CouchClient, or one that reads within a partition."""

    def get_exact(self, db: str, endpoint: str, /, *, params: Mapping[str, Any] | None = None) -> Json: ...


@dataclass(frozen=True)
class DocRow:
    id: str
    rev: str
    doc: JsonObject | None = None

    @property
    def conflicts(self) -> tuple[str, ...]:
        return tuple((self.doc or {}).get("_conflicts") or ())

    @property
    def attachment_count(self) -> int:
        return len((self.doc or {}).get("_attachments") or {})


@dataclass(frozen=True)
class DocPage:
    rows: tuple[DocRow, ...]
    next_start: str | None
    prev_before: str | None
    total_rows: int | None


@dataclass(frozen=True)
class Listing:
    """What a page of the document list asks for."""

    limit: int = 20
    descending: bool = False
    include_design: bool = True
    prefix: str = ""
    start: str | None = None
    before: str | None = None
    local: bool = False


@dataclass(frozen=True)
class Revision:
    rev: str
    status: str

    @property
    def available(self) -> bool:
        return self.status == "available"


@dataclass(frozen=True)
class BulkResult:
    id: str
    ok: bool
    error: str = ""
    reason: str = ""


def id_problem(docid: str) -> str | None:
    """Why CouchDB would refuse this document id; None when it is acceptable."""
    if not docid:
        return "Enter a document id."
    if docid.startswith("_") and not docid.startswith((DESIGN_PREFIX, LOCAL_PREFIX)):
        return "Only design (_design/…) and local (_local/…) document ids may start with “_”."
    if docid in (DESIGN_PREFIX, LOCAL_PREFIX):
        return "Add a name after the “/”."
    return None


def list_documents(client: RowSource, db: str, listing: Listing) -> DocPage:
    """GET /{db}/_all_docs (or _local_docs) — one page by key, never by a growing skip."""
    endpoint = "_local_docs" if listing.local else "_all_docs"
    keep = _keeps_design(listing)
    if listing.before is not None:
        return _page_before(client, db, endpoint, listing, keep)
    params = _range_params(listing, listing.descending, listing.start)
    rows, total = _fetch_rows(client, db, endpoint, params, listing.limit + 1, keep)
    return DocPage(
        rows=tuple(rows[:listing.limit]),
        next_start=rows[listing.limit].id if len(rows) > listing.limit else None,
        prev_before=rows[0].id if listing.start and rows else None,
        total_rows=total,
    )


def _page_before(client: RowSource, db: str, endpoint: str, listing: Listing,
                 keep: Callable[[DocRow], bool]) -> DocPage:
    params = _range_params(listing, not listing.descending, listing.before)
    rows, total = _fetch_rows(client, db, endpoint, params, listing.limit + 2, keep)
    rows = [row for row in rows if row.id != listing.before]
    if not rows:
        first = Listing(**{**listing.__dict__, "before": None, "start": None})
        return list_documents(client, db, first)
    shown = list(reversed(rows[:listing.limit]))
    return DocPage(rows=tuple(shown), next_start=listing.before,
                   prev_before=shown[0].id if len(rows) > listing.limit else None, total_rows=total)


def _keeps_design(listing: Listing) -> Callable[[DocRow], bool]:
    if listing.include_design or listing.local:
        return lambda row: True
    return lambda row: not row.id.startswith(DESIGN_PREFIX)


def _range_params(listing: Listing, descending: bool, start: str | None) -> dict[str, Any]:
    low, high = (listing.prefix, listing.prefix + ID_END) if listing.prefix else (None, None)
    first, last = (high, low) if descending else (low, high)
    if start is not None:
        first = start
    return {"include_docs": True, "conflicts": True, "descending": descending or None,
            "startkey": json_param(first) if first is not None else None,
            "endkey": json_param(last) if last is not None else None}


def _fetch_rows(client: RowSource, db: str, endpoint: str, params: Mapping[str, Any], wanted: int,
                keep: Callable[[DocRow], bool]) -> tuple[list[DocRow], int | None]:
    """Rows until `wanted` are kept; hidden design documents are skipped by asking again past them."""
    kept: list[DocRow] = []
    total = None
    params = dict(params)
    while True:
        ask = wanted - len(kept)
        answer = client.get_exact(db, endpoint, params={**params, "limit": ask})
        total = answer.get("total_rows", total)
        rows = [_row(r) for r in answer.get("rows", []) if "id" in r]
        kept.extend(row for row in rows if keep(row))
        if len(rows) < ask or len(kept) >= wanted:
            return kept[:wanted], _as_int(total)
        params.update(startkey=json_param(rows[-1].id), skip=1)


def _row(raw: JsonObject) -> DocRow:
    return DocRow(id=raw["id"], rev=(raw.get("value") or {}).get("rev", ""), doc=raw.get("doc"))


def _as_int(value: Json) -> int | None:
    return int(value) if value is not None else None


def get_document(client: CouchClient, db: str, docid: str, rev: str | None = None,
                 history: bool = True) -> Json:
    """GET /{db}/{docid} — with its available revisions and conflicts (unless history=False: the editor
    needs neither, and on a big document they cost as much again), or one given revision."""
    params: dict[str, Any] | None
    if rev:
        params = {"rev": rev}
    elif docid.startswith(LOCAL_PREFIX) or not history:
        params = None
    else:
        params = {"revs_info": True, "conflicts": True}
    return client.get_exact(db, docid, params=params)


def editable_body(doc: JsonObject) -> JsonObject:
    """The document without the members CouchDB manages."""
    return {k: v for k, v in doc.items() if k not in METADATA_FIELDS}


def stored_document(doc: JsonObject) -> JsonObject:
    """The document as stored: without the _revs_info and _conflicts that were asked for beside it."""
    return {k: v for k, v in doc.items() if k not in ("_revs_info", "_conflicts")}


def special_field_problem(body: JsonObject) -> str | None:
    """Top-level "_" members CouchDB would refuse (doc_validation), or that would delete the document."""
    bad = [k for k in body if k.startswith("_") and k not in ALLOWED_SPECIAL_FIELDS + METADATA_FIELDS]
    if bad:
        names = ", ".join(f"“{k}”" for k in bad)
        return f"Top-level field names may not start with “_” (CouchDB reserves them): {names}."
    if body.get("_deleted") not in (None, False):
        return ("“_deleted”: true would delete the document. To delete it, use Delete…, which asks you to "
                "confirm; or remove “_deleted” to save.")
    return None


def partitioned_id_problem(docid: str) -> str | None:
    """Why a partitioned database would refuse this id (it must be "partition:id"); None when acceptable."""
    if docid.startswith((DESIGN_PREFIX, LOCAL_PREFIX)):
        return None
    partition, colon, rest = docid.partition(":")
    if not colon or not partition or not rest:
        return "In a partitioned database a document id is “partition:id”, for example “sensor-1:reading-42”."
    if partition.startswith("_"):
        return "A partition name may not start with “_”."
    return None


def revisions(doc: JsonObject) -> tuple[Revision, ...]:
    """The revisions CouchDB listed in _revs_info, newest first."""
    return tuple(Revision(r["rev"], r.get("status", "")) for r in doc.get("_revs_info") or ())


def save_document(client: CouchClient, db: str, docid: str, body: JsonObject, rev: str | None = None,
                  attachments: JsonObject | None = None) -> str:
    """PUT /{db}/{docid} — always with the _rev the edit started from; answers the new rev."""
    payload = {**editable_body(body), "_id": docid}
    if rev:
        payload["_rev"] = rev
    if attachments:
        payload["_attachments"] = attachments
    held = attachment_bytes(attachments)
    # CouchDB 3 took 43-60 s to write a document holding a 200 MB attachment, even with stubs only.
    timeout = client.transfer_timeout(held) if held else None
    return str(client.send_exact("PUT", db, docid, body=payload, timeout=timeout).get("rev", ""))


def attachment_bytes(attachments: Json) -> int:
    """The bytes a document's attachment stubs say it holds (what a write of it may have to go through)."""
    if not isinstance(attachments, dict):
        return 0
    lengths = (stub.get("length") for stub in attachments.values() if isinstance(stub, dict))
    return sum(int(n) for n in lengths if isinstance(n, int | str) and str(n).isdigit())


def create_document(client: CouchClient, db: str, body: JsonObject, docid: str | None = None) -> tuple[str, str]:
    """PUT /{db}/{docid} with a given id, or one from /_uuids; answers (id, rev)."""
    docid = docid or new_uuids(client, 1)[0]
    return docid, save_document(client, db, docid, body)


def delete_document(client: CouchClient, db: str, docid: str, rev: str) -> str:
    """DELETE /{db}/{docid}?rev= — answers the tombstone's rev."""
    return str(client.delete_json(db, docid, params={"rev": rev}).get("rev", ""))


def copy_document(client: CouchClient, db: str, docid: str, destination: str) -> str:
    """COPY /{db}/{docid} to a new id."""
    client.flavour.copy_document(db, docid, destination)
    return destination


def bulk_delete(client: CouchClient, db: str, id_revs: Iterable[tuple[str, str]]) -> list[BulkResult]:
    """POST /{db}/_bulk_docs with _deleted tombstones — one result per document."""
    docs = [{"_id": docid, "_rev": rev, "_deleted": True} for docid, rev in id_revs]
    answer = client.post_json(db, "_bulk_docs", body={"docs": docs})
    return [BulkResult(id=r.get("id", ""), ok=bool(r.get("ok") or r.get("rev")) and "error" not in r,
                       error=r.get("error", ""), reason=r.get("reason", "")) for r in answer]


def open_revisions(client: CouchClient, db: str, docid: str, revs: Iterable[str]) -> dict[str, JsonObject]:
    """POST /{db}/_bulk_get (pouchdb-server: GET ?open_revs=[...]) — the bodies of given leaf revisions."""
    return {rev: doc for (_, rev), doc in revisions_at(client, db, [(docid, rev) for rev in revs]).items()}


def revisions_at(client: CouchClient, db: str, pairs: Iterable[tuple[str, str]], revs: bool = False,
                 attachments: bool = False) -> dict[tuple[str, str], JsonObject]:
    """POST /{db}/_bulk_get — {(id, rev): document} for the (id, rev) pairs CouchDB still has a body for,
    in one request (the flavour's fallback where the server's _bulk_get cannot be used)."""
    unique = list(dict.fromkeys(pairs))
    if not unique:
        return {}
    found = {}
    for result in client.flavour.bulk_get(db, unique, revs=revs, attachments=attachments):
        for item in (result.get("docs") if isinstance(result, dict) else None) or ():
            doc = item.get("ok") if isinstance(item, dict) else None
            if isinstance(doc, dict) and isinstance(doc.get("_rev"), str):
                found[(str(doc.get("_id", result.get("id"))), doc["_rev"])] = doc
    return found


def resolve_conflict(client: CouchClient, db: str, docid: str, winner_rev: str, losing_revs: Iterable[str],
                     body: JsonObject | None = None,
                     attachments: JsonObject | None = None) -> tuple[str, list[BulkResult]]:
    """Keep one version on the winning branch, then remove the losing leaves: PUT /{db}/{docid} on the
    winner (only when its body changes), then POST /{db}/_bulk_docs with a tombstone for each loser.
    The winner itself is never deleted. Answers (the winner's rev now, one BulkResult per loser)."""
    new_rev = winner_rev
    if body is not None:
        new_rev = save_document(client, db, docid, body, rev=winner_rev, attachments=attachments)
    docs = [{"_id": docid, "_rev": rev, "_deleted": True} for rev in losing_revs if rev != winner_rev]
    answer = client.post_json(db, "_bulk_docs", body={"docs": docs}) if docs else []
    return new_rev, [BulkResult(id=str(r.get("rev") or r.get("id", "")), ok="error" not in r,
                                error=str(r.get("error", "")), reason=str(r.get("reason", ""))) for r in answer]


def leaf_with_attachments(client: CouchClient, db: str, docid: str, rev: str) -> Json:
    """GET /{db}/{docid}?rev=&attachments=true — a leaf with its attachments inline, to move them onto
    another branch (stubs only refer to attachments of the revision being updated)."""
    return client.get_exact(db, docid, params={"rev": rev, "attachments": True})


def find_conflicts(client: CouchClient, db: str, start: str | None = None) -> ConflictScan:
    """A page of the documents that have conflicts, and where the next page starts."""
    return client.flavour.conflicted_documents(db, start)
