"""Parsing of answers only Apache CouchDB gives (bookmark, execution_stats, _explain, _info,
_active_tasks, compilation_error), checked against answers recorded from CouchDB 3.5."""

import pytest

from browser.couch.client import CouchClient
from browser.couch.errors import BadRequest
from browser.couch.flavour import CouchDB3
from browser.couch.queries import explain, find, list_indexes, view_info
from browser.couch.tasks import active_tasks
from tests.support.contract import Replay, exchange


def client_for(*recorded):
    return CouchClient(http=Replay(*recorded), base_url="http://couch.test/", timeout=5, flavour=CouchDB3)


def test_find_keeps_couchdbs_bookmark_for_the_next_page():
    page = find(client_for(exchange("mango.json", "paging by bookmark, page 1")), "db",
                {"selector": {"type": "fruit", "price": {"$gt": 0}}, "limit": 6})
    assert len(page.docs) == 6
    assert page.next_bookmark == page.bookmark and not page.bookmark.startswith("skip:")


def test_find_stops_when_couchdb_returns_an_empty_page():
    page = find(client_for(exchange("mango.json", "paging by bookmark, page 4")), "db",
                {"selector": {}, "limit": 6}, bookmark="g1AAAABAeJzLYWBgYMpg")
    assert page.docs == [] and page.next_bookmark is None


def test_find_reads_execution_stats_and_warnings():
    stats = find(client_for(exchange("mango.json", "execution_stats=true")), "db", {"selector": {}, "limit": 25})
    assert stats.execution_stats.total_keys_examined == 12
    assert stats.execution_stats.results_returned == len(stats.docs)
    warned = find(client_for(exchange("mango.json", "_find $in (no usable index")), "db", {"selector": {}, "limit": 4})
    assert "No matching index" in warned.warning


def test_explain_reads_the_index_and_range_from_mrargs():
    explained = explain(client_for(exchange("mango.json", "POST _explain (full body)")), "db", {"selector": {}})
    assert explained.full_scan is False
    assert explained.index.name == "type-price" and explained.index.ddoc == "_design/idx-type-price"
    assert explained.index.fields == (("type", "asc"), ("price", "asc"))
    assert explained.start_key == '["fruit",5]' and explained.end_key == '["fruit","<MAX>"]'


def test_explain_recognises_a_full_scan():
    explained = explain(client_for(exchange("mango.json", "_explain for a query with no usable index")), "db",
                        {"selector": {"color": "red"}})
    assert explained.full_scan is True


def test_indexes_are_read_with_directions_and_partial_filters():
    indexes = list_indexes(client_for(exchange("mango.json", "GET _index")), "db")
    assert indexes[0].type == "special" and not indexes[0].deletable
    assert all(i.deletable for i in indexes[1:])


def test_query_errors_carry_couchdbs_error_name():
    with pytest.raises(BadRequest) as raised:
        find(client_for(exchange("mango.json", "sort on a field without any index")), "db", {"selector": {}})
    assert raised.value.error == "no_usable_index"


def test_view_info_reports_the_updater_while_the_index_builds():
    info = view_info(client_for(exchange("tasks_replication.json", "_info while the index is being built")),
                     "contract-big", "slow")
    assert info["view_index"]["updater_running"] is True


def test_active_tasks_are_matched_to_their_database_through_shard_names():
    tasks = active_tasks(client_for(exchange("tasks_replication.json", "while a view index is being built")),
                         "contract-big")
    assert tasks and tasks[0]["type"] == "indexer" and 0 <= tasks[0]["progress"] <= 100
    assert active_tasks(client_for(exchange("tasks_replication.json", "while a view index is being built")),
                        "other-db") == []


def test_a_broken_map_function_is_a_compilation_error():
    from browser.couch.documents import save_document

    with pytest.raises(BadRequest) as raised:
        save_document(client_for(exchange("views.json", "JavaScript syntax error in map")), "db", "_design/broken",
                      {"views": {"v": {"map": "function(doc) {"}}})
    assert raised.value.error == "compilation_error"
