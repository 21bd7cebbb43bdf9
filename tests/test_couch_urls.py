"""Exactly one function builds CouchDB URLs: every segment encoded, `_design/`/`_local/` keep their slash."""

import json
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from browser.couch.client import CouchClient, couch_url, json_param, quote_segment
from browser.couch.wire import WholeSegment
from tests.support.data import HOSTILE

KEEPS_FIRST_SLASH = ("_design/", "_local/")


def client_at(base_url):
    return CouchClient(base_url=base_url, timeout=1, http=object())


def query_of(url):
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- segments ---------------------------------------------------------------------------------------------------


def test_a_database_name_with_a_slash_stays_one_segment():
    assert couch_url("http://h/", ["team/orders"]) == "http://h/team%2Forders"
    assert couch_url("http://h/", ["a/b/c/d", "doc"]) == "http://h/a%2Fb%2Fc%2Fd/doc"


@pytest.mark.parametrize("name", HOSTILE["database_names"])
def test_every_hostile_database_name_is_one_segment_that_round_trips(name):
    url = couch_url("http://h/", [name, "_all_docs"])
    encoded_name, rest = url[len("http://h/"):].split("/")
    assert rest == "_all_docs"
    assert unquote(encoded_name) == name


@pytest.mark.parametrize("docid, encoded", [
    ("_design/x", "_design/x"),
    ("_local/x", "_local/x"),
    ("_design/with/slash", "_design/with%2Fslash"),
    ("_local/a/b/c", "_local/a%2Fb%2Fc"),
    ("_local/x y", "_local/x%20y"),
    ("_design/", "_design/"),
])
def test_design_and_local_ids_keep_only_their_first_slash(docid, encoded):
    assert quote_segment(docid) == encoded


@pytest.mark.parametrize("docid, encoded", [
    ("_designer/x", "_designer%2Fx"),
    ("_design", "_design"),
    ("x/_design/y", "x%2F_design%2Fy"),
    ("_DESIGN/x", "_DESIGN%2Fx"),
])
def test_ids_that_only_look_like_design_or_local_ids_get_every_slash_encoded(docid, encoded):
    assert quote_segment(docid) == encoded


def test_a_whole_segment_encodes_the_design_slash_too():
    # The Mango index path names its design document as one segment: _index/_design%2Fx/json/name.
    assert quote_segment(WholeSegment("_design/x")) == "_design%2Fx"
    assert couch_url("http://h/", ["db", "_index", WholeSegment("_design/idx"), "json", "by-name"]) == (
        "http://h/db/_index/_design%2Fidx/json/by-name"
    )


@pytest.mark.parametrize("character, encoded", [
    ("?", "%3F"), ("#", "%23"), ("%", "%25"), ("&", "%26"), ("+", "%2B"), (" ", "%20"), ("/", "%2F"),
    ("=", "%3D"), (";", "%3B"), (":", "%3A"), ("@", "%40"), ("\\", "%5C"), ("\n", "%0A"), ('"', "%22"),
    ("é", "%C3%A9"), ("日", "%E6%97%A5"), ("😀", "%F0%9F%98%80"),
])
def test_it_encodes_characters_with_a_meaning_in_urls_and_unicode(character, encoded):
    assert quote_segment(f"a{character}b") == f"a{encoded}b"


def test_an_already_encoded_looking_id_is_encoded_again():
    assert quote_segment("percent%2Fliteral%20") == "percent%252Fliteral%2520"


@pytest.mark.parametrize("docid, encoded", [(".", "%2E"), ("..", "%2E%2E"), ("...", "..."), (".x", ".x")])
def test_dot_segments_are_encoded_so_http_clients_do_not_resolve_them(docid, encoded):
    assert quote_segment(docid) == encoded


def test_segments_may_be_numbers():
    assert couch_url("http://h/", ["db", "_revs_limit", 5]) == "http://h/db/_revs_limit/5"


@pytest.mark.parametrize("docid", HOSTILE["document_ids"])
def test_every_hostile_document_id_round_trips_through_the_url(docid):
    url = client_at("http://h/couch/").url("team/orders", docid)
    prefix = "http://h/couch/team%2Forders/"
    assert url.startswith(prefix)
    path = url[len(prefix):]
    assert not set(path) & set("?# \n\"<>'\\")
    assert path.isascii()
    expected_slashes = 1 if docid.startswith(KEEPS_FIRST_SLASH) else 0
    assert path.count("/") == expected_slashes
    assert unquote(path) == docid
    assert urlsplit(url).path.endswith(path)


