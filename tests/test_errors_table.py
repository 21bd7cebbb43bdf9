"""The one status -> exception table, and how CouchClient turns answers and failures into exceptions (fakes only)."""

import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from browser import failures
from browser.couch import errors
from browser.couch.client import CouchClient
from browser.couch.flavour import CouchDB3, PouchDBServer
from tests.support.data import CONTRACT

RECORDED_ERRORS = [
    item for item in json.loads((CONTRACT / "errors.json").read_text()) if item["response"]["status"] >= 400
]
BASE_URL = "http://couch.test:5984/"


# --- error_for: the table --------------------------------------------------------------------------------------


@pytest.mark.parametrize("status, cls", [
    (400, errors.BadRequest),
    (401, errors.Unauthorized),
    (403, errors.Forbidden),
    (404, errors.NotFound),
    (409, errors.Conflict),
    (412, errors.PreconditionFailed),
    (413, errors.PayloadTooLarge),
    (415, errors.UnsupportedMediaType),
])
def test_it_maps_each_client_error_status_to_its_typed_class(status, cls):
    error = errors.error_for(status, {"error": "some_error", "reason": "Some reason."}, "PUT", "/db/doc")
    assert type(error) is cls
    assert isinstance(error, errors.CouchError)
    assert error.status == cls.status == status
    assert (error.error, error.reason) == ("some_error", "Some reason.")
    assert (error.method, error.path) == ("PUT", "/db/doc")


def test_it_maps_409_to_conflict():
    error = errors.error_for(409, {"error": "conflict", "reason": "Document update conflict."})
    assert type(error) is errors.Conflict
    assert error.message == "Document update conflict."


@pytest.mark.parametrize("status", [500, 502, 503])
def test_it_maps_server_failures_to_server_error(status):
    error = errors.error_for(status, {"error": "error", "reason": "no_majority"})
    assert type(error) is errors.ServerError
    assert error.status == status
    assert (error.error, error.reason) == ("error", "no_majority")


@pytest.mark.parametrize("status", [405, 416, 418])
def test_it_maps_statuses_without_a_class_to_the_plain_couch_error(status):
    error = errors.error_for(status, {"error": "method_not_allowed", "reason": "Only GET,HEAD allowed"})
    assert type(error) is errors.CouchError
    assert error.status == status
    assert error.error == "method_not_allowed"


def test_the_pouchdb_flavour_takes_its_message_key_as_the_reason():
    error = PouchDBServer.error_for(400, {"error": "bad_request", "message": "selector must be an object"})
    assert type(error) is errors.BadRequest
    assert error.reason == "selector must be an object"
    assert errors.error_for(400, {"error": "bad_request", "message": "not read by CouchDB's reading"}).reason == ""


def test_the_pouchdb_flavour_prefers_a_reason_over_a_message_key():
    error = PouchDBServer.error_for(400, {"error": "bad_request", "reason": "from couchdb", "message": "from pouchdb"})
    assert error.reason == "from couchdb"


@pytest.mark.parametrize("status", [400, 500])
def test_the_pouchdb_flavour_reads_its_security_layer_failing_as_a_refusal(status):
    body = {"error": "bad_request", "reason": "Cannot read properties of undefined (reading 'getSecurity')"}
    error = PouchDBServer.error_for(status, body, "GET", "/_users/org.couchdb.user:someone")
    assert type(error) is errors.Forbidden and error.status == 403
    assert type(CouchDB3.error_for(status, body)) is not errors.Forbidden


def test_it_keeps_a_text_body_as_the_reason_without_surrounding_whitespace():
    error = errors.error_for(502, "\n  <html><body>Bad gateway</body></html>\n")
    assert type(error) is errors.ServerError
    assert error.error == ""
    assert error.reason == "<html><body>Bad gateway</body></html>"


def test_it_cuts_a_long_text_body_to_500_characters():
    error = errors.error_for(503, "x" * 5000)
    assert error.reason == "x" * 500


