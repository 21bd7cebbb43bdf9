"""The team's query history and saved queries, kept in the database itself as `_local/couchadmin-queries`.

A _local document is never replicated and never appears in _all_docs, views or _changes, so it adds
nothing to indexes or to replicas; everyone who may use the database (members and admins) can read and
write it, so the whole team sees the same saved queries; and it lives and dies with the database.
"""

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from browser.couch.client import CouchClient
from browser.couch.errors import Conflict, NotFound
from browser.couch.jsontext import Json, JsonNumber, JsonObject

# The store as the dashboard reads it: {"history": [entry...], "saved": [entry...], "skipped": n}.
Store = dict[str, Any]
Entry = dict[str, Any]

STORE_ID = "_local/couchadmin-queries"
HISTORY_KEPT = 20
NAME_MOST = 200
QUERY_FIELDS = ("selector", "fields", "sort", "limit", "use_index", "partition")
ATTEMPTS = 3


def load(client: CouchClient, db: str) -> Store:
    """GET /{db}/_local/couchadmin-queries — {"history": [...], "saved": [...], "skipped": n}, where `skipped`
    counts the entries that are not what the dashboard writes (anyone who may use the database may write
    anything there): those are left out."""
    try:
        doc = client.get_exact(db, STORE_ID)
    except NotFound:
        doc = {}
    return _readable(doc)


def _readable(doc: JsonObject) -> Store:
    history, bad_history = _entries(doc.get("history"), _history_entry)
    saved, bad_saved = _entries(doc.get("saved"), _saved_entry)
    return {"history": history, "saved": saved, "skipped": bad_history + bad_saved}


def _entries(raw: Json, read: Callable[[Json], Entry | None]) -> tuple[list[Entry], int]:
    if raw is None:
        return [], 0
    if not isinstance(raw, list):
        return [], 1
    entries = [entry for entry in map(read, raw) if entry is not None]
    return entries, len(raw) - len(entries)


def _history_entry(raw: Json) -> Entry | None:
    query = raw.get("query") if isinstance(raw, dict) else None
    if not isinstance(query, dict) or not all(_is_text(query.get(f, "")) for f in QUERY_FIELDS):
        return None
    return {"query": {f: query.get(f, "") for f in QUERY_FIELDS}, "by": _text(raw.get("by")),
            "at": _text(raw.get("at"))}


def _saved_entry(raw: Json) -> Entry | None:
    entry = _history_entry(raw)
    name = raw.get("name") if entry else None
    if entry is None or not _is_text(name) or not name or len(name) > NAME_MOST:
        return None
    return {"name": name, **entry}


def _is_text(value: Json) -> bool:
    return isinstance(value, str) and not isinstance(value, JsonNumber)


def _text(value: Json) -> str:
    return value if isinstance(value, str) and _is_text(value) else ""


def _update(client: CouchClient, db: str, change: Callable[[Store], None], done: Callable[[Store], bool]) -> Store:
    """Read, change and write the store, then read it back: CouchDB 3 does not check a _local document's
    _rev, so a write at the same moment as someone else's silently replaces theirs. Each writer therefore
    checks that its own change (`done`) survived, and writes again when it did not; pouchdb-server answers
    a stale _rev with 409. Conflict when others kept winning."""
    for _ in range(ATTEMPTS):
        current = _read(client, db)
        store = _readable(current)
        change(store)
        body = {"_id": STORE_ID, "history": store["history"], "saved": store["saved"]}
        if current.get("_rev"):
            body["_rev"] = current["_rev"]
        try:
            client.send_exact("PUT", db, STORE_ID, body=body)
        except Conflict:
            continue
        if done(_readable(_read(client, db))):
            return {**store, "skipped": 0}
    raise Conflict(409, "conflict", "Others kept changing the team's queries; nothing was saved.", "PUT",
                   f"/{db}/{STORE_ID}")


def _read(client: CouchClient, db: str) -> JsonObject:
    try:
        doc: JsonObject = client.get_exact(db, STORE_ID)
    except NotFound:
        return {}
    return doc


def record(client: CouchClient, db: str, query: Mapping[str, Any], who: str | None) -> Store:
    """Put a query at the top of the history (once), keeping the last 20."""
    text = _query_text(query)
    entry = {"query": text, "by": who or "anonymous", "at": _now()}

    def change(store: Store) -> None:
        store["history"] = [entry] + [h for h in store["history"] if h["query"] != text]
        del store["history"][HISTORY_KEPT:]

    return _update(client, db, change, lambda store: entry in store["history"])


def save(client: CouchClient, db: str, name: str, query: Mapping[str, Any], who: str | None) -> Store:
    """Save (or replace) a named query for the whole team."""
    entry = {"name": name, "query": _query_text(query), "by": who or "anonymous", "at": _now()}

    def change(store: Store) -> None:
        store["saved"] = sorted([s for s in store["saved"] if s["name"] != name] + [entry],
                                key=lambda s: s["name"].lower())

    return _update(client, db, change, lambda store: entry in store["saved"])


def forget(client: CouchClient, db: str, name: str) -> Store:
    def change(store: Store) -> None:
        store["saved"] = [s for s in store["saved"] if s["name"] != name]

    return _update(client, db, change, lambda store: all(s["name"] != name for s in store["saved"]))


def _query_text(query: Mapping[str, Any]) -> dict[str, str]:
    return {f: str(query.get(f) or "") for f in QUERY_FIELDS}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
