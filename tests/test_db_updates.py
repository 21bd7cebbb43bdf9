"""Server-wide database updates (_db_updates) against the real server: newest first, live arrivals through the
poll fragment, created/updated/deleted marked, links to live databases (hostile names too), paging back,
who may see them, and what pouchdb-server lacks."""

import re
import uuid
from html import unescape

import pytest
import requests
from django.urls import reverse

from browser.couch import db_updates as feed
from tests.conftest import RUN_ID, log_in
from tests.support.data import HOSTILE
from tests.support.lacking import assert_lacking

POLL_WAIT_SECONDS = 30


@pytest.fixture
def global_changes(admin_client, couch_server):
    """CouchDB records database updates only once _global_changes exists: created through the page if missing
    (it is a standard system database and stays)."""
    page = admin_client.get(reverse("browser:db-updates"))
    if b'data-testid="updates-missing"' in page.content:
        answer = admin_client.post(reverse("browser:db-updates-setup"), {"confirm_name": "_global_changes"})
        assert answer.status_code == 302
    return admin_client


@pytest.fixture
def scratch_databases(couch_server):
    http = couch_server.admin_http()
    names = []

    def url(name):
        return couch_server.url + requests.utils.quote(name, safe="")

    def create(name):
        http.put(url(name), timeout=10).raise_for_status()
        names.append(name)

    def delete(name):
        http.delete(url(name), timeout=10).raise_for_status()

    yield create, delete
    for name in names:
        http.delete(url(name), timeout=10)


def rows_of(html):
    """(database, type) of each row shown, top first."""
    return [(unescape(db), kind) for db, kind in re.findall(r'data-db="([^"]*)" data-type="([^"]*)"', html)]


def wait_for(predicate, read):
    """Poll read() until predicate holds (CouchDB writes _global_changes in batches, about once a second)."""
    import time

    deadline = time.monotonic() + POLL_WAIT_SECONDS
    while True:
        value = read()
        if predicate(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


@pytest.mark.couchdb3
def test_a_database_created_then_deleted_shows_created_and_deleted(global_changes, scratch_databases):
    create, delete = scratch_databases
    name = f"ca-{RUN_ID}-dbu-{uuid.uuid4().hex[:8]}"
    create(name)
    delete(name)
    html = wait_for(lambda h: {(name, "created"), (name, "deleted")} <= set(rows_of(h)),
                    lambda: global_changes.get(reverse("browser:db-updates")).content.decode())
    rows = rows_of(html)
    assert (name, "created") in rows and (name, "deleted") in rows
    # A deleted database is not linked.
    assert f'href="{reverse("browser:database", kwargs={"db": name})}"' not in html


@pytest.mark.couchdb3
def test_the_poll_fragment_returns_a_new_database_linked(global_changes, scratch_databases):
    page = global_changes.get(reverse("browser:db-updates"))
    assert page.status_code == 200
    poll = re.search(r'hx-get="([^"]+)"', page.content.decode())
    assert poll, "the first page polls"
    poll_url = unescape(poll.group(1))
    create, _ = scratch_databases
    name = f"ca-{RUN_ID}-dbu-{uuid.uuid4().hex[:8]}"
    create(name)
    fragment = wait_for(lambda h: (name, "created") in rows_of(h),
                        lambda: global_changes.get(poll_url, headers={"HX-Request": "true"}).content.decode())
    assert (name, "created") in rows_of(fragment)
    assert 'hx-swap-oob="afterbegin:#db-update-rows"' in fragment
    assert f'href="{reverse("browser:database", kwargs={"db": name})}"' in fragment
    assert "<html" not in fragment


@pytest.mark.couchdb3
def test_hostile_database_names_are_linked_through_reverse(global_changes, scratch_databases):
    create, _ = scratch_databases
    names = [f"ca-{RUN_ID}-{n}" for n in HOSTILE["database_names"]]
    for name in names:
        create(name)
    html = wait_for(lambda h: all((n, "created") in rows_of(h) for n in names),
                    lambda: global_changes.get(reverse("browser:db-updates")).content.decode())
    for name in names:
        assert (name, "created") in rows_of(html)
        assert f'href="{reverse("browser:database", kwargs={"db": name})}"' in html
        assert global_changes.get(reverse("browser:database", kwargs={"db": name})).status_code == 200


@pytest.mark.couchdb3
def test_older_pages_continue_below_the_first(global_changes, couch_server, monkeypatch):
    monkeypatch.setattr(feed, "PAGE_SIZE", 3)
    first = global_changes.get(reverse("browser:db-updates")).content.decode()
    older = re.search(r'href="\?([^"]+)" rel="next"', first)
    if older is None:
        pytest.skip("fewer than 4 database updates on this server")
    second = global_changes.get(reverse("browser:db-updates") + "?" + unescape(older.group(1))).content.decode()
    assert rows_of(second)
    assert not set(rows_of(first)) & set(rows_of(second))
    assert 'rel="prev"' in second and "hx-get" not in second


@pytest.mark.couchdb3
def test_only_server_admins_see_database_updates(client, personas):
    url = reverse("browser:db-updates")
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for who in ("member", "outsider", "dbadmin"):
        log_in(client, personas[who])
        answer = client.get(url)
        assert answer.status_code == 403, who
        assert b"server admin" in answer.content
    assert client.post(reverse("browser:db-updates-setup")).status_code == 403


def test_malformed_paging_is_refused_in_words(admin_client, couch_server):
    answer = admin_client.get(reverse("browser:db-updates"), {"skip": "-1"})
    assert answer.status_code in (400, 501)


def test_pouchdb_server_is_asked_nothing(admin_client, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("Apache CouchDB has _db_updates")
    assert_lacking(admin_client.get(reverse("browser:db-updates")), "has_db_updates")
    assert_lacking(admin_client.post(reverse("browser:db-updates-setup"), {"confirm_name": "_global_changes"}),
                   "has_db_updates")


class _NoGlobalChanges:
    """The one answer CouchDB 3 gives /_db_updates when _global_changes is missing (recorded on 3.5)."""

    def get_json(self, *segments, params=None):
        from browser.couch.errors import NotFound

        raise NotFound(404, "not_found", "Database does not exist.", "GET", "/_db_updates")


def test_a_missing_global_changes_database_is_said_in_words():
    with pytest.raises(feed.UpdatesUnavailable) as caught:
        feed.newest(_NoGlobalChanges())
    assert caught.value.missing and "_global_changes" in str(caught.value)


def test_malformed_feed_answers_are_read_safely():
    answer = {"results": [{"db_name": None, "type": 3, "seq": 7}, "junk", {"db_name": "a/b", "type": "created"}]}
    updates = feed._updates(answer)
    assert [(u.db_name, u.type, u.seq) for u in updates] == [("", "3", "7"), ("a/b", "created", "")]
    assert feed._updates({"results": "x"}) == []
