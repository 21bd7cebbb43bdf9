"""In a real browser, a CouchDB slower than the dashboard waits (a proxy holds its answers back,
tests/support/slow_couchdb.py): a list asked for by htmx says so where its rows were, instead of nothing happening."""

from playwright.sync_api import expect

DOCS = [{"_id": f"order-{i:02d}", "amount": i} for i in range(5)]


def test_a_slow_document_list_asked_by_htmx_says_it_is_slow_where_the_rows_were(admin_page, make_database,
                                                                                 couch_server, slow_couchdb, settings):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": DOCS}).raise_for_status()
    admin_page.open(f"/db/{db}/")
    page = admin_page.page
    expect(page.get_by_test_id("document-rows").locator("tbody tr")).to_have_count(5)
    settings.COUCHDB_URL, settings.COUCHDB_TIMEOUT = slow_couchdb.url, 0.5
    slow_couchdb.slow("GET", "/_all_docs", after=2.0)
    page.get_by_label("Jump to id (prefix)").fill("order-03")
    page.get_by_label("Jump to id (prefix)").press("Enter")
    slow = page.get_by_test_id("slow")
    expect(slow).to_contain_text("CouchDB is taking longer than 0.5 seconds to answer")
    expect(slow).to_contain_text("one slow or overloaded node holds up the list")
    expect(page.get_by_test_id("document-rows")).to_have_count(0)
    expect(page.get_by_label("Jump to id (prefix)")).to_have_value("order-03")
    expect(page.get_by_role("heading", level=1)).to_have_text(db)  # the page around the rows stays
    slow_couchdb.clear()
    page.get_by_test_id("ask-again").click()
    expect(page.get_by_test_id("document-rows").locator("tbody tr")).to_have_count(1)
