"""Maintenance and progress: _compact, _compact/{ddoc}, _view_cleanup, _active_tasks."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from browser.couch.client import CouchClient
from browser.couch.errors import Unauthorized
from browser.couch.jsontext import Json, JsonObject
from browser.couch.wire import DESIGN_PREFIX


def active_tasks(client: CouchClient, db: str | None = None) -> list[JsonObject] | None:
    """GET /_active_tasks — running tasks (of one database); None when this person may not see them."""
    try:
        tasks: list[JsonObject] = client.get_json("_active_tasks")
    except Unauthorized:
        return None  # only server admins may list tasks
    if db is None:
        return tasks
    return [t for t in tasks if _task_database(t) == db]


def _task_database(task: JsonObject) -> str:
    # Tasks name shards ("shards/00000000-7fffffff/db.1234") or the database itself.
    name = str(task.get("database") or "")
    if name.startswith("shards/") and name.count("/") >= 2:
        name = name.split("/", 2)[2].rsplit(".", 1)[0]
    return name


def _task_shard(task: JsonObject) -> str:
    # "shards/00000000-7fffffff/db.1234" -> "00000000-7fffffff"; "" for a database or anything else.
    name = str(task.get("database") or "")
    return name.split("/", 2)[1] if name.startswith("shards/") and name.count("/") >= 2 else ""


TASK_KINDS = {
    "indexer": "View index build",
    "search_indexer": "Search index build",
    "view_compaction": "View compaction",
    "database_compaction": "Database compaction",
    "replication": "Replication",
}
SORT_ORDERS = {
    "database": "Database, then type",
    "oldest": "Oldest first",
    "progress": "Least progress first",
    "node": "Node, then database",
}


@dataclass(frozen=True)
class TaskSummary:
    """One entry of _active_tasks in plain values: every field that CouchDB left out, or sent as
    something other than a number, is None (or "") rather than an error."""

    type: str
    kind: str
    node: str
    database: str
    shard: str
    design_document: str  # the name without "_design/"; "" when the task has none
    phase: str
    progress: int | None  # 0-100
    changes_done: int | None
    total_changes: int | None
    rate: float | None  # changes (replications: documents read) per second since the task started
    started_on: datetime | None
    updated_on: datetime | None
    age: float | None  # seconds since started_on
    since_update: float | None  # seconds since updated_on
    source: str  # replications: URLs with any credentials removed
    target: str
    docs_read: int | None
    docs_written: int | None
    doc_write_failures: int | None
    changes_pending: int | None
    continuous: bool
    doc_id: str
    replication_id: str

    @property
    def from_replicator(self) -> bool:
        """A replication defined by a document of the _replicator database (else a _replicate call)."""
        return bool(self.doc_id) and self.database == "_replicator"

    @property
    def rate_text(self) -> str | None:
        """"1,234 changes/s" (replications: "docs/s"); None when unknown."""
        if self.rate is None:
            return None
        unit = "docs/s" if self.type == "replication" else "changes/s"
        return f"{self.rate:,.0f} {unit}" if self.rate >= 10 else f"{self.rate:.2g} {unit}"

    @property
    def age_words(self) -> str | None:
        return in_words(self.age)

    @property
    def since_update_words(self) -> str | None:
        return in_words(self.since_update)


def server_tasks(client: CouchClient, now: float) -> list[TaskSummary]:
    """GET /_active_tasks — every task on every node, summarised (see summarize_task), as `now` (epoch seconds)."""
    answer = client.get_json("_active_tasks")
    return [summarize_task(t, now) for t in answer if isinstance(t, dict)] if isinstance(answer, list) else []


def summarize_task(task: JsonObject, now: float) -> TaskSummary:
    """One _active_tasks entry (any JSON object) as a TaskSummary, seen at `now` (epoch seconds)."""
    started, updated = _number(task.get("started_on")), _number(task.get("updated_on"))
    done, total = _count(task.get("changes_done")), _count(task.get("total_changes"))
    kind = _text(task.get("type"))
    docs_read = _count(task.get("docs_read"))
    ddoc = _text(task.get("design_document"))
    return TaskSummary(
        type=kind, kind=TASK_KINDS.get(kind, kind or "Unknown task"), node=_text(task.get("node")),
        database=_task_database(task), shard=_task_shard(task),
        design_document=ddoc[len(DESIGN_PREFIX):] if ddoc.startswith(DESIGN_PREFIX) else "",
        phase=_text(task.get("phase")), progress=_progress(task.get("progress"), done, total),
        changes_done=done, total_changes=total,
        rate=_rate(docs_read if kind == "replication" else done, started, updated or now),
        started_on=_moment(started), updated_on=_moment(updated),
        age=_elapsed(started, now), since_update=_elapsed(updated, now),
        source=scrub_url(task.get("source")), target=scrub_url(task.get("target")),
        docs_read=docs_read, docs_written=_count(task.get("docs_written")),
        doc_write_failures=_count(task.get("doc_write_failures")),
        changes_pending=_count(task.get("changes_pending")), continuous=task.get("continuous") is True,
        doc_id=_text(task.get("doc_id")), replication_id=_text(task.get("replication_id")),
    )


def sort_tasks(tasks: Iterable[TaskSummary], order: str = "database") -> list[TaskSummary]:
    """The tasks in one of SORT_ORDERS; ties keep a stable order (database, type, design document, shard)."""
    tasks = sorted(tasks, key=lambda t: (t.database, t.type, t.design_document, t.node, t.shard))
    if order == "oldest":
        return sorted(tasks, key=lambda t: (t.age is None, -(t.age or 0)))
    if order == "progress":
        return sorted(tasks, key=lambda t: (t.progress is None, t.progress or 0))
    if order == "node":
        return sorted(tasks, key=lambda t: t.node)
    return tasks


def scrub_url(value: Json) -> str:
    """A replication endpoint as text without its user:password@ (CouchDB masks the password as *****;
    the name goes too). An endpoint given as an object shows its url."""
    if isinstance(value, dict):
        value = value.get("url")
    text = _text(value)
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "", text
    # Everything up to the last "@" is userinfo (database names cannot contain "@").
    rest = rest.rsplit("@", 1)[-1]
    return f"{scheme}://{rest}" if sep else rest


def in_words(seconds: float | None) -> str | None:
    """312 -> "5 minutes 12 seconds"; the two largest units, or None when unknown."""
    if seconds is None:
        return None
    left = int(seconds)
    if left < 1:
        return "less than a second"
    parts = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, left = divmod(left, size)
        if count:
            parts.append(f"{count:,} {unit}{'' if count == 1 else 's'}")
    return " ".join(parts[:2])


def _text(value: Json) -> str:
    return "" if value is None or isinstance(value, dict | list) else str(value)


def _number(value: Json) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _count(value: Json) -> int | None:
    number = _number(value)
    return int(number) if number is not None and number >= 0 else None


def _progress(progress: Json, done: int | None, total: int | None) -> int | None:
    percent = _number(progress)
    if percent is None and done is not None and total:
        percent = 100 * done / total
    return None if percent is None else int(min(max(percent, 0), 100))


def _rate(done: int | None, started: float | None, updated: float | None) -> float | None:
    if done is None or started is None or updated is None or updated <= started:
        return None
    return done / (updated - started)


def _elapsed(moment: float | None, now: float) -> float | None:
    return None if moment is None else max(now - moment, 0)


def _moment(seconds: float | None) -> datetime | None:
    try:
        return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def compact_database(client: CouchClient, db: str) -> None:
    """POST /{db}/_compact."""
    client.post_json(db, "_compact", body={})


def compact_views(client: CouchClient, db: str, ddoc_id: str) -> None:
    """POST /{db}/_compact/{ddoc} — compacts that design document's view indexes."""
    client.post_json(db, "_compact", ddoc_id, body={})


def view_cleanup(client: CouchClient, db: str) -> None:
    """POST /{db}/_view_cleanup — removes index files no design document uses any more."""
    client.post_json(db, "_view_cleanup", body={})
