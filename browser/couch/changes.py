"""The changes feed of one database: newest first, paged back from the sequence the first page was read
at; oldest first from any sequence; what arrived after a sequence (the live view). Filtered by a document
id prefix, a Mango selector or a design document's filter; documents fetched on demand for the rows shown.

CouchDB 3 ignores `since` when `descending=true`, and merges the feeds of a database's shards in no fixed
order: two reads of the newest rows need not give them in the same order. So a newest-first page below the
first is read as the newest rows minus those that arrived after the first page's sequence (`top`) and minus the
documents the pages above it showed (`shown`, which the caller remembers): no row is skipped or shown twice, and
the pages stay put while changes keep arriving. Without that memory (a link opened elsewhere) the rows above are
counted (`skip`), which is exact with one shard only. Oldest first pages by sequence, each page from the last
one's `last_seq`, as CouchDB guarantees: a row may come again, never go missing.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.jsontext import Json, JsonObject
from browser.couch.replication import shown

PAGE_SIZE = 50
DOCS_PAGE_SIZE = 20
# Newest-first paging reads this many rows at most; further back, read the feed oldest first from a sequence.
MOST_ROWS_READ = 10_000
LIVE_BATCH = 100
PREVIEW_CHARS = 400


@dataclass(frozen=True)
class ChangeFilter:
    id_prefix: str = ""
    selector: JsonObject | None = None
    design_filter: str = ""  # "ddoc/filter"
    deleted_only: bool = False

    @property
    def any(self) -> bool:
        return bool(self.id_prefix or self.selector is not None or self.design_filter or self.deleted_only)

    def selector_for_server(self) -> JsonObject | None:
        """The _selector filter's selector: the person's selector and the id prefix together, or None."""
        parts: list[JsonObject] = []
        if self.id_prefix:
            # U+FFFF sorts after every character CouchDB's collation gives an id.
            parts.append({"_id": {"$gte": self.id_prefix, "$lt": self.id_prefix + "\uffff"}})
        if self.deleted_only:
            parts.append({"_deleted": True})
        if self.selector is not None:
            parts.append(self.selector)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else {"$and": parts}


@dataclass(frozen=True)
class Change:
    seq: str
    id: str
    revs: tuple[str, ...]
    deleted: bool
    preview: str | None = None  # the document as JSON (cut short), when asked for
    doc_rev: str | None = None  # the document's revision now, when it has moved on since this change

    @property
    def rev(self) -> str:
        return self.revs[0] if self.revs else ""

    @property
    def seq_number(self) -> str:
        """The leading number of a sequence ("42-g1AAA…" or 42): a position to read by, not an identity."""
        return self.seq.split("-", 1)[0]


ItemT = TypeVar("ItemT")


@dataclass
class ChangesPage(Generic[ItemT]):
    changes: list[ItemT]
    top: str = ""  # newest first: the sequence the first page was read at
    skip: int = 0  # newest first: rows above this page
    older: bool = False  # newest first: whether there are older rows
    since: str = "0"  # oldest first: where this page starts
    next_since: str = ""  # oldest first: where the next page starts ("" when this is the end)
    too_deep: bool = False  # newest first: further back than MOST_ROWS_READ rows
    shards: int = 1  # how many shards' feeds CouchDB merged (in no fixed order) into this one


@dataclass
class Arrivals:
    changes: list[Change] = field(default_factory=list)  # newest first
    last_seq: str = ""
    more: bool = False  # more arrived than one batch


def database_facts(client: CouchClient, db: str) -> tuple[str, int]:
    """GET /{db} — (its current sequence, how many shards its feed merges in no fixed order)."""
    info = client.flavour.database_info(db)
    cluster = info.get("cluster")
    q = cluster.get("q") if isinstance(cluster, dict) else None
    return str(info.get("update_seq", "0")), q if isinstance(q, int) else 1


def update_seq(client: CouchClient, db: str) -> str:
    """GET /{db} — the database's current sequence."""
    return database_facts(client, db)[0]


def shard_count(client: CouchClient, db: str) -> int:
    """GET /{db} — how many shards the feed merges."""
    return database_facts(client, db)[1]


def newest(client: CouchClient, db: str, change_filter: ChangeFilter, top: str | None = None, skip: int = 0,
           size: int = PAGE_SIZE, include_docs: bool = False, below: str | None = None,
           shown: Collection[Json] | None = None) -> ChangesPage[Change]:
    """One page of the newest changes as of sequence `top`: the newest rows but those of the documents in `shown`
    (what the pages above it showed); without it, the rows after document `below` (the last one the person saw),
    or, when it is not found (it changed since), `skip` rows below the newest."""
    arrived_ids: set[Json]
    if not top:
        (top, shards), arrived_ids = database_facts(client, db), set()
    else:
        shards, arrived_ids = shard_count(client, db), _ids_since(client, db, change_filter, top)
    wanted = len(arrived_ids) + (skip if shown is None else len(shown)) + size + 1
    if wanted > MOST_ROWS_READ:
        return ChangesPage([], top=top, skip=skip, too_deep=True, shards=shards)
    answer = client.flavour.changes(db, {"descending": "true", "limit": wanted}, change_filter)
    rows = [r for r in once_each(_rows(answer), key=_row_id) if r.get("id") not in arrived_ids]
    if shown is not None:
        rows, start = [r for r in rows if r.get("id") not in shown], 0
    else:
        start = _after(rows, below, skip)
    changes = [_change(r) for r in rows[start:start + size]]
    return ChangesPage(_with_docs(client, db, changes, include_docs), top=top, skip=skip,
                       older=len(rows) > start + size, shards=shards)


