"""In a real browser: a server admin reaches Active tasks from the navigation by keyboard, sees a running
index build with its links under proper column headers, and the list refreshes itself until the task is
gone; a member gets the page naming the requirement."""

import requests
from playwright.sync_api import expect

from tests.conftest import RUN_ID
from tests.test_active_tasks import fill, start_slow_index


def open_from_the_navigation(browser_page):
    page = browser_page.page
    browser_page.open("/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Active tasks")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Active tasks")
    return page


def test_an_admin_sees_a_running_index_build_until_it_is_gone(admin_page, couch_server, make_database):
    db = None
    if couch_server.is_apache_couchdb:
        db = make_database(f"ca-{RUN_ID}-browser-tasks/x")
        fill(couch_server, db, 10000)
        start_slow_index(couch_server, db)
    page = open_from_the_navigation(admin_page)
    expect(page.get_by_test_id("refresh")).to_have_attribute("href", "/tasks/")
    if db is None:  # pouchdb-server never reports a task
        expect(page.get_by_test_id("no-task-reports")).to_contain_text("pouchdb-server reports no tasks")
        expect(page.get_by_test_id("active-tasks")).to_contain_text("No tasks are running")
        return
    rows = page.locator("tr[data-type=indexer]").filter(has=page.get_by_role("link", name=db, exact=True))
    expect(rows.first).to_be_visible()
    for header in ("Type", "Database", "Design document or replication", "Node", "Progress", "Rate", "Started",
                   "Last update"):
        expect(page.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    expect(rows.first.get_by_role("link", name="_design/slow")).to_be_visible()
    expect(rows.first.get_by_role("progressbar")).to_be_visible()
    # Dropping the database ends the build; the polling list notices without a reload.
    couch_server.admin_http().delete(f"{couch_server.url}{requests.utils.quote(db, safe='')}", timeout=10)
    expect(rows).to_have_count(0, timeout=15_000)
    assert not [m for m in admin_page.console if m[0] == "pageerror" or "Content Security Policy" in m[1]]


def test_a_member_is_told_the_page_is_for_server_admins(browser_page, personas):
    browser_page.log_in(personas["member"])
    page = browser_page.page
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Active tasks")).to_have_count(0)
    browser_page.open("/tasks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_test_id("missing-permission")).to_have_text("This needs a CouchDB server admin.")
