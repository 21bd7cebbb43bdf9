"""The real service functions, fed the answers recorded from Apache CouchDB 3.5 (tests/data/couchdb-contract/)."""

import copy
import json
from urllib.parse import parse_qsl

import pytest
from requests.structures import CaseInsensitiveDict

from browser.couch import databases, errors, server, session
from browser.couch.client import CouchClient
from browser.couch.flavour import CouchDB3, PouchDBServer, detect
from tests.support.data import CONTRACT

BASE_URL = "http://couch.test:5984/"
TOKEN = "YWRtaW46NjkyMkI0RkU6recorded"


def exchanges(file_name):
    return json.loads((CONTRACT / file_name).read_text())


def recorded(file_name, name_part, token=TOKEN):
    """The exchange named `name_part`, else the one whose name contains it; `<token>` becomes a real-looking token."""
    items = exchanges(file_name)
    matches = [item for item in items if item["name"] == name_part] or [
        item for item in items if name_part in item["name"]
    ]
    assert len(matches) == 1, f"{name_part!r} matches {[item['name'] for item in matches]} in {file_name}"
    item = copy.deepcopy(matches[0])
    headers = item["response"].get("headers") or {}
    for key, value in headers.items():
        if key.lower() == "set-cookie":
            headers[key] = value.replace("<token>", token)
    return item


class RecordedResponse:
    """A requests.Response built from one recorded answer: status, headers (Set-Cookie too) and body."""

    def __init__(self, item):
        answer = item["response"]
        self.status_code = answer["status"]
        self.headers = CaseInsensitiveDict(answer.get("headers") or {})
        body = answer.get("body")
        self.text = answer.get("body_raw") or (body if isinstance(body, str) else json.dumps(body))
        self.raw = self

    def getlist(self, name):
        return [value for key, value in self.headers.items() if key.lower() == name.lower()]

    def json(self):
        return json.loads(self.text)

    def close(self):
        pass


class RecordedHttp:
    """Stands in for requests.Session: answers with the given exchanges in order, remembering what was sent."""

    def __init__(self, *items):
        self.items = list(items)
        self.sent = []

    def request(self, method, url, **kwargs):
        assert self.items, f"unexpected request {method} {url}"
        self.sent.append({"method": method, "url": url, **kwargs})
        return RecordedResponse(self.items.pop(0))

    def sent_path(self, index=0):
        return self.sent[index]["url"][len(BASE_URL) - 1:]

    def sent_json(self, index=0):
        return json.loads(self.sent[index]["data"].decode())


def replay(*items, token=None):
    http = RecordedHttp(*items)
    return CouchClient(token=token, base_url=BASE_URL, timeout=5, http=http, flavour=CouchDB3), http


def test_the_recorded_exchanges_all_have_a_name_a_request_and_a_response():
    for file_name in ("server.json", "session.json", "databases.json", "errors.json"):
        for item in exchanges(file_name):
            assert item["name"] and item["request"]["method"] and item["request"]["path"].startswith("/")
            assert isinstance(item["response"]["status"], int)


# --- server.json ------------------------------------------------------------------------------------------------


def test_server_info_recognises_apache_couchdb_from_its_greeting():
    item = recorded("server.json", "GET / as server admin")
    client, http = replay(item)
    info = server.server_info(client)
    body = item["response"]["body"]
    assert info.is_apache_couchdb is True
    assert info.version == "3.5.0" == body["version"]
    assert info.git_sha == body["git_sha"]
    assert info.uuid == body["uuid"]
    assert info.vendor_name == "The Apache Software Foundation"
    assert info.vendor_version == ""
    assert info.features == tuple(body["features"])
    assert "partitioned" in info.features
    assert (http.sent[0]["method"], http.sent_path()) == ("GET", item["request"]["path"])


def test_server_info_reads_the_same_greeting_for_anonymous():
    client, _ = replay(recorded("server.json", "GET / as anonymous"))
    info = server.server_info(client)
    assert info.is_apache_couchdb and info.version == "3.5.0"


def test_is_up_reads_the_recorded_up_answer_in_one_request():
    item = recorded("server.json", "GET /_up as anonymous")
    client, http = replay(item)
    assert server.is_up(client) is True
    assert [sent["method"] for sent in http.sent] == ["GET"]
    assert http.sent_path() == item["request"]["path"] == "/_up"


def test_the_flavour_is_detected_from_the_greeting_once_per_server_url():
    http = RecordedHttp(recorded("server.json", "GET / as server admin"))
    first = CouchClient(base_url="http://couch.test:5984/flavour-once/", timeout=5, http=http)
    second = CouchClient(base_url="http://couch.test:5984/flavour-once/", timeout=5, http=http)
    assert type(first.flavour) is type(second.flavour) is CouchDB3
    assert first.flavour.client is first and second.flavour.client is second  # each bound to its own client
    assert len(http.sent) == 1


