"""In a real browser: a server admin reaches Cluster from the navigation by keyboard, reads every node under
proper column headers, sees the list refresh itself, and opens a node's page by keyboard; pouchdb-server's
page says what it lacks; a member has no link and gets the page naming the requirement."""

import re

from playwright.sync_api import expect

from tests.support.lacking import LACKING_HEADING

HEADERS = ("Node", "State", "Version", "Uptime", "Memory", "Processes", "Message queues", "Requests",
           "Open databases", "Auth cache")


def open_from_the_navigation(browser_page, server_has_it=True):
    page = browser_page.page
    browser_page.open("/")
    link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Cluster")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cluster" if server_has_it else LACKING_HEADING)
    return page


def no_errors(browser_page, status=None):
    """No script error, no refused content; the browser's note of the page's own status aside (e.g. a 501)."""
    own_status = f"the server responded with a status of {status}" if status else None
    return not [m for m in browser_page.console
                if (m[0] in ("pageerror", "error") and not (own_status and own_status in m[1]))
                or "Content Security Policy" in m[1]]


def test_an_admin_reads_every_node_and_opens_one_by_keyboard(admin_page, couch_server):
    page = open_from_the_navigation(admin_page, couch_server.is_apache_couchdb)
    if not couch_server.is_apache_couchdb:
        expect(page.get_by_test_id("server-lacks")).to_contain_text("pouchdb-server has no cluster to show")
        assert no_errors(admin_page, status=501), admin_page.console
        return
    membership = couch_server.admin_http().get(couch_server.url + "_membership", timeout=10).json()
    for header in HEADERS:
        expect(page.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    nodes = membership["cluster_nodes"]
    for node in nodes:
        expect(page.get_by_role("rowheader", name=node)).to_be_visible()
    if len(nodes) == 1:
        expect(page.get_by_test_id("single-node")).to_have_text(f"This is a single-node CouchDB ({nodes[0]}).")
    # The list refreshes itself (htmx, every 5 seconds): the time it was checked moves on without a reload.
    status = page.locator(".cluster-status")
    first = re.search(r"As of [0-9:]+", status.inner_text()).group()
    expect(status).not_to_contain_text(first, timeout=12_000)
    link = page.get_by_role("rowheader", name=nodes[0]).get_by_role("link")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Node {nodes[0]}")
    expect(page.get_by_test_id("node-state")).to_contain_text("Up")
    expect(page.get_by_role("table").first.get_by_role("columnheader", name="Part")).to_be_visible()
    assert no_errors(admin_page)


def test_a_member_is_told_the_page_is_for_server_admins(browser_page, personas):
    browser_page.log_in(personas["member"])
    page = browser_page.page
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Cluster")).to_have_count(0)
    browser_page.open("/cluster/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.get_by_test_id("missing-permission")).to_have_text("This needs a CouchDB server admin.")
