"""Replication: POST /_replicate, the _replicator database, GET /_scheduler/docs and /_scheduler/jobs, and
the one scrub every replication passes through before anyone sees it (a page, an error, the audit log).

Choices CouchDB 3.5 made for us (checked on the server):
- There is no pause. A transient job is stopped with POST /_replicate {"replication_id": id, "cancel": true};
  a saved one stops when its _replicator document is deleted.
- Saving a _replicator document again unchanged does not restart its job (the scheduler sees the same
  replication and keeps its backoff). Restart therefore deletes the document and creates it again with the
  same body, read and written inside this process: the credentials never reach a page.
- A one-shot POST /_replicate answers only when the copy is done, yet CouchDB goes on when the caller stops
  waiting: the dashboard waits TRANSIENT_WAIT seconds at most, then says it is still running.
"""

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import unquote, urlsplit, urlunsplit

from django.conf import settings

from browser.couch import jsontext
from browser.couch.client import CouchClient, couch_url
from browser.couch.errors import CouchUnavailable, NotFound
from browser.couch.jsontext import Json, JsonObject

REPLICATOR = "_replicator"
TRANSIENT_WAIT = 5
# States worth refreshing the page for (_scheduler/docs; "crashing" retries with a growing backoff).
LIVE_STATES = frozenset({"initializing", "running", "pending", "crashing", "error", "triggered"})
HIDDEN = "(hidden)"
# Object members whose value may hold a credential, whatever else they hold (compared lower-cased).
SECRET_MEMBERS = frozenset({"auth", "headers", "password", "passwd", "authorization", "cookie",
                            "proxy-authorization", "oauth", "session", "token", "bearer", "secret", "api_key",
                            "apikey", "access_token", "refresh_token", "credentials"})
# Among secrets, what says whose they are rather than what they are.
SHOWN_AMONG_SECRETS = frozenset({"username"})
# A document's own CouchDB members: shown (and exported, and saved) exactly as stored.
KEPT_AS_STORED = frozenset({"_id", "_rev", "_attachments", "_revisions", "_revs_info", "_conflicts",
                            "_deleted_conflicts", "_deleted", "_local_seq"})
_ABSENT = object()
TEXT_MOST = 2000
# scheme://userinfo@ anywhere in a text: the userinfo goes, whatever it holds.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s\"'<>@]*@")
_JOB_ID = re.compile(r"[0-9A-Za-z_+\-]{1,200}")
# Fields CouchDB (or the replicator) writes into a _replicator document; a restart drops them.
STATE_FIELDS = ("_replication_state", "_replication_state_time", "_replication_state_reason",
                "_replication_stats", "_replication_id")


# --- scrubbing -------------------------------------------------------------------------------------------

@overload
def scrub_url(text: str) -> str: ...
@overload
def scrub_url(text: Json) -> Json: ...
def scrub_url(text: Json) -> Json:
    """The text with the user name and password taken out of every URL in it."""
    if not isinstance(text, str) or "@" not in text:
        return text
    cleaned = _USERINFO.sub(r"\1", text)
    return text if cleaned == text else cleaned


def scrub(value: Json) -> Json:
    """A copy of any JSON value with every credential gone: each value under an auth, headers, password (and
    the like) member becomes HIDDEN, its structure and a user name kept so that the person sees what to
    replace; the userinfo of any URL in any text or member name goes. Works at any depth, without recursion;
    members keep their order."""
    holder: dict[str, Json] = {}
    stack: list[tuple[Json, Any, str | int, bool]] = [(value, holder, "v", False)]
    copy: Any
    while stack:
        item, parent, key, secret = stack.pop()
        if isinstance(item, dict):
            copy = parent[key] = {}
            for name, member in item.items():
                name = scrub_url(str(name))
                copy[name] = None  # its place, in order; filled when popped
                stack.append((member, copy, name, secret or name.lower() in SECRET_MEMBERS))
        elif isinstance(item, list):
            copy = parent[key] = [None] * len(item)
            stack.extend((member, copy, i, secret) for i, member in enumerate(item))
        elif secret and not _shown_among_secrets(key, item):
            parent[key] = HIDDEN
        else:
            parent[key] = scrub_url(item)
    return holder["v"]


