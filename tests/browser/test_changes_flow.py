"""In a real browser: the changes page shows new changes live, pauses and resumes, filters by keyboard,
and runs under the strict Content-Security-Policy without a console error."""

import pytest
from playwright.sync_api import expect

from tests.conftest import put_document


def rows(page):
    return page.get_by_test_id("changes").locator("tbody tr")


def test_new_changes_appear_live_and_stop_when_paused(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "first", {})
    admin_page.open(f"/db/{db}/changes/")
    page = admin_page.page
    expect(rows(page)).to_have_count(1)
    put_document(couch_server, db, "written/while watching", {"n": 1})
    expect(rows(page)).to_have_count(2, timeout=15_000)
    expect(rows(page).first).to_contain_text("written/while watching")
    expect(page.locator("#live-count")).to_contain_text("1 new change since this page was opened.")
    rows(page).first.get_by_role("link", name="written/while watching", exact=True).click()
    expect(page.locator("h1")).to_contain_text("written/while watching")
    page.go_back()  # the page as first served: live polling brings the new row back
    expect(rows(page).first).to_contain_text("written/while watching", timeout=15_000)
    rows(page).first.get_by_role("link", name="Revision 1-").click()
    expect(page.locator("main")).to_contain_text('"n": 1')
    page.go_back()

    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("live-bar")).to_contain_text("Paused.")
    shown = rows(page).count()
    put_document(couch_server, db, "while paused", {})
    page.wait_for_timeout(4_000)  # longer than one polling interval: nothing may arrive while paused
    expect(rows(page)).to_have_count(shown)
    page.get_by_test_id("resume").click()
    expect(rows(page).first).to_contain_text("while paused")
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []


def test_filter_by_keyboard_then_page_back(admin_page, make_database, couch_server):
    db = make_database(q=1)  # newest-first pages are exact on one shard only (CouchDB interleaves shards)
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": [
        *({"_id": f"order:{i:03d}"} for i in range(60)), *({"_id": f"user:{i}"} for i in range(5))]}
    ).raise_for_status()
    admin_page.open(f"/db/{db}/changes/")
    page = admin_page.page
    page.get_by_label("Document id starts with").fill("order:")
    page.get_by_label("Document id starts with").press("Enter")
    expect(rows(page)).to_have_count(50)
    expect(page.get_by_test_id("changes")).not_to_contain_text("user:")
    page.get_by_role("link", name="Older 50").focus()
    page.keyboard.press("Enter")
    expect(rows(page)).to_have_count(10)
    expect(page.get_by_label("Document id starts with")).to_have_value("order:")
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []


@pytest.mark.couchdb3
def test_a_selector_typed_wrong_is_kept_and_explained(admin_page, make_database):
    db = make_database()
    admin_page.open(f"/db/{db}/changes/")
    page = admin_page.page
    page.get_by_label("Mango selector").fill('{"kind": ')
    page.get_by_role("button", name="Show changes").click()
    expect(page.get_by_role("alert").first).to_contain_text("Invalid JSON")
    expect(page.get_by_label("Mango selector")).to_have_value('{"kind": ')


def test_the_live_refresh_keeps_the_keyboard_focus(admin_page, make_database, couch_server):
    db = make_database()
    admin_page.open(f"/db/{db}/changes/")
    page = admin_page.page
    pause = page.get_by_test_id("pause")
    pause.focus()
    put_document(couch_server, db, "arrives", {})
    expect(rows(page)).to_have_count(1, timeout=15_000)  # the poll swapped the bar holding the link
    page.wait_for_timeout(500)
    assert page.evaluate("document.activeElement.dataset.testid") == "pause"
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("live-bar")).to_contain_text("Paused.")


def test_a_document_deleted_while_watching_leaves_one_row_its_deletion(admin_page, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "doomed", {"n": 1})
    put_document(couch_server, db, "other", {})
    admin_page.open(f"/db/{db}/changes/")
    page = admin_page.page
    expect(rows(page)).to_have_count(2)
    couch_server.admin_http().delete(f"{couch_server.url}{db}/doomed", params={"rev": rev}).raise_for_status()
    expect(rows(page).first).to_contain_text("deleted", timeout=15_000)
    expect(rows(page)).to_have_count(2)  # the old row of "doomed" went when its deletion arrived
    expect(page.locator('#change-rows tr[data-id="doomed"]')).to_have_count(1)
    put_document(couch_server, db, "other", {"_rev": fetch_rev(couch_server, db, "other"), "n": 2})
    expect(rows(page).first).to_contain_text("other", timeout=15_000)
    expect(rows(page)).to_have_count(2)
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []


def fetch_rev(couch_server, db, docid):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{docid}").json()["_rev"]
