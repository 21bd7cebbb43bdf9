"""The team's query history and saved queries, kept in the database itself as `_local/couchadmin-queries`.

A _local document is never replicated and never appears in _all_docs, views or _changes, so it adds
nothing to indexes or to replicas; everyone who may use the database (members and admins) can read and
write it, so the whole team sees the same saved queries; and it lives and dies with the database.
"""

from datetime import UTC, datetime

from browser.couch.errors import Conflict, NotFound

STORE_ID = "_local/couchadmin-queries"
HISTORY_KEPT = 20


def load(client, db):
    """GET /{db}/_local/couchadmin-queries — {"history": [...], "saved": [...]}."""
    try:
        doc = client.get_exact(db, STORE_ID)
    except NotFound:
        doc = {}
    return {"history": list(doc.get("history") or []), "saved": list(doc.get("saved") or [])}


def _update(client, db, change):
    for _ in range(3):
        try:
            current = client.get_exact(db, STORE_ID)
        except NotFound:
            current = {"_id": STORE_ID}
        store = {"history": list(current.get("history") or []), "saved": list(current.get("saved") or [])}
        change(store)
        body = {"_id": STORE_ID, **store}
        if current.get("_rev"):
            body["_rev"] = current["_rev"]
        try:
            client.send_exact("PUT", db, STORE_ID, body=body)
            return store
        except Conflict:
            continue
    return store


def record(client, db, query, who):
    """Put a query at the top of the history (once), keeping the last 20."""
    entry = {"query": query, "by": who or "anonymous", "at": _now()}

    def change(store):
        store["history"] = [entry] + [h for h in store["history"] if h.get("query") != query]
        del store["history"][HISTORY_KEPT:]

    return _update(client, db, change)


def save(client, db, name, query, who):
    """Save (or replace) a named query for the whole team."""
    entry = {"name": name, "query": query, "by": who or "anonymous", "at": _now()}

    def change(store):
        store["saved"] = sorted([s for s in store["saved"] if s.get("name") != name] + [entry],
                                key=lambda s: s.get("name", "").lower())

    return _update(client, db, change)


def forget(client, db, name):
    def change(store):
        store["saved"] = [s for s in store["saved"] if s.get("name") != name]

    return _update(client, db, change)


def _now():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
