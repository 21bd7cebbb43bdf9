"""Any input to the query pages (Mango, indexes, views, maintenance) answers a page, never a 500:
typed text, query strings and what the team stored in `_local/couchadmin-queries`."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch import saved_queries
from browser.couch.client import CouchClient
from browser.couch.errors import Conflict
from browser.couch.session import login
from tests.conftest import TEAM, log_in, put_document
from tests.support.design_form import view_rows

DOCS = [
    {"_id": "q1", "type": "fruit", "name": "apple", "tag": None},
    {"_id": "q2", "type": "fruit", "name": "pear", "tag": "x"},
    {"_id": "q3", "type": "veg", "name": "kale", "tag": None},
    {"_id": "q4", "type": "veg", "name": "leek", "tag": "y"},
]
BY_TAG = {"_id": "_design/tags", "views": {"by_tag": {"map": "function (doc) { emit(doc.tag, 1); }"}}}
STORE = saved_queries.STORE_ID


@pytest.fixture
def db(make_database, couch_server):
    name = make_database(security=TEAM)
    couch_server.admin_http().post(f"{couch_server.url}{name}/_bulk_docs",
                                   json={"docs": DOCS + [BY_TAG]}).raise_for_status()
    return name


def mango(client, db, **fields):
    response = client.post(reverse("browser:mango", kwargs={"db": db}), {"limit": "10", "action": "run", **fields})
    return response, unescape(response.content.decode())


def view(client, db, **params):
    url = reverse("browser:view-run", kwargs={"db": db, "ddoc": "tags"})
    response = client.get(url, {"view": "by_tag", "run": "1", **params})
    return response, unescape(response.content.decode())


def row_ids(page):
    return re.findall(r'<tr><td><a href="[^"]*">([^<]*)</a></td>', page)


def deep_object(depth):
    return '{"a":' * depth + "1" + "}" * depth


# --- 1. JSON of any depth ---

def test_a_selector_nested_10000_deep_is_refused_with_a_clear_message(admin_client, db):
    text = deep_object(10_000)
    response, page = mango(admin_client, db, selector=text)
    assert response.status_code == 400
    assert "nested deeper than" in page
    assert text in page


@pytest.mark.parametrize("sort", ['[{"a": ' + "[" * 10_000 + "]" * 10_000 + "}]",
                                  "[" + "[" * 10_000 + "]" * 10_000 + "]"])
def test_a_sort_nested_10000_deep_is_refused_with_a_clear_message(admin_client, db, sort):
    for action in ("run", "create-index"):
        response, page = mango(admin_client, db, selector='{"type": "veg"}', sort=sort, action=action)
        assert response.status_code == 400
        assert "nested deeper than" in page


@pytest.mark.parametrize("key", [deep_object(600), "[" * 600 + "]" * 600])
def test_a_view_key_600_deep_is_refused_with_a_clear_message(admin_client, db, key):
    response, page = view(admin_client, db, key=key)
    assert response.status_code == 400
    assert "nested deeper than" in page


# --- 2. Query strings and forms ---

@pytest.mark.parametrize("params", [{"history": "²"}, {"history": "-1"}, {"history": "99"}, {"saved": "x" * 5000}])
def test_a_history_or_saved_link_that_is_not_one_answers_400(admin_client, db, params):
    response = admin_client.get(reverse("browser:mango", kwargs={"db": db}), params)
    assert response.status_code == 400
    assert "Mango query" in response.content.decode()


def test_a_bookmark_that_is_not_one_answers_400_and_keeps_the_query(admin_client, db):
    response, page = mango(admin_client, db, selector='{"type": "veg"}', bookmark="skip:x")
    assert response.status_code == 400
    assert "bookmark" in page.lower()
    assert '{"type": "veg"}' in page


@pytest.mark.parametrize("sort", ["[{}]", '[{"a": "asc", "b": "asc"}]', '[{"a": "up"}]', "[1]", '{"a": "asc"}'])
def test_a_sort_that_is_not_field_and_direction_answers_400(admin_client, db, sort):
    for action in ("run", "create-index", "explain"):
        response, page = mango(admin_client, db, selector='{"type": "veg"}', sort=sort, action=action)
        assert response.status_code == 400, action
        assert sort in page


@pytest.mark.parametrize("fields", ["[{}]", '[{"a": "asc", "b": "asc"}]', "[[]]", '[{"a": {}}]'])
def test_index_fields_that_are_not_field_and_direction_answer_400(admin_client, db, fields):
    response = admin_client.post(reverse("browser:indexes", kwargs={"db": db}),
                                 {"fields": fields, "index_type": "json"})
    assert response.status_code == 400
    assert fields in unescape(response.content.decode())


# --- 3. The stored history and saved queries are input too ---

@pytest.mark.parametrize("stored", [
    {"saved": [1]}, {"saved": [{"name": 3, "query": "x"}]}, {"saved": "abc"},
    {"history": ["x"]}, {"history": [{"query": [1]}]}, {"history": [{"query": {"selector": 5}}]},
])
def test_a_malformed_store_is_skipped_and_the_page_and_queries_work(client, personas, db, couch_server, stored):
    put_document(couch_server, db, STORE, stored)
    log_in(client, personas["member"])
    url = reverse("browser:mango", kwargs={"db": db})
    page = client.get(url)
    assert page.status_code == 200
    assert "not shown" in page.content.decode()
    assert client.get(url, {"history": "0"}).status_code == 400
    missing = client.get(url, {"saved": "3"})
    assert missing.status_code == 400 and "No saved query is named “3”" in missing.content.decode()
    response, _ = mango(client, db, selector='{"type": "veg"}')
    assert response.status_code == 200
    assert saved_queries.load(_client_of(personas["member"]), db)["history"][0]["query"]["selector"] == \
        '{"type": "veg"}'


def _write_then_lose(couch_server, db, write):
    """Do `write` (a PUT of the store), then undo it at once as someone else would who wrote from the
    version before it (on CouchDB 3, which does not check a _local document's _rev, the later write wins)."""
    url = f"{couch_server.url}{db}/{STORE}"
    before = couch_server.admin_http().get(url).json()
    answer = write()
    now = couch_server.admin_http().get(url).json()
    stale = {k: v for k, v in before.items() if k not in ("_rev", "error", "reason")}
    put_document(couch_server, db, STORE, {**stale, "_rev": now["_rev"], "by_someone_else": True})
    return answer


class RacingClient(CouchClient):
    """A real client each of whose writes of the store is undone at once by someone else's."""

    def __init__(self, couch_server, db):
        super().__init__()
        self.couch_server, self.db = couch_server, db

    def send_exact(self, method, *segments, body, params=None, headers=None):
        def write():
            return super(RacingClient, self).send_exact(method, *segments, body=body, params=params, headers=headers)

        if method == "PUT" and segments[-1] == STORE:
            return _write_then_lose(self.couch_server, self.db, write)
        return write()


def test_three_lost_writes_raise_rather_than_answer_an_unsaved_store(couch_server, personas, db):
    racing = RacingClient(couch_server, db)
    login(racing, personas["admin"].name, personas["admin"].password)
    with pytest.raises(Conflict):
        saved_queries.save(racing, db, "Never", {"selector": "{}"}, "admin")
    assert saved_queries.load(racing, db)["saved"] == []


def test_a_save_that_races_once_is_written_again_and_kept(couch_server, personas, db):
    racing = RacingClient(couch_server, db)
    login(racing, personas["admin"].name, personas["admin"].password)
    plain_send = CouchClient.send_exact
    raced = []

    def race_once(self, *args, **kwargs):
        if raced:
            return plain_send(self, *args, **kwargs)
        raced.append(True)
        return RacingClient.send_exact(self, *args, **kwargs)

    racing.send_exact = race_once.__get__(racing)
    saved_queries.save(racing, db, "Kept", {"selector": "{}"}, "admin")
    assert [s["name"] for s in saved_queries.load(racing, db)["saved"]] == ["Kept"]


def test_the_page_says_a_query_was_not_saved_and_keeps_it(admin_client, db, couch_server, monkeypatch):
    monkeypatch.setattr(CouchClient, "send_exact", _racing_send_exact(couch_server, db))
    response, page = mango(admin_client, db, selector='{"type": "fruit"}', action="save", name="Fruit")
    assert "was not saved" in page and "Saved “Fruit”" not in page
    assert '{"type": "fruit"}' in page


def _racing_send_exact(couch_server, db):
    """CouchClient.send_exact, with each write of the store undone at once by someone else's."""
    plain = CouchClient.send_exact

    def send_exact(self, method, *segments, body, params=None, headers=None):
        def write():
            return plain(self, method, *segments, body=body, params=params, headers=headers)

        return _write_then_lose(couch_server, db, write) if method == "PUT" and segments[-1] == STORE else write()

    return send_exact


def _client_of(persona):
    client = CouchClient()
    login(client, persona.name, persona.password)
    return client


# --- 4. Queries that asked something else ---

def test_use_index_takes_the_design_document_id_the_explain_page_shows(admin_client, db):
    indexes = reverse("browser:indexes", kwargs={"db": db})
    for ddoc in ("0998aa", "0998bb"):
        created = admin_client.post(indexes, {"fields": "type", "name": f"by-type-{ddoc}", "ddoc": ddoc,
                                              "index_type": "json"})
        assert created.status_code == 302
    for ddoc in ("0998aa", "0998bb"):
        for typed in (f"_design/{ddoc}", ddoc, f"{ddoc}/by-type-{ddoc}", f"_design/{ddoc}/by-type-{ddoc}"):
            response, page = mango(admin_client, db, selector='{"type": "veg"}', use_index=typed,
                                   action="explain")
            assert response.status_code == 200, typed
            used = re.search(r'data-testid="explain-index">([^<]*)<', page).group(1)
            assert used == f"_design/{ddoc} / by-type-{ddoc}", typed


def test_a_view_run_with_keys_offers_no_next_page_by_key(admin_client, db):
    response, page = view(admin_client, db, keys='[null, "x"]', limit="1")
    assert response.status_code == 200
    assert 'rel="next"' not in page
    assert "raise the limit" in page


def test_a_view_key_of_null_finds_the_rows_whose_key_is_null(admin_client, db):
    response, page = view(admin_client, db, key="null")
    assert response.status_code == 200
    assert row_ids(page) == ["q1", "q3"]


def test_the_next_page_of_one_key_stays_within_that_key(admin_client, db):
    _, page = view(admin_client, db, key="null", limit="1")
    assert row_ids(page) == ["q1"]
    next_url = unescape(re.search(r'<a rel="next" href="([^"]+)"', page).group(1))
    second = admin_client.get(reverse("browser:view-run", kwargs={"db": db, "ddoc": "tags"}) + next_url)
    assert row_ids(unescape(second.content.decode())) == ["q3"]


# --- 5. Every input through a form ---

def test_maintenance_refuses_an_unknown_action_with_400(admin_client, db):
    response = admin_client.post(reverse("browser:maintenance", kwargs={"db": db}), {"action": "explode"})
    assert response.status_code == 400
    assert "Maintenance" in response.content.decode()


def test_compacting_views_without_a_design_document_answers_400(admin_client, db):
    response = admin_client.post(reverse("browser:maintenance", kwargs={"db": db}), {"action": "compact-views"})
    assert response.status_code == 400


def test_deleting_an_index_without_its_name_answers_400(admin_client, db):
    response = admin_client.post(reverse("browser:index-delete", kwargs={"db": db}), {"ddoc": "x", "type": "json"})
    assert response.status_code == 400
    assert "Mango indexes" in response.content.decode()


def test_deleting_a_view_with_a_revision_that_is_not_one_answers_400(admin_client, db):
    response = admin_client.post(reverse("browser:view-delete", kwargs={"db": db, "ddoc": "tags"}),
                                 {"view": "by_tag", "rev": "not a rev"})
    assert response.status_code == 400
    assert "not a rev" in unescape(response.content.decode()) or "revision" in response.content.decode()


def test_an_unknown_mango_action_answers_400_and_keeps_the_query(admin_client, db):
    response, page = mango(admin_client, db, selector='{"type": "veg"}', action="explode")
    assert response.status_code == 400
    assert '{"type": "veg"}' in page


@pytest.mark.parametrize("field, value, message", [("rev", "not a rev", "Revision: That is not a revision"),
                                                   ("options", "[1]", "Options: This must be a JSON object"),
                                                   ("options", '{"a": ', "Options: Invalid JSON at line 1")])
def test_the_design_editor_refuses_bad_fields_with_400_and_keeps_the_text(admin_client, db, couch_server,
                                                                          field, value, message):
    rev = couch_server.admin_http().get(f"{couch_server.url}{db}/_design/tags").json()["_rev"]
    form = {"rev": rev, **view_rows({"name": "mine", "map": "function (doc) { emit(7, 7); }", "reduce": "",
                                     "custom": ""}), "validate_doc_update": "", "options": "", field: value}
    response = admin_client.post(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "tags"}), form)
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert message in page and "function (doc) { emit(7, 7); }" in page


