"""Attachments through the dashboard, against the real server: streamed up and down, safe to open."""

import hashlib
import json
import os
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tests.support.data import HOSTILE


@pytest.fixture
def doc(make_database, couch_server):
    db = make_database()
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/holder", json={"title": "files"})
    return db, "holder", answer.json()["rev"]


def upload(client, db, docid, rev, files, json_answer=True, store_as=""):
    headers = {"Accept": "application/json"} if json_answer else {}
    return client.post(reverse("browser:attachment-upload", kwargs={"db": db, "docid": docid}),
                       {"rev": rev, "files": files, "name": store_as}, headers=headers)


def download(client, db, docid, name, **params):
    response = client.get(reverse("browser:attachment", kwargs={"db": db, "docid": docid}), {"name": name, **params})
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def stored(couch_server, db, docid):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{quote(docid, safe='')}").json()


@pytest.mark.parametrize("name", HOSTILE["attachment_names"])
def test_a_hostile_attachment_name_uploads_downloads_renames_and_deletes(admin_client, doc, couch_server, name):
    db, docid, rev = doc
    body = HOSTILE["attachment_bodies"].get(name, "").encode() or os.urandom(3000)
    answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("picked", body, "application/octet-stream")],
                    store_as=name)
    assert answer.status_code == 200, answer.content
    assert name in stored(couch_server, db, docid)["_attachments"]

    response, data = download(admin_client, db, docid, name)
    assert response.status_code == 200 and data == body

    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": docid})).content.decode()
    assert f"?name={quote(name, safe='')}" in page
    assert "<img src=x onerror" not in page

    new_name = "renamed-" + name
    current = stored(couch_server, db, docid)["_rev"]
    renamed = admin_client.post(reverse("browser:attachment-rename", kwargs={"db": db, "docid": docid}),
                                {"name": name, "new_name": new_name, "rev": current})
    assert renamed.status_code == 302
    attachments = stored(couch_server, db, docid)["_attachments"]
    assert new_name in attachments and name not in attachments
    assert download(admin_client, db, docid, new_name)[1] == body
    assert stored(couch_server, db, docid)["title"] == "files"

    current = stored(couch_server, db, docid)["_rev"]
    deleted = admin_client.post(reverse("browser:attachment-delete", kwargs={"db": db, "docid": docid}),
                                {"name": new_name, "rev": current})
    assert deleted.status_code == 302
    assert not stored(couch_server, db, docid).get("_attachments")


def test_uploading_an_existing_name_replaces_it_when_asked(admin_client, doc, couch_server):
    db, docid, rev = doc
    upload(admin_client, db, docid, rev, [SimpleUploadedFile("a.bin", b"first")])
    rev = stored(couch_server, db, docid)["_rev"]
    refused = upload(admin_client, db, docid, rev, [SimpleUploadedFile("a.bin", b"second version")])
    assert refused.status_code == 409 and refused.json()["exists"] == "a.bin"
    assert download(admin_client, db, docid, "a.bin")[1] == b"first"
    answer = admin_client.post(reverse("browser:attachment-upload", kwargs={"db": db, "docid": docid}),
                               {"rev": rev, "files": [SimpleUploadedFile("a.bin", b"second version")],
                                "replace": "on"}, headers={"Accept": "application/json"})
    assert answer.json()["ok"] is True
    assert download(admin_client, db, docid, "a.bin")[1] == b"second version"


def test_many_files_in_one_post_and_the_answer_carries_the_new_rev(admin_client, doc, couch_server):
    db, docid, rev = doc
    answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("one.txt", b"1", "text/plain"),
                                                   SimpleUploadedFile("two.txt", b"22", "text/plain")]).json()
    saved = stored(couch_server, db, docid)
    assert answer["rev"] == saved["_rev"] and answer["started_from"] == rev and answer["moved"] is False
    assert set(json.loads(answer["attachments"])) == {"one.txt", "two.txt"}


def test_an_upload_on_a_stale_rev_goes_on_the_latest_and_says_it_moved(admin_client, doc, couch_server):
    db, docid, rev = doc
    couch_server.admin_http().put(f"{couch_server.url}{db}/{docid}", json={"_rev": rev, "title": "changed"})
    answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("late.bin", b"x")]).json()
    assert answer["ok"] is True and answer["moved"] is True
    saved = stored(couch_server, db, docid)
    assert saved["title"] == "changed" and "late.bin" in saved["_attachments"]


def test_downloads_are_attachments_that_cannot_run_script(admin_client, doc):
    db, docid, rev = doc
    for name, body in HOSTILE["attachment_bodies"].items():
        content_type = "image/svg+xml" if name.endswith(".svg") else "text/html"
        answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile(name, body.encode(), content_type)])
        rev = answer.json()["rev"]
        response, _ = download(admin_client, db, docid, name, inline="1")
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"].startswith("sandbox")


def test_the_filename_is_escaped_per_rfc_6266(admin_client, doc):
    db, docid, rev = doc
    name = 'ünï "quoted".png'
    upload(admin_client, db, docid, rev, [SimpleUploadedFile(name, b"\x89PNG", "image/png")])
    response, _ = download(admin_client, db, docid, name)
    assert "filename*=utf-8''%C3%BCn%C3%AF%20%22quoted%22.png" in response["Content-Disposition"]