def _shown_among_secrets(key: str | int, item: Json) -> bool:
    # Nothing to hide in a null; a user name says whose credentials they are, and is no secret.
    return item is None or (isinstance(key, str) and key.lower() in SHOWN_AMONG_SECRETS and isinstance(item, str))


def is_replicator_database(db: object) -> bool:
    """Whether CouchDB 3 runs the documents of `db` as replications: _replicator, or any database whose
    name ends in /_replicator."""
    return isinstance(db, str) and (db == REPLICATOR or db.endswith("/" + REPLICATOR))


def scrub_document(doc: Json) -> Json:
    """A document (or any value) scrubbed, its CouchDB members (_id, _rev, _attachments stubs...) kept as
    stored: they hold no credential, and a save or an export needs them exact."""
    if not isinstance(doc, dict):
        return scrub(doc)
    cleaned = scrub({k: v for k, v in doc.items() if k not in KEPT_AS_STORED})
    return {(k if k in KEPT_AS_STORED else scrub_url(k)): (v if k in KEPT_AS_STORED else cleaned[scrub_url(k)])
            for k, v in doc.items()}


def shown(db: str, value: Json) -> Json:
    """A document, row or value read from database `db`, as a page, fragment or export may show it: the one
    scrub, for every replicator database (a local replication stores the person's own password)."""
    return scrub_document(value) if is_replicator_database(db) else value


def secrets_kept(edited: Json, stored: Json) -> Json:
    """An edit of a scrubbed document, ready to save: where the person left a secret as shown (HIDDEN, or a
    URL without its user name and password), the stored value is put back, at the same place; a value typed
    anew stays as typed. Works at any depth, without recursion."""
    holder: dict[str, Json] = {}
    stack: list[tuple[Json, Json, Any, str | int, bool]] = [(edited, stored, holder, "v", False)]
    copy: Any
    olds: Any
    while stack:
        item, old, parent, key, secret = stack.pop()
        if isinstance(item, dict):
            copy = parent[key] = {}
            olds = old if isinstance(old, dict) else {}
            shown_names: dict[str, str] = {scrub_url(name): name for name in olds} if olds else {}
            for given, member in item.items():
                name: str = given if given in olds or given not in shown_names else shown_names[given]
                copy[name] = None
                stack.append((member, olds.get(name, _ABSENT), copy, name, secret or name.lower() in SECRET_MEMBERS))
        elif isinstance(item, list):
            copy = parent[key] = [None] * len(item)
            olds = old if isinstance(old, list) else []
            stack.extend((member, olds[i] if i < len(olds) else _ABSENT, copy, i, secret)
                         for i, member in enumerate(item))
        elif secret and item == HIDDEN and old is not _ABSENT and not isinstance(old, (dict, list)):
            parent[key] = old
        elif isinstance(item, str) and isinstance(old, str) and old != item and scrub_url(old) == item:
            parent[key] = old
        else:
            parent[key] = item
    return holder["v"]


def text_of(value: Json, most: int = TEXT_MOST) -> str:
    """Any value as display text at most `most` characters long, credentials scrubbed."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else jsontext.preview(scrub(value), most + 1)
    text = scrub_url(str(text))
    return text if len(text) <= most else text[:most] + "…"


def job_id_of(value: Json) -> str | None:
    """A scheduler job id ("abc123+continuous"), or None for anything else a document may hold."""
    text = value if isinstance(value, str) else ""
    return text if _JOB_ID.fullmatch(text) else None


def _count(value: Json) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 20:
        return int(value)
    return None


# --- what a replication looks like on a page ---------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One end of a replication, as shown: a database of this server, or a URL without credentials."""

    url: str
    local_db: str | None = None
    has_credentials: bool = False


@dataclass(frozen=True)
class Event:
    timestamp: str
    type: str
    reason: str


@dataclass(frozen=True)
class Replication:
    """A replication as the scheduler (or, for non-admins, its document) describes it; every text scrubbed."""

    doc_id: str | None
    job_id: str | None
    source: Side
    target: Side
    state: str
    continuous: bool | None = None
    owner: str = ""
    error: str = ""
    problem: str = ""
    error_count: int | None = None
    docs_read: int | None = None
    docs_written: int | None = None
    doc_write_failures: int | None = None
    changes_pending: int | None = None
    start_time: str = ""
    last_updated: str = ""
    history: tuple[Event, ...] = ()

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES


