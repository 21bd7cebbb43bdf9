"""Reading several revisions at once: POST /{db}/_bulk_get on CouchDB 3, GET ?open_revs=[...] per document on
pouchdb-server (whose _bulk_get ignores _security); the conflict panel reads its leaves this way."""

import json

import pytest
import requests

from browser.couch.client import CouchClient
from browser.couch.documents import open_revisions, revisions_at
from browser.couch.errors import Forbidden, Unauthorized
from browser.couch.session import login
from tests.conftest import TEAM, put_document

A, B = ("1-" + ch * 32 for ch in "ab")


def client_as(persona):
    client = CouchClient()
    login(client, persona.name, persona.password)
    return client


class Recorder:
    """The requests a client sends (method and path), seen at the one place it speaks HTTP."""

    def __init__(self, client, monkeypatch):
        self.sent = []
        original = client.request

        def request(method, *segments, **kwargs):
            self.sent.append((method, segments))
            return original(method, *segments, **kwargs)

        monkeypatch.setattr(client, "request", request)


def branch(couch_server, db, docid, *leaves):
    docs = [{"_id": docid, "_rev": rev, **body} for rev, body in leaves]
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs",
                                   json={"new_edits": False, "docs": docs}).raise_for_status()


def history(couch_server, db, docid):
    """Every revision id of the document's winning branch, newest first."""
    url = f"{couch_server.url}{db}/{requests.utils.quote(docid, safe='')}"
    answer = couch_server.admin_http().get(url, params={"revs": "true"}).json()["_revisions"]
    return [f"{answer['start'] - i}-{rev}" for i, rev in enumerate(answer["ids"])]


@pytest.fixture
def admin(personas):
    return client_as(personas["admin"])


def test_several_revisions_of_several_documents_come_back_by_id_and_rev(admin, make_database, couch_server):
    db = make_database()
    first = put_document(couch_server, db, "a", {"n": 1})
    second = put_document(couch_server, db, "a", {"n": 2, "_rev": first})
    other = put_document(couch_server, db, "slash/and space?#", {"big": 12345678901234567890})
    found = revisions_at(admin, db, [("a", first), ("a", second), ("slash/and space?#", other), ("a", "9-" + "f" * 32),
                                     ("never-there", "1-" + "0" * 32)])
    assert set(found) == {("a", first), ("a", second), ("slash/and space?#", other)}
    assert found[("a", first)]["n"] == "1" and found[("a", second)]["n"] == "2"  # numbers keep their text
    assert found[("slash/and space?#", other)]["_id"] == "slash/and space?#"


def test_revs_and_attachments_are_asked_for_when_wanted(admin, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "with-file", {"_attachments": {
        "note.txt": {"content_type": "text/plain", "data": "aGVsbG8="}}})
    plain = revisions_at(admin, db, [("with-file", rev)])[("with-file", rev)]
    assert plain["_attachments"]["note.txt"].get("stub") is True and "_revisions" not in plain
    full = revisions_at(admin, db, [("with-file", rev)], revs=True, attachments=True)[("with-file", rev)]
    assert full["_attachments"]["note.txt"]["data"] == "aGVsbG8="
    assert full["_revisions"]["start"] == "1"


def test_the_conflict_panel_reads_the_same_leaves_as_open_revs_did(admin, make_database, couch_server):
    db = make_database()
    branch(couch_server, db, "clash", (A, {"side": "a"}), (B, {"side": "b"}))
    bodies = open_revisions(admin, db, "clash", [A, B, "1-" + "c" * 32])
    url = f"{couch_server.url}{db}/clash"
    direct = couch_server.admin_http().get(url, params={"open_revs": json.dumps([A, B])}).json()
    assert bodies == {item["ok"]["_rev"]: item["ok"] for item in direct}
    assert {rev: body["side"] for rev, body in bodies.items()} == {A: "a", B: "b"}


def test_one_document_is_one_request_and_many_documents_one_on_couchdb(admin, make_database, couch_server,
                                                                       monkeypatch):
    db = make_database()
    branch(couch_server, db, "clash", (A, {"side": "a"}), (B, {"side": "b"}))
    for name in ("x", "y", "z"):
        put_document(couch_server, db, name, {})
    recorder = Recorder(admin, monkeypatch)
    open_revisions(admin, db, "clash", [A, B])
    assert len(recorder.sent) == 1
    recorder.sent.clear()
    pairs = [(name, history(couch_server, db, name)[0]) for name in ("x", "y", "z")]
    assert len(revisions_at(admin, db, pairs)) == 3
    if couch_server.is_apache_couchdb:
        assert recorder.sent == [("POST", (db, "_bulk_get"))]
    else:
        # pouchdb-server: one GET ?open_revs=[...] per document, never its _bulk_get (which ignores _security).
        assert [method for method, _ in recorder.sent] == ["GET"] * 3
        assert all("_bulk_get" not in segments for _, segments in recorder.sent)


def test_nothing_asked_is_no_request(admin, make_database, monkeypatch):
    db = make_database()
    recorder = Recorder(admin, monkeypatch)
    assert revisions_at(admin, db, []) == {}
    assert recorder.sent == []


def test_an_outsider_reads_no_revision_and_a_member_does(personas, make_database, couch_server):
    db = make_database(security=TEAM)
    rev = put_document(couch_server, db, "secret", {"pin": 1234})
    with pytest.raises((Forbidden, Unauthorized)):
        revisions_at(client_as(personas["outsider"]), db, [("secret", rev)])
    assert revisions_at(client_as(personas["member"]), db, [("secret", rev)])[("secret", rev)]["pin"] == "1234"


def test_a_deleted_revision_comes_back_as_its_tombstone(admin, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "gone", {"kept": True})
    tomb = couch_server.admin_http().delete(f"{couch_server.url}{db}/gone", params={"rev": rev}).json()["rev"]
    found = revisions_at(admin, db, [("gone", tomb), ("gone", rev)], revs=True)
    assert found[("gone", tomb)]["_deleted"] is True
    assert found[("gone", tomb)]["_revisions"]["ids"][1] == rev.split("-", 1)[1]
    assert found[("gone", rev)]["kept"] is True
