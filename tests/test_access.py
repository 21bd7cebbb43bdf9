"""Permissions, who has access and why, users, and the audit log — with real CouchDB users."""

import uuid
from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from browser.auth import TOKEN_KEY
from browser.couch.client import CouchClient
from tests.conftest import RUN_ID, log_in, put_security
from tests.support.eventually import eventually


@pytest.fixture
def team_db(make_database, personas):
    """A database whose admin is the (non-server-admin) db admin persona, with unknown keys kept."""
    return make_database(security={"admins": {"names": [personas["dbadmin"].name], "roles": []},
                                   "members": {"names": [], "roles": ["_admin"]},
                                   "couchadmin_test_extra": {"keep": True}})


def security_of(couch_server, db):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/_security").json()


def audit_records(couch_server, action, target):
    """The outcome records of `action` on `target`, oldest first. On a cluster _all_docs reads one copy of
    each shard, so a record just written may take a moment to be listed: wait for at least one."""
    def read():
        answer = couch_server.admin_http().get(f"{couch_server.url}{settings.AUDIT_DATABASE}/_all_docs",
                                               params={"include_docs": "true"})
        return [r["doc"] for r in answer.json().get("rows", []) if r["doc"].get("action") == action
                and r["doc"].get("phase") == "outcome" and r["doc"].get("target") == target]
    return eventually(read)


def grant(client, db, section, kind, value, op="add"):
    return client.post(reverse("browser:permissions", kwargs={"db": db}),
                       {"section": section, "kind": kind, "value": value, "op": op})


def test_a_database_admin_grants_a_member_by_name_and_another_by_role(client, personas, team_db, couch_server):
    log_in(client, personas["dbadmin"])
    page = client.get(reverse("browser:permissions", kwargs={"db": team_db})).content.decode()
    assert 'data-testid="read-only"' not in page
    assert grant(client, team_db, "members", "names", personas["member"].name).status_code == 302
    assert grant(client, team_db, "members", "roles", "ca-team").status_code == 302
    security = security_of(couch_server, team_db)
    assert personas["member"].name in security["members"]["names"]
    assert "ca-team" in security["members"]["roles"]
    assert security["couchadmin_test_extra"] == {"keep": True}

    member = Client()
    log_in(member, personas["member"])
    assert member.get(reverse("browser:database", kwargs={"db": team_db})).status_code == 200
    created = member.post(reverse("browser:document-new", kwargs={"db": team_db}),
                          {"docid": "by-member", "mode": "text", "text": '{"ok": true}'})
    assert created.status_code == 302

    outsider = Client()
    log_in(outsider, personas["outsider"])
    denied = outsider.get(reverse("browser:database", kwargs={"db": team_db}))
    assert denied.status_code == 403
    assert "member of the database" in denied.content.decode()


def test_members_see_permissions_read_only_and_cannot_change_them(client, personas, team_db, couch_server):
    security = security_of(couch_server, team_db)
    security["members"] = {"names": [personas["member"].name], "roles": []}
    put_security(couch_server, team_db, security)
    log_in(client, personas["member"])
    page = client.get(reverse("browser:permissions", kwargs={"db": team_db})).content.decode()
    assert 'data-testid="read-only"' in page and "Grant access" not in page
    assert grant(client, team_db, "admins", "names", personas["member"].name).status_code == 403
    assert personas["member"].name not in security_of(couch_server, team_db)["admins"]["names"]


def test_the_public_warning_appears_and_disappears(admin_client, make_database):
    db = make_database(security={"admins": {"names": [], "roles": []}, "members": {"names": [], "roles": []}})
    url = reverse("browser:permissions", kwargs={"db": db})
    assert 'data-testid="public-warning"' in admin_client.get(url).content.decode()
    grant(admin_client, db, "members", "roles", "ca-team")
    assert 'data-testid="public-warning"' not in admin_client.get(url).content.decode()
    grant(admin_client, db, "members", "roles", "ca-team", op="remove")
    assert 'data-testid="public-warning"' in admin_client.get(url).content.decode()


def test_who_has_access_and_why(admin_client, personas, make_database):
    db = make_database(security={"admins": {"names": [], "roles": ["ca-team-admins"]},
                                 "members": {"names": [personas["outsider"].name], "roles": ["ca-team"]}})
    page = admin_client.get(reverse("browser:database-access", kwargs={"db": db})).content.decode()
    assert f'data-user="{personas["member"].name}"' in page and "member by role “ca-team”" in page
    assert f'data-user="{personas["dbadmin"].name}"' in page and "admin by role “ca-team-admins”" in page
    assert "member by name" in page
    assert "server admin" in page