@pytest.mark.parametrize("body", [None, "", {}, [], {"error": None, "reason": None}])
def test_it_copes_with_empty_or_odd_bodies(body):
    error = errors.error_for(404, body)
    assert type(error) is errors.NotFound
    assert (error.error, error.reason) == ("", "")
    assert error.message == "CouchDB answered 404."


def test_its_message_falls_back_from_reason_to_error_name():
    assert errors.error_for(413, {"error": "document_too_large", "reason": ""}).message == "document_too_large"


def test_its_text_names_status_error_and_reason():
    error = errors.error_for(403, {"error": "forbidden", "reason": "You are not allowed to access this db."})
    assert str(error) == "403 forbidden: You are not allowed to access this db."


def test_the_contract_records_every_status_the_table_knows():
    recorded_statuses = {item["response"]["status"] for item in RECORDED_ERRORS}
    assert set(errors.ERROR_BY_STATUS) <= recorded_statuses


@pytest.mark.parametrize("recorded", RECORDED_ERRORS, ids=[item["name"] for item in RECORDED_ERRORS])
def test_every_recorded_couchdb_error_maps_to_the_class_for_its_status(recorded):
    status, body = recorded["response"]["status"], recorded["response"]["body"]
    request = recorded["request"]
    error = errors.error_for(status, body, request["method"], request["path"])
    expected = errors.ServerError if status >= 500 else errors.ERROR_BY_STATUS.get(status, errors.CouchError)
    assert type(error) is expected
    assert error.status == status
    assert error.error == body["error"]
    assert error.reason == body["reason"]
    assert (error.method, error.path) == (request["method"], request["path"])


# --- CouchClient: fakes standing in for requests.Session -------------------------------------------------------


class FakeHeaders(CaseInsensitiveDict):
    """Like urllib3's headers: every Set-Cookie line is kept and getlist answers them all."""

    def __init__(self, pairs):
        super().__init__()
        self.pairs = list(pairs)
        for name, value in self.pairs:
            self[name] = value

    def getlist(self, name):
        return [value for key, value in self.pairs if key.lower() == name.lower()]


class FakeResponse:
    def __init__(self, status_code=200, body=None, text=None, headers=()):
        self.status_code = status_code
        self.text = text if text is not None else json.dumps(body)
        self.headers = FakeHeaders(headers)
        self.raw = type("Raw", (), {"headers": self.headers})()
        self.closed = False

    def json(self):
        return json.loads(self.text)

    def close(self):
        self.closed = True


class FakeHttp:
    """Answers every request with one canned response (or raises one exception), remembering what was sent."""

    def __init__(self, response=None, raises=None):
        self.response = response or FakeResponse(200, {"ok": True})
        self.raises = raises
        self.sent = []

    def request(self, method, url, **kwargs):
        self.sent.append({"method": method, "url": url, **kwargs})
        if self.raises is not None:
            raise self.raises
        return self.response


def client_with(http, token=None, base_url=BASE_URL, timeout=3):
    return CouchClient(token=token, http=http, base_url=base_url, timeout=timeout)


@pytest.mark.parametrize("status, cls", [
    (400, errors.BadRequest), (401, errors.Unauthorized), (403, errors.Forbidden), (404, errors.NotFound),
    (409, errors.Conflict), (412, errors.PreconditionFailed), (413, errors.PayloadTooLarge),
    (415, errors.UnsupportedMediaType), (500, errors.ServerError), (503, errors.ServerError),
])
def test_the_client_raises_the_typed_error_for_an_error_answer(status, cls):
    answer = FakeResponse(status, {"error": "e", "reason": "r"})
    with pytest.raises(cls) as raised:
        client_with(FakeHttp(answer)).get_json("db", "doc")
    assert (raised.value.status, raised.value.error, raised.value.reason) == (status, "e", "r")


def test_the_client_names_the_method_and_the_path_below_the_base_url_in_its_errors():
    http = FakeHttp(FakeResponse(404, {"error": "not_found", "reason": "missing"}))
    client = client_with(http, base_url="http://couch.test/couch/")
    with pytest.raises(errors.NotFound) as raised:
        client.request("DELETE", "team/orders", "a doc")
    assert raised.value.method == "DELETE"
    assert raised.value.path == "/team%2Forders/a%20doc"