def test_a_server_that_does_not_greet_as_couchdb_is_pouchdb_server():
    welcome = {"name": "pouchdb-server greeting", "request": {"method": "GET", "path": "/"},
               "response": {"status": 200, "body": {"express-pouchdb": "Welcome!", "version": "4.2.0"}}}
    client = CouchClient(base_url="http://couch.test:5984/", timeout=5, http=RecordedHttp(welcome))
    assert detect(client) is PouchDBServer


def test_new_uuids_reads_the_recorded_uuids():
    item = recorded("server.json", "GET /_uuids?count=3")
    client, http = replay(item)
    uuids = server.new_uuids(client, count=3)
    assert uuids == item["response"]["body"]["uuids"]
    assert len(uuids) == 3
    assert http.sent_path() == item["request"]["path"]


# --- session.json -----------------------------------------------------------------------------------------------


def test_login_captures_the_token_from_the_recorded_set_cookie():
    item = recorded("session.json", "POST /_session JSON as server admin")
    client, http = replay(item)
    user = session.login(client, "admin", "password")
    assert client.token == TOKEN
    assert user == session.UserContext(name="admin", roles=("_admin",))
    assert user.is_server_admin and not user.is_anonymous
    sent = http.sent[0]
    assert (sent["method"], http.sent_path()) == ("POST", "/_session")
    assert sent["headers"]["Content-Type"] == "application/json"
    assert http.sent_json() == item["request"]["body"]


def test_login_of_a_normal_user_answers_their_roles():
    client, _ = replay(recorded("session.json", "POST /_session JSON as a normal user"))
    user = session.login(client, "contract_alice", "alice-pw")
    assert user == session.UserContext(name="contract_alice", roles=("contract-staff",))
    assert not user.is_server_admin
    assert client.token == TOKEN


@pytest.mark.parametrize("name_part", ["with a bad password", "for a user that does not exist", "without password"])
def test_a_refused_login_raises_unauthorized_and_keeps_no_token(name_part):
    item = recorded("session.json", f"POST /_session JSON {name_part}")
    client, _ = replay(item)
    with pytest.raises(errors.Unauthorized) as raised:
        session.login(client, "contract_someone", "wrong")
    assert raised.value.error == item["response"]["body"]["error"] == "unauthorized"
    assert client.token is None
    assert client.token_refreshed is False


def test_a_refused_login_has_a_clearing_cookie_that_is_not_taken_as_a_token():
    item = recorded("session.json", "POST /_session JSON with a bad password")
    assert item["response"]["headers"]["Set-Cookie"].startswith("AuthSession=;")
    client, _ = replay(item, token="earlier-token")
    with pytest.raises(errors.Unauthorized):
        session.login(client, "contract_someone", "wrong")
    assert client.token == "earlier-token"


def test_current_user_reads_the_admin_cookie_session():
    item = recorded("session.json", "GET /_session with the admin cookie", token=TOKEN)
    client, http = replay(item, token=TOKEN)
    user = session.current_user(client)
    assert user == session.UserContext(name="admin", roles=("_admin",))
    assert http.sent[0]["headers"]["Cookie"] == f"AuthSession={TOKEN}"


def test_current_user_reads_a_normal_users_session():
    client, _ = replay(recorded("session.json", "GET /_session with a normal user's cookie"), token=TOKEN)
    user = session.current_user(client)
    assert user.name == "contract_alice"
    assert not user.is_server_admin and not user.is_anonymous


def test_current_user_is_anonymous_without_credentials():
    client, http = replay(recorded("session.json", "GET /_session with no credentials"))
    user = session.current_user(client)
    assert user == session.UserContext(name=None, roles=())
    assert user.is_anonymous and not user.is_server_admin
    assert "Cookie" not in http.sent[0]["headers"]


def test_a_forged_cookie_makes_the_person_anonymous_not_an_error():
    client, _ = replay(recorded("session.json", "forged / garbage AuthSession cookie"), token="forged")
    assert session.current_user(client).is_anonymous


def test_a_malformed_cookie_is_a_bad_request():
    client, _ = replay(recorded("session.json", "syntactically broken AuthSession cookie"), token="broken")
    with pytest.raises(errors.BadRequest) as raised:
        session.current_user(client)
    assert raised.value.error == "bad_request"


def test_a_real_couchdb_with_admins_is_no_admin_party():
    client, _ = replay(recorded("session.json", "GET /_session with no credentials"))
    assert session.is_admin_party(client) is False


def test_an_ageing_cookie_is_refreshed_from_the_recorded_answer():
    item = recorded("session.json", "with the admin cookie after ~66 s", token="refreshed-token")
    client, _ = replay(item, token=TOKEN)
    assert session.current_user(client).name == "admin"
    assert client.token == "refreshed-token"
    assert client.token_refreshed is True


