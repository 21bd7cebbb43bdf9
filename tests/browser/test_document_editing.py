"""In a real browser: the form editor, the JSON text editor, conflicts, bulk delete, exact numbers."""


from django.test import override_settings
from playwright.sync_api import expect

from tests.conftest import fetch_document, put_document
from tests.support.proxy import RecordingProxy


def test_a_nested_document_is_edited_in_the_form_and_saved(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "nested", {"customer": {"name": "Ann", "tags": ["a"]}, "n": 1})
    admin_page.open(f"/db/{db}/edit/nested")
    page = admin_page.page
    page.get_by_label("Value of field name").fill("Bea")
    page.get_by_role("group", name="Field tags").get_by_role("button", name="Add item").click()
    page.get_by_label("Value of item 1").fill("b")
    page.get_by_role("button", name="Add field").last.click()
    page.get_by_label("Name of field field3").fill("paid")
    page.get_by_label("Type of field field3").select_option("boolean")  # re-renders with the new name
    page.get_by_label("Value of field paid").select_option("true")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    saved = fetch_document(couch_server, db, "nested")
    assert saved["customer"] == {"name": "Bea", "tags": ["a", "b"]}
    assert saved["paid"] is True and saved["n"] == 1


def test_a_syntax_error_names_line_and_column_then_the_fix_saves(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "typo", {"v": 1})
    admin_page.open(f"/db/{db}/edit/typo?mode=text")
    page = admin_page.page
    editor = page.get_by_label("Document JSON")
    editor.fill('{\n  "v": 2,\n  "w" 3\n}')
    expect(page.locator("#json-status")).to_have_text(
        "Line 3, column 7: Expected “:” after the member name, found “3”.")
    page.keyboard.press("Control+s")
    expect(page.get_by_test_id("editor-error")).to_contain_text("line 3, column 7")
    expect(page.get_by_label("Document JSON")).to_have_value('{\n  "v": 2,\n  "w" 3\n}')
    # The caret waits where the mistake is, not at the start of its line.
    assert page.get_by_label("Document JSON").evaluate("t => t.selectionStart") == len('{\n  "v": 2,\n  "w" ')
    page.get_by_label("Document JSON").fill('{\n  "v": 2,\n  "w": 3\n}')
    expect(page.locator("#json-status")).to_have_text("Valid JSON.")
    page.keyboard.press("Control+s")
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert fetch_document(couch_server, db, "typo")["w"] == 3


def test_the_live_check_names_line_and_column_for_every_kind_of_mistake(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "typo", {"v": 1})
    admin_page.open(f"/db/{db}/edit/typo?mode=text")
    page = admin_page.page
    status = page.locator("#json-status")
    for text, expected in [('{"a": tru}', "Line 1, column 7: Expected a value"),
                           ('{"a": 1,}', "Line 1, column 9: Expected a member name in double quotes"),
                           ('[1, 2', "Line 1, column 6: Expected “,” or “]”, found the end of the text."),
                           ('{"a": "b\u0007"}', "Line 1, column 7: A string is not closed"),
                           ('{"a": 1} x', "Line 1, column 10: Expected the end of the text"),
                           ('\n\n  {"deep": ' + "[" * 5000 + "]" * 5000 + "}", "Valid JSON.")]:
        page.get_by_label("Document JSON").fill(text)
        expect(status).to_contain_text(expected)


def test_switching_editors_keeps_the_edit(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "switch", {"v": 1})
    admin_page.open(f"/db/{db}/edit/switch")
    page = admin_page.page
    page.get_by_label("Value of field v").fill("5")
    page.get_by_role("button", name="JSON text").click()
    expect(page.get_by_label("Document JSON")).to_have_value('{\n  "v": 5\n}')
    page.get_by_label("Document JSON").fill('{"v": 6, "extra": "x"}')
    page.get_by_role("button", name="Form", exact=True).click()
    expect(page.get_by_label("Value of field v")).to_have_value("6")
    expect(page.get_by_label("Value of field extra")).to_have_value("x")


def test_a_conflict_shows_both_versions_and_saves_mine_over_theirs(admin_page, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "race", {"who": "start"})
    admin_page.open(f"/db/{db}/edit/race")
    page = admin_page.page
    page.get_by_label("Value of field who").fill("me")
    put_document(couch_server, db, "race", {"_rev": rev, "who": "them"})
    page.get_by_role("button", name="Save").first.click()
    panel = page.get_by_test_id("conflict-panel")
    expect(panel).to_contain_text("changed while you edited it")
    overlap = page.get_by_test_id("overlaps").locator('tr[data-path="who"]')
    expect(overlap).to_contain_text('"start"')
    expect(overlap).to_contain_text('"them"')
    expect(overlap).to_contain_text('"me"')
    expect(panel).to_contain_text("discards their changes to who")
    expect(page.get_by_label("Value of field who")).to_have_value("me")
    page.get_by_role("button", name="Save mine over the new revision").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert fetch_document(couch_server, db, "race")["who"] == "me"


def test_selected_documents_are_deleted_after_confirmation(admin_page, make_database, couch_server):
    db = make_database()
    for docid in ("keep", "gone-1", "gone-2"):
        put_document(couch_server, db, docid, {"x": 1})
    admin_page.open(f"/db/{db}/")
    page = admin_page.page
    page.get_by_label("Select gone-1").check()
    page.get_by_label("Select gone-2").check()
    page.get_by_role("button", name="Delete selected…").click()
    expect(page.get_by_test_id("bulk-delete-list")).to_contain_text("gone-1")
    expect(page.get_by_test_id("bulk-delete-list")).to_contain_text("gone-2")
    page.get_by_role("button", name="Delete these documents").click()
    expect(page.get_by_test_id("bulk-results")).to_contain_text("deleted")
    assert fetch_document(couch_server, db, "gone-1").get("error") == "not_found"
    assert fetch_document(couch_server, db, "keep")["x"] == 1


def test_a_big_integer_reaches_couchdb_unchanged_after_form_and_text_editing(admin_page, make_database,
                                                                               couch_server):
    db = make_database()
    put_document(couch_server, db, "numbers", {"small": 1})
    proxy = RecordingProxy(couch_server.url)
    try:
        with override_settings(COUCHDB_URL=proxy.url):
            admin_page.open(f"/db/{db}/edit/numbers?mode=text")
            page = admin_page.page
            page.get_by_label("Document JSON").fill('{"small": 1, "big": 9007199254740993}')
            page.get_by_role("button", name="Form", exact=True).click()
            expect(page.get_by_label("Value of field big")).to_have_value("9007199254740993")
            page.get_by_label("Value of field small").fill("2")
            page.get_by_role("button", name="Save").first.click()
            expect(page.get_by_role("status")).to_contain_text("Saved")
            sent = proxy.bodies("PUT")[-1]
            assert '"big":9007199254740993' in sent and '"small":2' in sent
    finally:
        proxy.close()
