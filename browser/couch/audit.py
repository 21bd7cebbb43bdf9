"""The audit log: one record per security change, user change, database deletion and bulk delete.

Design: records are written only by a dedicated CouchDB user, the audit writer, whose one right is to add
documents to the audit database (it is that database's only member, and holds no role). The dashboard
holds its password, the one credential it keeps. So anonymous callers and members can neither read nor
write records; server admins (the database has no admins of its own) read them; a record names the
person who acted, as the dashboard saw their CouchDB login; and validate_doc_update refuses any change
to or deletion of a record, by anyone. The database is prepared once, by `manage.py prepare_audit`,
before anyone acts, so a team admin's first grant is recorded like every later one.
"""

import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable, NotFound, PreconditionFailed, Unauthorized
from browser.couch.queries import find
from browser.couch.session import login
from browser.couch.users import USERS_DB, user_doc_id

DESIGN_ID = "_design/audit"
RECORD_TYPE = "audit"
# Records are added by the members of the audit database (the writer) and never changed or removed.
AUDIT_VALIDATION = """function (newDoc, oldDoc, userCtx, secObj) {
  if (newDoc._id.indexOf('_design/') === 0) { return; }
  if (oldDoc) { throw({forbidden: 'audit records are never changed or deleted'}); }
  var writers = ((secObj || {}).members || {}).names || [];
  if (writers.indexOf(userCtx.name) === -1) { throw({forbidden: 'only the audit writer adds records'}); }
  if (newDoc.type !== 'audit' || typeof newDoc.at !== 'string' || typeof newDoc.action !== 'string') {
    throw({forbidden: 'not an audit record'});
  }
}"""
BY_TIME_INDEX = {"index": {"fields": ["at"]}, "ddoc": "audit-by-time", "name": "by-time", "type": "json"}


@dataclass(frozen=True)
class Recorded:
    ok: bool
    problem: str = ""


class AuditWriter:
    """Adds records as the audit writer, logging in once and again whenever its CouchDB session ends."""

    def __init__(self, name, password):
        self.name, self.password = name, password
        self._client = None
        self._lock = threading.Lock()

    def record(self, database, who, action, target, before=None, after=None):
        """Add one record; never raises: a failure comes back as Recorded(ok=False, problem)."""
        now = datetime.now(UTC)
        doc = {"_id": f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{uuid.uuid4().hex[:8]}", "type": RECORD_TYPE,
               "who": who, "at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "action": action, "target": target,
               "before": before, "after": after}
        try:
            self._put(database, doc)
        except (CouchError, CouchUnavailable) as exc:
            return Recorded(False, exc.reason if isinstance(exc, CouchUnavailable) else exc.message)
        return Recorded(True)

    def _put(self, database, doc):
        try:
            self._session().send_exact("PUT", database, doc["_id"], body=doc)
        except Unauthorized:
            with self._lock:
                self._client = None
            self._session().send_exact("PUT", database, doc["_id"], body=doc)

    def _session(self):
        with self._lock:
            if self._client is None:
                client = CouchClient()
                login(client, self.name, self.password)
                self._client = client
            return self._client


def prepare_audit_database(admin, database, writer_name, writer_password=None):
    """As a server admin: create the audit database (if missing), make the writer its only member, install
    the validation and the by-time index, and create the writer's user when a password is given and it does
    not exist yet. Safe to run again. Answers what it did, in words."""
    done = []
    if writer_password:
        try:
            admin.get_json(USERS_DB, user_doc_id(writer_name))
        except NotFound:
            admin.put_json(USERS_DB, user_doc_id(writer_name),
                           body={"name": writer_name, "password": writer_password, "roles": [], "type": "user"})
            done.append(f"created the user {writer_name}")
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


def _put_design(admin, database):
    try:
        current = admin.get_json(database, DESIGN_ID)
    except NotFound:
        current = {}
    if current.get("validate_doc_update") != AUDIT_VALIDATION:
        body = {"validate_doc_update": AUDIT_VALIDATION, **({"_rev": current["_rev"]} if current else {})}
        admin.put_json(database, DESIGN_ID, body=body)


@dataclass(frozen=True)
class RecordPage:
    records: list
    next_bookmark: str | None


def list_records(client, database, bookmark=None, limit=50, action="", who="", target=""):
    """POST /{db}/_find — newest first; the filters search every record, a page at a time by bookmark."""
    selector = {"type": RECORD_TYPE, "at": {"$gt": None}}
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
