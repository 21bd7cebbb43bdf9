"""Purge through the dashboard against the real server: a conflict's losing leaf, a whole document (gone from
_all_docs, _changes and replication), the typed confirmation, hostile ids, who is refused, the audit record
(id and revisions, never the body), and pouchdb-server's page saying what it lacks."""

import json

import pytest
import requests
from django.urls import reverse

from browser.couch.purge import Leaf, document_leaves
from tests.conftest import TEAM, log_in, put_document
from tests.support.audit_log import outcome_records
from tests.support.data import HOSTILE
from tests.support.eventually import eventually
from tests.support.lacking import assert_lacking

MARKER = "secret-body-marker-"


def purge_url(db, docid):
    return reverse("browser:document-purge", kwargs={"db": db, "docid": docid})


def doc_url(couch_server, db, docid):
    return f"{couch_server.url}{requests.utils.quote(db, safe='')}/{requests.utils.quote(docid, safe='')}"


def make_conflict(couch_server, db, docid, marker=""):
    """Three leaves by _bulk_docs with new_edits=false: winner 2-ccc…, a losing 1-bbb…, a deleted 1-ddd…."""
    docs = [{"_id": docid, "_rev": "1-" + "a" * 32, "v": "a"},
            {"_id": docid, "_rev": "1-" + "b" * 32, "v": "loser " + marker},
            {"_id": docid, "_rev": "2-" + "c" * 32, "v": "winner " + marker,
             "_revisions": {"start": 2, "ids": ["c" * 32, "a" * 32]}},
            {"_id": docid, "_rev": "1-" + "d" * 32, "_deleted": True}]
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs, "new_edits": False},
                                   timeout=10).raise_for_status()


def audit_records(couch_server, db, at_least=1):
    return outcome_records(couch_server, {"action": "document.purge", "target": db}, at_least)


@pytest.mark.couchdb3
def test_the_page_lists_every_leaf_winner_conflict_and_tombstone(admin_client, make_database, couch_server):
    db = make_database()
    make_conflict(couch_server, db, "c1")
    page = admin_client.get(purge_url(db, "c1")).content.decode()
    assert page.index("2-" + "c" * 32) < page.index("1-" + "b" * 32)
    assert "winner" in page and "conflict (losing revision)" in page and "deleted leaf (tombstone)" in page
    assert 'name="confirm_id"' in page and 'name="csrfmiddlewaretoken"' in page


@pytest.mark.couchdb3
def test_purging_the_losing_leaf_keeps_the_winner(admin_client, make_database, couch_server):
    db = make_database()
    make_conflict(couch_server, db, "c1", MARKER + "conflict")
    loser = "1-" + "b" * 32
    response = admin_client.post(purge_url(db, "c1"), {"scope": "chosen", "revs": [loser], "confirm_id": "c1",
                                                       "seen": []})
    page = response.content.decode()
    assert response.status_code == 200, page[:2000]
    assert loser in page and 'data-testid="purge-remaining"' in page
    doc = couch_server.admin_http().get(doc_url(couch_server, db, "c1"), params={"conflicts": "true"},
                                        timeout=10).json()
    assert doc["_rev"] == "2-" + "c" * 32 and not doc.get("_conflicts")
    [record] = audit_records(couch_server, db)
    assert record["before"] == {"id": "c1", "revs": [loser]} and record["after"] == {"id": "c1", "purged": [loser]}
    assert MARKER not in json.dumps(record)


