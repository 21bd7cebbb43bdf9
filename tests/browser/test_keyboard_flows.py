"""In a real browser, keyboard only (Tab, typing, Enter, Space, arrows; never the mouse): log in, create a
database, edit a document in the form, upload a file, grant access. Each control is reached by Tab, so the
tab order itself is tested, and focus stays visible."""

import uuid

from playwright.sync_api import expect

from tests.conftest import RUN_ID, TEAM, fetch_document, put_document

MOST_TABS = 120


def tab_to(page, locator):
    """Press Tab until the locator's element has the focus (at most MOST_TABS presses)."""
    target = locator.element_handle()
    for _ in range(MOST_TABS):
        if page.evaluate("el => document.activeElement === el", target):
            outline = page.evaluate("el => getComputedStyle(el).outlineStyle", target)
            assert outline != "none", "focus must stay visible"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def test_log_in_and_create_a_database_by_keyboard(browser_page, personas, drop_database_afterwards):
    page = browser_page.page
    browser_page.open("/login/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type(personas["admin"].name)
    page.keyboard.press("Tab")
    page.keyboard.type(personas["admin"].password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("who")).to_contain_text(personas["admin"].name)

    name = f"ca-{RUN_ID}-keys-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    tab_to(page, page.get_by_label("Database name", exact=True))
    page.keyboard.type(name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(name)
    assert [m for m in browser_page.console if m[0] in ("error", "pageerror")] == []


def test_edit_a_document_in_the_form_by_keyboard(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "note", {"title": "draft", "n": 1})
    admin_page.open(f"/db/{db}/edit/note")
    page = admin_page.page
    tab_to(page, page.get_by_label("Value of field title"))
    page.keyboard.press("Control+a")
    page.keyboard.type("final")
    tab_to(page, page.get_by_role("button", name="Save").first)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("Saved")
    assert fetch_document(couch_server, db, "note")["title"] == "final"


def test_upload_a_file_by_keyboard(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "box", {})
    admin_page.open(f"/db/{db}/doc/box")
    page = admin_page.page
    page.wait_for_load_state("networkidle")  # upload.js (deferred) has set up the panel
    tab_to(page, page.get_by_label("Choose files to upload"))
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files({"name": "keys.txt", "mimeType": "text/plain", "buffer": b"typed, not dropped"})
    tab_to(page, page.get_by_role("button", name="Upload", exact=True))
    page.keyboard.press("Enter")
    expect(page.locator('tr[data-attachment="keys.txt"]')).to_be_visible()
    assert "keys.txt" in fetch_document(couch_server, db, "box")["_attachments"]


def test_grant_access_by_keyboard(admin_page, make_database, couch_server, personas):
    db = make_database(security=TEAM)
    admin_page.open(f"/db/{db}/permissions/")
    page = admin_page.page
    tab_to(page, page.get_by_label("Section"))
    page.keyboard.press("ArrowDown")  # Admins → Members
    expect(page.get_by_label("Section")).to_have_value("members")
    tab_to(page, page.get_by_label("Name or role"))
    page.keyboard.type(personas["outsider"].name)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_test_id("members-names")).to_contain_text(personas["outsider"].name)
    security = couch_server.admin_http().get(f"{couch_server.url}{db}/_security", timeout=10).json()
    assert personas["outsider"].name in security["members"]["names"]