@pytest.mark.parametrize("stored_views", [[1], {"v": 1}, {"v": {"map": 3}}, "views"])
def test_a_design_document_with_malformed_views_opens_in_the_editor(admin_client, db, couch_server, stored_views):
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/_design/odd",
                                           json={"views": stored_views, "language": "javascript"})
    if couch_server.is_apache_couchdb:
        # CouchDB 3 refuses to store such views, so its design documents never hold them.
        assert answer.status_code == 400
        return
    answer.raise_for_status()  # pouchdb-server stores them: the editor must still open
    response = admin_client.get(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "odd"}))
    assert response.status_code == 200


# --- Any value in any field ---

FIELDS = ["selector", "sort", "fields", "limit", "use_index", "bookmark", "action", "mode", "execution_stats",
          "name", "history", "saved", "ddoc", "type", "partial_filter_selector", "index_type", "view", "run", "key",
          "keys", "startkey", "endkey", "startkey_docid", "skip", "group_level", "reduce", "group", "include_docs",
          "rev", "overwrite_rev", "validate_doc_update", "options", "view-²-name", "view-0-name", "view-0-map",
          "view-0-reduce", "view-TOTAL_FORMS", "view-INITIAL_FORMS", "descending", "inclusive_end", "update"]
VALUES = ["", "²", "-1", "abc", "99999999999999999999", "[{}]", '[{"a":"asc","b":"asc"}]', "null", '{"a":1}',
          "\x00", "skip:x", "1e400", "[" * 600 + "]" * 600, "[" * 10_000 + "]" * 10_000, "x" * 5000, "_design/",
          '{"$regex": "("}', "true", "compact-views", "create-index"]


