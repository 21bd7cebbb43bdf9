"""The audit log: every security change, user change, deletion and maintenance action, as a sealed chain.

Design: records are written only by a dedicated CouchDB user, the audit writer, whose one right is to add
documents to the audit database (it is that database's only member, and holds no role). The dashboard
holds its password, the one credential it keeps. So anonymous callers and members can neither read nor
write records; server admins (the database has no admins of its own) read them; a record names the
person who acted, as the dashboard saw their CouchDB login; and validate_doc_update refuses any change
to or deletion of a record, and any write that is not a document's first revision (a `_bulk_docs`
`new_edits:false` write would otherwise start a branch that wins), by anyone.

Records are chained, as AWS CloudTrail's digest files chain: record number n has the id `rec-` and n in
twelve digits, carries `prev`, the seal of record n-1, and a `seal` of its own, an HMAC-SHA256 of its
canonical JSON under a key derived from the dashboard's SECRET_KEY. Two copies writing at once meet as a
409 on the same id and the loser takes the next number; the end of the chain is confirmed by quorum reads, never
taken from one copy that may lag (head_at_quorum). Reading the chain tells, in words: a record whose
seal does not match (altered, or added by someone holding only the writer's password), a number missing
(deleted or purged), a record with conflicting versions (a branch), a link that does not match.
"""

import hashlib
import hmac
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Concatenate, ParamSpec, TypeVar

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.errors import Conflict, CouchError, CouchUnavailable, NotFound, PreconditionFailed, Unauthorized
from browser.couch.jsontext import Json, JsonObject
from browser.couch.queries import find
from browser.couch.session import current_user, login
from browser.couch.users import USERS_DB, user_doc_id

DESIGN_ID = "_design/audit"
RECORD_TYPE = "audit"
CHAIN_PREFIX = "rec-"
SEQ_DIGITS = 12
# Records are added by the members of the audit database (the writer) as first revisions, and never changed.
AUDIT_VALIDATION = """function (newDoc, oldDoc, userCtx, secObj) {
  if (newDoc._id.indexOf('_design/') === 0) { return; }
  if (oldDoc || newDoc._deleted) { throw({forbidden: 'audit records are never changed or deleted'}); }
  if (newDoc._rev) { throw({forbidden: 'audit records are added as first revisions only'}); }
  var writers = ((secObj || {}).members || {}).names || [];
  if (writers.indexOf(userCtx.name) === -1) { throw({forbidden: 'only the audit writer adds records'}); }
  if (newDoc.type !== 'audit' || typeof newDoc.at !== 'string' || typeof newDoc.action !== 'string') {
    throw({forbidden: 'not an audit record'});
  }
}"""
BY_TIME_INDEX = {"index": {"fields": ["at"]}, "ddoc": "audit-by-time", "name": "by-time", "type": "json"}
# How often a writer takes the next number after another copy took the one it tried.
CLAIM_TRIES = 20
# How many next numbers a writer reads one by one before it asks _all_docs for the end of the chain instead.
NEXT_READS_MOST = 20
# CouchDB 3 counts failed logins per user and peer, and behind a private or loopback address takes the peer
# from X-Forwarded-For: the writer logs in under a peer name derived from the key, which someone on the same
# host does not know, so their failed logins as the writer can never lock it.
WRITER_PEER_PREFIX = "couchadmin-audit-writer-"
T = TypeVar("T")
P = ParamSpec("P")


def chain_id(seq: int) -> str:
    return f"{CHAIN_PREFIX}{seq:0{SEQ_DIGITS}d}"


def seq_of(docid: Json) -> int | None:
    """The chain number of a record id, or None for a record written before chaining."""
    if isinstance(docid, str) and docid.startswith(CHAIN_PREFIX) and docid[len(CHAIN_PREFIX):].isdigit():
        return int(docid[len(CHAIN_PREFIX):])
    return None


