"""Mango through the dashboard, against the real server: operators, paging, explain, indexes, history."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch.client import CouchClient
from browser.couch.queries import create_index, explain, find, list_indexes
from browser.couch.session import login
from tests.conftest import TEAM
from tests.support.eventually import eventually

FRUIT = [
    {"_id": "m01", "type": "fruit", "name": "apple", "price": 1, "color": "red", "tags": ["sweet", "seasonal"]},
    {"_id": "m02", "type": "fruit", "name": "apricot", "price": 8, "color": "orange", "tags": ["sweet"]},
    {"_id": "m03", "type": "fruit", "name": "banana", "price": 15, "color": "yellow", "tags": ["sweet"]},
    {"_id": "m04", "type": "fruit", "name": "blackberry", "price": 22, "tags": ["seasonal"]},
    {"_id": "m05", "type": "veg", "name": "kale", "price": 7, "color": "green", "tags": []},
    {"_id": "m06", "type": "veg", "name": "bean", "price": 21, "color": "green", "tags": ["seasonal"]},
    {"_id": "m07", "type": "veg", "name": "beet", "price": 30, "color": "red", "tags": ["earthy"]},
]


@pytest.fixture
def produce(make_database, couch_server):
    db = make_database(security=TEAM)
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": FRUIT}).raise_for_status()
    return db


@pytest.fixture
def couch(personas):
    client = CouchClient()
    login(client, personas["admin"].name, personas["admin"].password)
    return client


def ids(result):
    return sorted(d["_id"] for d in result.docs)


@pytest.mark.parametrize("selector, expected", [
    ({"type": {"$eq": "veg"}}, ["m05", "m06", "m07"]),
    ({"price": {"$gt": 20}}, ["m04", "m06", "m07"]),
    ({"color": {"$in": ["red", "yellow"]}}, ["m01", "m03", "m07"]),
    ({"name": {"$regex": "^b"}}, ["m03", "m04", "m06", "m07"]),
    ({"tags": {"$elemMatch": {"$eq": "seasonal"}}}, ["m01", "m04", "m06"]),
    ({"$or": [{"name": "kale"}, {"price": 1}]}, ["m01", "m05"]),
    ({"color": {"$exists": False}}, ["m04"]),
])
def test_mango_operators_find_the_expected_documents(couch, produce, selector, expected):
    assert ids(find(couch, produce, {"selector": selector, "limit": 50})) == expected


def test_paging_visits_every_match_exactly_once(couch, produce):
    query = {"selector": {"price": {"$gt": 0}}, "limit": 3}
    seen, bookmark = [], None
    for _ in range(10):
        page = find(couch, produce, query, bookmark)
        seen += [d["_id"] for d in page.docs]
        bookmark = page.next_bookmark
        if not bookmark:
            break
    assert sorted(seen) == sorted(d["_id"] for d in FRUIT)
    assert len(seen) == len(set(seen))


def test_explain_names_the_index_after_it_is_created(couch, produce):
    query = {"selector": {"type": "fruit", "price": {"$gt": 5}}}
    assert explain(couch, produce, query).full_scan is True
    create_index(couch, produce, [("type", "asc"), ("price", "asc")], name="type-price", ddoc="idx-type-price")
    # On a cluster the new design document reaches each copy in its own time.
    explained = eventually(lambda: explain(couch, produce, query), until=lambda found: not found.full_scan)
    assert explained.full_scan is False
    assert explained.index.name == "type-price"
    assert explained.index.fields == (("type", "asc"), ("price", "asc"))


def test_indexes_are_listed_created_and_deleted_through_the_page(admin_client, produce):
    url = reverse("browser:indexes", kwargs={"db": produce})
    created = admin_client.post(url, {"fields": "name, price", "name": "by-name", "ddoc": "by-name",
                                      "index_type": "json", "partial_filter_selector": '{"type": "fruit"}'})
    assert created.status_code == 302, created.content[:500]
    page = eventually(lambda: admin_client.get(url).content.decode(), until=lambda text: 'data-index="by-name"' in text)
    assert 'data-index="by-name"' in page
    deleted = admin_client.post(reverse("browser:index-delete", kwargs={"db": produce}),
                                {"ddoc": "_design/by-name", "type": "json", "name": "by-name"})
    assert deleted.status_code == 302
    page = eventually(lambda: admin_client.get(url).content.decode(),
                      until=lambda text: 'data-index="by-name"' not in text)
    assert 'data-index="by-name"' not in page


def test_the_mango_page_runs_a_query_and_shows_results_and_explain(admin_client, produce):
    url = reverse("browser:mango", kwargs={"db": produce})
    response = admin_client.post(url, {"selector": '{"type": "veg"}', "limit": "10", "action": "run"})
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert re.findall(r'<tr data-id="([^"]+)"', page) == ["m05", "m06", "m07"]
    assert "This query scans every document" in page
    assert "Create this index and run again" in page


def test_the_full_scan_hint_creates_the_index_and_reruns(admin_client, produce, couch):
    url = reverse("browser:mango", kwargs={"db": produce})
    response = admin_client.post(url, {"selector": '{"type": "veg"}', "limit": "10", "action": "create-index"})
    page = unescape(response.content.decode())
    assert "This query scans every document" not in page
    assert 'data-testid="explain-index"' in page
    assert any(i.fields == (("type", "asc"),) for i in list_indexes(couch, produce))


def test_a_bad_selector_keeps_the_query_and_says_where(admin_client, produce):
    url = reverse("browser:mango", kwargs={"db": produce})
    text = '{\n  "type": "veg",\n  "price" 3\n}'
    response = admin_client.post(url, {"selector": text, "limit": "10", "action": "run"})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "line 3, column 11" in page and text in page


def test_an_unknown_operator_gets_couchdbs_reason_in_plain_words(admin_client, produce):
    url = reverse("browser:mango", kwargs={"db": produce})
    response = admin_client.post(url, {"selector": '{"price": {"$bogus": 1}}', "limit": "10", "action": "run"})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "$bogus" in page
    assert '{"price": {"$bogus": 1}}' in page


def test_history_and_saved_queries_are_shared_by_the_team(admin_client, client, personas, produce, couch_server):
    from tests.conftest import log_in

    url = reverse("browser:mango", kwargs={"db": produce})
    admin_client.post(url, {"selector": '{"type": "fruit"}', "limit": "5", "action": "run"})
    admin_client.post(url, {"selector": '{"type": "veg"}', "limit": "5", "action": "save", "name": "Vegetables"})
    log_in(client, personas["member"])
    page = unescape(client.get(url).content.decode())
    assert '{"type": "fruit"}' in page
    assert "Vegetables" in page
    loaded = unescape(client.get(url, {"saved": "Vegetables"}).content.decode())
    assert '>{"type": "veg"}</textarea>' in loaded
    stored = couch_server.admin_http().get(f"{couch_server.url}{produce}/_local/couchadmin-queries").json()
    assert stored["saved"][0]["by"] == personas["admin"].name


def test_history_keeps_the_last_twenty(couch, produce):
    from browser.couch import saved_queries

    for i in range(25):
        saved_queries.record(couch, produce, {"selector": f'{{"n": {i}}}'}, "admin")
    history = saved_queries.load(couch, produce)["history"]
    assert len(history) == 20 and history[0]["query"]["selector"] == '{"n": 24}'


@pytest.mark.couchdb3
def test_couchdb_pages_mango_by_bookmark_and_reports_execution_stats(couch, produce):
    query = {"selector": {"price": {"$gt": 0}}, "limit": 3, "execution_stats": True}
    first = find(couch, produce, query)
    assert first.bookmark and not first.bookmark.startswith("skip:")
    assert first.execution_stats.results_returned == 3
