"""In a real browser: an admin starts a continuous replication to a second database with their password, sees
it running, then stops and deletes it; on pouchdb-server the page says why it cannot replicate."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import RUN_ID, remove_replicator_doc


@pytest.fixture
def replicating_within_the_test_server(settings, couch_server):
    settings.COUCHDB_REPLICATION_URL = couch_server.url


@pytest.mark.couchdb3
def test_an_admin_starts_watches_and_stops_a_continuous_replication(admin_page, couch_server, make_database,
                                                                   replicating_within_the_test_server):
    http = couch_server.admin_http()
    source, target = make_database(), make_database()
    http.post(f"{couch_server.url}{source}/_bulk_docs", json={"docs": [{"_id": f"d{i}"} for i in range(5)]},
              timeout=10).raise_for_status()
    name = f"ca-{RUN_ID}-flow-{uuid.uuid4().hex[:6]}"
    page = admin_page.page
    try:
        admin_page.open("/")
        page.get_by_role("link", name="Replication", exact=True).click()
        page.get_by_role("link", name="Start a replication").click()
        page.get_by_label("Source", exact=True).fill(source)
        page.get_by_label("Target", exact=True).fill(target)
        page.get_by_label("Your password (for this server's databases)").fill(couch_server.admin.password)
        page.get_by_label("Continuous (keep copying new changes)").check()
        page.get_by_label("Name (the _replicator document id)").fill(name)
        page.get_by_label("Name (the _replicator document id)").press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Replication “{name}”")
        expect(page.get_by_test_id("replication-state")).to_have_text("running", timeout=30_000)
        expect(page.get_by_test_id("docs-written")).to_have_text("5", timeout=30_000)
        # A document written now is copied while the page watches (it refreshes itself).
        http.put(f"{couch_server.url}{source}/late", json={"v": 1}, timeout=10).raise_for_status()
        expect(page.get_by_test_id("docs-written")).to_have_text("6", timeout=30_000)
        assert page.locator("input[type=password]").count() == 0

        page.get_by_role("link", name="Stop and delete…").click()
        page.get_by_label("Yes, stop this replication and delete its document").check()
        page.get_by_role("button", name="Stop and delete").click()
        expect(page.get_by_role("status").first).to_contain_text("Stopped the replication")
        expect(page).to_have_url(re.compile(r"/replication/$"))
        assert http.get(f"{couch_server.url}_replicator/{requests.utils.quote(name, safe='')}",
                        timeout=10).status_code == 404
        assert not [e for e in admin_page.console if e[0] in ("error", "pageerror")]
    finally:
        remove_replicator_doc(couch_server, name)


def test_pouchdb_server_says_it_cannot_replicate(admin_page, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB runs replications")
    admin_page.open("/")
    admin_page.page.get_by_role("link", name="Replication", exact=True).click()
    expect(admin_page.page.get_by_test_id("server-lacks")).to_contain_text(
        "pouchdb-server cannot run replications through the dashboard")
