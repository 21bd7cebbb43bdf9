"""Purge and revision limits: the leaves of a document's revision tree, POST /{db}/_purge, and
/{db}/_revs_limit and /{db}/_purged_infos_limit. pouchdb-server has none of the last three: callers ask
`client.flavour.has_purge` and `has_revision_limits` first and send it nothing."""

from collections.abc import Iterable
from dataclasses import dataclass

from browser.couch.client import CouchClient
from browser.couch.errors import NotFound

LOCAL_PREFIX = "_local/"
# CouchDB 3.5 accepts any positive integer for both limits (0, negatives and non-integers are refused;
# _revs_limit answers those with a 500). The dashboard keeps to a 32-bit signed integer.
LIMIT_MOST = 2_147_483_647
DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Leaf:
    """One leaf of a document's revision tree: the winner, a conflict, or a deleted leaf (tombstone)."""

    rev: str
    deleted: bool
    winner: bool = False

    @property
    def kind(self) -> str:
        if self.winner:
            return "winner (deleted: the document reads as deleted)" if self.deleted else "winner"
        return "deleted leaf (tombstone)" if self.deleted else "conflict (losing revision)"


@dataclass(frozen=True)
class PurgeResult:
    requested: tuple[str, ...]
    purged: tuple[str, ...]


def _generation(rev: str) -> int:
    number = rev.split("-", 1)[0]
    return int(number) if number.isdigit() else 0


def _winner_key(leaf: Leaf) -> tuple[bool, int, str]:
    # CouchDB's deterministic choice: a live leaf beats a deleted one, then the longer branch, then the
    # greater revision id.
    return (not leaf.deleted, _generation(leaf.rev), leaf.rev)


def document_leaves(client: CouchClient, db: str, docid: str, purged: Iterable[str] = ()) -> tuple[Leaf, ...]:
    """GET /{db}/{docid}?open_revs=all — every leaf, deleted ones too (a deleted document answers 404 to a
    plain GET but still lists its tombstone here), winner first; () when CouchDB knows no such document.
    `purged`: revisions CouchDB has just said it purged, left out (on a cluster a copy that has not applied
    the purge yet still lists them)."""
    try:
        answer = client.get_exact(db, docid, params={"open_revs": "all"})
    except NotFound:
        return ()
    found: dict[str, Leaf] = {}
    gone = set(purged)
    for item in answer if isinstance(answer, list) else ():
        body = item.get("ok") if isinstance(item, dict) else None
        rev = body.get("_rev") if isinstance(body, dict) else None
        if isinstance(rev, str) and rev and rev not in gone:
            found[rev] = Leaf(rev=rev, deleted=isinstance(body, dict) and body.get("_deleted") is True)
    ordered = sorted(found.values(), key=_winner_key, reverse=True)
    if not ordered:
        return ()
    return (Leaf(ordered[0].rev, ordered[0].deleted, winner=True), *ordered[1:])


def purge_revisions(client: CouchClient, db: str, docid: str, revs: Iterable[str]) -> PurgeResult:
    """POST /{db}/_purge {docid: [rev, ...]} — answers which of the revisions CouchDB purged."""
    answer = client.post_json(db, "_purge", body={docid: list(revs)})
    purged = ((answer or {}).get("purged") or {}).get(docid) if isinstance(answer, dict) else None
    return PurgeResult(requested=tuple(revs),
                       purged=tuple(r for r in purged if isinstance(r, str)) if isinstance(purged, list) else ())


def _limit(client: CouchClient, db: str, name: str) -> int | None:
    value = client.get_json(db, name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _set_limit(client: CouchClient, db: str, name: str, value: int) -> None:
    # The body is a bare JSON integer.
    client.request("PUT", db, name, data=str(int(value)).encode(),
                   headers={"Content-Type": "application/json"}).close()


def revs_limit(client: CouchClient, db: str) -> int | None:
    """GET /{db}/_revs_limit — how many revision ids CouchDB remembers per document (None if not a number)."""
    return _limit(client, db, "_revs_limit")


def set_revs_limit(client: CouchClient, db: str, value: int) -> None:
    """PUT /{db}/_revs_limit with a bare integer (database admins and server admins)."""
    _set_limit(client, db, "_revs_limit", value)


def purged_infos_limit(client: CouchClient, db: str) -> int | None:
    """GET /{db}/_purged_infos_limit — how many purge records CouchDB keeps (server admins only on 3.5)."""
    return _limit(client, db, "_purged_infos_limit")


def set_purged_infos_limit(client: CouchClient, db: str, value: int) -> None:
    """PUT /{db}/_purged_infos_limit with a bare integer (server admins only on 3.5)."""
    _set_limit(client, db, "_purged_infos_limit", value)
