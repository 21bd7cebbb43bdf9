"""Deleted documents: a database's tombstones from its changes feed (newest first or oldest first, paged),
the last body before each deletion while CouchDB still keeps it, and restore, which writes that body as
a new revision on top of the tombstone.

A tombstone is the deletion's revision; its parent (N-1) holds the last body until compaction removes it.
Several revisions are read at once through _bulk_get (documents.revisions_at).
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

from browser.couch import changes as feed
from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.documents import (
    RecentWrite,
    documents_at_quorum,
    editable_body,
    quorum_holds,
    rev_order,
    revisions_at,
    save_document,
)
from browser.couch.errors import NotFound
from browser.couch.jsontext import Json, JsonObject
from browser.couch.replication import shown

PAGE_SIZE = 25
DELETED = feed.ChangeFilter(deleted_only=True)

KEPT, COMPACTED, NO_PARENT = "kept", "compacted", "no-parent"
COMPACTED_WORDS = ("Compaction has removed the body: CouchDB keeps only the deletion itself, so this document "
                   "cannot be restored from here.")
NO_PARENT_WORDS = "This document was written deleted: it never had an earlier revision to restore."


@dataclass(frozen=True)
class Tombstone:
    id: str
    rev: str  # the deletion's revision
    seq: str = ""
    parent_rev: str = ""  # the revision that was deleted ("" when there was none)
    state: str = KEPT  # KEPT, COMPACTED or NO_PARENT
    preview: str = ""  # the last body as JSON, cut short
    attachment_count: int = 0

    @property
    def restorable(self) -> bool:
        return self.state == KEPT

    @property
    def seq_number(self) -> str:
        return self.seq.split("-", 1)[0]


@dataclass(frozen=True)
class DeletedDocument:
    """One document as the deleted-document page shows it."""

    id: str
    tombstone: Tombstone | None = None  # None when the document is not deleted now
    last_body: JsonObject | None = None  # the deleted revision, attachment stubs included
    current_rev: str = ""  # the document's revision when it is not deleted


def tombstones_newest(client: CouchClient, db: str, top: str | None = None, skip: int = 0, below: str | None = None,
                      size: int = PAGE_SIZE, shown: Collection[str] | None = None) -> feed.ChangesPage[Tombstone]:
    """GET or POST /{db}/_changes — one page of deleted documents, most recently deleted first, but those in
    `shown` (see changes.newest)."""
    return _deletions_of(client, db, feed.newest(client, db, DELETED, top, skip, size, below=below, shown=shown))


def tombstones_oldest(client: CouchClient, db: str, since: str = "0",
                      size: int = PAGE_SIZE) -> feed.ChangesPage[Tombstone]:
    """GET or POST /{db}/_changes — one page of deleted documents after sequence `since`, oldest first."""
    return _deletions_of(client, db, feed.oldest(client, db, DELETED, since, size))


@dataclass(frozen=True)
class DeletionsReadBack:
    """A page of deletions after the person's own recent writes were read back at quorum (as documents.ReadBack):
    `corrected` names the documents the feed (one copy of each shard) listed otherwise."""

    page: feed.ChangesPage[Tombstone]
    corrected: tuple[str, ...] = ()
    catching_up: tuple[RecentWrite, ...] = ()


def with_own_deletions(client: CouchClient, db: str, page: feed.ChangesPage[Tombstone],
                       writes: Sequence[RecentWrite], newest: bool) -> DeletionsReadBack:
    """POST /{db}/_all_docs with keys, then POST /{db}/_bulk_get — the page made to agree with the person's own
    recent writes (newest first), read back at quorum: on the page of the newest deletions, their deletions
    the feed does not list yet go at the top; on any page, a listed document they have written since (restored,
    created again) is taken off. Writes not even the quorum read shows yet are said to be catching up."""
    listed = {tomb.id for tomb in page.changes}
    latest: dict[str, RecentWrite] = {}
    for write in writes:
        latest.setdefault(write.id, write)
    asked = [w for w in latest.values()
             if (w.deleted and newest and w.id not in listed) or (not w.deleted and w.id in listed)]
    if not asked:
        return DeletionsReadBack(page)
    held = documents_at_quorum(client, db, [w.id for w in asked])
    gone: set[str] = set()
    added: list[feed.Change] = []
    catching_up: list[RecentWrite] = []
    for write in asked:
        now = held.get(write.id)
        if not quorum_holds(write, now):
            catching_up.append(write)
        elif write.deleted and now is not None and now.deleted:
            added.append(feed.Change(seq="", id=write.id, revs=(now.rev,), deleted=True))
        elif not write.deleted and now is not None and not now.deleted:
            gone.add(write.id)
    tombstones = _with_last_bodies(client, db, added) + [t for t in page.changes if t.id not in gone]
    corrected = tuple(c.id for c in added) + tuple(t.id for t in page.changes if t.id in gone)
    return DeletionsReadBack(replace(page, changes=tombstones), corrected, tuple(catching_up))


def _deletions_of(client: CouchClient, db: str, page: feed.ChangesPage[Any]) -> feed.ChangesPage[Tombstone]:
    # The same page (its paging fields kept), its deletions as Tombstones.
    return replace(page, changes=_with_last_bodies(client, db, [c for c in page.changes if c.deleted]))


def _with_last_bodies(client: CouchClient, db: str, changes: list[feed.Change]) -> list[Tombstone]:
    """Each deletion with its parent revision and the parent's body while CouchDB keeps it: two _bulk_get
    requests for the whole page (the tombstones' histories, then their parents)."""
    histories = revisions_at(client, db, [(c.id, c.rev) for c in changes], revs=True)
    parents = {c: parent_rev(histories.get((c.id, c.rev))) for c in changes}
    bodies = revisions_at(client, db, [(c.id, p) for c, p in parents.items() if p])
    return [_tombstone(c.id, c.rev, c.seq, parents[c], shown(db, bodies.get((c.id, parents[c])))) for c in changes]


def _tombstone(docid: str, rev: str, seq: str, parent: str, body: JsonObject | None) -> Tombstone:
    if not parent:
        return Tombstone(docid, rev, seq, state=NO_PARENT)
    if body is None:
        return Tombstone(docid, rev, seq, parent, state=COMPACTED)
    stubs = body.get("_attachments")
    return Tombstone(docid, rev, seq, parent, preview=_preview(editable_body(body)),
                     attachment_count=len(stubs) if isinstance(stubs, dict) else 0)


def _preview(body: JsonObject) -> str:
    text = jsontext.preview(body, feed.PREVIEW_CHARS)
    return text if len(text) <= feed.PREVIEW_CHARS else text[:feed.PREVIEW_CHARS] + "…"


def parent_rev(doc: Json) -> str:
    """The revision before `doc`'s, from its _revisions ("" when there is none or the history is unreadable)."""
    history = doc.get("_revisions") if isinstance(doc, dict) else None
    if not isinstance(history, dict):
        return ""
    start, ids = history.get("start"), history.get("ids")
    # Numbers arrive as jsontext.JsonNumber (their text); a string is not a number.
    if not isinstance(start, jsontext.JsonNumber) or not start.isdigit() or not isinstance(ids, list) or len(ids) < 2:
        return ""
    return f"{int(start) - 1}-{ids[1]}" if isinstance(ids[1], str) and ids[1] and int(start) > 1 else ""


def deleted_document(client: CouchClient, db: str, docid: str, rev: str | None = None) -> DeletedDocument:
    """GET /{db}/{docid}?open_revs=all&revs=true, then POST /{db}/_bulk_get for the deleted revision — the
    document's deletion (the one given, or the winning one) and its last body; NotFound when CouchDB never
    had the document."""
    alive, tombs = _leaves(client, db, docid)
    if alive:
        return DeletedDocument(docid, current_rev=max(alive, key=rev_order))
    chosen = rev if rev in tombs else max(tombs, key=rev_order)
    parent = parent_rev(tombs[chosen])
    body = revisions_at(client, db, [(docid, parent)]).get((docid, parent)) if parent else None
    return DeletedDocument(docid, tombstone=_tombstone(docid, chosen, "", parent, body), last_body=body)


def _leaves(client: CouchClient, db: str, docid: str) -> tuple[list[str], dict[str, JsonObject]]:
    """The revs of the live leaves, and the deleted leaves by rev (each with its _revisions)."""
    answer = client.get_exact(db, docid, params={"open_revs": "all", "revs": "true"})
    docs = [item["ok"] for item in answer if isinstance(item, dict) and isinstance(item.get("ok"), dict)
            and isinstance(item["ok"].get("_rev"), str)] if isinstance(answer, list) else []
    alive = [d["_rev"] for d in docs if d.get("_deleted") is not True]
    tombs = {d["_rev"]: d for d in docs if d.get("_deleted") is True}
    if not alive and not tombs:
        raise NotFound(404, "not_found", "missing", "GET", f"/{db}/{docid}")
    return alive, tombs


class NotRestorable(Exception):
    """Why a deletion cannot be restored: the body is gone, or the document is no longer that deletion."""

    def __init__(self, message: str, current_rev: str = "") -> None:
        super().__init__(message)
        self.current_rev = current_rev


def restore(client: CouchClient, db: str, docid: str, tombstone_rev: str) -> tuple[str, str]:
    """GET /{db}/{docid}?open_revs=all&revs=true, POST /{db}/_bulk_get?attachments=true for the deleted revision,
    then PUT /{db}/{docid} with that body (attachments inline): a new revision on top of the deletion.
    Answers (the revision restored, the new rev). NotRestorable when the document exists again or was deleted
    again since, Conflict when it came back meanwhile: nothing is overwritten either way."""
    alive, tombs = _leaves(client, db, docid)
    if alive:
        raise NotRestorable("This document exists again (someone re-created or restored it): nothing was "
                            "overwritten.", current_rev=max(alive, key=rev_order))
    if tombstone_rev not in tombs:
        raise NotRestorable("This document was deleted again since you looked: nothing was restored. "
                            "Look at its latest deletion.")
    parent = parent_rev(tombs[tombstone_rev])
    if not parent:
        raise NotRestorable(NO_PARENT_WORDS)
    body = revisions_at(client, db, [(docid, parent)], attachments=True).get((docid, parent))
    if body is None:
        raise NotRestorable(COMPACTED_WORDS)
    attachments = body.get("_attachments") if isinstance(body.get("_attachments"), dict) else None
    # Without a _rev: CouchDB 3 refuses `_rev` = the tombstone (409) and writes a document that is deleted now
    # as the next revision of its winning deletion; pouchdb-server does the same. A document alive again is a 409.
    return parent, save_document(client, db, docid, body, attachments=attachments)
