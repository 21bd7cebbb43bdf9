"""A Mango query that no index fits reads every document (issue 26): on a database holding more documents than
MANGO_FULL_SCAN_CONFIRM_ABOVE the page explains it and offers an index instead of running it, and runs it only when
asked again; under the threshold nothing changes. A new index is waited for until CouchDB chooses it (issue 30)."""

import re
import threading
import time
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse

from browser.couch.queries import create_index, explain, explain_once_chosen, with_scan_size
from tests.conftest import TEAM, bulk_docs

DOCS = [{"_id": f"o{i:02d}", "type": "order" if i % 2 else "refund", "amount": i} for i in range(12)]
SMALL = 5  # the threshold in these tests: the database's 12 documents are "big"


@pytest.fixture
def orders(make_database, couch_server):
    db = make_database(security=TEAM)
    bulk_docs(couch_server, db, DOCS)
    return db


def run(client, db, **fields):
    response = client.post(reverse("browser:mango", kwargs={"db": db}), {"limit": "25", **fields})
    return response, unescape(response.content.decode())


def result_ids(page):
    return re.findall(r'<tr data-id="([^"]+)"', page)


def finds(proxy):
    return [path for method, path, _ in proxy.done if method == "POST" and "/_find" in path]


def test_under_the_threshold_a_full_scan_runs_as_before(admin_client, orders):
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=50):
        response, page = run(admin_client, orders, selector='{"type": "refund"}', action="run")
    assert response.status_code == 200
    assert len(result_ids(page)) == 6
    assert "This query scans every document" in page and 'data-testid="full-scan-held"' not in page


def test_above_the_threshold_a_full_scan_is_explained_not_run(admin_client, orders, slow_couchdb):
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL, COUCHDB_URL=slow_couchdb.url):
        response, page = run(admin_client, orders, selector='{"type": "refund"}', action="run")
    assert response.status_code == 200
    assert finds(slow_couchdb) == []  # CouchDB was asked only to explain
    held = re.search(r'data-testid="full-scan-held">(.*?)</p>', page, re.DOTALL).group(1)
    assert "This query scans every one of 12 documents" in held and "no index fits it" in held
    assert "It has not been run" in held
    assert '>{"type": "refund"}</textarea>' in page  # the person's text stays
    assert 'name="action" value="create-index"' in page and "An index on <code>type asc</code>" in page
    assert re.search(r'<button type="submit" name="full_scan" value="on"[^>]*>Run the full scan anyway</button>', page)
    assert 'data-testid="results"' not in page
    assert 'data-testid="query-history"' not in page  # a query not run is not in the history


def test_run_the_full_scan_anyway_runs_it_and_its_pages_stay_confirmed(admin_client, orders):
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL):
        response, page = run(admin_client, orders, selector='{"type": "refund"}', limit="4", full_scan="on")
        assert response.status_code == 200
        assert len(result_ids(page)) == 4 and 'data-testid="full-scan-held"' not in page
        assert "full_scan=on" in response["HX-Push-Url"]
        next_url = re.search(r'<a href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
        assert "full_scan=on" in next_url
        second = unescape(admin_client.get(reverse("browser:mango", kwargs={"db": orders}) + next_url)
                          .content.decode())
    assert len(result_ids(second)) == 2 and not set(result_ids(second)) & set(result_ids(page))


def test_explain_only_shows_the_count_and_runs_nothing(admin_client, orders, slow_couchdb):
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL, COUCHDB_URL=slow_couchdb.url):
        response, page = run(admin_client, orders, selector='{"type": "refund"}', action="explain")
    assert response.status_code == 200 and finds(slow_couchdb) == []
    assert "This query scans every document" in page and "Run the full scan anyway" not in page


def test_a_query_on_id_alone_reads_only_its_page_and_is_never_held(admin_client, orders):
    # The primary index answers an _id range by itself: the default selector reads 25 documents, not all of them.
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL):
        for selector in ('{"_id": {"$gt": null}}', '{"_id": {"$gte": "o03", "$lt": "o06"}}', '{"_id": "o07"}'):
            response, page = run(admin_client, orders, selector=selector, action="run")
            assert response.status_code == 200 and result_ids(page), selector
            assert "scans every" not in page and "Create this index" not in page, selector


def test_creating_the_offered_index_runs_the_query_with_it(admin_client, orders):
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL):
        response, page = run(admin_client, orders, selector='{"type": "refund"}', action="create-index")
    assert response.status_code == 200
    assert len(result_ids(page)) == 6
    assert 'data-testid="explain-index">_design/couchadmin-by-type / by-type</code>' in page
    assert "“by-type” in _design/couchadmin-by-type created, on type asc" in page
    assert "did not choose" not in page


@pytest.mark.couchdb3
def test_within_a_partition_the_partitions_count_decides(admin_client, make_database, couch_server):
    db = make_database(security=TEAM, partitioned=True)
    docs = [{"_id": f"{'big' if i < 8 else 'small'}:{i}", "type": "order"} for i in range(10)]
    bulk_docs(couch_server, db, docs)
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=SMALL):
        _, small = run(admin_client, db, selector='{"type": "order"}', partition="small", action="run")
        _, big = run(admin_client, db, selector='{"type": "order"}', partition="big", action="run")
    assert len(result_ids(small)) == 2
    assert "This query scans every one of 8 documents in partition “big”" in big and not result_ids(big)


def test_the_scan_size_is_the_databases_document_count(admin_couch, orders):
    query = {"selector": {"amount": {"$gt": 3}}}
    explained = with_scan_size(admin_couch, orders, explain(admin_couch, orders, query))
    assert explained.full_scan and explained.documents == 12
    assert explained.scans_more_than(11) and not explained.scans_more_than(12)
    indexed = with_scan_size(admin_couch, orders, explain(admin_couch, orders, {"selector": {"_id": "o01"}}))
    assert not indexed.full_scan and indexed.documents is None


def test_a_new_index_is_waited_for_until_couchdb_chooses_it(admin_couch, orders):
    # The index appears a moment after the wait begins, as on a cluster where the node asked learns of it late.
    query = {"selector": {"amount": {"$gt": 3}}}
    later = threading.Timer(0.6, create_index, (admin_couch, orders, [("amount", "asc")]),
                            {"name": "by-amount", "ddoc": "by-amount"})
    started = time.monotonic()
    later.start()
    try:
        explained = explain_once_chosen(admin_couch, orders, query, "_design/by-amount", "by-amount")
    finally:
        later.join()
    assert explained.uses("_design/by-amount", "by-amount")
    assert 0.6 <= time.monotonic() - started < 5


def test_the_wait_for_a_new_index_is_bounded(admin_couch, orders):
    started = time.monotonic()
    query = {"selector": {"amount": {"$gt": 3}}}
    explained = explain_once_chosen(admin_couch, orders, query, "_design/none", "none", within=0.4)
    assert explained.full_scan and 0.2 <= time.monotonic() - started < 2


def test_a_query_that_names_another_index_is_not_waited_for(admin_couch, orders):
    create_index(admin_couch, orders, [("type", "asc")], name="by-type", ddoc="by-type")
    started = time.monotonic()
    query = {"selector": {"type": "order"}, "use_index": "_design/by-type"}
    explained = explain_once_chosen(admin_couch, orders, query, "_design/by-amount", "by-amount", within=3)
    assert not explained.uses("_design/by-amount", "by-amount") and time.monotonic() - started < 1
