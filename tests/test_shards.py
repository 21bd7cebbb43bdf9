"""Shard pages against the real server: q ranges and their nodes, the shard of a document (hostile ids too),
who may see them, the q and n a new database got, and what pouchdb-server lacks."""

import re
import uuid
from html import unescape

import pytest
import requests
from django.urls import reverse

from tests.conftest import RUN_ID, TEAM, log_in, put_document
from tests.support.data import HOSTILE
from tests.support.lacking import assert_lacking


@pytest.fixture
def make_laid_out_database(make_database):
    """Databases created with CouchDB's own q, n and partitioned parameters, dropped afterwards."""
    return make_database


def shards_page(client, db):
    return client.get(reverse("browser:database-shards", kwargs={"db": db}))


def ranges_shown(page):
    return re.findall(r'<tr data-range="([^"]+)">', page)


def direct_shard(couch_server, db, docid):
    """CouchDB's own answer, asked with the id wholly encoded ("." and ".." too, or they would be resolved away)."""
    encoded = requests.utils.quote(docid, safe="").replace(".", "%2E")
    http = couch_server.admin_http()
    url = f"{couch_server.url}{requests.utils.quote(db, safe='')}/_shards/{encoded}"
    prepared = http.prepare_request(requests.Request("GET", url))
    prepared.url = url  # requests would turn "%2E" back into "."
    answer = http.send(prepared, timeout=10).json()
    assert "range" in answer, (docid, answer)
    return answer


@pytest.mark.couchdb3
def test_a_default_database_shows_its_two_ranges_with_q_and_n(admin_client, make_laid_out_database, couch_server):
    db = make_laid_out_database()
    info = couch_server.admin_http().get(couch_server.url + db, timeout=10).json()["cluster"]
    page = shards_page(admin_client, db).content.decode()
    assert info["q"] == 2
    assert len(ranges_shown(page)) == 2
    assert ranges_shown(page) == ["00000000-7fffffff", "80000000-ffffffff"]
    assert f'data-testid="shards-q">{info["q"]}<' in page and f'data-testid="replicas-n">{info["n"]}<' in page
    assert 'data-testid="membership-unknown"' not in page  # a server admin is told which nodes are up


@pytest.mark.couchdb3
def test_a_q4_database_shows_four_ranges_in_hash_order(admin_client, make_laid_out_database):
    db = make_laid_out_database(q=4)
    page = shards_page(admin_client, db).content.decode()
    assert ranges_shown(page) == ["00000000-3fffffff", "40000000-7fffffff", "80000000-bfffffff",
                                  "c0000000-ffffffff"]
    assert page.count('aria-label="holds a copy"') >= 4


@pytest.mark.couchdb3
def test_a_documents_shard_is_named_with_its_nodes(admin_client, make_laid_out_database, couch_server):
    db = make_laid_out_database(q=4)
    put_document(couch_server, db, "order-17", {"n": 1})
    expected = direct_shard(couch_server, db, "order-17")
    response = admin_client.get(reverse("browser:document-shard", kwargs={"db": db, "docid": "order-17"}))
    page = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="shard-range">{expected["range"]}<' in page
    for node in expected["nodes"]:
        assert node in page
    assert reverse("browser:document", kwargs={"db": db, "docid": "order-17"}) in page
    assert 'data-testid="no-such-document"' not in page


@pytest.mark.couchdb3
def test_an_id_without_a_document_still_has_a_shard_and_says_so(admin_client, make_laid_out_database,
                                                                 couch_server):
    db = make_laid_out_database()
    page = admin_client.get(reverse("browser:document-shard", kwargs={"db": db, "docid": "not-yet"})).content.decode()
    assert direct_shard(couch_server, db, "not-yet")["range"] in page
    assert "no document has this id now" in page


@pytest.mark.couchdb3
def test_hostile_ids_and_a_slashed_database_name_reach_the_right_shard(admin_client, make_laid_out_database,
                                                                       couch_server):
    db = make_laid_out_database(name=f"ca-{RUN_ID}-sh/{uuid.uuid4().hex[:6]}", q=8)
    for docid in HOSTILE["document_ids"]:
        expected = direct_shard(couch_server, db, docid)["range"]
        response = admin_client.get(reverse("browser:document-shard", kwargs={"db": db, "docid": docid}))
        assert response.status_code == 200, (docid, response.content[:300])
        assert f'data-testid="shard-range">{expected}<' in response.content.decode(), docid
    assert len(ranges_shown(shards_page(admin_client, db).content.decode())) == 8


@pytest.mark.couchdb3
def test_the_lookup_form_opens_the_shard_of_the_typed_id_and_keeps_bad_input(admin_client, make_laid_out_database):
    db = make_laid_out_database()
    url = reverse("browser:database-shards", kwargs={"db": db})
    response = admin_client.get(url, {"docid": "_design/with/slash"})
    assert response.status_code == 302
    assert response["Location"] == reverse("browser:document-shard", kwargs={"db": db, "docid": "_design/with/slash"})
    assert admin_client.get(response["Location"]).status_code == 200
    empty = admin_client.get(url, {"docid": ""})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()


