"""In a real browser: a Mango query, its full-scan hint turned into an index (asked first on a big database), and
a grouped _sum view."""

import re

from playwright.sync_api import expect

from tests.conftest import bulk_docs

DOCS = [{"_id": f"o{i:02d}", "type": "order" if i % 2 else "refund", "region": ["eu", "us", "apac"][i % 3],
         "amount": i} for i in range(12)]


def run_mango_query(admin_page, make_database, couch_server, selector):
    """A new database holding DOCS, its Mango page, the selector typed and Run pressed."""
    db = make_database()
    bulk_docs(couch_server, db, DOCS)
    admin_page.open(f"/db/{db}/mango/")
    page = admin_page.page
    page.get_by_label("Selector (JSON)").fill(selector)
    page.get_by_role("button", name="Run", exact=True).click()
    return page


def test_a_mango_query_then_the_suggested_index_then_the_rerun(admin_page, make_database, couch_server):
    page = run_mango_query(admin_page, make_database, couch_server, '{"type": "refund"}')
    expect(page.get_by_test_id("mango-results").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("explain")).to_contain_text("This query scans every document")
    page.get_by_role("button", name="Create this index and run again").click()
    expect(page.get_by_test_id("explain-index")).to_be_visible()
    expect(page.get_by_test_id("explain")).not_to_contain_text("scans every document")
    expect(page.get_by_test_id("mango-results").locator("tbody tr")).to_have_count(6)
    expect(page.get_by_test_id("query-history")).to_contain_text('{"type": "refund"}')


def test_a_full_scan_of_a_big_database_is_explained_first_and_the_index_offer_runs_it(admin_page, make_database,
                                                                                       couch_server, settings):
    settings.MANGO_FULL_SCAN_CONFIRM_ABOVE = 10  # the 12 documents are a big database here
    page = run_mango_query(admin_page, make_database, couch_server, '{"region": "eu"}')
    expect(page.get_by_test_id("full-scan-held")).to_contain_text("This query scans every one of 12 documents")
    expect(page.get_by_test_id("results")).to_have_count(0)
    expect(page.get_by_label("Selector (JSON)")).to_have_value('{"region": "eu"}')
    expect(page.get_by_role("button", name="Run the full scan anyway")).to_be_visible()
    page.get_by_role("button", name="Create this index and run again").click()
    expect(page.get_by_test_id("explain-index")).to_contain_text("by-region")
    expect(page.get_by_test_id("mango-results").locator("tbody tr")).to_have_count(4)
    expect(page.get_by_test_id("full-scan-held")).to_have_count(0)
    expect(page.get_by_label("Selector (JSON)")).to_have_value('{"region": "eu"}')


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


def test_a_mango_query_by_keyboard_alone_pages_next_and_previous_and_reloads(admin_page, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": DOCS}).raise_for_status()
    admin_page.open(f"/db/{db}/mango/")
    page = admin_page.page
    selector = page.get_by_label("Selector (JSON)")
    selector.focus()
    page.keyboard.press("Control+a")
    page.keyboard.type('{"amount": {"$gte": 0}}')
    page.get_by_label("Limit").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")  # submits with the first button: Run
    rows = page.get_by_test_id("mango-results").locator("tbody tr")
    expect(rows).to_have_count(5)
    expect(page.get_by_test_id("results-status")).to_contain_text("Page 1: 5 documents")
    first_ids = rows.evaluate_all("rows => rows.map(r => r.dataset.id)")
    page.get_by_test_id("next-page").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("results-status")).to_contain_text("Page 2")
    expect(page).to_have_url(re.compile(r"[?&]bookmark="))
    second_ids = rows.evaluate_all("rows => rows.map(r => r.dataset.id)")
    assert len(second_ids) == 5 and not set(second_ids) & set(first_ids)
    page.reload()
    expect(page.get_by_test_id("results-status")).to_contain_text("Page 2")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.id)") == second_ids
    page.get_by_test_id("previous-page").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("results-status")).to_contain_text("Page 1")
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.id)") == first_ids


def test_a_view_opened_from_the_design_list_runs_at_once_and_shows_its_code(admin_page, make_database, couch_server):
    db = make_database()
    http = couch_server.admin_http()
    http.post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": DOCS}).raise_for_status()
    http.put(f"{couch_server.url}{db}/_design/report", json={"views": {"by_region": {
        "map": "function (doc) { emit(doc.region, doc.amount); }", "reduce": "_sum"}}}).raise_for_status()
    admin_page.open(f"/db/{db}/design/")
    page = admin_page.page
    page.get_by_role("link", name="report").first.click()
    page.get_by_role("link", name="Run by_region").click()
    expect(page.get_by_test_id("view-map")).to_have_text("function (doc) { emit(doc.region, doc.amount); }")
    expect(page.get_by_test_id("view-reduce")).to_have_text("_sum")
    expect(page.get_by_test_id("view-rows").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("view-rows")).to_contain_text("66")
    page.get_by_role("link", name="Show the map rows (reduce=false)").click()
    expect(page.get_by_test_id("view-rows").locator("tbody tr")).to_have_count(12)
