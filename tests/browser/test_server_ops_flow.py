"""In a real browser: a server admin reaches Resharding by keyboard, picks a database's range, starts its split
and watches the job complete and the ranges change; Database updates shows a new database arriving at the
top without a reload. pouchdb-server's pages say what it lacks."""

import uuid

import requests
from playwright.sync_api import expect

from tests.conftest import ADMINS_ONLY, RUN_ID
from tests.support.lacking import LACKING_HEADING


def open_from_the_navigation(browser_page, name, server_has_it=True):
    """The page the navigation's link `name` opens: its own, or the one saying what this server lacks."""
    page = browser_page.page
    browser_page.open("/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name=name)
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(name if server_has_it else LACKING_HEADING)
    return page


def no_page_errors(browser_page):
    return not [m for m in browser_page.console if m[0] == "pageerror" or "Content Security Policy" in m[1]]


def test_a_split_started_by_keyboard_completes(admin_page, couch_server, make_database):
    http = couch_server.admin_http()
    db = None
    if couch_server.is_apache_couchdb:
        db = make_database(f"ca-{RUN_ID}-browser-reshard-{uuid.uuid4().hex[:6]}", security=ADMINS_ONLY)
        docs = [{"_id": f"d{i}", "n": i} for i in range(20)]
        http.post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}, timeout=10).raise_for_status()
    page = open_from_the_navigation(admin_page, "Resharding", server_has_it=db is not None)
    if db is None:
        expect(page.get_by_test_id("server-lacks")).to_contain_text("pouchdb-server keeps each database in one file")
        return
    before = sorted(http.get(f"{couch_server.url}{db}/_shards", timeout=10).json()["shards"])
    try:
        field = page.get_by_label("Database", exact=True)
        field.focus()
        page.keyboard.type(db)
        page.keyboard.press("Enter")
        ranges = page.get_by_test_id("db-ranges")
        expect(ranges.locator("tr[data-range]")).to_have_count(len(before))
        page.get_by_role("radio", name=before[0]).focus()
        page.keyboard.press("Space")
        expect(page.get_by_role("radio", name=before[0])).to_be_checked()
        page.get_by_role("button", name="Start the split").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.get_by_text("Split started for").first).to_be_visible()
        jobs = page.get_by_test_id("reshard-jobs").locator("tbody tr")
        expect(jobs.first).to_be_visible()
        # The list refreshes itself until the job is done, then the new ranges show.
        expect(page.locator("tr[data-job-state=completed]")).to_have_count(jobs.count(), timeout=60_000)
        halves = [r for r in sorted(http.get(f"{couch_server.url}{db}/_shards", timeout=10).json()["shards"])
                  if r not in before]
        assert len(halves) == 2
        for shard_range in halves:
            expect(ranges.locator(f'tr[data-range="{shard_range}"]')).to_have_count(1)
        expect(page.get_by_role("link", name=f"The shards of “{db}”")).to_be_visible()
        assert no_page_errors(admin_page)
    finally:
        for job in http.get(couch_server.url + "_reshard/jobs", timeout=10).json()["jobs"]:
            if f"/{db}." in job["source"]:
                http.delete(couch_server.url + "_reshard/jobs/" + job["id"], timeout=10)


def test_a_new_database_arrives_at_the_top_of_database_updates(admin_page, couch_server, drop_database_afterwards):
    page = open_from_the_navigation(admin_page, "Database updates", couch_server.is_apache_couchdb)
    if not couch_server.is_apache_couchdb:
        expect(page.get_by_test_id("server-lacks")).to_contain_text("pouchdb-server has no server-wide feed")
        return
    if page.get_by_test_id("create-global-changes").count():
        page.get_by_test_id("create-global-changes").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
    expect(page.get_by_test_id("live-bar")).to_contain_text("Live")
    name = f"ca-{RUN_ID}-browser-dbu-{uuid.uuid4().hex[:6]}/x"
    drop_database_afterwards(name)
    couch_server.admin_http().put(couch_server.url + requests.utils.quote(name, safe=""), timeout=10).raise_for_status()
    row = page.locator(f'#db-update-rows tr[data-db="{name}"][data-type="created"]')
    expect(row).to_have_count(1, timeout=30_000)
    expect(row.get_by_role("link", name=name)).to_have_attribute("href", "/db/" + name.replace("/", "~") + "/")
    expect(page.locator("#live-count")).to_contain_text("since this page was opened")
    assert no_page_errors(admin_page)
