"""Reading the suite's audit log back. Its records are read with _find, which on a cluster reads one copy of
each shard: a record the dashboard has just written (at CouchDB's default quorum) may be missing for a
moment, so a test that expects records waits until that many are there; on one node they are at once."""

from django.conf import settings

from tests.support.eventually import eventually


def outcome_records(couch_server, selector, at_least=1):
    """The audit log's outcome records matching `selector`: once at least `at_least` are found, or what is
    found when the wait runs out (at_least=0: read once)."""
    def read():
        return couch_server.admin_http().post(f"{couch_server.url}{settings.AUDIT_DATABASE}/_find", timeout=10,
                                              json={"selector": {**selector, "phase": "outcome"}}).json()["docs"]
    return eventually(read, until=lambda docs: len(docs) >= at_least)