def test_the_client_closes_an_error_answer_before_raising():
    answer = FakeResponse(409, {"error": "conflict", "reason": "Document update conflict."})
    with pytest.raises(errors.Conflict):
        client_with(FakeHttp(answer)).put_json("db", "doc", body={})
    assert answer.closed


def test_the_client_uses_a_text_error_body_as_the_reason():
    answer = FakeResponse(502, text="upstream proxy error")
    with pytest.raises(errors.ServerError) as raised:
        client_with(FakeHttp(answer)).get_json()
    assert raised.value.reason == "upstream proxy error"


def test_the_client_answers_a_successful_response_unchanged():
    answer = FakeResponse(201, {"ok": True, "id": "doc", "rev": "1-abc"})
    assert client_with(FakeHttp(answer)).request("PUT", "db", "doc") is answer
    assert not answer.closed


@pytest.mark.parametrize("exc, timeout, words", [
    (requests.ConnectTimeout(), 3, "no connection within 3 seconds"),
    (requests.ConnectTimeout(), (3.05, 27), "no connection within 3.05 seconds"),
    (requests.ReadTimeout(), 2.5, "no answer within 2.5 seconds"),
    (requests.ReadTimeout(), (3.05, 27), "no answer within 27 seconds"),
    (requests.ConnectionError("[Errno 111] Connection refused"), 3, "the connection was refused (is CouchDB running?)"),
    (requests.ConnectionError("Failed to resolve 'couch.invalid'"), 3, "the host name could not be resolved"),
    (requests.ConnectionError("[Errno -2] Name or service not known"), 3, "the host name could not be resolved"),
    (requests.exceptions.SSLError("certificate verify failed"), 3, "the TLS connection failed"),
    (requests.ConnectionError("Connection reset by peer"), 3, "the connection failed"),
])
def test_an_unreachable_server_becomes_couch_unavailable_naming_the_cause(exc, timeout, words):
    client = client_with(FakeHttp(raises=exc), timeout=timeout)
    with pytest.raises(errors.CouchUnavailable) as raised:
        client.get_json("_up")
    assert raised.value.reason == words
    assert raised.value.url == BASE_URL
    assert str(raised.value) == f"{BASE_URL}: {words}"


def test_couch_unavailable_names_the_configured_base_url_not_the_request_url():
    client = client_with(FakeHttp(raises=requests.ConnectTimeout()), base_url="https://db.example/couch/")
    with pytest.raises(errors.CouchUnavailable) as raised:
        client.get_json("secret-db", "secret-doc")
    assert raised.value.url == "https://db.example/couch/"
    assert "secret" not in str(raised.value)


def test_a_per_request_timeout_names_its_own_limit():
    client = client_with(FakeHttp(raises=requests.ReadTimeout()), timeout=3)
    with pytest.raises(errors.CouchUnavailable) as raised:
        client.request("GET", "db", "_changes", timeout=60)
    assert raised.value.reason == "no answer within 60 seconds"


@pytest.mark.parametrize("exc", [
    requests.ConnectTimeout(), requests.ConnectionError("[Errno 111] Connection refused"),
    requests.ConnectionError("Connection reset by peer"), requests.exceptions.SSLError("certificate verify failed"),
])
def test_a_connection_that_was_never_made_is_unavailable_not_slow(exc):
    with pytest.raises(errors.CouchUnavailable) as raised:
        client_with(FakeHttp(raises=exc)).get_json("db")
    assert type(raised.value) is errors.CouchUnavailable
    assert failures.status_for(raised.value) == 503
    assert failures.sentence_for(raised.value).startswith("CouchDB cannot be reached (")


