"""In Chromium (issue 24): renaming onto a taken name asks first and says what goes; so does a dropped file
with a taken name, which is stored only after "Replace it"."""

from playwright.sync_api import expect

from tests.conftest import put_document

DROP_PIC = """() => {
  const transfer = new DataTransfer();
  transfer.items.add(new File(["not a picture"], "pic.png", {type: "image/png"}));
  return transfer;
}"""
PNG = b"\x89PNG\r\n\x1a\n" + bytes(7800)
NOTE = b"a note of twenty-three."


def holder(couch_server, db):
    http = couch_server.admin_http()
    rev = put_document(couch_server, db, "holder", {"title": "files"})
    rev = http.put(f"{couch_server.url}{db}/holder/note.txt", params={"rev": rev}, data=NOTE,
                   headers={"Content-Type": "text/plain"}).json()["rev"]
    http.put(f"{couch_server.url}{db}/holder/pic.png", params={"rev": rev}, data=PNG,
             headers={"Content-Type": "image/png"}).raise_for_status()
    return lambda name: http.get(f"{couch_server.url}{db}/holder/{name}")


def rename_note_to_pic(admin_page, db):
    admin_page.open(f"/db/{db}/doc/holder")
    page = admin_page.page
    page.get_by_label("New name for note.txt").fill("pic.png")
    page.locator('tr[data-attachment="note.txt"]').get_by_role("button", name="Rename").click()
    return page


def test_renaming_onto_a_taken_name_shows_what_goes_and_replaces_only_when_confirmed(admin_page, make_database,
                                                                                    couch_server):
    db = make_database()
    read = holder(couch_server, db)
    page = rename_note_to_pic(admin_page, db)
    warning = page.get_by_test_id("replace-warning")
    expect(warning).to_contain_text("already has an attachment named pic.png")
    expect(warning).to_contain_text("7.6 KiB")
    assert read("pic.png").content == PNG  # nothing happened yet
    page.get_by_role("button", name="Replace pic.png").click()
    expect(page.get_by_role("status")).to_contain_text("Renamed “note.txt” to “pic.png”")
    expect(page.locator('tr[data-attachment="note.txt"]')).to_have_count(0)
    expect(page.locator('tr[data-attachment="pic.png"] td[data-size="23"]')).to_be_visible()
    assert read("pic.png").content == NOTE and read("note.txt").status_code == 404


def test_cancelling_the_rename_keeps_both(admin_page, make_database, couch_server):
    db = make_database()
    read = holder(couch_server, db)
    page = rename_note_to_pic(admin_page, db)
    page.get_by_role("link", name="Cancel: keep both").click()
    expect(page.locator('tr[data-attachment="note.txt"]')).to_be_visible()
    assert read("pic.png").content == PNG and read("note.txt").content == NOTE


def test_a_dropped_file_with_a_taken_name_is_stored_only_after_replace_it(admin_page, make_database, couch_server):
    db = make_database()
    read = holder(couch_server, db)
    admin_page.open(f"/db/{db}/doc/holder")
    page = admin_page.page
    page.dispatch_event("#attachments", "drop", {"dataTransfer": page.evaluate_handle(DROP_PIC)})
    queue = page.locator("#upload-queue")
    expect(queue).to_contain_text("would replace the attachment “pic.png” (image/png, 7.6 KiB)")
    assert read("pic.png").content == PNG
    page.get_by_role("button", name="Replace the attachment pic.png with pic.png").click()
    expect(queue).to_contain_text("stored (replaced pic.png)")
    assert read("pic.png").content == b"not a picture"
    expect(page.locator('tr[data-attachment="pic.png"] td[data-size="13"]')).to_be_visible()
