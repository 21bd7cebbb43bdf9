"""Documents: _all_docs and _local_docs paged by key, read, save, create, copy, delete, bulk delete,
revisions and conflicts. Bodies go through jsontext so that no number is ever rounded."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
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
    rev: str = ""  # the revision written, when ok
    accepted: bool = False  # stored on fewer copies than CouchDB's write quorum asks (see Written)


@dataclass(frozen=True)
class Written:
    """CouchDB's answer to a document write: the new revision, and `accepted` when it answered 202 Accepted,
    having stored the write on fewer copies than its write quorum asks (a node is down or slow): the other
    copies get it later, and until then a read may not find it, or an edit made meanwhile elsewhere may
    conflict with it."""

    rev: str
    accepted: bool = False


@dataclass(frozen=True)
class RecentWrite:
    """A write the person has just made through the dashboard: the revision it left (the tombstone's, for a
    deletion), and whether CouchDB stored it on fewer copies than it asks for."""

    id: str
    rev: str
    deleted: bool = False
    accepted: bool = False


@dataclass(frozen=True)
class ReadBack:
    """A page of the list after the person's recent writes on it were read back at quorum: `corrected` names
    the documents the list (one copy of each shard) showed otherwise than a quorum of copies holds them, now
    shown as the quorum has them; `catching_up` the writes not even the quorum read shows yet."""

    page: DocPage
    corrected: tuple[str, ...] = ()
    catching_up: tuple[RecentWrite, ...] = ()


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


@dataclass(frozen=True)
class Held:
    """A document as a quorum of copies holds it: its winning revision, whether that is a deletion, and its
    body (with _conflicts) unless it is deleted."""

    rev: str
    deleted: bool
    doc: JsonObject | None = None


def documents_at_quorum(client: CouchClient, db: str, ids: Iterable[str], bodies: bool = True) -> dict[str, Held]:
    """POST /{db}/_all_docs with "keys" — each document as a quorum of copies holds it: CouchDB opens each key
    as GET /{db}/{docid} does, where a plain _all_docs reads one copy of each shard. Documents CouchDB never
    had are left out; with bodies=False only their revisions are read."""
    keys = list(dict.fromkeys(ids))
    if not keys:
        return {}
    params = {"include_docs": True, "conflicts": True} if bodies else None
    answer = client.send_exact("POST", db, "_all_docs", params=params, body={"keys": keys})
    held: dict[str, Held] = {}
    for row in (answer.get("rows") if isinstance(answer, dict) else None) or ():
        value = row.get("value") if isinstance(row, dict) else None
        if isinstance(value, dict) and isinstance(value.get("rev"), str) and isinstance(row.get("id"), str):
            doc = row.get("doc")
            held[row["id"]] = Held(value["rev"], value.get("deleted") is True, doc if isinstance(doc, dict) else None)
    return held


def quorum_holds(write: RecentWrite, now: Held | None) -> bool:
    """Whether what a quorum read found holds the write, or something written after it (another branch may
    win: the list then shows the winner, with its conflicts)."""
    if now is None:  # never there, or purged since: as good as deleted
        return write.deleted
    return now.rev == write.rev or rev_order(now.rev)[0] >= rev_order(write.rev)[0]


def rev_order(rev: str) -> tuple[int, str]:
    """A revision's place among leaves, as CouchDB picks a winner: the longer history, then the greater hash."""
    number, _, digest = str(rev).partition("-")
    return (int(number) if number.isascii() and number.isdigit() else 0, digest)


def with_own_writes(client: CouchClient, db: str, listing: Listing, page: DocPage,
                    writes: Sequence[RecentWrite]) -> ReadBack:
    """The page made to agree with the person's own recent writes (newest first) that belong on it, read back
    at quorum (documents_at_quorum): on a cluster the list reads one copy of each shard, which may not have them
    yet. Writes that even the quorum read does not show are said to be catching up, the page left as it is."""
    mine: dict[str, RecentWrite] = {}
    for write in writes:
        if write.id not in mine and _belongs_on(listing, page, write.id):
            mine[write.id] = write
    if not mine:
        return ReadBack(page)
    held = documents_at_quorum(client, db, mine)
    rows = {row.id: row for row in page.rows}
    corrected: list[str] = []
    catching_up: list[RecentWrite] = []
    for write in mine.values():
        now = held.get(write.id)
        if not quorum_holds(write, now):
            catching_up.append(write)
        elif now is None or now.deleted:
            if rows.pop(write.id, None) is not None:
                corrected.append(write.id)
        elif write.id not in rows or rows[write.id].rev != now.rev:
            rows[write.id] = DocRow(write.id, now.rev, now.doc)
            corrected.append(write.id)
    page = _reshaped(listing, page, list(rows.values())) if corrected else page
    return ReadBack(page, tuple(corrected), tuple(catching_up))