def test_a_read_timeout_is_couchdb_being_slow_naming_what_was_asked_and_how_long_it_waited():
    client = client_with(FakeHttp(raises=requests.ReadTimeout()), base_url="http://couch.test/couch/", timeout=10)
    with pytest.raises(errors.CouchSlow) as raised:
        client.request("PUT", "orders", "a doc", params={"rev": "1-a"})
    slow = raised.value
    assert isinstance(slow, errors.CouchUnavailable)  # whoever only needs "no answer" (the health check) has it
    assert (slow.seconds, slow.method, slow.path) == (10, "PUT", "/orders/a%20doc?rev=1-a")
    assert slow.reason == "no answer within 10 seconds" and slow.is_write
    assert failures.status_for(slow) == 504
    assert failures.sentence_for(slow) == ("CouchDB is taking longer than 10 seconds to answer; the work may still "
                                           "complete in CouchDB.")


@pytest.mark.parametrize("method, path, is_write, advice", [
    ("GET", "/db/doc", False, "Wait a moment and try again"),
    ("HEAD", "/db/doc", False, "Wait a moment and try again"),
    ("POST", "/db/_find", False, "Create an index"),
    ("POST", "/db/_partition/p/_find", False, "Create an index"),
    ("GET", "/db/_design/d/_view/v?limit=21", False, "Active tasks shows the indexer's progress"),
    ("POST", "/db/_design/d/_view/v", False, "Active tasks shows the indexer's progress"),
    ("GET", "/db/_all_docs?limit=21", False, "one slow or overloaded node"),
    ("POST", "/db/_all_docs", False, "one slow or overloaded node"),
    ("POST", "/db/_bulk_get", False, "Wait a moment and try again"),
    ("PUT", "/db/doc", True, "A change may still be made"),
    ("PUT", "/db/_design/d", True, "A change may still be made"),
    ("POST", "/db/_bulk_docs", True, "A change may still be made"),
    ("POST", "/db/_index", True, "A change may still be made"),
    ("DELETE", "/db/doc?rev=1-a", True, "A change may still be made"),
    ("COPY", "/db/doc", True, "A change may still be made"),
])
def test_what_to_do_about_a_slow_couchdb_depends_on_what_it_was_asked(method, path, is_write, advice):
    slow = errors.CouchSlow("http://couch.test/", 10, method, path)
    assert slow.is_write is is_write
    assert advice in failures.advice_for(slow)


def test_a_per_request_connect_and_read_timeout_pair_is_kept_as_given():
    http = FakeHttp()
    client_with(http, timeout=7).request("PUT", "db", "doc", timeout=client_with(http, timeout=7).transfer_timeout(0))
    assert http.sent[0]["timeout"] == (7, 7)


@pytest.mark.parametrize("length, expected", [(0, (10, 10)), (5_000_000, (10, 10)), (200_000_000, (10, 120))])
def test_moving_many_bytes_gets_a_minute_per_hundred_megabytes(length, expected):
    assert client_with(FakeHttp(), timeout=10).transfer_timeout(length) == expected


def test_couch_unavailable_is_not_a_couch_error():
    # Views catch CouchError for answers; an unreachable server must reach the 503 page instead.
    assert not issubclass(errors.CouchUnavailable, errors.CouchError)


# --- CouchClient: what it sends ---------------------------------------------------------------------------------


def test_the_client_always_asks_for_json_with_the_configured_timeout():
    http = FakeHttp()
    client_with(http, timeout=7).get_json("db")
    sent = http.sent[0]
    assert sent["headers"]["Accept"] == "application/json"
    assert sent["timeout"] == 7
    assert sent["allow_redirects"] is False


def test_the_client_asks_for_json_even_when_the_caller_adds_headers():
    http = FakeHttp()
    client_with(http).request("GET", "db", "doc", headers={"If-None-Match": '"1-abc"'})
    assert http.sent[0]["headers"]["Accept"] == "application/json"
    assert http.sent[0]["headers"]["If-None-Match"] == '"1-abc"'


def test_a_per_request_timeout_replaces_the_configured_one():
    http = FakeHttp()
    client_with(http, timeout=7).request("GET", "db", "_changes", timeout=65)
    assert http.sent[0]["timeout"] == 65


def test_the_client_sends_a_json_body_with_its_content_type():
    http = FakeHttp()
    client_with(http).post_json("db", "_find", body={"selector": {"name": "ünï"}})
    sent = http.sent[0]
    assert sent["method"] == "POST"
    assert sent["headers"]["Content-Type"] == "application/json"
    assert json.loads(sent["data"].decode()) == {"selector": {"name": "ünï"}}