def _after(rows: list[JsonObject], below: str | None, skip: int) -> int:
    # Rows only move up (a document changed after `top` leaves its old place), so `below` is found within
    # the `skip` rows read above the page, unless it has itself changed since.
    if below is not None:
        for index, row in enumerate(rows[:skip]):
            if row.get("id") == below:
                return index + 1
    return skip


def oldest(client: CouchClient, db: str, change_filter: ChangeFilter, since: str = "0", size: int = PAGE_SIZE,
           include_docs: bool = False) -> ChangesPage[Change]:
    """One page of changes after sequence `since`, oldest first."""
    answer = client.flavour.changes(db, {"since": since, "limit": size}, change_filter)
    changes = [_change(r) for r in once_each(_rows(answer), key=_row_key)]
    last = str(answer.get("last_seq", since))
    # A full page (rows sent twice count: `limit` counted them), or a short one where the feed goes on: the server
    # read only part of it (`pending`, a number that exact reading keeps as its text).
    goes_on = str(answer.get("pending") or 0) != "0"
    next_since = last if len(_rows(answer)) == size or goes_on else ""
    return ChangesPage(_with_docs(client, db, changes, include_docs), since=since, next_since=next_since,
                       shards=shard_count(client, db))


def arrived_since(client: CouchClient, db: str, change_filter: ChangeFilter, since: str,
                  include_docs: bool = False) -> Arrivals:
    """The changes after sequence `since` (at most LIVE_BATCH), newest first."""
    answer = client.flavour.changes(db, {"since": since, "limit": LIVE_BATCH}, change_filter)
    changes = [_change(r) for r in once_each(_rows(answer), key=_row_key)]
    changes.reverse()
    return Arrivals(_with_docs(client, db, changes, include_docs), str(answer.get("last_seq", since)),
                    more=len(_rows(answer)) == LIVE_BATCH)


def design_filters(client: CouchClient, db: str) -> list[str]:
    """The filters of the database's design documents, as "ddoc/filter" (what `filter=` takes)."""
    names: list[str] = []
    for row in client.flavour.design_doc_rows_with_docs(db):
        doc = row.get("doc") if isinstance(row, dict) else None
        if not isinstance(doc, dict) or not isinstance(doc.get("filters"), dict):
            continue
        ddoc = str(doc.get("_id", ""))[len("_design/"):]
        names.extend(f"{ddoc}/{name}" for name in doc["filters"] if isinstance(name, str))
    return sorted(names)


def _ids_since(client: CouchClient, db: str, change_filter: ChangeFilter, since: str) -> set[Json]:
    answer = client.flavour.changes(db, {"since": since, "limit": MOST_ROWS_READ}, change_filter)
    return {r.get("id") for r in _rows(answer)}


def _rows(answer: Json) -> list[JsonObject]:
    results = answer.get("results") if isinstance(answer, dict) else None
    return [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []


ItemT2 = TypeVar("ItemT2")


def once_each(items: list[ItemT2], key: Callable[[ItemT2], object]) -> list[ItemT2]:
    """The items but those whose key an earlier one had: a feed read while a shard's copy is replaced sends that
    shard's rows again from an earlier point (CouchDB lets rows come twice, never go missing)."""
    seen: set[object] = set()
    kept = []
    for item in items:
        if (mark := key(item)) not in seen:
            seen.add(mark)
            kept.append(item)
    return kept


def _row_id(row: JsonObject) -> object:
    return row.get("id")


def _row_key(row: JsonObject) -> object:
    # One change of one document: a row sent again has the same id and revisions.
    return (row.get("id"), jsontext.dumps(row.get("changes")))


def _change(row: JsonObject) -> Change:
    revs = tuple(str(c.get("rev", "")) for c in row.get("changes") or () if isinstance(c, dict))
    return Change(seq=str(row.get("seq", "")), id=str(row.get("id", "")), revs=revs,
                  deleted=row.get("deleted") is True)


def _with_docs(client: CouchClient, db: str, changes: list[Change], include_docs: bool) -> list[Change]:
    """The changes with a preview of each document as it is now (one request for the whole page)."""
    if not include_docs or not changes:
        return changes
    ids = list(dict.fromkeys(c.id for c in changes))
    answer = client.send_exact("POST", db, "_all_docs", params={"include_docs": "true"}, body={"keys": ids})
    docs = {r.get("key"): r.get("doc") for r in _rows({"results": answer.get("rows")})}
    return [_previewed(c, shown(db, docs.get(c.id))) for c in changes]


def _previewed(change: Change, doc: Json) -> Change:
    if not isinstance(doc, dict):
        return change
    text = jsontext.dumps(doc)
    preview = text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    now = str(doc.get("_rev", ""))
    return replace(change, preview=preview, doc_rev=now if now and now != change.rev else None)