def _belongs_on(listing: Listing, page: DocPage, docid: str) -> bool:
    """Whether the list would show this document on this page, as far as its id says."""
    if listing.local or docid.startswith(LOCAL_PREFIX) or not docid.startswith(listing.prefix):
        return False
    if not _keeps_design(listing)(DocRow(docid, "")):
        return False
    # Where the page starts: where it was asked to, or (read backwards, with pages before it) its first row.
    first = listing.start
    if first is None and listing.before is not None and page.prev_before is not None and page.rows:
        first = page.rows[0].id
    after_first = first is None or not _sorts_before(docid, first, listing.descending)
    return after_first and (page.next_start is None or _sorts_before(docid, page.next_start, listing.descending))


def _sorts_before(one: str, other: str, descending: bool) -> bool:
    # _all_docs orders ids by their code points (CouchDB's raw collation), as Python compares strings.
    return one > other if descending else one < other


def _reshaped(listing: Listing, page: DocPage, rows: list[DocRow]) -> DocPage:
    """The page with rows added or taken away, in order; a row that no longer fits goes to the next page (to the
    one before it, for a page read backwards)."""
    ordered = sorted(rows, key=lambda row: row.id, reverse=listing.descending)
    total = page.total_rows + len(ordered) - len(page.rows) if page.total_rows is not None else None
    if listing.before is None and page.prev_before is not None and ordered:
        page = replace(page, prev_before=ordered[0].id)  # the page before ends where this one now starts
    over = len(ordered) - listing.limit
    if over <= 0:
        return replace(page, rows=tuple(ordered), total_rows=total)
    if listing.before is not None:
        return replace(page, rows=tuple(ordered[over:]), prev_before=ordered[over].id, total_rows=total)
    return replace(page, rows=tuple(ordered[:listing.limit]), next_start=ordered[listing.limit].id,
                   total_rows=total)


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


def write_document(client: CouchClient, db: str, docid: str, body: JsonObject, rev: str | None = None,
                   attachments: JsonObject | None = None) -> Written:
    """PUT /{db}/{docid} — always with the _rev the edit started from; answers the new rev, and whether
    CouchDB stored it on fewer copies than it asks for (202 Accepted)."""
    payload = {**editable_body(body), "_id": docid}
    if rev:
        payload["_rev"] = rev
    if attachments:
        payload["_attachments"] = attachments
    held = attachment_bytes(attachments)
    # CouchDB 3 took 43-60 s to write a document holding a 200 MB attachment, even with stubs only.
    timeout = client.transfer_timeout(held) if held else None
    status, answer = client.send_exact_status("PUT", db, docid, body=payload, timeout=timeout)
    return Written(str(answer.get("rev", "")), accepted=status == 202)


def save_document(client: CouchClient, db: str, docid: str, body: JsonObject, rev: str | None = None,
                  attachments: JsonObject | None = None) -> str:
    """PUT /{db}/{docid} (write_document) where only the new rev matters."""
    return write_document(client, db, docid, body, rev, attachments).rev


def attachment_bytes(attachments: Json) -> int:
    """The bytes a document's attachment stubs say it holds (what a write of it may have to go through)."""
    if not isinstance(attachments, dict):
        return 0
    lengths = (stub.get("length") for stub in attachments.values() if isinstance(stub, dict))
    return sum(int(n) for n in lengths if isinstance(n, int | str) and str(n).isdigit())


def create_document(client: CouchClient, db: str, body: JsonObject,
                    docid: str | None = None) -> tuple[str, Written]:
    """PUT /{db}/{docid} with a given id, or one from /_uuids; answers (id, what CouchDB wrote)."""
    docid = docid or new_uuids(client, 1)[0]
    return docid, write_document(client, db, docid, body)


def delete_document(client: CouchClient, db: str, docid: str, rev: str) -> Written:
    """DELETE /{db}/{docid}?rev= — answers the tombstone's rev (and a 202 Accepted, as write_document)."""
    answer = client.request("DELETE", db, docid, params={"rev": rev})
    return Written(str(answer.json().get("rev", "")), accepted=answer.status_code == 202)


def copy_document(client: CouchClient, db: str, docid: str, destination: str) -> str:
    """COPY /{db}/{docid} to a new id."""
    client.flavour.copy_document(db, docid, destination)
    return destination


def bulk_delete(client: CouchClient, db: str, id_revs: Iterable[tuple[str, str]]) -> list[BulkResult]:
    """POST /{db}/_bulk_docs with _deleted tombstones — one result per document."""
    docs = [{"_id": docid, "_rev": rev, "_deleted": True} for docid, rev in id_revs]
    answer = client.post_json(db, "_bulk_docs", body={"docs": docs})
    # A deletion CouchDB stored on fewer copies than it asks for says "accepted": true (and the whole answer is 202).
    return [BulkResult(id=r.get("id", ""), ok=bool(r.get("ok") or r.get("rev")) and "error" not in r,
                       error=r.get("error", ""), reason=r.get("reason", ""), rev=str(r.get("rev") or ""),
                       accepted=r.get("accepted") is True) for r in answer]


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