def test_the_client_sends_no_cookie_when_anonymous():
    http = FakeHttp()
    client_with(http, token=None).get_json("_session")
    assert "Cookie" not in http.sent[0]["headers"]


def test_the_client_sends_the_auth_session_cookie_when_it_has_a_token():
    http = FakeHttp()
    client_with(http, token="YWRtaW46NjZDMzQ").get_json("_session")
    assert http.sent[0]["headers"]["Cookie"] == "AuthSession=YWRtaW46NjZDMzQ"


def test_a_caller_cannot_replace_the_persons_cookie():
    http = FakeHttp()
    client_with(http, token="mine").request("GET", "db", headers={"Cookie": "AuthSession=someone-else"})
    assert http.sent[0]["headers"]["Cookie"] == "AuthSession=mine"


# --- CouchClient: session cookies CouchDB hands back -----------------------------------------------------------

FRESH_COOKIE = (
    "AuthSession=bmV3dG9rZW4; Version=1; Expires=Mon, 23-Nov-2026 01:08:27 GMT; Max-Age=600; Path=/; HttpOnly"
)
CLEARING_COOKIE = "AuthSession=; Version=1; Expires=Mon, 23-Nov-2026 01:07:21 GMT; Max-Age=600; Path=/; HttpOnly"


def test_a_fresh_auth_session_cookie_replaces_the_token():
    client = client_with(FakeHttp(FakeResponse(200, {"ok": True}, headers=[("Set-Cookie", FRESH_COOKIE)])), "old")
    client.get_json("_session")
    assert client.token == "bmV3dG9rZW4"
    assert client.token_refreshed is True


def test_a_clearing_auth_session_cookie_keeps_the_token():
    answer = FakeResponse(200, {"ok": True}, headers=[("Set-Cookie", CLEARING_COOKIE)])
    client = client_with(FakeHttp(answer), "old")
    client.get_json("_session")
    assert client.token == "old"
    assert client.token_refreshed is False


def test_an_answer_without_a_cookie_keeps_the_token():
    client = client_with(FakeHttp(FakeResponse(200, {"ok": True})), "old")
    client.get_json("_session")
    assert (client.token, client.token_refreshed) == ("old", False)


def test_the_same_token_again_is_not_a_refresh():
    cookie = "AuthSession=same; Version=1; Max-Age=600; Path=/; HttpOnly"
    client = client_with(FakeHttp(FakeResponse(200, {"ok": True}, headers=[("Set-Cookie", cookie)])), "same")
    client.get_json("_session")
    assert (client.token, client.token_refreshed) == ("same", False)


def test_a_fresh_cookie_on_an_error_answer_still_replaces_the_token():
    # CouchDB 3 refreshes an ageing cookie on any answer, a 401 included.
    answer = FakeResponse(401, {"error": "unauthorized", "reason": "You are not a server admin."},
                          headers=[("Set-Cookie", FRESH_COOKIE)])
    client = client_with(FakeHttp(answer), "old")
    with pytest.raises(errors.Unauthorized):
        client.get_json("_all_dbs")
    assert (client.token, client.token_refreshed) == ("bmV3dG9rZW4", True)


def test_the_auth_session_cookie_is_found_among_other_cookies():
    answer = FakeResponse(200, {"ok": True}, headers=[
        ("Set-Cookie", "route=abc; Path=/"),
        ("Set-Cookie", "NotAuthSession=decoy; Path=/"),
        ("Set-Cookie", FRESH_COOKIE),
    ])
    client = client_with(FakeHttp(answer), "old")
    client.get_json("_session")
    assert client.token == "bmV3dG9rZW4"


def test_a_single_set_cookie_header_is_read_when_raw_headers_cannot_list_them():
    answer = FakeResponse(200, {"ok": True}, headers=[("Set-Cookie", FRESH_COOKIE)])
    answer.raw = object()
    client = client_with(FakeHttp(answer), None)
    client.get_json("_session")
    assert client.token == "bmV3dG9rZW4"
