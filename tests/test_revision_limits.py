"""The revision limits page against the real server: _revs_limit and _purged_infos_limit shown with their
meaning, set through the page as CouchDB then reports them, validated, audited, and refused or read-only for
those CouchDB 3.5 refuses; pouchdb-server's page says what it lacks."""

import pytest
from django.urls import reverse

from tests.conftest import TEAM, log_in
from tests.support.audit_log import outcome_records
from tests.support.lacking import assert_lacking


def limits_url(db):
    return reverse("browser:database-limits", kwargs={"db": db})


def read(couch_server, db, name):
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{name}", timeout=10).json()


def audit_records(couch_server, db, action):
    return outcome_records(couch_server, {"action": action, "target": db})


@pytest.mark.couchdb3
def test_the_page_shows_both_limits_and_what_they_mean(admin_client, make_database):
    page = admin_client.get(limits_url(make_database())).content.decode()
    assert '<code data-testid="revs-limit">1000</code>' in page
    assert '<code data-testid="purged-infos-limit">1000</code>' in page
    assert "conflicts that are not real" in page and "catch up" in page
    assert 'name="revs_limit"' in page and 'name="purged_infos_limit"' in page


@pytest.mark.couchdb3
def test_revs_limit_set_through_the_page_is_what_couchdb_reports(admin_client, make_database, couch_server):
    db = make_database()
    response = admin_client.post(limits_url(db), {"revs_limit": "37"}, follow=True)
    assert read(couch_server, db, "_revs_limit") == 37
    page = response.content.decode()
    assert '<code data-testid="revs-limit">37</code>' in page and "now 37 (it was 1000)" in page
    [record] = audit_records(couch_server, db, "database.revs_limit")
    assert (record["before"], record["after"]) == (1000, 37)


@pytest.mark.couchdb3
def test_purged_infos_limit_set_through_the_page_is_what_couchdb_reports(admin_client, make_database,
                                                                          couch_server):
    db = make_database()
    admin_client.post(limits_url(db), {"purged_infos_limit": "2500"})
    assert read(couch_server, db, "_purged_infos_limit") == 2500
    [record] = audit_records(couch_server, db, "database.purged_infos_limit")
    assert (record["before"], record["after"]) == (1000, 2500)


@pytest.mark.couchdb3
@pytest.mark.parametrize("typed", ["0", "-1", "1.5", "ten", "", "2147483648"])
def test_values_couchdb_would_refuse_are_refused_with_the_input_kept(admin_client, make_database, couch_server,
                                                                     typed):
    db = make_database()
    for name in ("revs_limit", "purged_infos_limit"):
        response = admin_client.post(limits_url(db), {name: typed})
        page = response.content.decode()
        assert response.status_code == 400
        assert 'class="field-error"' in page
        assert not typed or f'value="{typed}"' in page
        assert read(couch_server, db, f"_{name}") == 1000


@pytest.mark.couchdb3
def test_a_database_admin_sets_revs_limit_but_only_reads_about_purge_records(client, personas, make_database,
                                                                            couch_server):
    db = make_database(security=TEAM)
    log_in(client, personas["dbadmin"])
    page = client.get(limits_url(db)).content.decode()
    assert 'name="revs_limit"' in page and 'data-testid="purged-infos-readonly"' in page
    assert 'name="purged_infos_limit"' not in page
    client.post(limits_url(db), {"revs_limit": "55"})
    assert read(couch_server, db, "_revs_limit") == 55
    refused = client.post(limits_url(db), {"purged_infos_limit": "5"})
    assert refused.status_code == 403 and "server admin" in refused.content.decode()
    assert read(couch_server, db, "_purged_infos_limit") == 1000


@pytest.mark.couchdb3
def test_a_member_sees_revs_limit_read_only_and_is_refused_in_words(client, personas, make_database,
                                                                    couch_server):
    db = make_database(security=TEAM)
    log_in(client, personas["member"])
    page = client.get(limits_url(db)).content.decode()
    assert '<code data-testid="revs-limit">1000</code>' in page and 'data-testid="revs-limit-readonly"' in page
    assert "<form" not in page.split("revs-limit-heading", 1)[1].split("</section>", 1)[0]
    refused = client.post(limits_url(db), {"revs_limit": "5"})
    assert refused.status_code == 403 and "admin of this database" in refused.content.decode()
    assert read(couch_server, db, "_revs_limit") == 1000


@pytest.mark.couchdb3
def test_an_outsider_is_refused_with_couchdbs_words(client, personas, make_database):
    db = make_database(security=TEAM)
    log_in(client, personas["outsider"])
    response = client.get(limits_url(db))
    assert response.status_code == 403
    assert "member of the database" in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client, make_database):
    response = client.get(limits_url(make_database()))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_pouchdb_server_is_asked_nothing_and_the_page_says_so(admin_client, make_database, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB has both limits")
    db = make_database()
    assert_lacking(admin_client.get(limits_url(db)), "has_revision_limits")
    assert_lacking(admin_client.post(limits_url(db), {"revs_limit": "5"}), "has_revision_limits")
