"""In a real browser: a 409 merges three ways and Ctrl+S saves the merge; resolving conflicts ignores
nothing that arrived after the page loaded."""

from playwright.sync_api import expect

from tests.conftest import fetch_document, put_document

A, B, C = ("1-" + ch * 32 for ch in "abc")


def test_a_form_edit_and_someone_elses_edit_both_survive_the_conflict(admin_page, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "order", {"text": "hello", "ok": False, "price": 10})
    admin_page.open(f"/db/{db}/edit/order")
    page = admin_page.page
    page.get_by_label("Value of field price").fill("12")
    page.get_by_label("Value of field ok").select_option("true")
    put_document(couch_server, db, "order", {"_rev": rev, "text": "hello, world", "ok": False, "price": 10,
                                             "curl_added": 1})
    page.get_by_role("button", name="Save").first.click()
    summary = page.get_by_test_id("merge-summary")
    expect(summary).to_contain_text("Their changes, which Save keeps: text, curl_added.")
    expect(summary).to_contain_text("Your changes, which Save keeps: ok, price.")
    expect(page.get_by_test_id("conflict-panel")).to_contain_text("discards their changes to text, curl_added")
    expect(page.get_by_label("Value of field price")).to_have_value("12")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status")).to_contain_text("keeping the other person's changes to text, curl_added")
    saved = fetch_document(couch_server, db, "order")
    assert (saved["text"], saved["ok"], saved["price"], saved["curl_added"]) == ("hello, world", True, 12, 1)


def test_a_field_both_changed_is_chosen_with_the_keyboard(admin_page, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "price", {"price": 10, "note": ""})
    admin_page.open(f"/db/{db}/edit/price?mode=text")
    page = admin_page.page
    page.get_by_label("Document JSON").fill('{"price": 12, "note": "mine"}')
    put_document(couch_server, db, "price", {"_rev": rev, "price": 11, "note": ""})
    page.keyboard.press("Control+s")
    row = page.get_by_test_id("overlaps").locator('tr[data-path="price"]')
    expect(row).to_contain_text("10")
    row.get_by_label("yours").focus()
    page.keyboard.press("ArrowRight")  # radios move with the arrow keys
    expect(row.get_by_label("theirs")).to_be_checked()
    page.get_by_role("button", name="Save", exact=False).first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    saved = fetch_document(couch_server, db, "price")
    assert (saved["price"], saved["note"]) == (11, "mine")


def test_resolving_refuses_when_a_new_conflict_arrived_and_then_keeps_the_choice(admin_page, make_database,
                                                                                 couch_server):
    db = make_database()
    http = couch_server.admin_http()

    def branch(*leaves):
        http.post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
            {"_id": "split", "_rev": rev, "v": v} for rev, v in leaves]}).raise_for_status()

    branch((A, "A"), (B, "B"))
    admin_page.open(f"/db/{db}/resolve/split")
    page = admin_page.page
    expect(page.locator(".candidate")).to_have_count(2)
    branch((C, "C"))
    page.get_by_label(A).check()
    page.get_by_role("button", name="Keep the chosen revision and remove the others").click()
    expect(page.get_by_role("alert")).to_contain_text(f"new: {C}")
    expect(page.locator(".candidate")).to_have_count(3)
    doc = http.get(f"{couch_server.url}{db}/split", params={"conflicts": "true"}).json()
    assert sorted([doc["_rev"], *doc["_conflicts"]]) == [A, B, C]

    page.get_by_label(A).check()
    page.get_by_role("button", name="Keep the chosen revision and remove the others").click()
    expect(page.get_by_role("status")).to_contain_text("removed 2 conflicting revision(s)")
    doc = http.get(f"{couch_server.url}{db}/split", params={"conflicts": "true"}).json()
    assert doc["v"] == "A" and "_conflicts" not in doc and doc["_rev"].startswith("2-")


def test_choosing_a_revision_puts_its_body_in_the_box_but_never_over_an_edit(admin_page, make_database,
                                                                             couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "pick", "_rev": A, "v": "A"}, {"_id": "pick", "_rev": B, "v": "B"}]}).raise_for_status()
    admin_page.open(f"/db/{db}/resolve/pick")
    page = admin_page.page
    box = page.get_by_label("Body to save (JSON); leave as it is to keep the chosen revision unchanged")
    expect(box).to_have_value('{\n  "v": "B"\n}')
    page.locator(f'input[name="keep"][value="{A}"]').check()
    expect(box).to_have_value('{\n  "v": "A"\n}')
    expect(page.get_by_test_id("box-source")).to_contain_text(A)
    box.fill('{"v": "mine"}')
    page.locator(f'input[name="keep"][value="{B}"]').check()
    page.wait_for_timeout(500)
    expect(box).to_have_value('{"v": "mine"}')  # an edited box stays as typed
    page.get_by_role("button", name="Keep the chosen revision and remove the others").click()
    expect(page.locator("h1")).to_contain_text("pick")
    assert fetch_document(couch_server, db, "pick")["v"] == "mine"
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []


def test_without_javascript_a_link_puts_a_revisions_body_in_the_box(browser_page, personas, make_database,
                                                                   couch_server, chromium, dashboard_url):
    from tests.browser.conftest import Page

    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "nojs", "_rev": A, "v": "A"}, {"_id": "nojs", "_rev": B, "v": "B"}]}).raise_for_status()
    context = chromium.new_context(java_script_enabled=False)
    try:
        plain = Page(context, dashboard_url)
        plain.log_in(personas["admin"])
        plain.open(f"/db/{db}/resolve/nojs")
        page = plain.page
        page.locator(f'.candidate[data-rev="{A}"]').get_by_test_id("choose-body").click()
        box = page.get_by_label("Body to save (JSON); leave as it is to keep the chosen revision unchanged")
        expect(box).to_have_value('{\n  "v": "A"\n}')
        expect(page.locator(f'input[name="keep"][value="{A}"]')).to_be_checked()
        page.get_by_role("button", name="Keep the chosen revision and remove the others").click()
        assert fetch_document(couch_server, db, "nojs")["v"] == "A"
    finally:
        context.close()
