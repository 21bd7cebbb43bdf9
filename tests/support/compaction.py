"""Waiting for compaction to remove an old revision's body from every copy of its shard.

On a cluster each node compacts its own copies in its own time. The wait must not read the revision with
GET /{db}/{docid}?rev= (whatever its r): while one copy still has the body and another has compacted it away,
that read's read repair writes the body back onto the compacted copies, and the compaction is undone for good
(seen on CouchDB 3.5: fabric_doc_open_revs repairs, and a body replaces the missing one in the merged tree).
POST /{db}/_bulk_get reads the revision from every copy that answers, without read repair, and says
"not found" only when none of them has the body. A copy can also miss the request (a compaction already
running there started before the revision was written over): while the body is still there and nothing is
compacting, ask again."""

import requests

from tests.support.eventually import eventually


def body_kept_somewhere(couch_server, db, docid, rev):
    """Whether any copy of the document's shard still holds revision `rev`'s body."""
    answer = couch_server.admin_http().post(f"{couch_server.url}{requests.utils.quote(db, safe='')}/_bulk_get",
                                            json={"docs": [{"id": docid, "rev": rev}]}, timeout=10)
    answer.raise_for_status()
    return any("ok" in item for result in answer.json()["results"] for item in result["docs"])


def compact_until_gone(couch_server, db, docid, rev, seconds=60):
    """Compact `db` until no copy keeps the body of `docid` at `rev`; answers whether that happened in time."""
    http = couch_server.admin_http()
    db_url = f"{couch_server.url}{requests.utils.quote(db, safe='')}"

    def gone():
        if not body_kept_somewhere(couch_server, db, docid, rev):
            return True
        if not http.get(db_url, timeout=10).json().get("compact_running"):
            http.post(f"{db_url}/_compact", json={}, timeout=10).raise_for_status()
        return False

    http.post(f"{db_url}/_compact", json={}, timeout=10).raise_for_status()
    return eventually(gone, seconds=seconds, every=0.3)
