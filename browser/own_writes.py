"""The person's own writes. On a cluster CouchDB reads a list (_all_docs, _changes) from one copy of each
shard, which may not hold a write it has just acknowledged. Each document the person creates, saves or
deletes is remembered briefly in their session, per database, so that the list they land on can read those
few documents back at quorum and agree with them (couch/documents.with_own_writes, and
couch/deleted.with_own_deletions for the deleted documents), and the document's page can say when their
save has become a conflict."""

import time

from browser.couch.documents import RecentWrite, rev_order

SESSION_KEY = "own_writes"
# Copies normally catch up within a second; one that was down catches up when it is back. After this long a
# list that still disagrees is no longer the person's own write's business.
KEPT_SECONDS = 120
KEPT_PER_DATABASE = 50
KEPT_DATABASES = 5

# What the person is told when CouchDB answered a write 202 Accepted.
FEWER_COPIES = ("CouchDB stored it on fewer copies than it asks for (202 Accepted: a node is down or slow); the "
                "other copies get it when they can. Until then a list may not show it, and an edit made "
                "meanwhile elsewhere may conflict with it: the document's page says so if it does.")


def remember(request, db, writes):
    """Keep these writes (RecentWrite) as the person's latest in `db`."""
    now = time.time()
    fresh = [[w.id, w.rev, w.deleted, w.accepted, now] for w in writes if w.rev]
    if not fresh:
        return
    kept = _unexpired(request.session.get(SESSION_KEY), now)
    ids = {entry[0] for entry in fresh}
    entries = fresh + [entry for entry in kept.pop(db, []) if entry[0] not in ids]
    others = list(kept.items())[:KEPT_DATABASES - 1]
    request.session[SESSION_KEY] = {db: entries[:KEPT_PER_DATABASE], **dict(others)}


def recent(request, db):
    """The person's writes in `db` still remembered, newest first (RecentWrite)."""
    entries = _unexpired(request.session.get(SESSION_KEY), time.time()).get(db, [])
    return [RecentWrite(docid, rev, deleted, accepted) for docid, rev, deleted, accepted, _ in entries]


def latest_for(request, db, docid):
    """The person's latest remembered write of one document, or None."""
    return next((write for write in recent(request, db) if write.id == docid), None)


def standing(write, doc):
    """Where the person's latest write of a document stands in it as a quorum read found it: "conflict" when
    another edit, made where the write had not reached yet, won over it (it is one of the conflicting
    revisions); "catching-up" when the read does not hold it yet; None when it is the current revision, or has
    been written over since."""
    if write.deleted or not isinstance(doc, dict) or doc.get("_rev") == write.rev:
        return None
    conflicts = doc.get("_conflicts")
    if isinstance(conflicts, list) and write.rev in conflicts:
        return "conflict"
    return "catching-up" if rev_order(str(doc.get("_rev", "")))[0] < rev_order(write.rev)[0] else None


def _unexpired(stored, now):
    """The remembered writes by database, without those too old (or unreadable: a session holds JSON)."""
    if not isinstance(stored, dict):
        return {}
    kept = {}
    for db, entries in stored.items():
        fresh = [entry for entry in entries if _well_formed(entry) and now - entry[4] < KEPT_SECONDS] \
            if isinstance(entries, list) else []
        if fresh:
            kept[db] = fresh
    return kept


def _well_formed(entry):
    return (isinstance(entry, list) and len(entry) == 5 and isinstance(entry[0], str) and isinstance(entry[1], str)
            and isinstance(entry[2], bool) and isinstance(entry[3], bool) and isinstance(entry[4], int | float))
