"""The changes feed page against the real server: newest first and paged back, oldest first, live
arrivals, filters, documents on demand, hostile ids, rights, and what pouchdb-server lacks."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from browser.couch import changes as feed
from browser.visible_text import visible
from tests.conftest import TEAM, fetch_document, log_in, put_document
from tests.support.data import HOSTILE
from tests.support.eventually import eventually


def bulk(couch_server, db, docs):
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}, timeout=60)
    answer.raise_for_status()
    return answer.json()


def delete(couch_server, db, docid):
    http = couch_server.admin_http()
    rev = http.get(f"{couch_server.url}{db}/{docid}", timeout=10).json()["_rev"]
    http.delete(f"{couch_server.url}{db}/{docid}", params={"rev": rev}, timeout=10).raise_for_status()


def shown_ids(html):
    """The document ids of the rows, in order, as the page shows them."""
    body = html.split('id="change-rows"', 1)[1].split("</tbody>", 1)[0] if 'id="change-rows"' in html else html
    return [unescape(i) for i in re.findall(r'<td><a href="[^"]*/doc/[^"]*">([^<]*)</a>', body)]


def feed_ids(couch_server, db, **params):
    """The ids in the order the server itself gives its feed (bulk writes need not keep their order)."""
    answer = couch_server.admin_http().get(f"{couch_server.url}{db}/_changes", params=params, timeout=30)
    return [row["id"] for row in answer.json()["results"]]


def link(html, rel):
    match = re.search(r'<a href="\?([^"]*)" rel="' + rel + '"', html)
    return unescape(match.group(1)) if match else None


def changes_url(db, query=""):
    return reverse("browser:changes", kwargs={"db": db}) + (f"?{query}" if query else "")


@pytest.fixture
def one_shard(make_database):
    """A database of one shard, whose feed CouchDB answers in one fixed order (with q > 1 it interleaves
    its shards' feeds as they answer); pouchdb-server has no shards."""
    return lambda: make_database(q=1)


@pytest.fixture
def numbered(one_shard, couch_server):
    db = one_shard()
    bulk(couch_server, db, [{"_id": f"doc{i:03d}", "n": i} for i in range(120)])
    return db


def test_newest_first_marks_deletions_and_links_document_and_revision(admin_client, one_shard, couch_server):
    db = one_shard()
    rev = put_document(couch_server, db, "kept", {"v": 1})
    put_document(couch_server, db, "gone", {"v": 2})
    delete(couch_server, db, "gone")
    html = admin_client.get(changes_url(db)).content.decode()
    assert shown_ids(html) == ["gone", "kept"]
    assert 'class="badge badge-deleted">deleted</span>' in html
    revisions = reverse("browser:document-revisions", kwargs={"db": db, "docid": "kept"})
    assert f'href="{revisions}?rev={rev}"' in html
    assert f'href="{reverse("browser:document", kwargs={"db": db, "docid": "kept"})}"' in html
    assert 'hx-trigger="every 3s"' in html  # live on the first page


def test_pages_back_stay_put_while_changes_arrive(admin_client, numbered, couch_server):
    newest = feed_ids(couch_server, numbered, descending="true")
    first = admin_client.get(changes_url(numbered)).content.decode()
    assert shown_ids(first) == newest[:50]
    older = link(first, "next")
    bulk(couch_server, numbered, [{"_id": f"new{i}"} for i in range(7)])  # arrive after the first page
    moved = fetch_document(couch_server, numbered, "doc100")
    put_document(couch_server, numbered, "doc100", {**moved, "n": "moved to the top"})  # a shown row moves up
    second = admin_client.get(changes_url(numbered, older)).content.decode()
    assert 'hx-trigger="every 3s"' not in second  # no live rows below the first page
    expected_second = [i for i in newest[50:100] if i != "doc100"]  # doc100 has moved to the top since
    expected_third = [i for i in newest[100:] if i != "doc100"]
    if "doc100" in newest[50:100]:
        expected_second.append(expected_third.pop(0))
    assert shown_ids(second) == expected_second
    third = admin_client.get(changes_url(numbered, link(second, "next"))).content.decode()
    assert shown_ids(third) == expected_third
    assert link(third, "next") is None
    # Back up a page: the rows the first page showed are left out again, so it is the page seen before.
    back = admin_client.get(changes_url(numbered, link(third, "prev"))).content.decode()
    assert shown_ids(back) == shown_ids(second)


def test_newest_first_pages_of_a_sharded_database_show_every_change_once(admin_client, make_database,
                                                                         couch_server):
    # CouchDB merges 8 shards' feeds in no fixed order: pages found by counting rows skipped a quarter of them.
    db = make_database(q=8)
    ids = [f"d{i:03d}" for i in range(230)]
    bulk(couch_server, db, [{"_id": docid} for docid in ids])
    seen, query = [], ""
    while query is not None:
        html = admin_client.get(changes_url(db, query)).content.decode()
        page = shown_ids(html)
        assert len(page) == len(set(page)) and (len(page) == 50 or link(html, "next") is None)
        seen.extend(page)
        query = link(html, "next")
    assert sorted(seen) == ids  # none skipped, none twice
    if couch_server.is_apache_couchdb:
        assert 'data-testid="shards-note"' in html


def test_oldest_first_of_a_sharded_database_misses_no_change(admin_client, make_database, couch_server):
    db = make_database()  # two shards on CouchDB 3
    bulk(couch_server, db, [{"_id": f"doc{i:03d}"} for i in range(120)])
    seen, query = [], "order=oldest"
    while query:
        html = admin_client.get(changes_url(db, query)).content.decode()
        assert len(shown_ids(html)) == len(set(shown_ids(html)))  # a page never shows a change twice
        seen.extend(shown_ids(html))
        query = link(html, "next")
    # Each page starts at the last one's last_seq: CouchDB may send a row again (a shard's copy replaced
    # meanwhile), never skip one.
    assert sorted(set(seen)) == [f"doc{i:03d}" for i in range(120)]
    if couch_server.is_apache_couchdb:
        assert 'data-testid="shards-note"' in html


def test_oldest_first_pages_forward_by_sequence(admin_client, numbered, couch_server):
    oldest = feed_ids(couch_server, numbered)
    first = admin_client.get(changes_url(numbered, "order=oldest")).content.decode()
    assert shown_ids(first) == oldest[:50]
    nxt = link(first, "next")
    assert "since=" in nxt
    second = admin_client.get(changes_url(numbered, nxt)).content.decode()
    assert shown_ids(second) == oldest[50:100]


def test_live_arrivals_come_after_the_pages_sequence(admin_client, one_shard, couch_server):
    db = one_shard()
    put_document(couch_server, db, "before", {})
    html = eventually(lambda: admin_client.get(changes_url(db)).content.decode(),
                      until=lambda html: shown_ids(html) == ["before"])
    poll = unescape(re.search(r'hx-get="([^"]*)"', html).group(1))
    assert admin_client.get(poll, headers={"HX-Request": "true"}).content.decode().count("<tr") == 0
    put_document(couch_server, db, "arrived-1", {})
    put_document(couch_server, db, "arrived-2", {})
    # On a cluster _changes reads one copy of the shard, which may not have the second write yet.
    fragment = eventually(lambda: admin_client.get(poll, headers={"HX-Request": "true"}).content.decode(),
                          until=lambda html: len(shown_ids(html)) >= 2)
    assert shown_ids(fragment) == ["arrived-2", "arrived-1"]  # newest first, for the top of the table
    assert 'hx-swap-oob="afterbegin:#change-rows"' in fragment
    assert "2 new changes since this page was opened." in fragment
    next_poll = unescape(re.search(r'hx-get="([^"]*)"', fragment).group(1))
    assert parse_qs(urlsplit(next_poll).query)["arrived"] == ["2"]
    assert shown_ids(admin_client.get(next_poll, headers={"HX-Request": "true"}).content.decode()) == []


def test_live_updates_stop_after_many_arrivals(admin_client, make_database, couch_server, monkeypatch):
    from browser.views import changes as view

    monkeypatch.setattr(view, "LIVE_MOST", 3)
    db = make_database()
    html = admin_client.get(changes_url(db)).content.decode()
    poll = unescape(re.search(r'hx-get="([^"]*)"', html).group(1))
    bulk(couch_server, db, [{"_id": f"d{i}"} for i in range(4)])
    fragment = admin_client.get(poll, headers={"HX-Request": "true"}).content.decode()
    assert "live updates stopped" in fragment and "hx-get" not in fragment


def test_pause_and_resume(admin_client, make_database):
    db = make_database()
    html = admin_client.get(changes_url(db)).content.decode()
    pause = unescape(re.search(r'<a href="\?([^"]*)" data-testid="pause"', html).group(1))
    paused = admin_client.get(changes_url(db, pause)).content.decode()
    assert "hx-trigger" not in paused and "Resume live updates" in paused
    resume = unescape(re.search(r'<a href="\?([^"]*)" data-testid="resume"', paused).group(1))
    assert 'hx-trigger="every 3s"' in admin_client.get(changes_url(db, resume)).content.decode()


def test_id_prefix_filter(admin_client, one_shard, couch_server):
    db = one_shard()
    # One write each: pouchdb-server's _bulk_docs does not always number a batch's changes in its order.
    for docid in ("order:1", "order:2", "user:1", "orders-not", "order:3"):
        put_document(couch_server, db, docid, {})
    html = admin_client.get(changes_url(db, "id_prefix=order%3A")).content.decode()
    assert shown_ids(html) == ["order:3", "order:2", "order:1"]
    oldest = admin_client.get(changes_url(db, "id_prefix=order%3A&order=oldest")).content.decode()
    assert shown_ids(oldest) == ["order:1", "order:2", "order:3"]


@pytest.mark.couchdb3
def test_selector_and_prefix_filter_together(admin_client, make_database, couch_server):
    db = make_database()
    bulk(couch_server, db, [{"_id": "a1", "kind": "x"}, {"_id": "a2", "kind": "y"}, {"_id": "b1", "kind": "x"}])
    html = admin_client.get(changes_url(db, 'selector={"kind": "x"}')).content.decode()
    assert sorted(shown_ids(html)) == ["a1", "b1"]
    both = admin_client.get(changes_url(db, 'selector={"kind": "x"}&id_prefix=a')).content.decode()
    assert shown_ids(both) == ["a1"]


@pytest.mark.couchdb3
def test_design_filter_is_offered_and_applied(admin_client, one_shard, couch_server):
    db = one_shard()
    bulk(couch_server, db, [
        {"_id": "_design/app", "filters": {"odd": "function (doc) { return doc.n % 2 === 1; }"}},
        *({"_id": f"n{i}", "n": i} for i in range(6))])
    page = admin_client.get(changes_url(db)).content.decode()
    assert '<option value="app/odd">app/odd</option>' in page
    html = admin_client.get(changes_url(db, "filter=app/odd")).content.decode()
    assert shown_ids(html) == ["n5", "n3", "n1"]
    missing = admin_client.get(changes_url(db, "filter=app/nope"))
    assert missing.status_code == 404
    assert "CouchDB found no such design filter" in missing.content.decode()


def test_filter_mistakes_are_told_and_the_input_kept(admin_client, make_database):
    db = make_database()
    bad_json = admin_client.get(changes_url(db, "selector=%7B%22kind%22%3A"))
    assert bad_json.status_code == 400
    assert "Invalid JSON" in bad_json.content.decode() and "{&#34;kind&#34;:" in bad_json.content.decode()
    both = admin_client.get(changes_url(db, "filter=app/odd&id_prefix=zz"))
    assert both.status_code == 400
    assert "CouchDB applies one filter at a time" in both.content.decode()
    assert 'value="zz"' in both.content.decode()


def test_what_the_server_offers_is_said(admin_client, make_database, couch_server):
    db = make_database()
    html = admin_client.get(changes_url(db)).content.decode()
    if couch_server.is_apache_couchdb:
        assert 'name="selector"' in html and 'name="filter"' in html
        assert 'data-testid="filters-lacking"' not in html
    else:
        assert re.search(r'<textarea name="selector"[^>]* disabled', html)
        assert re.search(r'<select name="filter"[^>]* disabled', html)
        assert "pouchdb-server cannot filter the changes feed by a Mango selector" in html
        # Asked anyway (a typed URL): a clear refusal, and the server is never sent the request that stops it.
        refused = admin_client.get(changes_url(db, 'selector={"a": 1}'))
        assert refused.status_code == 501
        assert "pouchdb-server cannot filter" in refused.content.decode()
        assert admin_client.get(changes_url(db)).status_code == 200


def test_documents_on_demand_escaped_and_cut_short(admin_client, make_database, couch_server):
    db = make_database()
    evil = HOSTILE["field_values"][0]
    put_document(couch_server, db, "small", {"html": evil})
    put_document(couch_server, db, "big", {"blob": "x" * 2_000_000})
    rev = put_document(couch_server, db, "moved", {"v": 1})
    put_document(couch_server, db, "moved", {"v": 2, "_rev": rev})
    html = admin_client.get(changes_url(db, "include_docs=on&order=oldest")).content.decode()
    assert evil not in html and "&lt;script&gt;" in html
    assert len(html) < 100_000  # the 2 MB document is cut short
    assert "xxxx…" in html
    without = admin_client.get(changes_url(db)).content.decode()
    assert "&lt;script&gt;" not in without and "Document now" not in without


def test_hostile_ids_are_shown_escaped_and_linked(admin_client, one_shard, couch_server):
    db = one_shard()
    ids = [i for i in HOSTILE["document_ids"] if not i.startswith("_local/")]
    bulk(couch_server, db, [{"_id": i} for i in ids])
    html = admin_client.get(changes_url(db, "order=oldest")).content.decode()
    assert shown_ids(html) == [visible(i) for i in feed_ids(couch_server, db)]
    assert sorted(shown_ids(html)) == sorted(visible(i) for i in ids)
    for href in re.findall(r'<td><a href="([^"]*)"', html):
        assert admin_client.get(unescape(href)).status_code == 200, href


def test_rights_member_reads_outsider_and_anonymous_do_not(client, personas, make_database, couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "team-doc", {})
    assert client.get(changes_url(db)).status_code == 302  # anonymous: to the login page
    log_in(client, personas["outsider"])
    refused = client.get(changes_url(db))
    assert refused.status_code == 403 and "team-doc" not in refused.content.decode()
    log_in(client, personas["member"])
    assert shown_ids(client.get(changes_url(db)).content.decode()) == ["team-doc"]


@pytest.mark.couchdb3
def test_a_sequence_couchdb_does_not_know_is_refused_in_words(admin_client, make_database):
    db = make_database()
    response = admin_client.get(changes_url(db, "order=oldest&since=not-a-sequence"))
    assert response.status_code == 400
    assert "CouchDB refused this request for the feed" in response.content.decode()


def test_too_far_back_points_to_oldest_first(admin_client, numbered, monkeypatch):
    monkeypatch.setattr(feed, "MOST_ROWS_READ", 60)
    first = admin_client.get(changes_url(numbered)).content.decode()
    second = admin_client.get(changes_url(numbered, link(first, "next"))).content.decode()
    assert 'data-testid="too-deep"' in second and "order=oldest" in second


def test_deep_pages_of_a_big_feed(admin_client, one_shard, couch_server):
    db = one_shard()
    bulk(couch_server, db, [{"_id": f"d{i:05d}"} for i in range(5000)])
    top = feed.update_seq(_admin_couch(couch_server), db)
    html = admin_client.get(changes_url(db, f"top={top}&skip=4950")).content.decode()
    assert shown_ids(html) == feed_ids(couch_server, db, descending="true")[4950:]


@pytest.mark.couchdb3
def test_partitioned_database(admin_client, couch_server, drop_database_afterwards):
    from tests.conftest import RUN_ID

    db = f"ca-{RUN_ID}-parted-changes"
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}{db}", params={"partitioned": "true"}, timeout=10).raise_for_status()
    drop_database_afterwards(db)
    bulk(couch_server, db, [{"_id": "north:1"}, {"_id": "south:1"}])
    html = admin_client.get(changes_url(db, "id_prefix=north%3A")).content.decode()
    assert shown_ids(html) == ["north:1"]
    assert admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "north:1"})).status_code == 200


def _admin_couch(couch_server):
    from browser.couch.client import CouchClient
    from browser.couch.session import login

    client = CouchClient(base_url=couch_server.url)
    login(client, couch_server.admin.name, couch_server.admin.password)
    return client
