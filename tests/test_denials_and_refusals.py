"""Denials name the permission really needed, and CouchDB's own refusals are shown as what they are."""

from html import unescape

import pytest
from django.urls import reverse

from tests.conftest import TEAM, log_in, put_document


@pytest.fixture
def team(make_database, couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "doc", {"v": 1})
    put_document(couch_server, db, "_design/d", {"views": {"v": {"map": "function (doc) { emit(doc.v, 1); }"}}})
    return db


def page_of(client, url, **params):
    response = client.get(url, params)
    return response.status_code, unescape(response.content.decode())


def test_a_member_opening_users_is_told_it_needs_a_server_admin(client, personas):
    status, page = page_of(log_in(client, personas["member"]), reverse("browser:users"))
    assert status == 403 and "This needs a CouchDB server admin." in page and "member of the database" not in page


@pytest.mark.couchdb3
def test_an_outsider_opening_a_view_is_told_membership_is_enough(client, personas, team):
    # pouchdb-server lets anyone read design documents and query views, whatever _security says.
    status, page = page_of(log_in(client, personas["outsider"]),
                           reverse("browser:view-run", kwargs={"db": team, "ddoc": "d"}), view="v")
    assert status == 403
    assert f"This needs a member of the database “{team}”" in page and "an admin of the database" not in page


@pytest.mark.parametrize("method, path, needs", [
    ("GET", "/team/_design/d/_view/v", "member"),
    ("GET", "/team/_design/d", "member"),
    ("GET", "/team/_security", "member"),
    ("PUT", "/team/_security", "admin of"),
    ("PUT", "/team/_design/d", "admin of"),
    ("POST", "/team/_compact", "admin of"),
    ("GET", "/_users/_all_docs", "server admin"),
    ("GET", "/_all_dbs", "server admin"),
])
def test_each_refusal_names_the_permission_it_needs(method, path, needs):
    from browser.couch.errors import Forbidden
    from browser.denials import missing_permission

    assert needs in missing_permission(Forbidden(403, "forbidden", "", method, path))


def test_an_outsider_gets_no_new_document_form(client, personas, team):
    status, page = page_of(log_in(client, personas["outsider"]), reverse("browser:document-new", kwargs={"db": team}))
    assert status == 403 and 'name="text"' not in page and "Document JSON" not in page


def test_an_invalid_permissions_form_is_a_bad_request_not_a_denial(client, personas, team):
    admin = log_in(client, personas["dbadmin"])
    response = admin.post(reverse("browser:permissions", kwargs={"db": team}),
                          {"section": "nowhere", "kind": "names", "value": "x", "op": "add"})
    assert response.status_code == 400
    member = log_in(client, personas["member"])
    refused = member.post(reverse("browser:permissions", kwargs={"db": team}),
                          {"section": "members", "kind": "names", "value": "x", "op": "add"})
    assert refused.status_code == 403


@pytest.mark.couchdb3
def test_couchdbs_400_for_a_malformed_rev_is_shown_as_a_400(admin_client, team):
    # pouchdb-server answers a malformed rev with 404 (missing), which the dashboard also shows as it is.
    status, page = page_of(admin_client, reverse("browser:document-revisions", kwargs={"db": team, "docid": "doc"}),
                           rev="garbage")
    assert status in (200, 400)
    response = admin_client.get(reverse("browser:document", kwargs={"db": team, "docid": "doc"}), {"rev": "1-zz"})
    assert response.status_code != 502


@pytest.mark.couchdb3
def test_couchdbs_416_for_an_impossible_range_is_passed_on(admin_client, team, couch_server):
    # pouchdb-server ignores Range (it answers 200 with the whole body).
    http = couch_server.admin_http()
    rev = http.get(f"{couch_server.url}{team}/doc").json()["_rev"]
    http.put(f"{couch_server.url}{team}/doc/a.txt", params={"rev": rev}, data=b"hello",
             headers={"Content-Type": "text/plain"}).raise_for_status()
    response = admin_client.get(reverse("browser:attachment", kwargs={"db": team, "docid": "doc"}),
                                {"name": "a.txt"}, headers={"Range": "bytes=100-200"})
    assert response.status_code == 416


def test_a_scan_counter_that_is_not_a_number_starts_the_count_again(admin_client, personas):
    response = admin_client.get(reverse("browser:user-access", kwargs={"name": personas["member"].name}),
                                {"scanned": "abc", "start": "²"})
    assert response.status_code == 200


def test_a_form_row_with_a_non_ascii_digit_in_its_path_is_ignored(admin_client, team, couch_server):
    rev = couch_server.admin_http().get(f"{couch_server.url}{team}/doc").json()["_rev"]
    response = admin_client.post(reverse("browser:document-edit", kwargs={"db": team, "docid": "doc"}),
                                 {"mode": "form", "base_rev": rev, "f:r:t": "object", "f:r.0:k": "v",
                                  "f:r.0:t": "number", "f:r.0:v": "2", "f:r.²:k": "x", "f:r.²:t": "string",
                                  "op": "retype"})
    assert response.status_code == 200