def test_a_database_admin_who_cannot_read_users_sees_every_name_granted(client, personas, make_database):
    # _users is readable by server admins only (CouchDB 3's default; pouchdb-server refuses too).
    colleague = f"ca-{RUN_ID}-not-a-user-yet"
    db = make_database(security={"admins": {"names": [], "roles": ["ca-team-admins"]},
                                 "members": {"names": [personas["outsider"].name, colleague], "roles": ["ca-team"]}})
    log_in(client, personas["dbadmin"])
    response = client.get(reverse("browser:database-access", kwargs={"db": db}))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Nobody" not in page
    for name in (personas["outsider"].name, colleague):
        assert f'data-user="{name}"' in page
    assert page.count("member by name") == 2
    assert f'data-user="{personas["dbadmin"].name}"' in page and "admin by role “ca-team-admins”" in page
    unresolved = page[page.index('data-testid="unresolved-roles"'):]
    assert "member by role “ca-team”" in unresolved and "admin by role “ca-team-admins”" in unresolved
    assert f'data-user="{personas["member"].name}"' not in page  # only reachable through the role


def test_users_are_created_renamed_in_roles_given_a_password_and_deleted(admin_client, couch_server):
    name = f"ca-{RUN_ID}-new-{uuid.uuid4().hex[:6]}"
    created = admin_client.post(reverse("browser:users"), {"name": name, "password": "first-pass", "roles": "a, b"})
    assert created.status_code == 302
    edit = reverse("browser:user-edit", kwargs={"name": name})
    assert admin_client.post(edit, {"action": "roles", "roles": "b, c"}).status_code == 302
    doc = couch_server.admin_http().get(f"{couch_server.url}_users/org.couchdb.user:{name}").json()
    assert doc["roles"] == ["b", "c"]

    person = Client()
    log_in(person, type("P", (), {"name": name, "password": "first-pass"})())
    old_token = person.session[TOKEN_KEY]
    assert admin_client.post(edit, {"action": "password", "password": "second-pass",
                                    "confirm": "second-pass"}).status_code == 302
    again = Client()
    log_in(again, type("P", (), {"name": name, "password": "second-pass"})())
    # The old cookie stops working once the password (and so the salt) changed.
    assert CouchClient(token=old_token).get_json("_session")["userCtx"]["name"] is None

    unconfirmed = admin_client.post(edit, {"action": "delete", "confirm_name": name + "x"})
    assert unconfirmed.status_code == 400
    assert "does not match the user name" in unconfirmed.content.decode()
    assert admin_client.post(edit, {"action": "delete"}).status_code == 400
    assert couch_server.admin_http().get(f"{couch_server.url}_users/org.couchdb.user:{name}").status_code == 200
    assert admin_client.post(edit, {"action": "delete", "confirm_name": name}).status_code == 302
    assert couch_server.admin_http().get(f"{couch_server.url}_users/org.couchdb.user:{name}").status_code == 404
    for action in ("user.create", "user.roles", "user.password", "user.delete"):
        records = audit_records(couch_server, action, name)
        assert records, action
        assert "password" not in str(records) or action == "user.password"
        assert "derived_key" not in str(records)


def test_security_changes_and_deletions_are_audited(admin_client, personas, team_db, couch_server, make_database):
    team_admin = log_in(Client(), personas["dbadmin"])
    grant(team_admin, team_db, "members", "names", "someone-new")
    records = audit_records(couch_server, "security.update", team_db)
    assert records and records[-1]["who"] == personas["dbadmin"].name
    assert "someone-new" in records[-1]["after"]["members"]["names"]
    assert "someone-new" not in records[-1]["before"]["members"]["names"]

    doomed = make_database()
    admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}), {"confirm_name": doomed})
    assert audit_records(couch_server, "database.delete", doomed)

    couch_server.admin_http().put(f"{couch_server.url}{team_db}/gone", json={})
    rev = couch_server.admin_http().get(f"{couch_server.url}{team_db}/gone").json()["_rev"]
    admin_client.post(reverse("browser:bulk-delete", kwargs={"db": team_db}),
                      {"selected": [f"{rev} gone"], "confirmed": "yes"})
    assert audit_records(couch_server, "documents.bulk_delete", team_db)

    page = admin_client.get(reverse("browser:audit"), {"action": "database.delete"}).content.decode()
    assert doomed in page


def test_a_failed_audit_record_does_not_stop_the_action(personas, team_db, make_database, couch_server):
    from django.test import override_settings

    from tests.conftest import ADMINS_ONLY

    locked_audit = make_database(security=ADMINS_ONLY)  # the team admin may not write here
    team_admin = log_in(Client(), personas["dbadmin"])
    with override_settings(AUDIT_DATABASE=locked_audit):
        response = team_admin.post(reverse("browser:permissions", kwargs={"db": team_db}),
                                   {"section": "members", "kind": "names", "value": "late", "op": "add"},
                                   follow=True)
    assert "late" in security_of(couch_server, team_db)["members"]["names"]
    assert "audit record is missing" in response.content.decode()