@pytest.mark.couchdb3
def test_a_member_sees_the_ranges_but_is_told_node_states_need_a_server_admin(client, personas,
                                                                             make_laid_out_database):
    db = make_laid_out_database(security=TEAM, q=4)
    log_in(client, personas["member"])
    page = shards_page(client, db).content.decode()
    assert len(ranges_shown(page)) == 4
    assert "only CouchDB server admins may ask the cluster which nodes are connected" in page
    shard = client.get(reverse("browser:document-shard", kwargs={"db": db, "docid": "x"}))
    assert shard.status_code == 200


@pytest.mark.couchdb3
def test_an_outsider_is_refused_in_plain_words_and_anonymous_goes_to_login(client, personas,
                                                                          make_laid_out_database):
    db = make_laid_out_database(security=TEAM)
    anonymous = shards_page(client, db)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("browser:login"))
    log_in(client, personas["outsider"])
    for url in (reverse("browser:database-shards", kwargs={"db": db}),
                reverse("browser:document-shard", kwargs={"db": db, "docid": "x"})):
        refused = client.get(url)
        assert refused.status_code == 403
        assert f"This needs a member of the database “{db}”" in unescape(refused.content.decode())


@pytest.mark.couchdb3
def test_a_missing_database_is_404(admin_client):
    assert shards_page(admin_client, f"ca-{RUN_ID}-no-such-db").status_code == 404


@pytest.mark.couchdb3
def test_creating_a_database_says_the_q_and_n_couchdb_gave(admin_client, drop_database_afterwards, couch_server):
    name = f"ca-{RUN_ID}-made-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    response = admin_client.post(reverse("browser:database-create"),
                                 {"name": name, "shards_q": "4", "replicas_n": "3"}, follow=True)
    page = unescape(response.content.decode())
    got = couch_server.admin_http().get(couch_server.url + name, timeout=10).json()["cluster"]
    assert got["q"] == 4
    assert f"“{name}” has 4 shards (q) with {got['n']} cop" in page
    if got["n"] != 3:  # a single node keeps one copy whatever was asked
        assert f"CouchDB gave n {got['n']} (you asked for 3)" in page


def test_pouchdb_server_pages_say_it_has_no_shards(admin_client, make_laid_out_database, couch_server,
                                                   drop_database_afterwards):
    if couch_server.is_apache_couchdb:
        pytest.skip("Apache CouchDB has shards; this checks what pouchdb-server is said to lack")
    db = make_laid_out_database()
    for url in (reverse("browser:database-shards", kwargs={"db": db}),
                reverse("browser:document-shard", kwargs={"db": db, "docid": "x/y"})):
        assert_lacking(admin_client.get(url), "has_shards")
    name = f"ca-{RUN_ID}-made-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    created = admin_client.post(reverse("browser:database-create"), {"name": name, "shards_q": "4"}, follow=True)
    assert "settings you chose have no effect here" in created.content.decode()


@pytest.mark.couchdb3
@pytest.mark.cluster
def test_on_a_cluster_q4_n3_shows_four_ranges_each_on_three_nodes(admin_client, make_laid_out_database,
                                                                  couch_server):
    db = make_laid_out_database(q=4, n=3)
    page = shards_page(admin_client, db).content.decode()
    assert len(ranges_shown(page)) == 4
    rows = re.findall(r'<tr data-range="[^"]+">(.*?)</tr>', page)
    assert [row.count('aria-label="holds a copy"') for row in rows] == [3, 3, 3, 3]
    nodes = couch_server.admin_http().get(couch_server.url + "_membership", timeout=10).json()
    for node in nodes["cluster_nodes"]:
        assert f'data-node="{node}"' in page
    for node in nodes["cluster_nodes"]:  # a node configured but not connected is marked down
        header = re.search(rf'data-node="{re.escape(node)}">(.*?)</th>', page, re.DOTALL).group(1)
        assert ('data-testid="node-down"' in header) == (node not in nodes["all_nodes"]), node


@pytest.mark.couchdb3
@pytest.mark.cluster
def test_on_a_cluster_a_documents_shard_names_its_range_and_three_nodes(admin_client, make_laid_out_database,
                                                                        couch_server):
    db = make_laid_out_database(q=4, n=3)
    expected = direct_shard(couch_server, db, "slash/inside/id")
    page = admin_client.get(reverse("browser:document-shard",
                                    kwargs={"db": db, "docid": "slash/inside/id"})).content.decode()
    assert f'data-testid="shard-range">{expected["range"]}<' in page
    listed = re.search(r'data-testid="shard-nodes">(.*?)</ul>', page, re.DOTALL).group(1)
    assert listed.count("<li>") == 3
    for node in expected["nodes"]:
        assert node in listed


@pytest.mark.couchdb3
def test_the_document_page_links_to_its_shard(admin_client, make_laid_out_database, couch_server):
    db = make_laid_out_database()
    put_document(couch_server, db, "a/b c", {})
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "a/b c"})).content.decode()
    shard = reverse("browser:document-shard", kwargs={"db": db, "docid": "a/b c"})
    assert f'href="{shard}"' in page
    assert admin_client.get(shard).status_code == 200
