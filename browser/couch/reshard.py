"""Resharding (CouchDB 3): the subsystem's state and counts (GET /_reshard), its jobs (GET /_reshard/jobs),
splitting a database's shard range (POST /_reshard/jobs), stopping and resuming it (PUT /_reshard/state),
removing a job (DELETE /_reshard/jobs/{id}). Only server admins may; pouchdb-server has none of it."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from browser.couch.client import CouchClient
from browser.couch.jsontext import Json, JsonObject

RANGE_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{8}")
# A job still on its way: the page refreshes itself while one is.
ACTIVE_STATES = ("new", "running")
# CouchDB's names of a split's steps, in order, in words.
SPLIT_STEPS = {
    "new": "waiting to start",
    "initial_copy": "copying the documents",
    "topoff1": "catching up (1)",
    "build_indices": "building indexes",
    "topoff2": "catching up (2)",
    "copy_local_docs": "copying local documents",
    "update_shardmap": "updating the shard map",
    "wait_source_close": "waiting for the old shard to close",
    "topoff3": "catching up (3)",
    "source_delete": "deleting the old shard",
    "completed": "done",
}


@dataclass(frozen=True)
class Summary:
    """GET /_reshard — whether the subsystem runs, why it was stopped, and how many jobs are in each state."""

    state: str
    reason: str
    completed: int
    failed: int
    running: int
    stopped: int
    total: int

    @property
    def running_state(self) -> bool:
        return self.state == "running"


@dataclass(frozen=True)
class HistoryEvent:
    timestamp: datetime | None
    type: str
    detail: str


@dataclass(frozen=True)
class Job:
    """One entry of GET /_reshard/jobs."""

    id: str
    type: str
    source: str
    targets: tuple[str, ...]
    node: str
    job_state: str
    split_state: str
    reason: str  # state_info.reason: why it stopped or failed
    start_time: datetime | None
    update_time: datetime | None
    history: tuple[HistoryEvent, ...]

    @property
    def db(self) -> str:
        return shard_database(self.source)

    @property
    def range(self) -> str:
        return shard_range(self.source)

    @property
    def target_ranges(self) -> tuple[str, ...]:
        return tuple(shard_range(t) for t in self.targets)

    @property
    def active(self) -> bool:
        return self.job_state in ACTIVE_STATES

    @property
    def step(self) -> str:
        return SPLIT_STEPS.get(self.split_state, self.split_state)

    @property
    def step_number(self) -> int | None:
        """How far along the split is (1-based) out of len(SPLIT_STEPS) - 1, or None for an unknown step."""
        steps = list(SPLIT_STEPS)
        return steps.index(self.split_state) if self.split_state in steps else None

    @property
    def step_count(self) -> int:
        return len(SPLIT_STEPS) - 1


@dataclass(frozen=True)
class Started:
    """One entry of POST /_reshard/jobs's answer: a job made for one copy of the range, or why not."""

    ok: bool
    id: str
    node: str
    shard: str
    problem: str


def summary(client: CouchClient) -> Summary:
    """GET /_reshard — the subsystem's state and its job counts."""
    answer = _dict(client.get_json("_reshard"))
    counts: dict[str, Any] = {k: _count(answer.get(k)) for k in ("completed", "failed", "running", "stopped", "total")}
    return Summary(state=_text(answer.get("state")), reason=_text(answer.get("state_reason")), **counts)


def jobs(client: CouchClient) -> list[Job]:
    """GET /_reshard/jobs — every job, newest first."""
    raw = _dict(client.get_json("_reshard", "jobs")).get("jobs")
    found = [_job(j) for j in raw if isinstance(j, dict)] if isinstance(raw, list) else []
    return sorted(found, key=lambda j: (j.update_time or datetime.min.replace(tzinfo=UTC), j.id), reverse=True)


def start_split(client: CouchClient, db: str, shard_range: str | None = None,
                node: str | None = None) -> list[Started]:
    """POST /_reshard/jobs {"type": "split", "db": …} — split every copy of the range (or of every range), on
    one node or all; one answer per job CouchDB made or refused."""
    body = {"type": "split", "db": db}
    if shard_range:
        body["range"] = shard_range
    if node:
        body["node"] = node
    answer = client.post_json("_reshard", "jobs", body=body)
    entries = answer if isinstance(answer, list) else [answer]
    return [_started(e) for e in entries if isinstance(e, dict)]


def set_state(client: CouchClient, running: bool, reason: str = "") -> Json:
    """PUT /_reshard/state — resume ("running") or stop ("stopped", with a reason) the whole subsystem."""
    body = {"state": "running" if running else "stopped"}
    if reason and not running:
        body["reason"] = reason
    return client.put_json("_reshard", "state", body=body)


def delete_job(client: CouchClient, job_id: str) -> Json:
    """DELETE /_reshard/jobs/{id} — stop a job and forget it."""
    return client.delete_json("_reshard", "jobs", job_id)


def shard_database(path: str) -> str:
    """"shards/00000000-7fffffff/a/b.1795777501" -> "a/b" ("" for anything else)."""
    if not path.startswith("shards/") or path.count("/") < 2:
        return ""
    return path.split("/", 2)[2].rsplit(".", 1)[0]


def shard_range(path: str) -> str:
    """"shards/00000000-7fffffff/db.1795777501" -> "00000000-7fffffff" ("" for anything else)."""
    return path.split("/", 2)[1] if path.startswith("shards/") and path.count("/") >= 2 else ""


def _job(raw: JsonObject) -> Job:
    info = raw.get("state_info")
    history = raw.get("history")
    targets = raw.get("target")
    return Job(
        id=_text(raw.get("id")), type=_text(raw.get("type")), source=_text(raw.get("source")),
        targets=tuple(_text(t) for t in targets) if isinstance(targets, list) else (),
        node=_text(raw.get("node")), job_state=_text(raw.get("job_state")), split_state=_text(raw.get("split_state")),
        reason=_text(info.get("reason")) if isinstance(info, dict) else "",
        start_time=_time(raw.get("start_time")), update_time=_time(raw.get("update_time")),
        history=tuple(HistoryEvent(_time(e.get("timestamp")), _text(e.get("type")), _text(e.get("detail")))
                      for e in history if isinstance(e, dict)) if isinstance(history, list) else (),
    )


def _started(entry: JsonObject) -> Started:
    problem = "" if entry.get("ok") is True else _text(entry.get("reason")) or _text(entry.get("error")) or "refused"
    return Started(ok=not problem, id=_text(entry.get("id")), node=_text(entry.get("node")),
                   shard=_text(entry.get("shard")), problem=problem)


def _time(value: Json) -> datetime | None:
    """An ISO time CouchDB wrote ("2026-11-27T11:05:02Z"); None for the epoch (not started) or anything else."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return None if moment.year <= 1970 else moment


def _dict(value: Json) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _count(value: Json) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _text(value: Json) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)[:1000]