def test_only_raster_images_are_previewed_inline(admin_client, doc):
    db, docid, rev = doc
    upload(admin_client, db, docid, rev, [SimpleUploadedFile("pic.png", b"\x89PNG\r\n", "image/png"),
                                          SimpleUploadedFile("evil.svg", b"<svg/>", "image/svg+xml")])
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": docid})).content.decode()
    assert 'alt="Preview of pic.png"' in page and 'alt="Preview of evil.svg"' not in page
    png, _ = download(admin_client, db, docid, "pic.png", inline="1")
    assert png["Content-Disposition"].startswith("inline")
    svg, _ = download(admin_client, db, docid, "evil.svg", inline="1")
    assert svg["Content-Disposition"].startswith("attachment")


def test_plain_text_previews_are_escaped_and_truncated(admin_client, doc):
    db, docid, rev = doc
    text = "<script>alert('x')</script>" + "z" * 10_000
    upload(admin_client, db, docid, rev, [SimpleUploadedFile("note.txt", text.encode(), "text/plain")])
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": docid}),
                            {"preview": "note.txt"}).content.decode()
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "z" * 5000 not in page


def test_an_upload_over_the_dashboard_limit_is_refused_with_a_message(admin_client, doc, couch_server):
    db, docid, rev = doc
    with override_settings(MAX_UPLOAD_BYTES=1000):
        answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("big.bin", b"x" * 5000)])
    assert answer.status_code == 413
    assert "MAX_UPLOAD_BYTES" in answer.json()["error"]
    assert not stored(couch_server, db, docid).get("_attachments")


def test_a_failed_upload_leaves_the_document_unchanged(admin_client, doc, couch_server):
    from embedded.pouchdb import free_port

    db, docid, rev = doc
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{free_port()}/"):
        answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("lost.bin", b"x" * 100)])
    assert answer.status_code == 503
    assert "Nothing was stored" in answer.json()["error"]
    assert stored(couch_server, db, docid)["_rev"] == rev


def test_a_plain_form_upload_without_javascript_redirects_to_the_document(admin_client, doc, couch_server):
    db, docid, rev = doc
    answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("plain.txt", b"p")], json_answer=False)
    assert answer.status_code == 302
    assert "plain.txt" in stored(couch_server, db, docid)["_attachments"]


def test_files_dropped_on_the_database_page_make_a_new_document(admin_client, make_database, couch_server):
    db = make_database()
    created = admin_client.post(reverse("browser:document-new-with-files", kwargs={"db": db}), {"files_follow": "1"},
                                headers={"Accept": "application/json"}).json()
    answer = admin_client.post(created["upload_url"], {"rev": created["rev"],
                                                       "files": [SimpleUploadedFile("a.txt", b"a")]},
                               headers={"Accept": "application/json"})
    assert answer.json()["ok"] is True
    assert "a.txt" in stored(couch_server, db, created["docid"])["_attachments"]


def test_big_uploads_spill_to_a_temporary_file_not_memory(admin_client, doc, couch_server):
    db, docid, rev = doc
    body = os.urandom(5 * 1024 * 1024)
    answer = upload(admin_client, db, docid, rev, [SimpleUploadedFile("five.bin", body)])
    assert answer.json()["ok"] is True
    _, data = download(admin_client, db, docid, "five.bin")
    assert hashlib.sha256(data).digest() == hashlib.sha256(body).digest()


@pytest.mark.couchdb3
def test_range_requests_pass_through_where_couchdb_supports_them(admin_client, doc):
    # Apache CouchDB answers 206 for types it stores as-is; pouchdb-server ignores Range.
    db, docid, rev = doc
    upload(admin_client, db, docid, rev, [SimpleUploadedFile("r.bin", bytes(range(256)) * 4,
                                                             "application/octet-stream")])
    response = admin_client.get(reverse("browser:attachment", kwargs={"db": db, "docid": docid}),
                                {"name": "r.bin"}, headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == bytes(range(10))
    assert response["Content-Range"].startswith("bytes 0-9/")


def test_a_local_document_offers_no_upload(admin_client, make_database, couch_server):
    from tests.conftest import put_document

    db = make_database()
    put_document(couch_server, db, "_local/settings", {"a": 1})
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "_local/settings"})).content.decode()
    assert 'data-testid="local-no-attachments"' in page
    assert "data-upload-form" not in page and "data-dropzone" not in page.split('id="attachments"', 1)[1]


def test_deleting_an_attachment_without_the_revision_sends_nothing(admin_client, make_database, couch_server):
    from tests.conftest import put_document

    db = make_database()
    put_document(couch_server, db, "doc", {"v": 1})
    url = reverse("browser:attachment-delete", kwargs={"db": db, "docid": "doc"})
    response = admin_client.post(url, {"name": "../.."}, follow=True)
    assert response.status_code == 200
    assert "did not say which revision" in response.content.decode()
