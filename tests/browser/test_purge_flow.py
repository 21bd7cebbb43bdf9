"""In Chromium, by keyboard only: from a conflicted document's page to its purge page, a mistyped id refused with
the choices kept, then the losing leaf purged while the winner stays (Apache CouchDB 3 only: pouchdb-server has no
_purge)."""

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import expect

WINNER, ROOT, LOSER = "2-" + "c" * 32, "1-" + "a" * 32, "1-" + "b" * 32
DOCID = "team/order #7 & ünï"


@pytest.mark.couchdb3
def test_a_losing_leaf_is_purged_by_keyboard_after_typing_the_id(admin_page, make_database, couch_server):
    db = make_database()
    http = couch_server.admin_http()
    http.post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": DOCID, "_rev": LOSER, "v": "loser"},
        {"_id": DOCID, "_rev": WINNER, "v": "winner", "_revisions": {"start": 2, "ids": ["c" * 32, "a" * 32]}}]},
        timeout=10).raise_for_status()
    admin_page.open(reverse("browser:document", kwargs={"db": db, "docid": DOCID}))
    page = admin_page.page
    page.get_by_role("link", name="Purge…").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("purge-leaves")).to_contain_text(LOSER)

    page.get_by_label("Only the leaf revisions I tick").focus()
    page.keyboard.press("Space")
    page.get_by_label(LOSER, exact=False).focus()
    page.keyboard.press("Space")
    page.get_by_label("Type the document id to confirm").focus()
    page.keyboard.type(DOCID[:-1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("not this document's id")
    expect(page.get_by_label("Type the document id to confirm")).to_have_value(DOCID[:-1])
    expect(page.get_by_label(LOSER, exact=False)).to_be_checked()

    page.get_by_label("Type the document id to confirm").focus()
    page.keyboard.press("End")
    page.keyboard.type(DOCID[-1])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("purged-revs")).to_contain_text(LOSER)
    expect(page.get_by_test_id("purge-remaining")).to_be_visible()
    doc = http.get(f"{couch_server.url}{db}/{requests.utils.quote(DOCID, safe='')}", params={"conflicts": "true"},
                   timeout=10).json()
    assert doc["_rev"] == WINNER and "_conflicts" not in doc
    page.get_by_role("link", name="Open the document").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-rev")).to_have_text(WINNER)
    # The refused confirmation's 400 is logged as a failed load; nothing else may be.
    assert not [m for m in admin_page.console if m[0] == "pageerror" or "Content Security Policy" in m[1]]