def side_of(endpoint: Json) -> Side:
    """A Side from a replication endpoint: a URL text, or an object {"url", "auth", "headers"}."""
    has_credentials = False
    url = endpoint
    if isinstance(endpoint, dict):
        url = endpoint.get("url")
        has_credentials = bool(endpoint.get("auth") or endpoint.get("headers"))
    if not isinstance(url, str):
        return Side(url=text_of(url, 300) or "(no URL)")
    if scrub_url(url) != url:
        has_credentials = True
    url = text_of(url, 1000)
    base = str(settings.COUCHDB_REPLICATION_URL).rstrip("/") + "/"
    rest = url[len(base):].strip("/") if url.startswith(base) else ""
    local = unquote(rest) if rest and "/" not in rest else None
    return Side(url=url, local_db=local, has_credentials=has_credentials)


def _history(events: Json) -> tuple[Event, ...]:
    if not isinstance(events, list):
        return ()
    return tuple(Event(text_of(e.get("timestamp"), 40), text_of(e.get("type"), 40), text_of(e.get("reason")))
                 for e in events[:50] if isinstance(e, dict))


def _with_counts(info: Json, fields: dict[str, Any]) -> dict[str, Any]:
    info = info if isinstance(info, dict) else {}
    for name in ("docs_read", "docs_written", "doc_write_failures", "changes_pending"):
        fields[name] = _count(info.get(name))
    return fields


def from_scheduler(row: Json, history: Json = None) -> Replication:
    """A Replication from a _scheduler/docs row, or a _scheduler/jobs row (which has history but no state)."""
    row = row if isinstance(row, dict) else {}
    info = row.get("info")
    events = _history(row.get("history") if history is None else history)
    error = text_of(info.get("error")) if isinstance(info, dict) and info.get("error") else ""
    if not error and events and events[0].type == "crashed":
        error = events[0].reason
    state = text_of(row.get("state"), 40) if row.get("state") else _job_state(row, events)
    source, target = side_of(row.get("source")), side_of(row.get("target"))
    return Replication(**_with_counts(info, dict(
        doc_id=text_of(row.get("doc_id"), 4000) or None, job_id=job_id_of(row.get("id")),
        source=source, target=target, state=state, owner=text_of(row.get("user"), 200),
        error=error, problem=problem_for(error, source, target) if error else "",
        error_count=_count(row.get("error_count")), start_time=text_of(row.get("start_time"), 40),
        last_updated=text_of(row.get("last_updated"), 40), history=events)))


def _job_state(row: JsonObject, events: tuple[Event, ...]) -> str:
    if row.get("pid"):
        return "running"
    if events and events[0].type == "crashed":
        return "crashing"
    return "pending"


def from_document(doc: Json) -> Replication:
    """A Replication from a _replicator document as a non-admin reads it: the state CouchDB writes into it
    (completed, failed) is all there is; the live scheduler is for server admins."""
    doc = doc if isinstance(doc, dict) else {}
    source, target = side_of(doc.get("source")), side_of(doc.get("target"))
    error = text_of(doc.get("_replication_state_reason"))
    return Replication(**_with_counts(doc.get("_replication_stats"), dict(
        doc_id=text_of(doc.get("_id"), 4000) or None, job_id=job_id_of(doc.get("_replication_id")),
        source=source, target=target, state=text_of(doc.get("_replication_state"), 40) or "not known",
        continuous=doc.get("continuous") is True, owner=text_of(doc.get("owner"), 200),
        error=error, problem=problem_for(error, source, target) if error else "",
        last_updated=text_of(doc.get("_replication_state_time"), 40))))


# --- plain words for the scheduler's reasons -----------------------------------------------------------------

_UNREACHABLE = ("econnrefused", "conn_failed", "nxdomain", "timeout", "ehostunreach", "enetunreach",
                "http_request_failed", "closed", "tls_alert")
_REFUSED_LOGIN = ("replication_auth_error", "session_request_unauthorized", "session_request_forbidden",
                  "401")


