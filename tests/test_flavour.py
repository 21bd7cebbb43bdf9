"""PouchDBServer answers in CouchDB 3's shape where pouchdb-server does not (fakes: this is pure translation;
the whole suite runs the same code against a real pouchdb-server)."""

import json

import pytest

from browser.couch.errors import BadRequest
from browser.couch.flavour import CAPABILITIES, CouchDB3, PouchDBServer

NAMES = ["b", "_users", "a2", "c", "a1"]


class Unordered:
    """Answers _all_dbs unordered and unranged, and _find without a bookmark, as pouchdb-server does."""

    def __init__(self):
        self.sent = []

    def get_json(self, *segments, params=None):
        self.sent.append((segments, params))
        return list(NAMES)

    def send_exact(self, method, *segments, body):
        self.sent.append((segments, body))
        return {"docs": [{"_id": str(i)} for i in range(body.get("limit", 25))]}


@pytest.mark.parametrize("params, expected", [
    ({"limit": 3}, ["_users", "a1", "a2"]),
    ({"start_key": json.dumps("a2"), "end_key": json.dumps("b"), "limit": 9}, ["a2", "b"]),
    ({"descending": True, "start_key": json.dumps("b"), "end_key": json.dumps("a"), "limit": 2}, ["b", "a2"]),
])
def test_all_dbs_is_ranged_and_ordered_like_couchdb(params, expected):
    client = Unordered()
    assert PouchDBServer(client).all_dbs(params) == expected
    assert client.sent == [(("_all_dbs",), None)]


def test_find_pages_by_a_skip_bookmark_of_its_own():
    client = Unordered()
    first = PouchDBServer(client).find("db", {"selector": {}, "limit": 2})
    assert first["bookmark"] == "skip:2"
    second = PouchDBServer(client).find("db", {"selector": {}, "limit": 2, "bookmark": first["bookmark"]})
    assert client.sent[-1][1] == {"selector": {}, "limit": 2, "skip": 2}
    assert second["bookmark"] == "skip:4"


@pytest.mark.parametrize("bookmark", ["skip:x", "skip:", "g1AAAA", "skip:²", "skip:-1"])
def test_a_bookmark_that_is_not_ours_is_a_bad_request_as_on_couchdb(bookmark):
    with pytest.raises(BadRequest) as refused:
        PouchDBServer(Unordered()).find("db", {"selector": {}, "bookmark": bookmark})
    assert refused.value.error == "invalid_bookmark"


def test_couchdb_has_every_capability_and_pouchdb_server_says_in_one_sentence_what_it_lacks():
    couchdb, pouchdb = CouchDB3(object()), PouchDBServer(object())
    assert all(getattr(couchdb, name) is True and couchdb.lacking(name) == "" for name in CAPABILITIES)
    for name in CAPABILITIES:
        sentence = pouchdb.lacking(name)
        assert getattr(pouchdb, name) is False and sentence.startswith("pouchdb-server ") and sentence.endswith(".")
