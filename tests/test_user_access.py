"""Which databases grant a user access, and why (browser/views/users.py `user_access`), against the real server:
databases with the names of tests/data/hostile-names.json granting a user by name, by role, as an admin, or by
being public; the scan followed as the page's htmx requests follow it, and as its links are followed without
JavaScript."""

import re
import uuid
from html import unescape

import pytest
from django.urls import reverse

from browser.views import users as users_view
from tests.conftest import RUN_ID, TEAM
from tests.support.data import HOSTILE

PUBLIC = {"members": {"names": [], "roles": []}, "admins": {"names": [], "roles": []}}
CLOSED = {"members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}}
NEXT_ROW = re.compile(r'<tr id="scan-next"[^>]*hx-get="([^"]+)"')
NEXT_LINK = re.compile(r'<a href="([^"]+)" data-testid="scan-next">')


def grants_by_kind(member):
    """For each kind of grant: the security object that grants `member` (role "ca-team") so, and how the page
    says it."""
    return {
        "member-name": ({"members": {"names": [member], "roles": []}, "admins": {"names": [], "roles": []}},
                        "member by name"),
        "member-role": (TEAM, "member by role “ca-team”"),
        "admin-name": ({"members": {"names": [], "roles": ["_admin"]}, "admins": {"names": [member], "roles": []}},
                       "admin by name"),
        "admin-role": ({"members": {"names": [], "roles": ["_admin"]}, "admins": {"names": [], "roles": ["ca-team"]}},
                       "admin by role “ca-team”"),
        "public": (PUBLIC, "member, because the database is public"),
    }


@pytest.fixture
def hostile_databases(make_database, couch_server, personas):
    """Each hostile database name once for each kind of grant, and once closed to the member: {name: (kind,
    how the page says it)}, the closed ones saying None."""
    made = {}
    kinds = grants_by_kind(personas["member"].name)
    for number, hostile in enumerate(HOSTILE["database_names"]):
        if not couch_server.is_apache_couchdb:
            hostile = hostile.replace("/", "")  # pouchdb-server drops "/" from database names
        for kind, (security, said) in [*kinds.items(), ("closed", (CLOSED, None))]:
            name = f"ca{RUN_ID}{number}{kind}{hostile}"[:238]
            made[make_database(name=name, security=security)] = (kind, said)
    return made


def scan(client, name, htmx=True):
    """Every request of one scan, as the page's htmx requests (or a person following its links) make them:
    the pages' text."""
    url = reverse("browser:user-access", kwargs={"name": name})
    pages = [client.get(url).content.decode()]
    for _ in range(10_000):
        found = (NEXT_ROW if htmx else NEXT_LINK).search(pages[-1])
        if not found:
            return pages
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url + unescape(found.group(1)), headers=headers)
        assert response.status_code == 200
        pages.append(response.content.decode())
    raise AssertionError("the scan never ended")


def rows_of(pages):
    """{database: its row's text}, from every page of a scan; no database twice."""
    rows = {}
    for page in pages:
        for db, cell in re.findall(r'<tr data-db="([^"]*)">(.*?)</tr>', page, re.S):
            assert unescape(db) not in rows, f"{db} listed twice"
            rows[unescape(db)] = unescape(cell)
    return rows


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "links"])
def test_a_scan_lists_every_database_that_grants_the_user_access_and_why(admin_client, personas, hostile_databases,
                                                                        monkeypatch, htmx):
    monkeypatch.setattr(users_view, "SCAN_PAGE", 7)  # several requests, each a stretch of databases
    pages = scan(admin_client, personas["member"].name, htmx=htmx)
    assert len(pages) > 5
    rows = rows_of(pages)
    for db, (kind, said) in hostile_databases.items():
        if said is None:
            assert db not in rows, f"{kind}: {db}"
        else:
            assert said in rows[db], f"{kind}: {db}: {rows[db]}"
            assert f'<a href="{reverse("browser:database", kwargs={"db": db})}">' in rows[db]
    assert "Scan finished" in pages[-1]


def test_a_server_admin_has_access_to_every_database(admin_client, personas, hostile_databases):
    rows = rows_of(scan(admin_client, personas["admin"].name))
    for db in hostile_databases:
        assert "server admin" in rows[db]


def test_the_progress_says_how_many_databases_are_checked_of_how_many(admin_client, personas, couch_server,
                                                                      make_database, monkeypatch):
    monkeypatch.setattr(users_view, "SCAN_PAGE", 1)
    make_database()
    url = reverse("browser:user-access", kwargs={"name": personas["member"].name})
    first = admin_client.get(url).content.decode()
    status = re.search(r'<p id="scan-status" role="status"[^>]*>(.*?)</p>', first, re.S).group(1)
    shown = re.search(r"Scanned 1 of ([0-9,]+) databases…", status).group(1)
    total = len(couch_server.admin_http().get(couch_server.url + "_all_dbs").json())
    assert abs(int(shown.replace(",", "")) - total) < 20  # other tests on this server create and drop some too
    # Each htmx request brings the next rows and, out of band, the new words for the live region.
    after = admin_client.get(url + unescape(NEXT_ROW.search(first).group(1)), headers={"HX-Request": "true"})
    fragment = after.content.decode()
    assert "<html" not in fragment and 'role="status"' not in fragment
    assert '<p id="scan-status" hx-swap-oob="innerHTML">' in fragment and f"Scanned 2 of {shown} " in fragment


def test_counts_of_a_thousand_and_more_have_separators(admin_client, personas, monkeypatch):
    url = reverse("browser:user-access", kwargs={"name": personas["member"].name})
    page = admin_client.get(url, {"start": "\ufff0", "scanned": 1234566, "total": 1234567}).content.decode()
    assert "Scan finished: 1,234,566 databases checked." in page


def test_a_user_nobody_created_is_still_scanned(admin_client, hostile_databases):
    rows = rows_of(scan(admin_client, f"ca-{RUN_ID}-nobody-{uuid.uuid4().hex[:6]}"))
    for db, (kind, _) in hostile_databases.items():
        assert (db in rows) == (kind == "public"), f"{kind}: {db}"


def test_a_security_object_couchdb_would_refuse_is_reported_not_a_500(admin_client, personas, make_database,
                                                                       couch_server):
    db = make_database()
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/_security", json={"members": ["x"]})
    if answer.status_code >= 400:
        pytest.skip(f"this server refuses such a _security object ({answer.status_code}), as Apache CouchDB does")
    rows = rows_of(scan(admin_client, personas["member"].name))
    assert "Not known: its _security object is not one CouchDB would accept." in rows[db]