@pytest.mark.couchdb3
def test_purging_a_whole_document_erases_it_everywhere(admin_client, make_database, couch_server):
    db, target = make_database(), make_database()
    make_conflict(couch_server, db, "gone", MARKER + "whole")
    put_document(couch_server, db, "kept", {"v": 1})
    page = admin_client.get(purge_url(db, "gone")).content.decode()
    seen = [leaf.rev for leaf in _leaves(couch_server, db, "gone")]
    assert all(rev in page for rev in seen)
    response = admin_client.post(purge_url(db, "gone"), {"scope": "all", "confirm_id": "gone", "seen": seen})
    assert 'data-testid="purge-gone"' in response.content.decode()
    assert 'data-testid="purge-compact"' in response.content.decode()
    http = couch_server.admin_http()

    def listed(path, key):
        # On a cluster a purge reaches each copy in its own time, and these read one copy of each shard.
        return eventually(lambda: [r["id"] for r in http.get(f"{couch_server.url}{path}", timeout=10).json()[key]],
                          until=lambda ids: ids == ["kept"])
    assert listed(f"{db}/_all_docs", "rows") == ["kept"]
    assert listed(f"{db}/_changes", "results") == ["kept"]
    assert http.get(doc_url(couch_server, db, "gone"), params={"open_revs": "all"}, timeout=10).status_code == 404
    credentials = couch_server.url.replace("://", f"://{couch_server.admin.name}:{couch_server.admin.password}@")
    http.post(f"{couch_server.url}_replicate", json={"source": credentials + db, "target": credentials + target},
              timeout=60).raise_for_status()
    assert listed(f"{target}/_all_docs", "rows") == ["kept"]
    [record] = audit_records(couch_server, db)
    assert sorted(record["after"]["purged"]) == sorted(seen) and record["who"] == couch_server.admin.name
    assert MARKER not in json.dumps(record)


@pytest.mark.couchdb3
def test_a_deleted_document_can_be_purged_by_its_tombstone(admin_client, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "dead", {"v": 1})
    couch_server.admin_http().delete(doc_url(couch_server, db, "dead"), params={"rev": rev}, timeout=10)
    [tombstone] = _leaves(couch_server, db, "dead")
    assert tombstone.deleted and tombstone.winner
    response = admin_client.post(purge_url(db, "dead"), {"scope": "chosen", "revs": [tombstone.rev],
                                                         "confirm_id": "dead"})
    assert 'data-testid="purge-gone"' in response.content.decode()
    assert admin_client.get(purge_url(db, "dead")).status_code == 404


@pytest.mark.couchdb3
def test_a_wrong_id_is_refused_and_what_was_typed_stays(admin_client, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "doc", {"v": 1})
    seen = [leaf.rev for leaf in _leaves(couch_server, db, "doc")]
    response = admin_client.post(purge_url(db, "doc"), {"scope": "all", "confirm_id": "do c", "seen": seen})
    page = response.content.decode()
    assert response.status_code == 400
    assert "not this document" in page and 'value="do c"' in page
    assert couch_server.admin_http().get(doc_url(couch_server, db, "doc"), timeout=10).status_code == 200
    assert audit_records(couch_server, db, at_least=0) == []


@pytest.mark.couchdb3
def test_whole_document_is_refused_when_the_leaves_changed(admin_client, make_database, couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "doc", {"v": 1})
    put_document(couch_server, db, "doc", {"v": 2, "_rev": rev})
    response = admin_client.post(purge_url(db, "doc"), {"scope": "all", "confirm_id": "doc", "seen": [rev]})
    assert response.status_code == 400 and "changed since the page was shown" in response.content.decode()
    assert couch_server.admin_http().get(doc_url(couch_server, db, "doc"), timeout=10).status_code == 200


@pytest.mark.couchdb3
def test_no_revision_ticked_is_refused(admin_client, make_database, couch_server):
    db = make_database()
    put_document(couch_server, db, "doc", {"v": 1})
    response = admin_client.post(purge_url(db, "doc"), {"scope": "chosen", "confirm_id": "doc"})
    assert response.status_code == 400 and "Tick at least one revision" in response.content.decode()


