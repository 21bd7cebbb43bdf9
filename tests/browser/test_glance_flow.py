"""In Chromium: the revision tree of a conflicted document shows its branches and a click on the losing leaf
opens that revision; the databases page shows bars; both pages pass axe-core in light and dark mode."""

import uuid

from playwright.sync_api import expect

from tests.browser.test_accessibility import run_axe
from tests.conftest import RUN_ID

A, WIN, LOSE = "a" * 32, "f" * 32, "1" * 32


def _conflicted(couch_server, db):
    http = couch_server.admin_http()
    http.post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "split", "_rev": f"1-{A}", "v": "base"},
        {"_id": "split", "_rev": f"2-{WIN}", "_revisions": {"start": 2, "ids": [WIN, A]}, "v": "winner"},
        {"_id": "split", "_rev": f"2-{LOSE}", "_revisions": {"start": 2, "ids": [LOSE, A]}, "v": "loser"},
    ]}, timeout=10).raise_for_status()


def _no_severe_violation(page):
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        assert run_axe(page) == [], scheme


def test_the_tree_shows_two_branches_and_the_losing_leaf_opens_its_revision(admin_page, make_database,
                                                                            couch_server):
    db = make_database()
    _conflicted(couch_server, db)
    admin_page.open(f"/db/{db}/revisions/split")
    page = admin_page.page
    tree = page.get_by_test_id("revision-tree")
    expect(tree.locator("svg .revtree-node")).to_have_count(3)
    expect(tree.get_by_test_id("revision-tree-list").locator(":scope > li")).to_have_count(2)
    expect(tree.locator("svg .revtree-node.rt-winner")).to_have_attribute("data-rev", f"2-{WIN}")
    expect(tree.locator("svg path.revtree-edge.rt-winning")).to_have_count(1)
    _no_severe_violation(page)
    tree.locator(f'svg a[data-rev="2-{LOSE}"]').click()
    expect(page).to_have_url(f"{admin_page.base_url}/db/{db}/revisions/split?rev=2-{LOSE}#old-heading")
    expect(page.locator("#old-heading")).to_contain_text(f"2-{LOSE}")
    expect(page.get_by_test_id("revision-diff")).to_contain_text("loser")
    expect(tree.locator("svg .revtree-node.rt-focus")).to_have_attribute("data-rev", f"2-{LOSE}")
    # The same tree heads the conflicts page, and the list's links work from the keyboard.
    admin_page.open(f"/db/{db}/resolve/split")
    page.get_by_test_id("revision-tree-list").get_by_role("link", name=f"2-{LOSE}").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#old-heading")).to_contain_text(f"2-{LOSE}")
    assert not [m for m in admin_page.console if m[0] == "pageerror"]


def test_the_databases_page_shows_bars_beside_the_numbers(admin_page, make_database, couch_server):
    prefix = f"ca-{RUN_ID}-glance{uuid.uuid4().hex[:6]}-"
    http = couch_server.admin_http()
    for i, count in enumerate((1, 4)):
        name = make_database(f"{prefix}{i}")
        http.post(f"{couch_server.url}{name}/_bulk_docs", json={"docs": [{"n": n} for n in range(count)]},
                  timeout=10).raise_for_status()
    admin_page.open(f"/?prefix={prefix}")
    page = admin_page.page
    bars = page.locator("svg.bar.bar-docs")
    expect(bars).to_have_count(2)
    widths = [bars.nth(i).locator(".bar-fill").get_attribute("width") for i in range(2)]
    assert widths == ["25", "100"]
    box = bars.nth(1).bounding_box()
    assert box and box["width"] > 20 and box["height"] > 4  # drawn, not collapsed by the CSP or the layout
    expect(page.get_by_test_id("database-table")).to_contain_text("4")
    _no_severe_violation(page)
