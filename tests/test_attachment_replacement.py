"""Renaming, uploading or replacing onto a name that is taken (issue 24): the dashboard asks first and says
what would be replaced; a rename is one write, so it can never leave both attachments or neither; renames,
deletions and replacements are audited."""

import hashlib
import os
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_audit_chain import outcomes

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(7800)
NOTE = b"a note of twenty-three."


@pytest.fixture
def doc(make_database, couch_server):
    db, http = make_database(), couch_server.admin_http()
    rev = http.put(f"{couch_server.url}{db}/holder", json={"title": "files", "n": 1.10}).json()["rev"]
    rev = http.put(f"{couch_server.url}{db}/holder/note.txt", params={"rev": rev}, data=NOTE,
                   headers={"Content-Type": "text/plain"}).json()["rev"]
    rev = http.put(f"{couch_server.url}{db}/holder/pic.png", params={"rev": rev}, data=PNG,
                   headers={"Content-Type": "image/png"}).json()["rev"]
    return db, "holder", rev


def stored(couch_server, db, docid="holder"):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{quote(docid, safe='')}").json()


def content(couch_server, db, name, docid="holder"):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{docid}/{quote(name, safe='')}").content


def rename(client, db, old, new, rev, **more):
    return client.post(reverse("browser:attachment-rename", kwargs={"db": db, "docid": "holder"}),
                       {"name": old, "new_name": new, "rev": rev, **more})


def test_renaming_onto_a_taken_name_asks_first_and_says_what_would_be_replaced(admin_client, doc, couch_server):
    db, _, rev = doc
    answer = rename(admin_client, db, "note.txt", "pic.png", rev)
    page = answer.content.decode()
    assert answer.status_code == 409 and 'data-testid="replace-warning"' in page
    assert "pic.png" in page and "image/png" in page and "7.6 KiB" in page
    assert stored(couch_server, db)["_rev"] == rev  # nothing written
    assert content(couch_server, db, "pic.png") == PNG and content(couch_server, db, "note.txt") == NOTE


def test_a_confirmed_rename_replaces_in_one_revision_and_keeps_the_rest(admin_client, doc, couch_server):
    db, _, rev = doc
    assert rename(admin_client, db, "note.txt", "pic.png", rev, replace="on").status_code == 302
    after = stored(couch_server, db)
    assert int(after["_rev"].split("-")[0]) == int(rev.split("-")[0]) + 1  # one write, not a copy and a delete
    assert set(after["_attachments"]) == {"pic.png"} and after["_attachments"]["pic.png"]["length"] == len(NOTE)
    assert content(couch_server, db, "pic.png") == NOTE
    assert after["title"] == "files" and str(after["n"]) == "1.1"
    assert outcomes(couch_server, "attachment.rename", db)[-1]["after"] == {"id": "holder", "name": "pic.png",
                                                                           "replaced": True}


def test_a_rename_to_a_free_name_is_one_revision_and_keeps_every_other_attachment(admin_client, doc, couch_server):
    db, _, rev = doc
    assert rename(admin_client, db, "pic.png", "picture.png", rev).status_code == 302
    after = stored(couch_server, db)
    assert int(after["_rev"].split("-")[0]) == int(rev.split("-")[0]) + 1
    assert set(after["_attachments"]) == {"note.txt", "picture.png"}
    assert content(couch_server, db, "picture.png") == PNG and content(couch_server, db, "note.txt") == NOTE
    assert after["_attachments"]["picture.png"]["content_type"] == "image/png"


def test_a_rename_from_a_stale_revision_writes_nothing(admin_client, doc, couch_server):
    db, _, rev = doc
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}{db}/holder", json={**stored(couch_server, db), "title": "moved on"})
    answer = rename(admin_client, db, "pic.png", "other.png", rev, replace="on")
    assert answer.status_code == 302
    assert set(stored(couch_server, db)["_attachments"]) == {"note.txt", "pic.png"}


@pytest.mark.couchdb3
def test_a_large_attachment_is_renamed_streamed_and_byte_identical(admin_client, make_database, couch_server):
    # pouchdb-server takes the rename inline (it drops multipart/related PUTs): this is CouchDB's path.
    db, http = make_database(), couch_server.admin_http()
    data = os.urandom(24 * 1024 * 1024)
    rev = http.put(f"{couch_server.url}{db}/holder", json={}).json()["rev"]
    rev = http.put(f"{couch_server.url}{db}/holder/big.bin", params={"rev": rev}, data=data,
                   headers={"Content-Type": "application/octet-stream"}).json()["rev"]
    assert rename(admin_client, db, "big.bin", "bigger.bin", rev).status_code == 302
    assert hashlib.sha256(content(couch_server, db, "bigger.bin")).digest() == hashlib.sha256(data).digest()
    assert set(stored(couch_server, db)["_attachments"]) == {"bigger.bin"}


def upload(client, db, rev, name, body, **more):
    return client.post(reverse("browser:attachment-upload", kwargs={"db": db, "docid": "holder"}),
                       {"rev": rev, "files": [SimpleUploadedFile(name, body, "text/plain")], **more},
                       headers={"Accept": "application/json"})


def test_an_upload_onto_a_taken_name_is_refused_until_replace_is_asked_and_is_audited(admin_client, doc,
                                                                                      couch_server):
    db, _, rev = doc
    refused = upload(admin_client, db, rev, "pic.png", b"not a picture")
    assert refused.status_code == 409
    answer = refused.json()
    assert answer["exists"] == "pic.png" and "would replace the attachment “pic.png” (image/png, 7.6 KiB)" in \
        answer["error"]
    assert content(couch_server, db, "pic.png") == PNG
    assert upload(admin_client, db, rev, "pic.png", b"not a picture", replace="on").status_code == 200
    assert content(couch_server, db, "pic.png") == b"not a picture"
    record = outcomes(couch_server, "attachment.replace", db)[-1]
    assert record["after"]["name"] == "pic.png" and record["before"]["name"] == "pic.png"
    assert upload(admin_client, db, stored(couch_server, db)["_rev"], "new.txt", b"new").status_code == 200


def test_a_plain_form_upload_onto_a_taken_name_says_so_and_stores_nothing(admin_client, doc, couch_server):
    db, _, rev = doc
    answer = admin_client.post(reverse("browser:attachment-upload", kwargs={"db": db, "docid": "holder"}),
                               {"rev": rev, "files": [SimpleUploadedFile("note.txt", b"other", "text/plain")]},
                               follow=True)
    assert "would replace the attachment “note.txt”" in answer.content.decode()
    assert content(couch_server, db, "note.txt") == NOTE


def test_an_attachment_deletion_is_audited(admin_client, doc, couch_server):
    db, _, rev = doc
    admin_client.post(reverse("browser:attachment-delete", kwargs={"db": db, "docid": "holder"}),
                      {"name": "note.txt", "rev": rev})
    assert outcomes(couch_server, "attachment.delete", db)[-1]["before"] == {"id": "holder", "name": "note.txt",
                                                                            "rev": rev}
    assert settings.AUDIT_DATABASE