def test_an_ageing_cookie_is_refreshed_on_any_endpoint():
    item = recorded("session.json", "GET / with the normal user's cookie after ~66 s", token="refreshed-token")
    client, _ = replay(item, token=TOKEN)
    assert server.server_info(client).is_apache_couchdb
    assert (client.token, client.token_refreshed) == ("refreshed-token", True)


def test_an_ageing_cookie_is_refreshed_even_by_a_401_answer():
    item = recorded("session.json", "with the ~66 s old cookie (refresh on errors?)", token="refreshed-token")
    client, _ = replay(item, token=TOKEN)
    with pytest.raises(errors.Unauthorized):
        databases.list_databases(client)
    assert (client.token, client.token_refreshed) == ("refreshed-token", True)


def test_a_fresh_cookie_gets_no_refresh():
    client, _ = replay(recorded("session.json", "with a fresh cookie (seconds old)"), token=TOKEN)
    server.server_info(client)
    assert (client.token, client.token_refreshed) == (TOKEN, False)


def test_logout_sends_delete_session():
    item = recorded("session.json", "DELETE /_session (logout) with the user's cookie")
    client, http = replay(item, token=TOKEN)
    session.logout(client)
    assert (http.sent[0]["method"], http.sent_path()) == ("DELETE", "/_session")


# --- server.json: _all_dbs and _dbs_info ------------------------------------------------------------------------


def test_list_databases_sends_the_recorded_request_and_pages_by_key():
    item = recorded("server.json", "GET /_all_dbs?limit=2")
    client, http = replay(item)
    page = databases.list_databases(client, limit=1)
    assert http.sent_path() == item["request"]["path"]
    assert page == databases.DatabasePage(names=("_replicator",), next_start="_users", prev_before=None)


def test_list_databases_with_a_prefix_reads_the_recorded_range():
    item = recorded("server.json", "(prefix range)")
    client, http = replay(item)
    page = databases.list_databases(client, prefix="contract-")
    assert page.names == ("contract-server-a", "contract-server-b")
    assert page.next_start is None and page.prev_before is None
    path, query = http.sent_path().split("?", 1)
    sent = dict(parse_qsl(query))
    assert path == "/_all_dbs"
    assert (json.loads(sent["start_key"]), json.loads(sent["end_key"])) == ("contract-", "contract-\ufff0")
    assert sent["limit"] == "21"


def test_list_databases_before_a_name_reads_the_recorded_descending_answer():
    item = recorded("server.json", "descending=true (start_key is now the high end)")
    client, http = replay(item)
    page = databases.list_databases(client, prefix="contract-", before="contract-server-c", limit=20)
    assert page.names == ("contract-server-a", "contract-server-b")
    assert page.next_start == "contract-server-c"
    assert page.prev_before is None
    assert "descending=true" in http.sent_path()


def test_list_databases_as_a_non_admin_is_unauthorized():
    client, _ = replay(recorded("server.json", "GET /_all_dbs as a logged-in non-admin"), token=TOKEN)
    with pytest.raises(errors.Unauthorized) as raised:
        databases.list_databases(client)
    assert raised.value.error == "unauthorized"


def test_database_summaries_parses_the_recorded_dbs_info_answer():
    item = recorded("server.json", "POST /_dbs_info with keys, one missing")
    names = item["request"]["body"]["keys"]
    client, http = replay(item)
    summaries = databases.database_summaries(client, names)
    assert (http.sent[0]["method"], http.sent_path()) == ("POST", "/_dbs_info")
    assert http.sent_json() == {"keys": names}
    assert [summary.name for summary in summaries] == names
    for summary in summaries[:2]:
        info = next(row["info"] for row in item["response"]["body"] if row["key"] == summary.name)
        assert summary.problem == ""
        assert summary.doc_count == info["doc_count"] == 0
        assert summary.doc_del_count == info["doc_del_count"]
        assert summary.active_size == info["sizes"]["active"]
        assert summary.external_size == info["sizes"]["external"]
        assert summary.file_size == info["sizes"]["file"] == 16700
        assert summary.partitioned is False
        assert (summary.shards_q, summary.replicas_n) == (2, 1)


def test_a_dbs_info_error_row_gives_a_summary_with_a_problem():
    item = recorded("server.json", "POST /_dbs_info with keys, one missing")
    client, _ = replay(item)
    missing = databases.database_summaries(client, item["request"]["body"]["keys"])[-1]
    assert missing == databases.DatabaseSummary(name="contract-missing", problem="not_found")
    assert missing.doc_count is None and missing.active_size is None


