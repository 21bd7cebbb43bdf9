"""The databases page: paging by key, details, filter, create and delete, against the real server."""

import uuid

import pytest

from browser.couch.client import CouchClient
from browser.couch.databases import database_exists
from tests.conftest import RUN_ID, TEAM, log_in


@pytest.fixture
def prefixed_databases(make_database):
    prefix = f"ca-{RUN_ID}-p{uuid.uuid4().hex[:6]}-"
    names = sorted(make_database(f"{prefix}{i:02d}") for i in range(25))
    return prefix, names


def _listed(response):
    page = response.content.decode()
    return [line.split('data-db="')[1].split('"')[0] for line in page.splitlines() if 'data-db="' in line]


def test_it_lists_one_page_of_databases_with_their_details(admin_client, prefixed_databases):
    prefix, names = prefixed_databases
    response = admin_client.get("/", {"prefix": prefix})
    assert response.status_code == 200
    assert _listed(response) == names[:20]
    page = response.content.decode()
    assert 'rel="next"' in page and 'rel="prev"' not in page
    assert "Documents" in page and "Size (active / external)" in page


def test_it_pages_forward_and_back_by_key(admin_client, prefixed_databases):
    prefix, names = prefixed_databases
    second = admin_client.get("/", {"prefix": prefix, "start": names[20]})
    assert _listed(second) == names[20:]
    assert 'rel="next"' not in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    back = admin_client.get("/", {"prefix": prefix, "before": names[20]})
    assert _listed(back) == names[:20]


def test_it_offers_page_sizes_of_20_50_and_100(admin_client, prefixed_databases):
    prefix, names = prefixed_databases
    assert _listed(admin_client.get("/", {"prefix": prefix, "size": 50})) == names
    assert admin_client.get("/", {"prefix": prefix, "size": 7}).status_code == 200  # junk falls back to 20


def test_htmx_gets_only_the_table_fragment(admin_client, prefixed_databases):
    prefix, names = prefixed_databases
    response = admin_client.get("/", {"prefix": prefix}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page and 'data-testid="database-table"' in page
    assert "HX-Request" in response["Vary"]


def test_it_marks_databases_with_more_deleted_than_live_documents(admin_client, make_database, couch_server):
    db = make_database()
    http = couch_server.admin_http()
    for i in range(3):
        doc_url = f"{couch_server.url}{db}/doc{i}"
        rev = http.put(doc_url, json={"n": i}).json()["rev"]
        http.delete(doc_url, params={"rev": rev})
    page = admin_client.get("/", {"prefix": db}).content.decode()
    if couch_server.is_apache_couchdb:
        assert "more deleted than live documents" in page
    else:
        # pouchdb-server reports no doc_del_count, so there is nothing to compare.
        assert "more deleted than live documents" not in page


def test_a_server_admin_creates_a_database(admin_client, drop_database_afterwards):
    name = f"ca-{RUN_ID}-new-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    response = admin_client.post("/databases/new/", {"name": name})
    assert response.status_code == 302
    assert response["Location"] == f"/db/{name}/"
    assert database_exists(CouchClient(base_url=None, token=admin_client.session["couch_token"]), name)


def test_a_bad_name_is_explained_and_kept_in_the_form(admin_client):
    response = admin_client.post("/databases/new/", {"name": "Bad Name!"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "must start with a lowercase letter" in page
    assert 'value="Bad Name!"' in page


def test_an_existing_name_is_explained(admin_client, make_database):
    db = make_database()
    response = admin_client.post("/databases/new/", {"name": db})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_create_is_offered_to_server_admins_only(client, personas, make_database):
    log_in(client, personas["member"])
    response = client.get("/")
    assert "Create a database" not in response.content.decode()
    assert client.post("/databases/new/", {"name": f"ca-{RUN_ID}-nope"}).status_code == 403


def test_delete_needs_the_name_typed_exactly(admin_client, make_database):
    db = make_database()
    response = admin_client.post(f"/db/{db}/delete/", {"confirm_name": db + "x"})
    assert response.status_code == 400
    assert "does not match" in response.content.decode()
    assert f'value="{db}x"' in response.content.decode()
    response = admin_client.post(f"/db/{db}/delete/", {"confirm_name": db})
    assert response.status_code == 302
    assert not database_exists(CouchClient(token=admin_client.session["couch_token"]), db)


def test_the_database_page_shows_its_counts(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().put(f"{couch_server.url}{db}/one", json={"a": 1})
    page = admin_client.get(f"/db/{db}/").content.decode()
    assert f"<h1>{db}</h1>" in page
    assert "<dt>Documents</dt><dd>1</dd>" in page


def test_a_missing_database_is_a_404_page(admin_client):
    response = admin_client.get(f"/db/ca-{RUN_ID}-missing/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_opening_a_database_by_name_goes_to_its_page(admin_client, make_database):
    db = make_database()
    response = admin_client.get("/databases/open/", {"name": db})
    assert response["Location"] == f"/db/{db}/"


@pytest.mark.couchdb3
def test_a_non_admin_gets_the_open_by_name_box_and_recent_databases(client, personas, make_database):
    # CouchDB 3 refuses _all_dbs to anyone but server admins (401 even when logged in).
    db = make_database(security={"members": {"names": [personas["member"].name]}, "admins": {}})
    log_in(client, personas["member"])
    assert client.get(f"/db/{db}/").status_code == 200
    page = client.get("/").content.decode()
    assert "Open a database you have access to by its name" in page
    assert f'href="/db/{db}/"' in page


def test_a_non_admin_sees_the_open_by_name_box_when_listing_is_refused(client, personas, make_database, monkeypatch):
    # pouchdb-server lets anyone list databases, so refuse _all_dbs here the way CouchDB 3 does,
    # through the real client, to check the page the person then gets.
    from browser.couch import databases
    from browser.couch.errors import Unauthorized

    def refuse(*args, **kwargs):
        raise Unauthorized(401, "unauthorized", "You are not a server admin.", "GET", "/_all_dbs")

    db = make_database(security=TEAM)
    log_in(client, personas["member"])
    client.get(f"/db/{db}/")
    monkeypatch.setattr(databases, "list_databases", refuse)
    monkeypatch.setattr("browser.views.databases.list_databases", refuse)
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Open a database you have access to by its name" in page
    assert f'href="/db/{db}/"' in page
