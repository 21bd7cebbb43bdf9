"""In a real browser: drop files with progress, download them byte for byte, hostile files never run."""

from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import expect

from tests.conftest import put_document
from tests.support.data import HOSTILE

DROP_TWO_FILES = """() => {
  const transfer = new DataTransfer();
  transfer.items.add(new File(["hello, couch"], "hello.txt", {type: "text/plain"}));
  transfer.items.add(new File([new Uint8Array(Array.from({length: 5000}, (_, i) => i % 256))], "data.bin",
                              {type: "application/octet-stream"}));
  return transfer;
}"""




def test_two_dropped_files_upload_with_progress_and_download_byte_for_byte(admin_page, make_database,
                                                                             couch_server):
    db = make_database()
    put_document(couch_server, db, "box", {"title": "box"})
    admin_page.open(f"/db/{db}/doc/box")
    page = admin_page.page
    transfer = page.evaluate_handle(DROP_TWO_FILES)
    page.dispatch_event("#attachments", "drop", {"dataTransfer": transfer})
    expect(page.get_by_role("progressbar", name="Upload of hello.txt")).to_have_attribute("value", "100")
    expect(page.locator('tr[data-attachment="hello.txt"] td[data-size="12"]')).to_be_visible()
    expect(page.locator('tr[data-attachment="data.bin"]')).to_contain_text("4.9 KiB")
    with page.expect_download() as download:
        page.get_by_role("link", name="data.bin").click()
    assert Path(download.value.path()).read_bytes() == bytes(i % 256 for i in range(5000))
    stored = couch_server.admin_http().get(f"{couch_server.url}{db}/box").json()
    assert set(stored["_attachments"]) == {"hello.txt", "data.bin"} and stored["title"] == "box"


def test_after_an_upload_the_document_page_shows_the_new_rev_and_deletes_cleanly(admin_page, make_database,
                                                                                  couch_server):
    db = make_database()
    first = put_document(couch_server, db, "box", {"title": "box"})
    admin_page.open(f"/db/{db}/doc/box")
    page = admin_page.page
    page.get_by_label("Choose files to upload").set_input_files(
        {"name": "note.txt", "mimeType": "text/plain", "buffer": b"hello"})
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator('tr[data-attachment="note.txt"]')).to_be_visible()
    stored = couch_server.admin_http().get(f"{couch_server.url}{db}/box").json()
    expect(page.get_by_test_id("current-rev")).to_have_text(stored["_rev"])
    assert stored["_rev"] != first
    expect(page.get_by_test_id("document-meta")).to_contain_text("Attachments1")
    page.get_by_role("link", name="Delete…").first.click()
    page.get_by_role("button", name="Delete document").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted")
    assert couch_server.admin_http().get(f"{couch_server.url}{db}/box").status_code == 404


def test_an_upload_keeps_unsaved_edits_in_the_editor(admin_page, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "draft", {"title": "old"})
    admin_page.open(f"/db/{db}/edit/draft")
    page = admin_page.page
    page.get_by_label("Value of field title").fill("new, not saved yet")
    page.get_by_label("Choose files to upload").set_input_files(
        {"name": "photo.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"})
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("progressbar", name="Upload of photo.png")).to_have_attribute("value", "100")
    expect(page.locator('tr[data-attachment="photo.png"]')).to_be_visible()
    expect(page.get_by_label("Value of field title")).to_have_value("new, not saved yet")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    stored = couch_server.admin_http().get(f"{couch_server.url}{db}/draft").json()
    assert stored["title"] == "new, not saved yet" and "photo.png" in stored["_attachments"]


def test_files_dropped_on_the_database_page_become_a_new_document(admin_page, make_database, couch_server):
    db = make_database()
    admin_page.open(f"/db/{db}/")
    page = admin_page.page
    transfer = page.evaluate_handle(DROP_TWO_FILES)
    page.dispatch_event("[data-create-url]", "drop", {"dataTransfer": transfer})
    expect(page.locator('tr[data-attachment="hello.txt"]')).to_be_visible()
    expect(page.locator('tr[data-attachment="data.bin"]')).to_be_visible()


def test_hostile_html_and_svg_attachments_never_run_script(admin_page, make_database, couch_server):
    import base64

    db = make_database()
    attachments = {name: {"content_type": "text/html" if name.endswith(".html") else "image/svg+xml",
                          "data": base64.b64encode(body.encode()).decode()}
                   for name, body in HOSTILE["attachment_bodies"].items()}
    put_document(couch_server, db, "hostile", {"_attachments": attachments})
    admin_page.open(f"/db/{db}/doc/hostile")
    page = admin_page.page
    expect(page.locator('tr[data-attachment="evil.svg"]')).to_be_visible()
    assert page.locator("img.preview").count() == 0  # SVG is never previewed inline
    for name in HOSTILE["attachment_bodies"]:
        for extra in ("", "&inline=1"):
            url = f"{admin_page.base_url}/db/{db}/attachment/hostile?name={quote(name)}{extra}"
            with page.expect_download() as download:
                page.evaluate("url => { window.location.href = url; }", url)
            assert download.value.suggested_filename == name
    page.wait_for_timeout(300)
    assert admin_page.dialogs == []
    assert not [text for _, text in admin_page.console if "svg" in text or "html" in text or "img" in text]


def test_a_cancelled_upload_stores_nothing(admin_page, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "slow", {"title": "slow"})
    admin_page.open(f"/db/{db}/doc/slow")
    page = admin_page.page
    held = []
    page.route("**/upload/slow", lambda route: held.append(route))  # the upload never reaches the server
    page.get_by_label("Choose files to upload").set_input_files(
        {"name": "never.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 10_000})
    page.get_by_role("button", name="Upload", exact=True).click()
    page.get_by_role("button", name="Cancel upload of never.bin").click()
    expect(page.get_by_text("cancelled — nothing stored")).to_be_visible()
    stored = couch_server.admin_http().get(f"{couch_server.url}{db}/slow").json()
    assert stored["_rev"] == rev and "_attachments" not in stored


def test_the_upload_says_when_the_bytes_are_sent_and_couchdb_is_still_storing(admin_page, make_database,
                                                                              couch_server):
    from django.test import override_settings

    from tests.support.proxy import RecordingProxy

    db = make_database()
    put_document(couch_server, db, "box", {"title": "box"})
    proxy = RecordingProxy(couch_server.url)
    try:
        with override_settings(COUCHDB_URL=proxy.url):
            admin_page.open(f"/db/{db}/doc/box")
            page = admin_page.page
            proxy.hold("PUT")  # CouchDB "stores" until the test lets the request through
            page.get_by_label("Choose files to upload").set_input_files(
                {"name": "big.bin", "mimeType": "application/octet-stream", "buffer": b"x" * 2_000_000})
            page.get_by_role("button", name="Upload", exact=True).click()
            status = page.locator(".upload-queue li", has_text="big.bin").locator(".upload-status")
            expect(status).to_have_text("sent; CouchDB is storing it…")
            expect(page.get_by_role("progressbar", name="Upload of big.bin")).not_to_have_attribute("value", "100")
            proxy.release()
            expect(page.locator('tr[data-attachment="big.bin"]')).to_be_visible()
    finally:
        proxy.close()