def test_no_value_in_any_field_of_the_query_pages_answers_500(admin_client, db, couch_server):
    put_document(couch_server, db, STORE, {"saved": [1, {"x": None}], "history": ["x", 5]})
    urls = [reverse(f"browser:{name}", kwargs={"db": db}) for name in ("mango", "indexes", "index-delete",
                                                                       "design-list", "maintenance")]
    urls += [reverse(f"browser:{name}", kwargs={"db": db, "ddoc": "tags"})
             for name in ("design-edit", "view-delete", "view-run")]
    failures = []
    for url in urls:
        for i, value in enumerate(VALUES):
            for params in ({f: value for f in FIELDS}, {FIELDS[i % len(FIELDS)]: value, "run": "1"}):
                for method in (admin_client.get, admin_client.post):
                    status = method(url, params).status_code
                    if status >= 500:
                        failures.append((status, method.__name__, url, repr(value)[:40], len(params)))
    assert not failures, failures[:20]


def test_an_index_definition_a_member_wrote_by_hand_is_listed_not_a_500(admin_client, db, couch_server):
    odd_fields = [{}, {"a": "asc", "b": "desc"}, [[1]], {"c": {"deep": [1]}}]
    # w=3: on a cluster every copy has it before the index list reads _design docs from one copy of each shard.
    put_document(couch_server, db, "_design/by-hand", {
        "language": "query", "views": {"odd": {"map": {"fields": {"a": "asc"}}, "reduce": "_count",
                                               "options": {"def": {"fields": odd_fields}}}}}, w=3)
    response = admin_client.get(reverse("browser:indexes", kwargs={"db": db}))
    assert response.status_code == 200
    assert "_design/by-hand" in response.content.decode()
