"""Issue 13 end to end, in Chromium on Apache CouchDB 3: an admin sets up a continuous replication to a
remote database with its own user and password, watches documents arrive live on the target's changes
page, sees the replication among the active tasks, and stops it; no page and no audit record ever holds
either password."""

import re
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from playwright.sync_api import expect

from tests.conftest import RUN_ID, TEAM, remove_replicator_doc
from tests.support.eventually import eventually


def remote_url(couch_server, db):
    # The same server under another host name: to the dashboard a remote URL, reached with its own user.
    parts = urlsplit(couch_server.url)
    netloc = parts.netloc.replace("127.0.0.1", "localhost")
    return urlunsplit((parts.scheme, netloc, "/" + requests.utils.quote(db, safe=""), "", ""))


@pytest.mark.couchdb3
def test_replicate_to_a_remote_with_a_password_watch_it_live_and_stop_it(
        admin_page, chromium, dashboard_url, couch_server, make_database, victim):
    http = couch_server.admin_http()
    source = make_database()
    target = make_database(security={**TEAM, "members": {"names": [victim.name], "roles": []}})
    http.post(f"{couch_server.url}{source}/_bulk_docs", json={"docs": [{"_id": f"d{i}"} for i in range(3)]},
              timeout=10).raise_for_status()
    name = f"ca-{RUN_ID}-live-{uuid.uuid4().hex[:6]}"
    page, seen_html = admin_page.page, []
    try:
        admin_page.open("/replication/new/")
        page.get_by_label("Source", exact=True).fill(source)
        page.get_by_label("Your password (for this server's databases)").fill(couch_server.admin.password)
        page.get_by_label("Target", exact=True).fill(remote_url(couch_server, target))
        page.get_by_label("Remote target: user name").fill(victim.name)
        page.get_by_label("Remote target: password").fill(victim.password)
        page.get_by_label("Continuous (keep copying new changes)").check()
        page.get_by_label("Name (the _replicator document id)").fill(name)
        page.get_by_label("Name (the _replicator document id)").press("Enter")
        expect(page.get_by_test_id("replication-state")).to_have_text("running", timeout=30_000)
        expect(page.get_by_test_id("docs-written")).to_have_text("3", timeout=30_000)
        seen_html.append(page.content())

        # The target's changes page, live, in a second tab: a document written to the source shows up there.
        watcher = admin_page.context.new_page()
        watcher.goto(f"{dashboard_url}/db/{target}/changes/")
        rows = watcher.get_by_test_id("changes").locator("tbody tr")
        expect(rows).to_have_count(3)
        http.put(f"{couch_server.url}{source}/written-now", json={"v": 1}, timeout=10).raise_for_status()
        expect(rows.first).to_contain_text("written-now", timeout=20_000)
        expect(watcher.locator("#live-count")).to_contain_text("1 new change")
        seen_html.append(watcher.content())

        # The task's progress among the active tasks, linked to the replication.
        page.get_by_role("link", name="Active tasks").click()
        task = page.get_by_role("row").filter(has_text=target)
        expect(task.first).to_be_visible(timeout=20_000)
        seen_html.append(page.content())
        task.first.get_by_role("link", name=re.compile(name)).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Replication “{name}”")
        seen_html.append(page.content())

        page.get_by_role("link", name="Stop and delete…").click()
        page.get_by_label("Yes, stop this replication and delete its document").check()
        page.get_by_role("button", name="Stop and delete").click()
        expect(page.get_by_role("status").first).to_contain_text("Stopped the replication")
        seen_html.append(page.content())
        assert http.get(f"{couch_server.url}_replicator/{requests.utils.quote(name, safe='')}",
                        timeout=10).status_code == 404
        assert not [e for e in admin_page.console if e[0] in ("error", "pageerror")]
    finally:
        remove_replicator_doc(couch_server, name)

    # On a cluster _find reads one copy of each shard: wait for the records to reach it.
    audit = eventually(lambda: http.post(f"{couch_server.url}{settings.AUDIT_DATABASE}/_find", timeout=10, json={
        "selector": {"target": {"$regex": re.escape(name)}}, "limit": 50}).json(), until=lambda a: a.get("docs"))
    assert audit["docs"], "the start and the stop are audited"
    # The development server's admin password is the word "password", which pages say anyway.
    secrets = [victim.password] + ([couch_server.admin.password] if len(couch_server.admin.password) >= 16 else [])
    for text in [*seen_html, repr(audit["docs"])]:
        for secret in secrets:
            assert secret not in text