def problem_for(reason: str, source: Side | None = None, target: Side | None = None) -> str:
    """What went wrong, in words, from CouchDB's reason text (which the page shows beside it)."""
    text = reason.lower()
    side = _side_named(reason, source, target)
    if "db_not_found" in text or "could not open" in text or "database_does_not_exist" in text:
        if side == "target":
            return "The target database does not exist (tick “Create the target” to have CouchDB create it)."
        return f"The {side or 'source or target'} database does not exist."
    if any(word in text for word in _REFUSED_LOGIN):
        return f"The {side or 'source or target'} refused the credentials (401)."
    if "unauthorized" in text or "forbidden" in text:
        return (f"The credentials given for the {side or 'source or target'} may not read or write that "
                "database (or create it).")
    if any(word in text for word in _UNREACHABLE):
        return f"The {side or 'source or target'} could not be reached."
    if "filter" in text or "selector" in text or "doc_ids" in text:
        return "CouchDB refused the replication's filter."
    return "The replication failed."


def _side_named(reason: str, source: Side | None, target: Side | None) -> str | None:
    urls = [u.rstrip("/") for u in re.findall(r"https?://[^\s\"',}]+", scrub_url(reason))]
    for name, side in (("source", source), ("target", target)):
        if side and any(u and side.url.rstrip("/") == u for u in urls):
            return name
    return None


# --- building a replication ------------------------------------------------------------------------------------

def local_database_url(db: str) -> str:
    """How CouchDB reaches one of its own databases (CouchDB 3 replicates between URLs only)."""
    return couch_url(settings.COUCHDB_REPLICATION_URL, [db])


