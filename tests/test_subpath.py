"""CouchDB served under a sub-path (http://host/couch/), as behind a reverse proxy."""

import pytest
from django.test import override_settings

from tests.conftest import log_in
from tests.support.proxy import RecordingProxy


@pytest.fixture(scope="module")
def subpath_proxy(couch_server):
    proxy = RecordingProxy(couch_server.url, prefix="/couch")
    yield proxy
    proxy.close()


def test_the_dashboard_works_with_couchdb_under_a_sub_path(client, personas, subpath_proxy, make_database):
    db = make_database()
    with override_settings(COUCHDB_URL=subpath_proxy.url):
        log_in(client, personas["admin"])
        listing = client.get("/", {"prefix": db})
        page = client.get(f"/db/{db}/")
        health = client.get("/healthz")
    assert f'data-db="{db}"' in listing.content.decode()
    assert page.status_code == 200
    assert health.status_code == 200
    assert any(s.path.startswith(f"/{db}") for s in subpath_proxy.sent)
