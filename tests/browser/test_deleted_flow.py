"""In a real browser: a member reaches a database's deleted documents from its navigation, restores one by
keyboard, and sees the document back with its body, under the strict Content-Security-Policy."""

from playwright.sync_api import expect

from tests.conftest import TEAM, fetch_document, put_document


def test_a_member_restores_a_deleted_document_by_keyboard(browser_page, personas, make_database, couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "still here", {})
    rev = put_document(couch_server, db, "deleted by/mistake?", {"customer": "Ada <ada@example.org>", "total": 42})
    http = couch_server.admin_http()
    http.delete(f"{couch_server.url}{db}/deleted%20by%2Fmistake%3F", params={"rev": rev}).raise_for_status()

    browser_page.log_in(personas["member"])
    browser_page.open(f"/db/{db}/")
    page = browser_page.page
    page.get_by_role("navigation", name="Database").get_by_role("link", name="Deleted documents").click()
    rows = page.get_by_test_id("deleted").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("deleted by/mistake?")
    expect(rows.first).to_contain_text("Ada <ada@example.org>")
    restore = page.get_by_role("button", name="Restore deleted by/mistake?")
    for _ in range(60):  # reach the button with Tab alone, as a keyboard user does
        page.keyboard.press("Tab")
        if restore.evaluate("button => button === document.activeElement"):
            break
    expect(restore).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("deleted by/mistake?")
    expect(page.locator(".messages")).to_contain_text("Restored the document as revision 3-")
    expect(page.get_by_test_id("document-json")).to_contain_text('"customer": "Ada <ada@example.org>"')
    assert fetch_document(couch_server, db, "deleted by/mistake?")["_rev"].startswith("3-")

    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=db).click()
    page.get_by_role("navigation", name="Database").get_by_role("link", name="Deleted documents").click()
    expect(page.get_by_test_id("no-deleted")).to_be_visible()
    assert [m for m in browser_page.console if m[0] in ("error", "pageerror")] == []