def test_own_password_change_keeps_the_person_logged_in_or_says_why_not(client, couch_server):
    name = f"ca-{RUN_ID}-self-{uuid.uuid4().hex[:6]}"
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}_users/org.couchdb.user:{name}",
             json={"name": name, "password": "old-pass", "roles": [], "type": "user"}).raise_for_status()
    log_in(client, type("P", (), {"name": name, "password": "old-pass"})())
    home = client.get(reverse("browser:databases")).content.decode()
    page = client.get(reverse("browser:own-password")).content.decode()
    response = client.post(reverse("browser:own-password"), {"password": "new-pass", "confirm": "new-pass"})
    if couch_server.is_apache_couchdb:
        # CouchDB 3's default _users security refuses a user their own document: said before any typing.
        assert "My password" not in home
        assert "does not let users change their own password" in page and 'name="password"' not in page
        assert response.status_code == 403
        assert "does not let users change their own password" in response.content.decode()
    else:
        assert "My password" in home and 'name="password"' in page
        assert response.status_code == 302
        assert "My password" in client.get(reverse("browser:databases")).content.decode()
        assert client.get(reverse("browser:server")).status_code == 200
        assert CouchClient(token=client.session[TOKEN_KEY]).get_json("_session")["userCtx"]["name"] == name
    http.delete(f"{couch_server.url}_users/org.couchdb.user:{name}",
                params={"rev": http.get(f"{couch_server.url}_users/org.couchdb.user:{name}").json()["_rev"]})


def test_user_pages_are_for_server_admins_only(client, personas):
    log_in(client, personas["member"])
    assert client.get(reverse("browser:users")).status_code == 403
    assert client.get(reverse("browser:audit")).status_code == 403


def test_audit_records_cannot_be_rewritten_by_the_people_who_wrote_them(admin_client, personas, team_db,
                                                                        couch_server):
    team_admin = log_in(Client(), personas["dbadmin"])
    grant(team_admin, team_db, "members", "names", "audited")
    record = audit_records(couch_server, "security.update", team_db)[-1]
    client = CouchClient()
    from browser.couch.errors import CouchError
    from browser.couch.session import login

    login(client, personas["dbadmin"].name, personas["dbadmin"].password)
    with pytest.raises(CouchError) as refused:
        client.put_json(settings.AUDIT_DATABASE, record["_id"], body={**record, "after": "rewritten"})
    assert refused.value.status in (401, 403)
    with pytest.raises(CouchError):
        client.put_json(settings.AUDIT_DATABASE, "forged", body={"type": "audit", "who": "someone-else"})


@pytest.mark.couchdb3
def test_an_outsider_cannot_query_a_database_through_mango(client, personas, team_db):
    # pouchdb-server lets anyone _find in any database; CouchDB refuses a logged-in outsider with 403.
    log_in(client, personas["outsider"])
    response = client.post(reverse("browser:mango", kwargs={"db": team_db}),
                           {"selector": "{}", "limit": "5", "action": "run"})
    assert response.status_code == 403
    assert "member of the database" in response.content.decode()


@pytest.mark.couchdb3
def test_couchdb_answers_401_to_anonymous_and_403_to_a_logged_in_outsider(personas, team_db):
    from browser.couch.errors import Forbidden, Unauthorized
    from browser.couch.session import login

    with pytest.raises(Unauthorized):
        CouchClient().get_json(team_db)
    outsider = CouchClient()
    login(outsider, personas["outsider"].name, personas["outsider"].password)
    with pytest.raises(Forbidden):
        outsider.get_json(team_db)


def test_granting_a_name_nobody_has_asks_first(admin_client, team_db, couch_server, personas):
    page = grant(admin_client, team_db, "members", "names", "wt-alcie")
    assert page.status_code == 400
    html = page.content.decode()
    assert "There is no user “wt-alcie”" in html and 'value="wt-alcie"' in html
    assert "wt-alcie" not in security_of(couch_server, team_db)["members"]["names"]
    anyway = admin_client.post(reverse("browser:permissions", kwargs={"db": team_db}),
                               {"section": "members", "kind": "names", "value": "wt-alcie", "op": "add",
                                "unknown_ok": "on"})
    assert anyway.status_code == 302
    assert "wt-alcie" in security_of(couch_server, team_db)["members"]["names"]
    # Real users and the configuration's server admins are granted at once.
    assert grant(admin_client, team_db, "members", "names", personas["member"].name).status_code == 302
    assert grant(admin_client, team_db, "admins", "names", couch_server.admin.name).status_code == 302
