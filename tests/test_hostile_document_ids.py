"""Every document page with the ids, field names and values of tests/data/hostile-names.json."""

import json
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from markupsafe import escape

from browser.couch import jsontext
from browser.visible_text import visible
from tests.support.data import HOSTILE
from tests.support.proxy import RecordingProxy

# Ids a browser would resolve away if their dot segments reached a link as they are.
DOT_SEGMENT_IDS = ["./dot", "a/../b", "...", "%2e", "a/%2E%2E/b", "x/.", "~.."]


@pytest.fixture(scope="module")
def hostile_db(couch_server):
    import uuid

    from tests.conftest import RUN_ID

    name = f"ca-{RUN_ID}-hostile-{uuid.uuid4().hex[:6]}"
    http = couch_server.admin_http()
    http.put(couch_server.url + name).raise_for_status()
    yield name
    http.delete(couch_server.url + name)


@pytest.mark.parametrize("docid", HOSTILE["document_ids"] + DOT_SEGMENT_IDS)
def test_a_hostile_id_survives_create_list_view_edit_copy_and_delete(admin_client, hostile_db, couch_server, docid):
    db = hostile_db
    created = admin_client.post(reverse("browser:document-new", kwargs={"db": db}),
                                {"docid": docid, "mode": "text", "text": '{"v": 1}'})
    assert created.status_code == 302, created.content[:400]
    doc_url = reverse("browser:document", kwargs={"db": db, "docid": docid})
    assert created["Location"] == doc_url
    assert not {".", ".."} & set(doc_url.split("/"))

    if not docid.startswith("_local/"):
        listing = admin_client.get(reverse("browser:database", kwargs={"db": db}), {"jump": docid}).content.decode()
        assert f'href="{escape(doc_url)}"' in listing

    page = admin_client.get(doc_url)
    assert page.status_code == 200
    assert escape(visible(docid)) in page.content.decode()
    if "<" in docid:
        assert docid not in page.content.decode()

    rev = _rev_from(page.content.decode())
    saved = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": docid}),
                              {"mode": "text", "base_rev": rev, "text": '{"v": 2}'})
    assert saved.status_code == 302, saved.content[:400]

    copy_id = docid + "-copy"
    copied = admin_client.post(reverse("browser:document-copy", kwargs={"db": db, "docid": docid}),
                               {"destination": copy_id})
    assert copied.status_code == 302, copied.content[:400]
    assert '"v": 2' in unescape(admin_client.get(copied["Location"]).content.decode())

    for target in (docid, copy_id):
        target_page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": target}))
        deleted = admin_client.post(reverse("browser:document-delete", kwargs={"db": db, "docid": target}),
                                    {"rev": _rev_from(target_page.content.decode())})
        assert deleted.status_code == 302, deleted.content[:400]
        assert admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": target})).status_code == 404


def _rev_from(page):
    return page.split('data-testid="current-rev">')[1].split("<")[0]


def test_hostile_field_names_and_values_are_escaped_and_round_trip(admin_client, hostile_db, couch_server):
    body = {name or "empty-name-not-allowed-here": value
            for name, value in zip(HOSTILE["field_names"] * 3, HOSTILE["field_values"], strict=False)}
    body = {f"{i}-{name}": value for i, (name, value) in enumerate(body.items())}
    body["values"] = HOSTILE["field_values"]
    for name in HOSTILE["field_names"]:
        body.setdefault(name, name)
    text = jsontext.dumps(jsontext.loads(json.dumps(body)))
    created = admin_client.post(reverse("browser:document-new", kwargs={"db": hostile_db}),
                                {"docid": "fields", "mode": "text", "text": text})
    assert created.status_code == 302
    for url in (reverse("browser:document", kwargs={"db": hostile_db, "docid": "fields"}),
                reverse("browser:document-edit", kwargs={"db": hostile_db, "docid": "fields"}),
                reverse("browser:document-edit", kwargs={"db": hostile_db, "docid": "fields"}) + "?mode=text",
                reverse("browser:database", kwargs={"db": hostile_db}) + "?jump=fields"):
        page = admin_client.get(url).content.decode()
        assert "<script>alert(" not in page
        assert "<img src=x" not in page
        assert "</textarea><script>" not in page


def test_big_numbers_go_to_couchdb_unchanged_after_form_and_text_editing(client, personas, couch_server,
                                                                           make_database):
    db = make_database()
    proxy = RecordingProxy(couch_server.url)
    try:
        with override_settings(COUCHDB_URL=proxy.url):
            from tests.conftest import log_in

            log_in(client, personas["admin"])
            text = '{"big": 9007199254740993, "huge": 123456789012345678901234567890, "neg": -0.0, "e": 1e+308}'
            client.post(reverse("browser:document-new", kwargs={"db": db}),
                        {"docid": "numbers", "mode": "text", "text": text})
            sent_text = proxy.bodies("PUT")[-1]
            assert "9007199254740993" in sent_text and "123456789012345678901234567890" in sent_text
            assert "-0.0" in sent_text and "1e+308" in sent_text

            rev = _current_rev(couch_server, db)
            form = {"mode": "form", "base_rev": rev, "f:r:t": "object",
                    "f:r.0:k": "big", "f:r.0:t": "number", "f:r.0:v": "9007199254740993",
                    "f:r.1:k": "note", "f:r.1:t": "string", "f:r.1:v": "edited in the form"}
            client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "numbers"}), form)
            assert '"big":9007199254740993' in proxy.bodies("PUT")[-1]
    finally:
        proxy.close()


def _current_rev(couch_server, db):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/numbers").json()["_rev"]