def split_userinfo(url: str) -> tuple[str, str, str]:
    """(the URL without user name and password, user name, password): typed credentials go to `auth`."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, "", ""
    userinfo, host = parts.netloc.rsplit("@", 1)
    user, _, password = userinfo.partition(":")
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment)), unquote(user), unquote(password)


def endpoint(url: str, username: str = "", password: str = "") -> JsonObject:
    """A replication endpoint: the URL, and credentials in its auth object (never in the URL)."""
    if not username and not password:
        return {"url": url}
    return {"url": url, "auth": {"basic": {"username": username, "password": password}}}


def replication_body(source: Json, target: Json, *, continuous: bool = False, create_target: bool = False,
                     selector: Json = None, doc_ids: Iterable[str] | None = None,
                     since_seq: Json = None) -> JsonObject:
    """The body of a replication, for POST /_replicate or a _replicator document."""
    body: JsonObject = {"source": source, "target": target}
    if continuous:
        body["continuous"] = True
    if create_target:
        body["create_target"] = True
    if selector is not None:
        body["selector"] = selector
    if doc_ids:
        body["doc_ids"] = list(doc_ids)
    if since_seq not in (None, ""):
        body["since_seq"] = since_seq
    return body


def new_document_id() -> str:
    return f"replication-{uuid.uuid4().hex[:12]}"


# --- reading ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    rows: tuple[Replication, ...]
    total: int | None
    skip: int = 0
    next_skip: int | None = None
    bookmark: str | None = None


def scheduler_docs(client: CouchClient, limit: int, skip: int = 0) -> Page:
    """GET /_scheduler/docs/_replicator — one page of saved replications with their state (server admins)."""
    return _scheduler_page(client, ("_scheduler", "docs", REPLICATOR), "docs", limit, skip)


def scheduler_jobs(client: CouchClient, limit: int, skip: int = 0) -> Page:
    """GET /_scheduler/jobs — one page of jobs, saved and transient, with their history (server admins)."""
    return _scheduler_page(client, ("_scheduler", "jobs"), "jobs", limit, skip)


def _scheduler_page(client: CouchClient, segments: tuple[str, ...], key: str, limit: int, skip: int) -> Page:
    # The scheduler pages by limit and skip only (it has no keys to start from).
    answer = client.get_json(*segments, params={"limit": limit, "skip": skip})
    answer = answer if isinstance(answer, dict) else {}
    rows: list[Json] = answer[key] if isinstance(answer.get(key), list) else []
    total = _count(answer.get("total_rows"))
    more = total is not None and skip + len(rows) < total and rows
    return Page(tuple(from_scheduler(r) for r in rows[:limit]), total, skip, skip + limit if more else None)


def scheduler_doc(client: CouchClient, docid: str) -> Replication | None:
    """GET /_scheduler/docs/_replicator/{docid}; None when the scheduler does not know it."""
    try:
        return from_scheduler(client.get_json("_scheduler", "docs", REPLICATOR, docid))
    except NotFound:
        return None


def scheduler_job(client: CouchClient, job_id: str) -> Replication | None:
    """GET /_scheduler/jobs/{job_id}; None when there is no such job (any more)."""
    try:
        return from_scheduler(client.get_json("_scheduler", "jobs", job_id))
    except NotFound:
        return None


def replicator_document(client: CouchClient, docid: str) -> Json:
    """GET /_replicator/{docid} — the document, scrubbed (a non-admin gets their own in full, others'
    without credentials; either way the page sees none)."""
    return scrub(client.get_exact(REPLICATOR, docid))


def find_replications(client: CouchClient, limit: int, bookmark: str | None = None) -> Page:
    """POST /_replicator/_find — the saved replications a non-admin may read (CouchDB refuses them
    _all_docs and _scheduler, yet answers _find to members of _replicator), paged by bookmark."""
    body: JsonObject = {"selector": {"_id": {"$gt": None}}, "limit": limit}
    if bookmark:
        body["bookmark"] = bookmark
    answer = client.flavour.find(REPLICATOR, body)
    docs = answer.get("docs") if isinstance(answer, dict) else None
    docs = [d for d in docs if isinstance(d, dict) and not str(d.get("_id", "")).startswith("_design/")] \
        if isinstance(docs, list) else []
    mark = answer.get("bookmark") if isinstance(answer, dict) else None
    full = isinstance(answer.get("docs"), list) and len(answer["docs"]) >= limit
    return Page(tuple(from_document(scrub(d)) for d in docs), None, bookmark=mark if full and mark else None)


# --- changing ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TransientResult:
    job_id: str | None
    finished: bool
    docs_read: int | None = None
    docs_written: int | None = None
    doc_write_failures: int | None = None
    no_changes: bool = False


def start_named(client: CouchClient, docid: str, body: JsonObject) -> Json:
    """PUT /_replicator/{docid} — CouchDB records the person as its owner and runs it with their rights."""
    return client.send_exact("PUT", REPLICATOR, docid, body=body).get("rev")


def start_transient(client: CouchClient, body: JsonObject, wait: float = TRANSIENT_WAIT) -> TransientResult:
    """POST /_replicate — continuous ones answer at once with their id; a one-shot answers when it is done,
    or is left running in CouchDB after `wait` seconds."""
    try:
        # jsontext writes a typed selector's numbers exactly as typed.
        answer = client.request("POST", "_replicate", data=jsontext.dumps(body).encode(),
                                headers={"Content-Type": "application/json"}, timeout=(client.timeout, wait)).json()
    except CouchUnavailable as exc:
        if exc.reason.startswith("no answer within"):
            return TransientResult(job_id=None, finished=False)
        raise
    answer = answer if isinstance(answer, dict) else {}
    history = answer.get("history")
    latest = history[0] if isinstance(history, list) and history and isinstance(history[0], dict) else {}
    return TransientResult(
        job_id=job_id_of(answer.get("_local_id")), finished=not body.get("continuous"),
        docs_read=_count(latest.get("docs_read")), docs_written=_count(latest.get("docs_written")),
        doc_write_failures=_count(latest.get("doc_write_failures")), no_changes=answer.get("no_changes") is True)


def cancel_transient(client: CouchClient, job_id: str) -> None:
    """POST /_replicate {"replication_id": id, "cancel": true} — stops a transient job (its starter or a
    server admin); a saved replication stops only when its document is deleted."""
    client.post_json("_replicate", body={"replication_id": job_id, "cancel": True})


def delete_named(client: CouchClient, docid: str) -> Json:
    """DELETE /_replicator/{docid} — stops the replication; answers the scrubbed document it was."""
    doc = client.get_exact(REPLICATOR, docid)
    client.request("DELETE", REPLICATOR, docid, params={"rev": doc.get("_rev")}).close()
    return scrub(doc)


def restart_named(client: CouchClient, docid: str) -> Json:
    """DELETE then PUT /_replicator/{docid} with the same body: a fresh job with no backoff (saving it
    unchanged would not restart it). Answers the scrubbed document."""
    doc = client.get_exact(REPLICATOR, docid)
    client.request("DELETE", REPLICATOR, docid, params={"rev": doc.get("_rev")}).close()
    body = {k: v for k, v in doc.items() if k != "_rev" and k not in STATE_FIELDS}
    client.send_exact("PUT", REPLICATOR, docid, body=body)
    return scrub(doc)
