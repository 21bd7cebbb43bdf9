"""The audit log: one document per security change, user change, database deletion and bulk delete,
written as the person who acted into the audit database (settings.AUDIT_DATABASE)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from browser.couch.client import json_param
from browser.couch.errors import CouchError, CouchUnavailable, PreconditionFailed

# Anyone who can act must be able to add a record, and nobody but a server admin may change one.
AUDIT_VALIDATION = """function (newDoc, oldDoc, userCtx) {
  var serverAdmin = userCtx.roles.indexOf('_admin') !== -1;
  if (newDoc._id.indexOf('_design/') === 0) {
    if (!serverAdmin) { throw({forbidden: 'only server admins change the audit design'}); }
    return;
  }
  if (oldDoc && !serverAdmin) { throw({forbidden: 'audit records cannot be changed'}); }
  if (!newDoc._deleted && newDoc.who !== userCtx.name) { throw({forbidden: 'an audit record names who wrote it'}); }
}"""


@dataclass(frozen=True)
class Recorded:
    ok: bool
    problem: str = ""


def record(client, database, who, action, target, before=None, after=None):
    """Add one audit record; never raises: a failure comes back as Recorded(ok=False, problem)."""
    now = datetime.now(UTC)
    doc = {"_id": f"{now.strftime('%Y%m%dT%H%M%S.%fZ')}-{uuid.uuid4().hex[:8]}", "type": "audit", "who": who,
           "at": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "action": action, "target": target,
           "before": before, "after": after}
    try:
        client.send_exact("PUT", database, doc["_id"], body=doc)
    except (CouchError, CouchUnavailable) as exc:
        reason = exc.reason if isinstance(exc, CouchUnavailable) else exc.message
        return Recorded(False, reason)
    return Recorded(True)


def ensure_audit_database(client, database):
    """Create the audit database (server admins only): public for writing records, guarded by validation."""
    try:
        client.put_json(database)
    except PreconditionFailed:
        return False
    client.put_json(database, "_security", body={"admins": {"names": [], "roles": []},
                                                  "members": {"names": [], "roles": []}})
    client.put_json(database, "_design/audit", body={"validate_doc_update": AUDIT_VALIDATION})
    return True


def list_records(client, database, start=None, limit=50, action="", who="", target=""):
    """Newest records first, one page (ids start with the time); filtered on this page's records."""
    params = {"include_docs": True, "descending": True, "limit": limit + 1,
              "startkey": json_param(start) if start else json_param("\ufff0"), "endkey": json_param("0")}
    rows = [r for r in client.get_exact(database, "_all_docs", params=params).get("rows", [])
            if (r.get("doc") or {}).get("type") == "audit"]
    next_start = rows[limit]["id"] if len(rows) > limit else None
    records = [r["doc"] for r in rows[:limit]
               if (not action or r["doc"].get("action") == action) and (not who or r["doc"].get("who") == who)
               and (not target or target in str(r["doc"].get("target", "")))]
    return records, next_start
