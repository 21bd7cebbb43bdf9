"""In a real browser: ids made of dot segments ("..", "a/../b", "%2e") open their own pages, never a neighbour's."""

import base64
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import put_document

DOT_IDS = [".", "..", "./dot", "a/../b", "...", "%2e", "a/%2E%2E/b", "x/."]
# What the WHATWG URL standard resolves as "." or "..", compared case-insensitively.
DOT_SEGMENTS = {".", "%2e", "..", ".%2e", "%2e.", "%2e%2e"}


@pytest.mark.parametrize("docid", DOT_IDS)
def test_a_dot_segment_id_is_created_edited_copied_and_deleted_by_clicking(admin_page, make_database,
                                                                            couch_server, docid):
    db = make_database()
    put_document(couch_server, db, "b", {"who": "b"})
    page = admin_page.page
    _create_through_the_new_document_form(admin_page, db, docid)
    _expect_own_page(page, docid, docid)

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_label("Value of field who")).to_have_value(docid)
    page.get_by_label("Value of field who").fill(f"edited {docid}")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    _expect_own_page(page, docid, f"edited {docid}")

    page.get_by_role("link", name="Revisions", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Revisions of {docid}")
    expect(page.get_by_test_id("revisions").locator("tbody tr")).to_have_count(2)
    _expect_no_dot_segment_in(page.url)
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name=docid, exact=True).click()
    _expect_own_page(page, docid, f"edited {docid}")

    copy_id = f"{docid}/.."
    page.get_by_label("Copy to id").fill(copy_id)
    page.get_by_role("button", name="Copy document").click()
    _expect_own_page(page, copy_id, f"edited {docid}")
    _delete_by_clicking(page, copy_id)

    page.get_by_test_id("document-rows").get_by_role("link", name=docid, exact=True).click()
    _expect_own_page(page, docid, f"edited {docid}")
    _delete_by_clicking(page, docid)

    assert _stored(couch_server, db, docid) is None and _stored(couch_server, db, copy_id) is None
    assert _stored(couch_server, db, "b")["who"] == "b"


@pytest.mark.parametrize("docid", ["..", "a/../b", "a/%2E%2E/b"])
def test_a_dot_segment_id_reaches_its_conflicts_and_attachments(admin_page, make_database, couch_server, docid):
    db = make_database()
    put_document(couch_server, db, "b", {"who": "b"})
    _store_with_a_conflict_and_an_attachment(couch_server, db, docid)
    page = admin_page.page
    admin_page.open(f"/db/{db}/")
    page.get_by_test_id("document-rows").get_by_role("link", name=docid, exact=True).click()
    expect(page.locator("h1.doc-id")).to_have_text(docid)

    with page.expect_download() as download:
        page.get_by_role("link", name="note.txt").click()
    assert Path(download.value.path()).read_bytes() == b"attached to the dotted id"
    page.get_by_label("Choose files to upload").set_input_files(
        {"name": "more.txt", "mimeType": "text/plain", "buffer": b"uploaded"})
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("progressbar", name="Upload of more.txt")).to_have_attribute("value", "100")
    expect(page.locator('tr[data-attachment="more.txt"]')).to_be_visible()
    page.reload()

    page.get_by_role("link", name="conflicting revision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Conflicts of {docid}")
    _expect_no_dot_segment_in(page.url)
    page.locator(".candidate").last.get_by_role("radio").check()
    page.get_by_role("button", name="Keep the chosen revision and remove the others").click()
    expect(page.get_by_role("status")).to_contain_text("Kept revision")
    expect(page.locator("h1.doc-id")).to_have_text(docid)
    assert _stored(couch_server, db, "b")["who"] == "b"


def _create_through_the_new_document_form(admin_page, db, docid):
    page = admin_page.page
    admin_page.open(f"/db/{db}/")
    page.get_by_role("link", name="New document").click()
    page.get_by_label("Document id").fill(docid)
    page.get_by_label("Document JSON").fill(json.dumps({"who": docid}))
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Created")


def _expect_own_page(page, docid, who):
    expect(page.locator("h1.doc-id")).to_have_text(docid)
    expect(page.get_by_test_id("document-json")).to_contain_text(f'"who": {json.dumps(who)}')
    _expect_no_dot_segment_in(page.url)


def _expect_no_dot_segment_in(url):
    assert not [s for s in urlsplit(url).path.split("/") if s.lower() in DOT_SEGMENTS], url


def _delete_by_clicking(page, docid):
    page.get_by_role("link", name="Delete…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete {docid}?")
    page.get_by_role("button", name="Delete document").click()
    expect(page.get_by_role("status")).to_contain_text(f"Deleted “{docid}”")


def _stored(couch_server, db, docid):
    """The document as the server holds it, None once deleted: asked by key, so no dot ever enters a URL."""
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_all_docs", params={"include_docs": "true"},
                                            json={"keys": [docid]}, timeout=10)
    answer.raise_for_status()
    return answer.json()["rows"][0].get("doc")


def _store_with_a_conflict_and_an_attachment(couch_server, db, docid):
    note = base64.b64encode(b"attached to the dotted id").decode()
    docs = [{"_id": docid, "_rev": "1-aaaa", "who": "one",
             "_attachments": {"note.txt": {"content_type": "text/plain", "data": note}}},
            {"_id": docid, "_rev": "1-bbbb", "who": "two",
             "_attachments": {"note.txt": {"content_type": "text/plain", "data": note}}}]
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs",
                                            json={"docs": docs, "new_edits": False}, timeout=10)
    answer.raise_for_status()
