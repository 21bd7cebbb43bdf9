"""The audit log as an attacker meets it: nobody but the audit writer adds records, nobody reads them but
server admins, nobody changes or removes one, and the filters search every record."""

import re
from html import unescape

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from browser.audit_trail import audit_writer
from browser.couch.audit import chain_id
from tests.conftest import TEAM, log_in
from tests.support.audit_log import outcome_records
from tests.support.eventually import eventually


def audit_url(couch_server, *rest):
    return "/".join([couch_server.url + settings.AUDIT_DATABASE, *rest])


def as_user(persona):
    http = requests.Session()
    http.auth = (persona.name, persona.password)
    return http


def test_anonymous_callers_can_neither_read_nor_add_junk(couch_server):
    junk = {"docs": [{"_id": f"9000-junk-{i}", "type": "junk", "who": None} for i in range(60)]}
    answer = requests.post(audit_url(couch_server, "_bulk_docs"), json=junk, timeout=10)
    # CouchDB refuses the request (401); pouchdb-server answers 201 and refuses each document,
    # storing none.
    assert answer.status_code == 401 or all(r.get("error") in ("unauthorized", "forbidden") for r in answer.json())
    assert couch_server.admin_http().get(audit_url(couch_server, "9000-junk-0"), timeout=10).status_code == 404
    assert requests.put(audit_url(couch_server, "2999-on-top"), json={"type": "audit", "who": None,
                                                                    "at": "2999", "action": "x"},
                        timeout=10).status_code == 401
    assert requests.get(audit_url(couch_server, "_all_docs"), params={"include_docs": "true"},
                        timeout=10).status_code == 401


@pytest.mark.couchdb3
def test_anonymous_callers_cannot_read_records_through_mango(couch_server):
    # pouchdb-server answers _find whatever _security says (a hole of that server, closed on CouchDB).
    answer = requests.post(audit_url(couch_server, "_find"), json={"selector": {}}, timeout=10)
    assert answer.status_code == 401


@pytest.mark.parametrize("who", ["member", "dbadmin"])
def test_a_member_or_database_admin_cannot_forge_or_read_records(couch_server, personas, who):
    http = as_user(personas[who])
    forged = {"type": "audit", "who": "bob", "at": "2999-01-01T00:00:00Z", "action": "database.delete",
              "target": "x"}
    assert http.put(audit_url(couch_server, "2999-forged"), json=forged, timeout=10).status_code in (401, 403)
    assert http.get(audit_url(couch_server, "_all_docs"), timeout=10).status_code in (401, 403)


def test_even_the_writer_cannot_change_or_delete_a_record(couch_server):
    writer = requests.Session()
    writer.auth = (settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD)
    written = audit_writer().record(settings.AUDIT_DATABASE, "alice", "test.fixed", "t")
    assert written.ok
    # Read by its id, a quorum read: _find would read one copy of each shard, which may not hold it yet.
    record = couch_server.admin_http().get(audit_url(couch_server, chain_id(written.seq)), timeout=10).json()
    changed = writer.put(audit_url(couch_server, requests.utils.quote(record["_id"])),
                         json={**record, "who": "mallory"}, timeout=10)
    assert changed.status_code == 403
    deleted = writer.delete(audit_url(couch_server, requests.utils.quote(record["_id"])),
                            params={"rev": record["_rev"]}, timeout=10)
    assert deleted.status_code == 403
    not_a_record = writer.put(audit_url(couch_server, "plain"), json={"type": "junk"}, timeout=10)
    assert not_a_record.status_code == 403


def test_a_team_admins_first_grant_is_recorded(client, personas, make_database, couch_server):
    db = make_database(security=TEAM)
    log_in(client, personas["dbadmin"])
    client.post(reverse("browser:permissions", kwargs={"db": db}),
                {"section": "members", "kind": "names", "value": "newcomer", "op": "add"})
    found = outcome_records(couch_server, {"action": "security.update", "target": db})
    assert [r["who"] for r in found] == [personas["dbadmin"].name]
    assert "newcomer" in found[0]["after"]["members"]["names"]


def test_the_audit_database_is_not_public(admin_client):
    page = admin_client.get(reverse("browser:database-access", kwargs={"db": settings.AUDIT_DATABASE}))
    assert "Public database" not in page.content.decode()


def test_filters_search_every_record_and_pages_go_on_by_bookmark(admin_client):
    writer = audit_writer()
    assert writer.record(settings.AUDIT_DATABASE, "alice", "test.needle", "haystack/needle-7").ok
    for i in range(60):
        assert writer.record(settings.AUDIT_DATABASE, "alice", "test.filler", f"filler-{i}").ok
    url = reverse("browser:audit")

    def shown(query, action, count):  # _find reads one copy of each shard: on a cluster wait for the last records
        return eventually(lambda: unescape(admin_client.get(url + "?" + query).content.decode()),
                          until=lambda html: html.count(f'data-action="{action}"') >= count)

    needle = shown("target=needle-7", "test.needle", 1)
    assert needle.count('data-action="test.needle"') == 1 and 'data-action="test.filler"' not in needle
    first = shown("action=test.filler", "test.filler", 50)
    assert first.count('data-action="test.filler"') == 50
    older = re.search(r'rel="next" href="\?([^"]+)"', first).group(1)
    second = shown(unescape(older), "test.filler", 10)
    assert second.count('data-action="test.filler"') == 10
    newest = re.findall(r"<td>(\d{4}-[^<]+)</td>", first)
    assert newest == sorted(newest, reverse=True)


def test_without_a_writer_the_audit_page_says_what_is_not_recorded(admin_client):
    with override_settings(AUDIT_WRITER_PASSWORD=""):
        page = unescape(admin_client.get(reverse("browser:audit")).content.decode())
    assert "Nothing is being recorded" in page and "permission changes" in page


def test_the_audit_log_is_for_server_admins_only(personas):
    assert log_in(Client(), personas["dbadmin"]).get(reverse("browser:audit")).status_code == 403


def test_a_record_shows_what_changed_field_by_field(admin_client):
    before = {"members": {"names": ["ann"], "roles": ["team"]}, "admins": {"names": [], "roles": []}}
    after = {"members": {"names": ["ann", "<b>bob</b>"], "roles": []}, "admins": {"names": [], "roles": []}}
    assert audit_writer().record(settings.AUDIT_DATABASE, "alice", "test.diffshown", "diff-db", before, after).ok
    # The page searches the log with _find: on a cluster one copy of each shard, which may lag a moment.
    page = eventually(lambda: admin_client.get(reverse("browser:audit"), {"action": "test.diffshown"}).content.decode(),
                      until=lambda html: 'data-action="test.diffshown"' in html)
    row = page.split('data-action="test.diffshown"', 1)[1].split("</tr>", 1)[0]
    assert '<code>members.names[1]</code>: added <code>&#34;&lt;b&gt;bob&lt;/b&gt;&#34;</code>' in row
    assert '<code>members.roles[0]</code>: removed <code>&#34;team&#34;</code>' in row
    assert "admins" not in row.split("<details>", 1)[0]  # unchanged fields are not listed
