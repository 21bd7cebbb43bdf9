"""Partition pages against the real server: a partition's counts and documents, Mango and views within it,
errors in plain words with the input kept, hostile partition names, rights, and what pouchdb-server lacks."""

import re
from html import unescape

import pytest
import requests
from django.urls import reverse

from browser.couch.flavour import PouchDBServer
from tests.conftest import ADMINS_ONLY, TEAM, log_in
from tests.support.lacking import assert_lacking

DOCS = ([{"_id": f"a:{i}", "kind": "reading", "value": i} for i in range(3)]
        + [{"_id": f"b:{i}", "kind": "reading", "value": 10 + i} for i in range(2)]
        + [{"_id": "a/b:1", "kind": "slashed"}, {"_id": "é x?#:1", "kind": "hostile"},
           {"_id": "_design/by_value", "views": {"v": {"map": "function (doc) { emit(doc.value, doc.kind); }"}}},
           {"_id": "_design/global", "options": {"partitioned": False},
            "views": {"all": {"map": "function (doc) { emit(doc._id, 1); }"}}}])


@pytest.fixture
def make_db(couch_server, make_database):
    http = couch_server.admin_http()

    def make(partitioned=True, security=ADMINS_ONLY, docs=DOCS):
        params = {"partitioned": True} if partitioned and couch_server.is_apache_couchdb else {}
        name = make_database(security=security, **params)
        url = couch_server.url + requests.utils.quote(name, safe="")
        if docs and couch_server.is_apache_couchdb:
            for doc in docs if partitioned else [d for d in docs if "options" not in d]:
                http.put(url + "/" + requests.utils.quote(doc["_id"], safe="").replace("_design%2F", "_design/"),
                         json=doc, timeout=10).raise_for_status()
        return name

    return make


def partition_url(db, partition):
    return reverse("browser:partition", kwargs={"db": db, "partition": partition})


def ids_listed(page):
    return [unescape(i) for i in re.findall(r'<li data-id="([^"]*)">', page)]


def mango_ids(page):
    return [unescape(i) for i in re.findall(r'<tr data-id="([^"]*)">', page)]


@pytest.mark.couchdb3
def test_a_partitions_counts_and_documents_are_its_own(admin_client, make_db, couch_server):
    db = make_db()
    http = couch_server.admin_http()
    gone = http.get(f"{couch_server.url}{db}/a:2", timeout=10).json()
    http.delete(f"{couch_server.url}{db}/a:2", params={"rev": gone["_rev"]}, timeout=10).raise_for_status()
    page = admin_client.get(partition_url(db, "a")).content.decode()
    assert 'data-testid="partition-doc-count">2<' in page
    assert 'data-testid="partition-del-count">1<' in page
    assert ids_listed(page) == ["a:0", "a:1"]
    assert reverse("browser:document", kwargs={"db": db, "docid": "a:0"}) in page
    assert ids_listed(admin_client.get(partition_url(db, "b")).content.decode()) == ["b:0", "b:1"]


@pytest.mark.couchdb3
def test_a_partitions_documents_are_paged_by_key(admin_client, make_db, couch_server):
    db = make_db(docs=[{"_id": f"p:{i:02d}"} for i in range(23)] + [{"_id": "q:0"}])
    first = admin_client.get(partition_url(db, "p")).content.decode()
    assert ids_listed(first) == [f"p:{i:02d}" for i in range(20)]
    next_link = unescape(re.search(r'<a rel="next" href="([^"]+)"', first).group(1))
    second = admin_client.get(partition_url(db, "p") + next_link).content.decode()
    assert ids_listed(second) == ["p:20", "p:21", "p:22"]
    assert 'rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.couchdb3
def test_the_partitions_page_opens_a_partition_by_name_and_keeps_a_bad_name(admin_client, make_db):
    db = make_db()
    url = reverse("browser:partitions", kwargs={"db": db})
    assert "CouchDB has no request that lists the partitions" in admin_client.get(url).content.decode()
    opened = admin_client.get(url, {"partition": "a"})
    assert opened.status_code == 302 and opened["Location"] == partition_url(db, "a")
    for bad, words in (("_x", "may not start with “_”"), ("a:b", "may not contain “:”"), ("", "required")):
        refused = admin_client.get(url, {"partition": bad})
        page = unescape(refused.content.decode())
        assert refused.status_code == 400 and words in page, bad
        assert f'value="{bad}"' in page or not bad
    path_refused = admin_client.get(partition_url(db, "_x"))
    assert path_refused.status_code == 400
    assert "“_x” is not a partition name" in unescape(path_refused.content.decode())


@pytest.mark.couchdb3
@pytest.mark.parametrize("name", ["a/b", "é x?#", "..", ".", "100%", "a&b=c", "<b>x</b>"])
def test_hostile_partition_names_open_and_list_their_documents(admin_client, make_db, name):
    db = make_db()
    response = admin_client.get(partition_url(db, name))
    assert response.status_code == 200, response.content[:300]
    page = response.content.decode()
    assert "<b>x</b>" not in page
    expected = {"a/b": ["a/b:1"], "é x?#": ["é x?#:1"]}.get(name, [])
    assert ids_listed(page) == expected


