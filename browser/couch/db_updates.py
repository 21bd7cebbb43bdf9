"""Server-wide database updates: GET /_db_updates, which databases were created, updated or deleted.

CouchDB 3 keeps them in the `_global_changes` database (one document per database and kind of update), so a
database's row moves to the top when it changes again, and nothing is there until that database exists.
Like _changes (couch/changes.py), `descending=true` ignores `since`, and the feed merges the shards of
_global_changes in no fixed order: a page below the first is read as the newest rows minus those that arrived
after the first page's sequence (`top`) and minus those the pages above it showed (`shown`), or, without that
memory, after the last row the person saw.
"""

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from browser.couch import jsontext
from browser.couch.changes import once_each
from browser.couch.client import CouchClient
from browser.couch.errors import NotFound
from browser.couch.jsontext import Json, JsonObject

PAGE_SIZE = 50
# Newest-first paging reads this many rows at most.
MOST_ROWS_READ = 10_000
LIVE_BATCH = 100
# CouchDB 3 answers at most this many names in one POST /_dbs_info (max_db_number_for_dbs_info_req).
DBS_INFO_MOST = 100
GLOBAL_CHANGES = "_global_changes"
KINDS = ("created", "updated", "deleted")


class UpdatesUnavailable(Exception):
    """CouchDB answered no feed: `missing` when the _global_changes database does not exist."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.missing = missing


@dataclass(frozen=True)
class DbUpdate:
    seq: str
    db_name: str
    type: str  # "created", "updated", "deleted" (anything else is shown as CouchDB wrote it)

    @property
    def key(self) -> str:
        """What identifies a row of the feed: one per database and kind of update."""
        return f"{self.type}:{self.db_name}"

    @property
    def seq_number(self) -> str:
        return self.seq.split("-", 1)[0]

    @property
    def deleted(self) -> bool:
        return self.type == "deleted"


@dataclass
class UpdatesPage:
    updates: list[DbUpdate]
    top: str = ""  # the sequence the first page was read at
    skip: int = 0  # rows above this page
    older: bool = False
    too_deep: bool = False


@dataclass
class Arrivals:
    updates: list[DbUpdate] = field(default_factory=list)  # newest first
    last_seq: str = ""
    more: bool = False


def _feed(client: CouchClient, params: dict[str, Any]) -> JsonObject:
    """GET /_db_updates — one normal (never waiting) answer of the feed."""
    try:
        answer = client.get_json("_db_updates", params={"feed": "normal", **params})
    except NotFound as exc:
        raise UpdatesUnavailable(
            f"CouchDB keeps database updates in the “{GLOBAL_CHANGES}” database, which does not exist on this "
            f"server ({exc.reason or exc.error}). Create it and updates are recorded from then on.",
            missing=True) from None
    return answer if isinstance(answer, dict) else {}


def current_seq(client: CouchClient) -> str:
    """GET /_db_updates?since=now — the feed's sequence now."""
    return _seq_text(_feed(client, {"since": "now"}).get("last_seq", "0"))


def newest(client: CouchClient, top: str | None = None, skip: int = 0, size: int = PAGE_SIZE,
           below: str | None = None, shown: Collection[str] | None = None) -> UpdatesPage:
    """One page of the newest updates as of sequence `top`: the newest but those in `shown` (the keys the pages
    above it showed); without it, after the row `below` (the last one shown), or, when that row has moved up
    since, `skip` rows below the newest."""
    arrived: set[str]
    if not top:
        top, arrived = current_seq(client), set()
    else:
        arrived = {u.key for u in _updates(_feed(client, {"since": top, "limit": MOST_ROWS_READ}))}
    wanted = len(arrived) + (skip if shown is None else len(shown)) + size + 1
    if wanted > MOST_ROWS_READ:
        return UpdatesPage([], top=top, skip=skip, too_deep=True)
    newest_rows = once_each(_updates(_feed(client, {"descending": "true", "limit": wanted})), key=lambda u: u.key)
    rows = [u for u in newest_rows if u.key not in arrived and (shown is None or u.key not in shown)]
    start = 0 if shown is not None else _after(rows, below, skip)
    return UpdatesPage(rows[start:start + size], top=top, skip=skip, older=len(rows) > start + size)


def arrived_since(client: CouchClient, since: str) -> Arrivals:
    """The updates after sequence `since` (at most LIVE_BATCH), newest first."""
    answer = _feed(client, {"since": since, "limit": LIVE_BATCH})
    updates = once_each(_updates(answer), key=lambda u: u.key)
    updates.reverse()
    return Arrivals(updates, _seq_text(answer.get("last_seq", since)), more=len(_updates(answer)) == LIVE_BATCH)


def existing(client: CouchClient, updates: Iterable[DbUpdate]) -> set[Json]:
    """POST /_dbs_info — which of these updates' databases exist now (so only those are linked)."""
    names = list(dict.fromkeys(u.db_name for u in updates if u.db_name))
    found: set[Json] = set()
    for start in range(0, len(names), DBS_INFO_MOST):
        answer = client.flavour.dbs_info(names[start:start + DBS_INFO_MOST])
        rows = answer if isinstance(answer, list) else []
        found.update(r.get("key") for r in rows if isinstance(r, dict) and isinstance(r.get("info"), dict))
    return found


def create_global_changes(client: CouchClient) -> Json:
    """PUT /_global_changes — the database CouchDB records database updates in."""
    return client.put_json(GLOBAL_CHANGES)


def _after(rows: list[DbUpdate], below: str | None, skip: int) -> int:
    # Rows only move up, so the last row shown is found among the `skip` rows above the page unless it moved.
    if below:
        for index, row in enumerate(rows[:skip]):
            if row.key == below:
                return index + 1
    return skip


def _updates(answer: JsonObject) -> list[DbUpdate]:
    results = answer.get("results")
    return [_update(r) for r in results if isinstance(r, dict)] if isinstance(results, list) else []


def _update(row: JsonObject) -> DbUpdate:
    return DbUpdate(seq=_seq_text(row.get("seq", "")), db_name=_text(row.get("db_name")), type=_text(row.get("type")))


def _text(value: Json) -> str:
    return value if isinstance(value, str) else "" if value is None else jsontext.dumps(value)


def _seq_text(seq: Json) -> str:
    return seq if isinstance(seq, str) else jsontext.dumps(seq)