@pytest.mark.parametrize("docid", HOSTILE["document_ids"])
def test_a_hostile_document_id_followed_by_more_segments_stays_in_its_place(docid):
    url = couch_url("http://h/", ["db", docid, "attachment.txt"])
    segments = url[len("http://h/db/"):].rsplit("/", 1)
    assert segments[1] == "attachment.txt"
    assert unquote(segments[0]) == docid


@pytest.mark.parametrize("name", HOSTILE["attachment_names"])
def test_every_hostile_attachment_name_is_one_segment(name):
    url = couch_url("http://h/", ["db", "doc", name])
    encoded = url[len("http://h/db/doc/"):]
    assert "/" not in encoded
    assert unquote(encoded) == name


# --- base URLs --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", ["http://host/couch/", "http://host/couch", "http://host/couch//"])
def test_a_sub_path_is_kept_with_or_without_a_trailing_slash(base):
    assert couch_url(base, ["_up"]) == "http://host/couch/_up"
    assert client_at(base).url("team/orders", "_design/x") == "http://host/couch/team%2Forders/_design/x"


@pytest.mark.parametrize("base", ["http://host:5984/", "http://host:5984"])
def test_a_base_without_a_sub_path_gives_root_paths(base):
    assert couch_url(base, ["_session"]) == "http://host:5984/_session"


def test_no_segments_means_the_server_root():
    assert couch_url("http://host/couch", []) == "http://host/couch/"
    assert client_at("http://host:5984/").url() == "http://host:5984/"


def test_the_client_builds_its_urls_on_its_configured_base():
    client = client_at("https://db.example/couch/")
    assert client.url("db", "doc", params={"rev": "1-abc"}) == "https://db.example/couch/db/doc?rev=1-abc"


# --- query strings ----------------------------------------------------------------------------------------------


def test_json_param_json_encodes_keys():
    assert json_param("doc") == '"doc"'
    assert json_param(["a", 1]) == '["a", 1]'
    assert json_param(None) == "null"
    assert json_param({"k": True}) == '{"k": true}'


def test_json_param_keeps_unicode_as_text():
    assert json_param("ünï\ufff0") == '"ünï\ufff0"'


def test_query_values_are_encoded_and_decode_back_to_json():
    key = ["team/orders", "a&b=c", "#1", "?", "50% + more", "ünï"]
    url = couch_url("http://h/", ["db", "_design/d", "_view", "v"], {"key": json_param(key)})
    raw_query = urlsplit(url).query
    assert raw_query.startswith("key=")
    assert not set(raw_query[len("key="):]) & set("&=#?+ /\"")
    assert json.loads(dict(query_of(url))["key"]) == key


def test_a_start_key_with_the_high_unicode_sentinel_survives():
    url = couch_url("http://h/", ["_all_dbs"], {"end_key": json_param("contract-\ufff0")})
    assert url == "http://h/_all_dbs?end_key=%22contract-%EF%BF%B0%22"
    assert json.loads(dict(query_of(url))["end_key"]) == "contract-\ufff0"


def test_booleans_become_true_and_false():
    url = couch_url("http://h/", ["db", "_all_docs"], {"descending": True, "include_docs": False})
    assert query_of(url) == [("descending", "true"), ("include_docs", "false")]


def test_none_values_are_dropped_but_falsy_values_are_kept():
    url = couch_url("http://h/", ["db", "_all_docs"], {"skip": None, "limit": 0, "startkey": json_param(None),
                                                       "descending": False, "stale": ""})
    assert query_of(url) == [("limit", "0"), ("startkey", "null"), ("descending", "false"), ("stale", "")]


@pytest.mark.parametrize("params", [None, {}, {"skip": None, "rev": None}])
def test_no_query_string_when_every_value_is_dropped(params):
    assert couch_url("http://h/", ["db"], params) == "http://h/db"


def test_parameters_keep_their_order_and_recorded_couchdb_spelling():
    # The exact query string recorded from CouchDB 3.5 for a prefix range on _all_dbs (server.json).
    url = couch_url("http://h/", ["_all_dbs"], {"start_key": json_param("contract-"), "limit": 2})
    assert url == "http://h/_all_dbs?start_key=%22contract-%22&limit=2"


def test_parameter_names_are_encoded_too():
    url = couch_url("http://h/", ["db"], {"odd name&x": "1"})
    assert urlsplit(url).query == "odd%20name%26x=1"