@pytest.mark.couchdb3
def test_mango_within_a_partition_returns_only_its_documents(admin_client, make_db):
    db = make_db()
    form = {"selector": '{"kind": "reading"}', "limit": "25", "partition": "b", "action": "run"}
    response = admin_client.post(reverse("browser:mango", kwargs={"db": db}), form)
    page = response.content.decode()
    assert response.status_code == 200, page[:500]
    assert mango_ids(page) == ["b:0", "b:1"]
    assert "within partition" in page
    whole = admin_client.post(reverse("browser:mango", kwargs={"db": db}), {**form, "partition": ""})
    assert len(mango_ids(whole.content.decode())) == 5
    again = admin_client.get(reverse("browser:mango", kwargs={"db": db}), {"history": "1"}).content.decode()
    assert 'name="partition" value="b"' in again  # the history keeps the partition a query ran in
    opened = admin_client.get(reverse("browser:mango", kwargs={"db": db}), {"partition": "a/b"}).content.decode()
    assert 'name="partition" value="a/b"' in opened and "within partition “a/b”" in opened
    bad = admin_client.get(reverse("browser:mango", kwargs={"db": db}), {"partition": "x:y"})
    assert bad.status_code == 400 and "may not contain" in unescape(bad.content.decode())


@pytest.mark.couchdb3
def test_a_view_within_a_partition_returns_only_its_rows(admin_client, make_db):
    db = make_db()
    partition_page = admin_client.get(partition_url(db, "a")).content.decode()
    link = unescape(re.search(r'href="([^"]*by_value[^"]*)"', partition_page).group(1))
    assert "global" not in re.search(r'data-testid="partition-views">(.*?)</ul>', partition_page).group(1)
    page = admin_client.get(link).content.decode()
    rows = re.findall(r'<a href="[^"]*">([ab]:\d)</a>', page)
    assert rows == ["a:0", "a:1", "a:2"]


@pytest.mark.couchdb3
def test_partition_queries_refused_in_plain_words_with_the_input_kept(admin_client, make_db):
    plain = make_db(partitioned=False)
    form = {"selector": '{"kind": "reading"}', "limit": "25", "partition": "a", "action": "run"}
    refused = admin_client.post(reverse("browser:mango", kwargs={"db": plain}), form)
    page = unescape(refused.content.decode())
    assert refused.status_code == 400
    assert "This database is not partitioned" in page
    assert '{"kind": "reading"}' in page and 'name="partition" value="a"' in page
    bad_name = admin_client.post(reverse("browser:mango", kwargs={"db": plain}), {**form, "partition": "_a"})
    assert bad_name.status_code == 400 and "may not start with “_”" in unescape(bad_name.content.decode())
    view_url = reverse("browser:view-run", kwargs={"db": plain, "ddoc": "by_value"})
    view = admin_client.get(view_url, {"view": "v", "partition": "a", "run": "1"})
    assert view.status_code == 400 and "This database is not partitioned" in view.content.decode()
    parted = make_db()
    global_view = admin_client.get(reverse("browser:view-run", kwargs={"db": parted, "ddoc": "global"}),
                                   {"view": "all", "partition": "a", "run": "1"})
    assert global_view.status_code == 400
    assert "cannot run within a partition" in unescape(global_view.content.decode())


@pytest.mark.couchdb3
def test_a_database_that_is_not_partitioned_says_so_and_how_to_make_one(admin_client, make_db):
    db = make_db(partitioned=False)
    page = unescape(admin_client.get(reverse("browser:partitions", kwargs={"db": db})).content.decode())
    assert "is not partitioned" in page and "partitioned=true" in page
    assert admin_client.get(partition_url(db, "a")).status_code == 400


@pytest.mark.couchdb3
def test_members_browse_partitions_outsiders_are_refused_anonymous_logs_in(client, personas, make_db):
    db = make_db(security=TEAM)
    anonymous = client.get(partition_url(db, "a"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("browser:login"))
    log_in(client, personas["member"])
    assert ids_listed(client.get(partition_url(db, "a")).content.decode()) == ["a:0", "a:1", "a:2"]
    client.post(reverse("browser:logout"))
    log_in(client, personas["outsider"])
    refused = client.get(partition_url(db, "a"))
    assert refused.status_code == 403
    assert f"This needs a member of the database “{db}”" in unescape(refused.content.decode())


def test_pouchdb_server_pages_say_it_has_no_partitions(admin_client, make_db, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("Apache CouchDB has partitions; this checks what pouchdb-server is said to lack")
    db = make_db(partitioned=False, docs=None)
    assert_lacking(admin_client.get(reverse("browser:partitions", kwargs={"db": db})), "has_partitions")
    assert_lacking(admin_client.get(partition_url(db, "a")), "has_partitions")
    form = {"selector": '{"kind": "reading"}', "limit": "25", "partition": "a", "action": "run"}
    refused = admin_client.post(reverse("browser:mango", kwargs={"db": db}), form)
    # The Mango page itself works there: the partition field says what is missing.
    assert refused.status_code == 400 and PouchDBServer.LACKING["has_partitions"] in refused.content.decode()