def test_database_summaries_keep_the_order_asked_for():
    client, _ = replay(recorded("server.json", "POST /_dbs_info with keys, one missing"))
    names = ["contract-missing", "contract-server-b", "contract-server-a"]
    summaries = databases.database_summaries(client, names)
    assert [summary.name for summary in summaries] == names
    assert [bool(summary.problem) for summary in summaries] == [True, False, False]


def test_database_summaries_of_no_names_sends_nothing():
    client, http = replay()
    assert databases.database_summaries(client, []) == []
    assert http.sent == []


def test_database_summaries_as_a_non_admin_is_unauthorized_not_a_fallback():
    client, http = replay(recorded("server.json", "POST /_dbs_info as a logged-in non-admin"), token=TOKEN)
    with pytest.raises(errors.Unauthorized):
        databases.database_summaries(client, ["contract-server-a"])
    assert len(http.sent) == 1


# --- databases.json ---------------------------------------------------------------------------------------------


def test_summary_from_info_reads_a_recorded_database_info():
    body = recorded("databases.json", "GET database info (plain db")["response"]["body"]
    summary = databases.summary_from_info("contract-dbs", body)
    assert summary == databases.DatabaseSummary(
        name="contract-dbs", doc_count=2, doc_del_count=1, active_size=1172, external_size=67, file_size=41348,
        partitioned=False, shards_q=2, replicas_n=1,
    )
    assert summary.deleted_outnumber_live is False


def test_summary_from_info_reads_the_partitioned_property():
    body = recorded("databases.json", "GET database info of a partitioned database")["response"]["body"]
    summary = databases.summary_from_info("contract-parted", body)
    assert summary.partitioned is True
    assert (summary.shards_q, summary.replicas_n) == (2, 1)


def test_summary_from_info_reads_a_busy_database_being_compacted():
    body = recorded("databases.json", "while it is being compacted")["response"]["body"]
    summary = databases.summary_from_info("contract-big", body)
    assert (summary.doc_count, summary.active_size, summary.external_size) == (20001, 5139976, 4509009)
    assert summary.file_size == 8499630


def test_database_info_of_a_name_with_a_slash_sends_the_recorded_path():
    item = recorded("databases.json", "GET database info of a name with a slash")
    client, http = replay(item)
    summary = databases.database_info(client, "contract-team/orders")
    assert http.sent_path() == item["request"]["path"] == "/contract-team%2Forders"
    assert summary.name == "contract-team/orders"
    assert summary.doc_count == 0


def test_database_info_of_a_deleted_database_is_not_found():
    item = recorded("databases.json", "GET the deleted database")
    client, _ = replay(item)
    with pytest.raises(errors.NotFound) as raised:
        databases.database_info(client, "contract-dbs")
    assert raised.value.error == "not_found"


@pytest.mark.parametrize("name_part, name, exists", [
    ("HEAD an existing database", "contract-dbs", True),
    ("HEAD a missing database", "contract-missing", False),
])
def test_database_exists_reads_the_recorded_head_answers(name_part, name, exists):
    item = recorded("databases.json", name_part)
    client, http = replay(item)
    assert databases.database_exists(client, name) is exists
    assert (http.sent[0]["method"], http.sent_path()) == ("HEAD", item["request"]["path"])


def test_create_database_sends_the_recorded_partitioned_request():
    item = recorded("databases.json", "PUT a partitioned database")
    client, http = replay(item)
    assert databases.create_database(client, "contract-parted", partitioned=True) == "contract-parted"
    assert (http.sent[0]["method"], http.sent_path()) == ("PUT", item["request"]["path"])
    assert len(http.sent) == 1


def test_create_database_with_an_illegal_name_is_a_bad_request():
    client, _ = replay(recorded("databases.json", "PUT a database name with an uppercase letter"))
    with pytest.raises(errors.BadRequest) as raised:
        databases.create_database(client, "Contract-Upper")
    assert raised.value.error == "illegal_database_name"


def test_create_database_that_exists_is_precondition_failed():
    client, _ = replay(recorded("databases.json", "PUT an existing database"))
    with pytest.raises(errors.PreconditionFailed) as raised:
        databases.create_database(client, "contract-dbs")
    assert raised.value.error == "file_exists"


def test_create_database_with_a_slash_keeps_the_name_couchdb_kept():
    put = recorded("databases.json", "PUT a database whose name contains a slash")
    info = recorded("databases.json", "GET database info of a name with a slash")
    client, http = replay(put, info)
    assert databases.create_database(client, "contract-team/orders") == "contract-team/orders"
    assert [s["method"] for s in http.sent] == ["PUT"] and http.sent_path() == "/contract-team%2Forders"


def test_delete_database_as_a_non_admin_is_unauthorized():
    client, _ = replay(recorded("databases.json", "DELETE a database as a logged-in non-admin"), token=TOKEN)
    with pytest.raises(errors.Unauthorized):
        databases.delete_database(client, "contract-q2")
