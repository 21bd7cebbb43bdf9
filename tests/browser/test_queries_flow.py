"""In a real browser: a Mango query, its full-scan hint turned into an index, and a grouped _sum view."""

from playwright.sync_api import expect

DOCS = [{"_id": f"o{i:02d}", "type": "order" if i % 2 else "refund", "region": ["eu", "us", "apac"][i % 3],
         "amount": i} for i in range(12)]


def test_a_mango_query_then_the_suggested_index_then_the_rerun(admin_page, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": DOCS}).raise_for_status()
    admin_page.open(f"/db/{db}/mango/")
    page = admin_page.page
    page.get_by_label("Selector (JSON)").fill('{"type": "refund"}')
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.get_by_test_id("mango-results").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("explain")).to_contain_text("This query scans every document")
    page.get_by_role("button", name="Create this index and run again").click()
    expect(page.get_by_test_id("explain-index")).to_be_visible()
    expect(page.get_by_test_id("explain")).not_to_contain_text("scans every document")
    expect(page.get_by_test_id("mango-results").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("query-history")).to_contain_text('{"type": "refund"}')


def test_a_view_with_sum_is_created_and_run_grouped(admin_page, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": DOCS}).raise_for_status()
    admin_page.open(f"/db/{db}/design/")
    page = admin_page.page
    page.get_by_label("Design document name (after _design/)").fill("report")
    page.get_by_role("button", name="Create design document").click()
    new_view = page.get_by_role("group", name="New view")
    new_view.get_by_label("Name").fill("by_region")
    new_view.get_by_label("Map function").fill("function (doc) { emit(doc.region, doc.amount); }")
    new_view.get_by_label("Reduce", exact=True).select_option("_sum")
    page.get_by_role("button", name="Save design document").click()
    expect(page.get_by_role("status")).to_contain_text("Saved _design/report")
    page.get_by_role("link", name="Run by_region").click()
    page.get_by_label("group", exact=True).check()
    page.get_by_role("button", name="Run", exact=True).click()
    rows = page.get_by_test_id("view-rows").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text('"apac"')
    expect(rows.nth(0)).to_contain_text("26")  # 2 + 5 + 8 + 11
