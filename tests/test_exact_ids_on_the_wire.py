"""Document ids reach CouchDB exactly encoded: a dot-segment id never becomes a path a proxy would resolve."""

import pytest
from django.test import override_settings

from browser.couch.client import CouchClient
from browser.couch.documents import get_document, save_document
from browser.couch.session import login
from tests.support.proxy import RecordingProxy

DOT_IDS = ["..", ".", "a/../b", "x/.", "%2e%2E"]


@pytest.mark.parametrize("docid", DOT_IDS)
def test_a_dot_segment_id_is_sent_percent_encoded_and_reads_back_itself(couch_server, personas, make_database,
                                                                       docid):
    db = make_database()
    proxy = RecordingProxy(couch_server.url)
    try:
        with override_settings(COUCHDB_URL=proxy.url):
            client = CouchClient()
            login(client, personas["admin"].name, personas["admin"].password)
            save_document(client, db, docid, {"me": docid})
            assert get_document(client, db, docid)["me"] == docid
        paths = [s.path for s in proxy.sent if s.method == "PUT"]
        assert paths and all("/./" not in p and "/../" not in p and not p.endswith(("/.", "/..")) for p in paths)
        assert paths[-1].startswith(f"/{db}/")
        if set(docid) == {"."}:
            assert paths[-1] == f"/{db}/" + "%2E" * len(docid)
    finally:
        proxy.close()
