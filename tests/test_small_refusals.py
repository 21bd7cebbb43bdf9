"""Small refusals of issue 23: no empty document unless asked for, _global_changes created only on a typed
confirmation (and its absence said in words), and a form over a limit answered "too large" with the limit."""

from html import unescape

import pytest
import requests
from django.urls import reverse

from tests.conftest import all_docs, log_in


def all_ids(couch_server, db, at_least=0):
    """The ids _all_docs lists, once at least `at_least` are (conftest.all_docs waits: on a cluster it reads one
    copy of each shard, which may not hold a write made a moment ago)."""
    return [row["id"] for row in all_docs(couch_server, db, at_least)]


# --- empty documents --------------------------------------------------------------------------------------------

def test_an_empty_post_to_new_creates_nothing(admin_client, make_database, couch_server):
    db = make_database()
    for data in ({}, {"mode": "text", "text": "{}"}, {"mode": "form", "f:r:t": "object"},
                 {"docid": "named", "mode": "text", "text": '{"_id": "named"}'}):
        response = admin_client.post(reverse("browser:document-new", kwargs={"db": db}), data)
        assert response.status_code == 400, data
        assert "tick “Create it empty”" in unescape(response.content.decode())
    assert all_ids(couch_server, db) == []


def test_an_empty_document_is_created_when_asked_for(admin_client, make_database, couch_server):
    db = make_database()
    page = admin_client.get(reverse("browser:document-new", kwargs={"db": db})).content.decode()
    assert 'name="create_empty"' in page
    response = admin_client.post(reverse("browser:document-new", kwargs={"db": db}),
                                 {"docid": "empty-one", "mode": "text", "text": "{}", "create_empty": "on"})
    assert response.status_code == 302 and all_ids(couch_server, db, at_least=1) == ["empty-one"]


def test_an_empty_post_to_new_with_files_creates_nothing(admin_client, make_database, couch_server):
    db = make_database()
    url = reverse("browser:document-new-with-files", kwargs={"db": db})
    script = admin_client.post(url, headers={"Accept": "application/json"})
    assert script.status_code == 400 and "Choose at least one file" in script.json()["error"]
    plain = admin_client.post(url, follow=True)
    assert "Choose at least one file" in unescape(plain.content.decode())
    assert admin_client.post(url, {"files_follow": "0"}, headers={"Accept": "application/json"}).status_code == 400
    assert all_ids(couch_server, db) == []
    created = admin_client.post(url, {"files_follow": "2"}, headers={"Accept": "application/json"}).json()
    assert all_ids(couch_server, db, at_least=1) == [created["docid"]]


# --- _global_changes ---------------------------------------------------------------------------------------------

@pytest.mark.couchdb3
def test_missing_global_changes_is_said_and_created_only_on_a_typed_confirmation(admin_client, couch_server):
    http = couch_server.admin_http()
    # A standard system database: dropped here to see the page without it, and created again through the page.
    http.delete(couch_server.url + "_global_changes", timeout=30)
    try:
        page = admin_client.get(reverse("browser:db-updates"))
        text = unescape(page.content.decode())
        assert page.status_code == 200 and "“_global_changes” database, which does not exist" in text
        assert 'name="confirm_name"' in text
        for typed in ({}, {"confirm_name": ""}, {"confirm_name": "_global_change"},
                      {"confirm_name": " _global_changes"}):
            refused = admin_client.post(reverse("browser:db-updates-setup"), typed)
            assert refused.status_code == 400, typed
            assert http.get(couch_server.url + "_global_changes", timeout=10).status_code == 404
        assert "nothing was created" in unescape(refused.content.decode())
        done = admin_client.post(reverse("browser:db-updates-setup"), {"confirm_name": "_global_changes"})
        assert done.status_code == 302
    finally:
        if http.get(couch_server.url + "_global_changes", timeout=10).status_code == 404:
            http.put(couch_server.url + "_global_changes", timeout=30)
    assert http.get(couch_server.url + "_global_changes", timeout=10).status_code == 200


def test_only_server_admins_reach_the_setup(client, personas):
    log_in(client, personas["dbadmin"])
    assert client.post(reverse("browser:db-updates-setup"), {"confirm_name": "_global_changes"}).status_code == 403


# --- too large ---------------------------------------------------------------------------------------------------

@pytest.fixture
def doc(make_database, couch_server):
    db = make_database()
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/big", json={"v": 1}, timeout=10)
    return db, answer.json()["rev"]


def test_a_form_over_max_form_bytes_is_too_large_with_the_limit(admin_client, doc, settings):
    db, rev = doc
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_572_864  # 1.5 MB
    response = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "big"}),
                                 f"mode=text&base_rev={rev}&text=" + "x" * 2_000_000,
                                 content_type="application/x-www-form-urlencoded")
    text = unescape(response.content.decode())
    assert response.status_code == 413 and "Too large" in text
    assert "more than 1.5 MB (1,572,864 bytes)" in text and "MAX_FORM_BYTES" in text and "Nothing was saved" in text


def test_a_form_with_too_many_fields_is_too_large_with_the_number(admin_client, doc, settings):
    db, rev = doc
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 50
    data = {"mode": "form", "base_rev": rev, **{f"f:r.{i}:v": str(i) for i in range(60)}}
    response = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "big"}), data)
    text = unescape(response.content.decode())
    assert response.status_code == 413 and "more than 50 fields" in text and "JSON text" in text


def test_other_bad_requests_keep_the_plain_400(admin_client):
    response = admin_client.get("/", HTTP_HOST="bad host name")
    assert response.status_code == 400 and "Too large" not in response.content.decode()


def test_nothing_else_changes_with_the_handler(admin_client, doc, couch_server):
    db, rev = doc
    saved = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "big"}),
                              {"mode": "text", "base_rev": rev, "text": '{"v": 2}'})
    assert saved.status_code == 302
    quoted = requests.utils.quote(db, safe="")
    assert couch_server.admin_http().get(f"{couch_server.url}{quoted}/big", timeout=10).json()["v"] == 2
