"""The database page's document list, against the real server: paging by key, modes, bulk delete."""

import re

import pytest


@pytest.fixture
def db_with_docs(make_database, couch_server):
    db = make_database()
    docs = [{"_id": f"doc-{i:03d}", "n": i, "city": "Oslo" if i % 2 else "Lima"} for i in range(45)]
    docs.append({"_id": "_design/app", "views": {}})
    # w=3: on a cluster every copy has them before the page lists _all_docs from one copy of each shard.
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs},
                                   params={"w": 3}).raise_for_status()
    return db


def _ids(response):
    return re.findall(r'<tr data-id="([^"]*)"', response.content.decode())


def test_it_lists_a_page_of_documents_by_key(admin_client, db_with_docs):
    response = admin_client.get(f"/db/{db_with_docs}/")
    assert response.status_code == 200
    # _all_docs is in raw byte order: "_design/…" comes before lowercase ids.
    assert _ids(response) == ["_design/app"] + [f"doc-{i:03d}" for i in range(19)]
    response = admin_client.get(f"/db/{db_with_docs}/", {"design": "hide"})
    assert _ids(response) == [f"doc-{i:03d}" for i in range(20)]
    page = response.content.decode()
    assert 'rel="next"' in page and "start=doc-020" in page


def test_it_pages_forward_and_back_without_skip(admin_client, db_with_docs):
    second = admin_client.get(f"/db/{db_with_docs}/", {"start": "doc-020"})
    assert _ids(second) == [f"doc-{i:03d}" for i in range(20, 40)]
    back = admin_client.get(f"/db/{db_with_docs}/", {"before": "doc-020"})
    assert _ids(back) == ["doc-000", "doc-001"] + [f"doc-{i:03d}" for i in range(2, 20)]
    before_first = admin_client.get(f"/db/{db_with_docs}/", {"before": "doc-019"})
    assert _ids(before_first) == ["_design/app"] + [f"doc-{i:03d}" for i in range(19)]
    last = admin_client.get(f"/db/{db_with_docs}/", {"start": "doc-040"})
    assert _ids(last) == [f"doc-{i:03d}" for i in range(40, 45)]
    assert 'rel="next"' not in last.content.decode()


def test_it_hides_design_documents_and_sorts_descending(admin_client, db_with_docs):
    hidden = admin_client.get(f"/db/{db_with_docs}/", {"design": "hide"})
    assert "_design/app" not in _ids(hidden)
    descending = admin_client.get(f"/db/{db_with_docs}/", {"order": "desc", "design": "hide"})
    assert _ids(descending)[:3] == ["doc-044", "doc-043", "doc-042"]


def test_it_jumps_to_an_id_prefix(admin_client, db_with_docs):
    response = admin_client.get(f"/db/{db_with_docs}/", {"jump": "doc-03"})
    assert _ids(response) == [f"doc-{i:03d}" for i in range(30, 40)]


def test_page_sizes_include_500(admin_client, db_with_docs):
    assert len(_ids(admin_client.get(f"/db/{db_with_docs}/", {"size": 500}))) == 46


def test_table_columns_come_from_the_page_and_can_be_chosen(admin_client, db_with_docs):
    page = admin_client.get(f"/db/{db_with_docs}/").content.decode()
    assert '<th scope="col">n</th>' in page and '<th scope="col">city</th>' in page
    chosen = admin_client.get(f"/db/{db_with_docs}/", {"columns": "city"}).content.decode()
    assert '<th scope="col">n</th>' not in chosen


def test_json_and_metadata_modes(admin_client, db_with_docs):
    json_page = admin_client.get(f"/db/{db_with_docs}/", {"mode": "json"}).content.decode()
    assert "&#34;city&#34;: &#34;Lima&#34;" in json_page
    meta_page = admin_client.get(f"/db/{db_with_docs}/", {"mode": "meta"}).content.decode()
    assert '<th scope="col">rev</th>' in meta_page


def test_htmx_gets_the_rows_fragment(admin_client, db_with_docs):
    response = admin_client.get(f"/db/{db_with_docs}/", {"start": "doc-020"}, headers={"HX-Request": "true"})
    assert "<html" not in response.content.decode()
    assert _ids(response)[0] == "doc-020"


def test_bulk_delete_confirms_then_deletes_in_one_request(admin_client, db_with_docs, couch_server):
    http = couch_server.admin_http()
    revs = {d: http.get(f"{couch_server.url}{db_with_docs}/{d}").json()["_rev"] for d in ("doc-001", "doc-002")}
    selected = [f"{rev} {docid}" for docid, rev in revs.items()] + ["1-00000000000000000000000000000000 doc-003"]
    confirm = admin_client.post(f"/db/{db_with_docs}/bulk-delete/", {"selected": selected})
    assert confirm.status_code == 200
    assert "Delete 3 documents?" in confirm.content.decode()
    assert http.get(f"{couch_server.url}{db_with_docs}/doc-001").status_code == 200
    done = admin_client.post(f"/db/{db_with_docs}/bulk-delete/", {"selected": selected, "confirmed": "yes"})
    page = done.content.decode()
    assert page.count(">deleted<") == 2
    assert "conflict" in page
    assert http.get(f"{couch_server.url}{db_with_docs}/doc-001").status_code == 404
    assert http.get(f"{couch_server.url}{db_with_docs}/doc-003").status_code == 200


def test_local_documents_are_listed_where_the_server_can(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().put(f"{couch_server.url}{db}/_local/checkpoint", json={"seq": 1})
    page = admin_client.get(f"/db/{db}/", {"kind": "local"}).content.decode()
    if couch_server.is_apache_couchdb:
        assert 'data-id="_local/checkpoint"' in page
    else:
        assert "cannot list local documents" in page


def test_conflicted_documents_are_found_by_the_scan(admin_client, make_database, couch_server):
    db = make_database()
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}{db}/calm", json={"v": 1})
    http.post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "torn", "_rev": "1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "v": "A"},
        {"_id": "torn", "_rev": "1-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "v": "B"}]}).raise_for_status()
    page = admin_client.get(f"/db/{db}/conflicts/").content.decode()
    assert "/resolve/torn" in page and "/resolve/calm" not in page