def canonical(record: JsonObject) -> bytes:
    """The bytes a seal covers: every field but CouchDB's own and the seal, keys sorted, ASCII only. Numbers
    read back exactly (jsontext) are written as Python writes them, as they were when the record was sealed."""
    body = {k: v for k, v in record.items() if (not k.startswith("_") or k == "_id") and k != "seal"}
    plain = json.loads(jsontext.dumps(body))
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def seal_of(record: JsonObject, key: bytes) -> str:
    return hmac.new(key, canonical(record), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Recorded:
    ok: bool
    problem: str = ""
    seq: int | None = None


class AuditWriter:
    """Adds sealed records as the audit writer, logging in once and again whenever its CouchDB session ends."""

    def __init__(self, name: str, password: str, key: bytes) -> None:
        self.name, self.password, self.key = name, password, key
        self._client: CouchClient | None = None
        self._lock = threading.Lock()
        self._head: tuple[int, str] | None = None  # (seq, seal) of the newest record this process knows of
        self.highest_written = 0

    @property
    def peer(self) -> str:
        return WRITER_PEER_PREFIX + hmac.new(self.key, b"peer", hashlib.sha256).hexdigest()[:24]

    def record(self, database: str, who: str | None, action: str, target: str, before: Json = None,
               after: Json = None, **extra: Json) -> Recorded:
        """Add one record at the end of the chain; never raises: a failure comes back as Recorded(ok=False)."""
        now = datetime.now(UTC)
        body = {"type": RECORD_TYPE, "who": who, "at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "action": action,
                "target": target, "before": before, "after": after, **extra}
        try:
            with self._lock:
                seq = self._append(database, body)
        except (CouchError, CouchUnavailable) as exc:
            return Recorded(False, exc.reason if isinstance(exc, CouchUnavailable) else exc.message)
        return Recorded(True, seq=seq)

    def _append(self, database: str, body: JsonObject) -> int:
        for _ in range(CLAIM_TRIES):
            last, prev = self._signed_in(head_at_quorum, database, self._head)
            seq = last + 1
            doc = {"_id": chain_id(seq), **body, "seq": seq, "prev": prev}
            doc["seal"] = seal_of(doc, self.key)
            try:
                self._signed_in(create_record, database, doc)
            except Conflict:
                self._head = None  # another copy took this number: read the end of the chain again
                continue
            self._head = (seq, doc["seal"])
            self.highest_written = max(self.highest_written, seq)
            return seq
        raise Conflict(409, "conflict", f"no free record number after {CLAIM_TRIES} tries")

    def _signed_in(self, act: Callable[Concatenate[CouchClient, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """act(client, …) with the writer's session, logging in again once when CouchDB has ended it."""
        try:
            return act(self._session(), *args, **kwargs)
        except Unauthorized:
            self._client = None
            return act(self._session(), *args, **kwargs)

    def _session(self) -> CouchClient:
        if self._client is None:
            client = CouchClient()
            login(client, self.name, self.password, client_address=self.peer)
            self._client = client
        return self._client

    def problem(self) -> str:
        """Why the writer cannot work now, in words with the fix, or "" when it can log in."""
        try:
            with self._lock:
                client = self._session()
                if current_user(client).name != self.name:
                    self._client = None
                    client = self._session()
        except Unauthorized:
            return (f"CouchDB refuses the audit writer “{self.name}”'s password. Run `manage.py prepare_audit` "
                    "as a server admin with AUDIT_WRITER_PASSWORD set to the password the dashboard has: it "
                    "sets that password on the writer.")
        except CouchError as exc:
            if exc.status == 403:
                return (f"CouchDB has locked the audit writer “{self.name}” after failed logins. Wait for the "
                        "lockout to end (5 minutes by default), or give the writer a new password with "
                        "`manage.py prepare_audit` (a new password ends CouchDB's lockout).")
            return f"CouchDB refused the audit writer's login ({exc.status} {exc.error}): {exc.message}"
        except CouchUnavailable as exc:
            return f"The audit writer cannot reach CouchDB: {exc.reason}."
        return ""


def read_head(client: CouchClient, database: str) -> tuple[int, str]:
    """GET /{db}/_all_docs?descending=true — the newest chained record's number and seal, (0, "") if none."""
    answer = client.get_exact(database, "_all_docs", params={
        "descending": "true", "startkey": json.dumps(CHAIN_PREFIX + "\ufff0"), "endkey": json.dumps(CHAIN_PREFIX),
        "limit": "1", "include_docs": "true"})
    for row in answer.get("rows") or []:
        seq, doc = seq_of(row.get("id")), row.get("doc") or {}
        if seq is not None:
            return seq, str(doc.get("seal") or "")
    return 0, ""


def head_at_quorum(client: CouchClient, database: str, known: tuple[int, str] | None = None) -> tuple[int, str]:
    """The end of the chain a writer claims after: from `known` (the end this writer last wrote), or else from
    read_head. Either may be behind: another copy of the dashboard may have written since, and _all_docs answers
    from one copy of each shard on a cluster. A number claimed again there could be stored on a copy that lacks
    it, and stay as a second version of that record even though CouchDB answers 409. So each next number is read
    as a document (GET /{db}/{id}, a quorum read) until one is missing."""
    seq, seal = known if known is not None else read_head(client, database)
    for read in itertools.count(1):
        try:
            newer = client.get_exact(database, chain_id(seq + 1))
        except NotFound:
            break
        seq, seal = seq + 1, str(newer.get("seal") or "") if isinstance(newer, dict) else ""
        if read % NEXT_READS_MOST == 0:
            # Far behind: another copy wrote many, or someone with the writer's password added many records, so
            # that the next claim would read them one by one. Jump to the end _all_docs lists, and confirm from there.
            listed = read_head(client, database)
            if listed[0] > seq:
                seq, seal = listed
    return seq, seal


def create_record(client: CouchClient, database: str, doc: JsonObject) -> None:
    """PUT /{db}/{id} without a revision: 409 when the number is taken."""
    client.flavour.create_document(database, str(doc["_id"]), doc)


def prepare_audit_database(admin: CouchClient, database: str, writer_name: str,
                           writer_password: str | None = None) -> list[str]:
    """As a server admin: create the audit database (if missing), make the writer its only member, install
    the validation and the by-time index, and create the writer's user, or set its password, when a password
    is given. Safe to run again. Answers what it did, in words."""
    done = []
    if writer_password:
        done.append(_set_writer_password(admin, writer_name, writer_password))
    try:
        admin.put_json(database)
        done.append(f"created the database {database}")
    except PreconditionFailed:
        pass
    admin.put_json(database, "_security", body={"admins": {"names": [], "roles": []},
                                                "members": {"names": [writer_name], "roles": []}})
    _put_design(admin, database)
    admin.send_exact("POST", database, "_index", body=BY_TIME_INDEX)
    return done + [f"{writer_name} is the only one who may add records to {database}"]


def _set_writer_password(admin: CouchClient, name: str, password: str) -> str:
    try:
        current = admin.get_exact(USERS_DB, user_doc_id(name))
    except NotFound:
        admin.put_json(USERS_DB, user_doc_id(name), body={"name": name, "password": password, "roles": [],
                                                          "type": "user"})
        return f"created the user {name}"
    probe = CouchClient()
    try:
        login(probe, name, password)
        return f"the user {name} already has this password"
    except CouchError:
        pass  # a wrong password, or CouchDB's lockout: set it, which also ends the lockout (a new salt)
    admin.send_exact("PUT", USERS_DB, user_doc_id(name), body={**current, "password": password, "roles": []})
    return f"set the password of the user {name}"


def _put_design(admin: CouchClient, database: str) -> None:
    try:
        current = admin.get_json(database, DESIGN_ID)
    except NotFound:
        current = {}
    if current.get("validate_doc_update") != AUDIT_VALIDATION:
        body = {"validate_doc_update": AUDIT_VALIDATION, **({"_rev": current["_rev"]} if current else {})}
        admin.put_json(database, DESIGN_ID, body=body)


@dataclass(frozen=True)
class RecordPage:
    records: list[Json]
    next_bookmark: str | None


def list_records(client: CouchClient, database: str, bookmark: str | None = None, limit: int = 50, action: str = "",
                 who: str = "", target: str = "") -> RecordPage:
    """POST /{db}/_find — newest first; the filters search every record, a page at a time by bookmark."""
    selector: JsonObject = {"type": RECORD_TYPE, "at": {"$gt": None}}
    if action:
        selector["action"] = action
    if who:
        selector["who"] = who
    if target:
        selector["target"] = {"$regex": re.escape(target)}
    query = {"selector": selector, "sort": [{"at": "desc"}], "limit": limit,
             "use_index": ["audit-by-time", "by-time"]}
    result = find(client, database, query, bookmark=bookmark)
    return RecordPage(records=result.docs, next_bookmark=result.next_bookmark)


@dataclass(frozen=True)
class ChainCheck:
    """What reading the chain found for one record: problems in words, empty when the record is sound."""

    docid: str
    seq: int | None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def chained(self) -> bool:
        return self.seq is not None


def check_records(client: CouchClient, database: str, records: Iterable[Json], key: bytes) -> dict[str, ChainCheck]:
    """POST /{db}/_all_docs (keys, conflicts) — each record checked against its seal and the one before it."""
    shown = [r["_id"] for r in records if isinstance(r, dict) and isinstance(r.get("_id"), str)]
    wanted = set(shown) | {chain_id(s - 1) for s in map(seq_of, shown) if s and s > 1}
    stored = _stored(client, database, sorted(wanted))
    return {docid: _check(docid, stored, key) for docid in shown}


def check_chain(client: CouchClient, database: str, key: bytes,
                batch: int = 2000) -> tuple[int, int, list[tuple[str, str]]]:
    """GET /{db}/_all_docs — the whole chain, a batch at a time: (records read, newest number, problems)."""
    problems: list[tuple[str, str]] = []
    previous: tuple[int, JsonObject] | None = None
    count, start = 0, CHAIN_PREFIX
    while True:
        params = {"startkey": json.dumps(start), "endkey": json.dumps(CHAIN_PREFIX + "\ufff0"), "limit": str(batch),
                  "include_docs": "true", "conflicts": "true", **({"skip": "1"} if start != CHAIN_PREFIX else {})}
        rows = client.get_exact(database, "_all_docs", params=params).get("rows") or []
        for row in rows:
            seq, doc = seq_of(row.get("id")), row.get("doc") or {}
            if seq is None:
                continue
            count += 1
            expected = previous[0] + 1 if previous else 1
            if seq > expected:  # on a cluster, the copy _all_docs read may lack records written a moment ago
                late = _quorum_read(client, database, [chain_id(s) for s in range(expected, min(seq, expected + 20))])
                while chain_id(expected) in late:
                    previous, expected = (expected, late[chain_id(expected)]), expected + 1
            if seq > expected:
                problems.append((chain_id(seq), _gap(expected, seq - 1)))
            stored = {chain_id(seq): doc}
            if previous and previous[0] == seq - 1:
                stored[chain_id(seq - 1)] = previous[1]
            found = _check(chain_id(seq), stored, key, link_known=seq == expected)
            problems.extend((found.docid, p) for p in found.problems)
            previous = (seq, doc)
        if len(rows) < batch:
            return count, previous[0] if previous else 0, problems
        start = rows[-1]["id"]


def _gap(first: int, last: int) -> str:
    if first == last:
        return f"record {first} is missing: it was deleted or purged"
    return f"records {first} to {last} are missing: they were deleted or purged"


def _stored(client: CouchClient, database: str, ids: Sequence[str]) -> dict[str, JsonObject]:
    if not ids:
        return {}
    answer = client.send_exact("POST", database, "_all_docs", params={"include_docs": "true", "conflicts": "true"},
                               body={"keys": ids})
    found = {row["key"]: row["doc"] for row in answer.get("rows") or []
             if isinstance(row, dict) and isinstance(row.get("doc"), dict)}
    return {**found, **_quorum_read(client, database, [i for i in ids if i not in found])}


def _quorum_read(client: CouchClient, database: str, ids: Iterable[str]) -> dict[str, JsonObject]:
    """GET /{db}/{id}?conflicts=true — on a cluster _all_docs reads one copy of each shard, which may not have
    a record written a moment ago; a document GET asks a quorum of copies, so only what is gone is missing."""
    found: dict[str, JsonObject] = {}
    for docid in ids:
        try:
            found[docid] = client.get_exact(database, docid, params={"conflicts": "true"})
        except NotFound:
            pass
    return found


def _check(docid: str, stored: dict[str, JsonObject], key: bytes, link_known: bool = True) -> ChainCheck:
    seq, doc = seq_of(docid), stored.get(docid)
    if seq is None:
        return ChainCheck(docid, None, ("written before records were chained: it cannot be checked",))
    if doc is None:
        return ChainCheck(docid, seq, ("missing: it was deleted or purged",))
    problems: list[str] = []
    if doc.get("_conflicts"):
        problems.append(f"a branch: {len(doc['_conflicts']) + 1} versions of this record exist, one of them "
                        "not written by the dashboard (or two copies wrote at once)")
    if not hmac.compare_digest(str(doc.get("seal") or ""), seal_of(doc, key)) or str(doc.get("seq")) != str(seq):
        problems.append("altered: its seal does not match its content (changed, or not written by the dashboard)")
    if seq > 1 and link_known:
        before = stored.get(chain_id(seq - 1))
        if before is None:
            problems.append(f"the record before it ({seq - 1}) is missing: it was deleted or purged")
        elif not hmac.compare_digest(str(doc.get("prev") or ""), str(before.get("seal") or "")):
            problems.append(f"its link to record {seq - 1} does not match: one of the two was altered or replaced")
    return ChainCheck(docid, seq, tuple(problems))