@pytest.mark.couchdb3
def test_hostile_ids_are_purged_by_typing_them(admin_client, make_database, couch_server):
    db = make_database()
    ids = [d for d in HOSTILE["document_ids"] if not d.startswith("_local/")]
    docs = [{"_id": d, **({"language": "javascript"} if d.startswith("_design/") else {"v": 1})} for d in ids]
    # By _bulk_docs: in a URL, requests would resolve the ids "." and ".." away.
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs},
                                   timeout=10).raise_for_status()
    for docid in ids:
        assert admin_client.get(purge_url(db, docid)).status_code == 200, docid
        seen = [leaf.rev for leaf in _leaves(couch_server, db, docid)]
        typed = docid.replace("\n", "\r\n")  # a browser sends a text area's line breaks as CRLF
        response = admin_client.post(purge_url(db, docid), {"scope": "all", "confirm_id": typed, "seen": seen})
        assert 'data-testid="purge-gone"' in response.content.decode(), docid
        # On a cluster the third copy of the shard applies the purge a moment after the quorum answered.
        left = eventually(lambda docid=docid: _leaves(couch_server, db, docid), until=lambda leaves: leaves == ())
        assert left == (), docid


@pytest.mark.couchdb3
def test_local_documents_cannot_be_purged(admin_client, make_database):
    response = admin_client.get(purge_url(make_database(), "_local/checkpoint"))
    assert response.status_code == 400 and 'data-testid="purge-local"' in response.content.decode()


@pytest.mark.couchdb3
def test_a_missing_document_says_so(admin_client, make_database):
    response = admin_client.get(purge_url(make_database(), "never-was"))
    assert response.status_code == 404 and 'data-testid="purge-missing"' in response.content.decode()


@pytest.mark.couchdb3
@pytest.mark.parametrize("who", ["dbadmin", "member", "outsider"])
def test_everyone_but_server_admins_is_refused_in_words(client, personas, make_database, couch_server, who):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "doc", {"v": 1})
    log_in(client, personas[who])
    for response in (client.get(purge_url(db, "doc")),
                     client.post(purge_url(db, "doc"), {"scope": "all", "confirm_id": "doc"})):
        assert response.status_code == 403
        assert "You are not a server admin" in response.content.decode()
    assert couch_server.admin_http().get(doc_url(couch_server, db, "doc"), timeout=10).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, make_database):
    response = client.get(purge_url(make_database(), "doc"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_document_page_links_to_purge_for_server_admins_only(admin_client, client, personas, make_database,
                                                                   couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "doc", {"v": 1})
    document = reverse("browser:document", kwargs={"db": db, "docid": "doc"})
    assert f'href="{purge_url(db, "doc")}"' in admin_client.get(document).content.decode()
    member = log_in(type(client)(), personas["member"])
    assert purge_url(db, "doc") not in member.get(document).content.decode()


def test_pouchdb_server_is_sent_no_purge_and_the_page_says_so(admin_client, make_database, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB has _purge")
    db = make_database()
    put_document(couch_server, db, "doc", {"v": 1})
    assert_lacking(admin_client.get(purge_url(db, "doc")), "has_purge")
    assert_lacking(admin_client.post(purge_url(db, "doc"), {"scope": "all", "confirm_id": "doc"}), "has_purge")
    assert couch_server.admin_http().get(f"{couch_server.url}{db}/doc", timeout=10).status_code == 200


def test_leaves_survive_hostile_answers():
    class Answering:
        def __init__(self, answer):
            self.answer = answer

        def get_exact(self, *segments, params=None):
            return self.answer

    odd = [{"ok": {"_rev": "1-b"}}, {"ok": {"_rev": "2-a", "_deleted": True}}, {"ok": "x"}, {"missing": "3-c"}, 7,
           {"ok": {"_rev": 5}}, {"ok": {"_rev": "3-z"}}]
    assert document_leaves(Answering(odd), "db", "d") == (Leaf("3-z", False, True), Leaf("1-b", False),
                                                          Leaf("2-a", True))
    for answer in ({}, "x", None, []):
        assert document_leaves(Answering(answer), "db", "d") == ()


def _leaves(couch_server, db, docid):
    from browser.couch.client import CouchClient
    from browser.couch.session import login

    admin = CouchClient()
    login(admin, couch_server.admin.name, couch_server.admin.password)
    return document_leaves(admin, db, docid)
