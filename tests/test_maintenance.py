"""Maintenance against the real server: compaction, view compaction, view cleanup, task progress."""

import pytest
from django.urls import reverse


@pytest.fixture
def db_with_view(make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": [
        {"_id": "a", "n": 1},
        {"_id": "_design/report", "views": {"v": {"map": "function (doc) { emit(doc._id, 1); }"}}}]}
    ).raise_for_status()
    return db


def test_the_maintenance_page_lists_design_documents_and_tasks(admin_client, db_with_view):
    page = admin_client.get(reverse("browser:maintenance", kwargs={"db": db_with_view})).content.decode()
    assert "Compact the views of _design/report" in page
    assert 'data-testid="tasks"' in page


def test_database_compaction_and_view_cleanup_start(admin_client, db_with_view):
    url = reverse("browser:maintenance", kwargs={"db": db_with_view})
    for action, words in (("compact", "Database compaction started."), ("cleanup", "View cleanup started.")):
        response = admin_client.post(url, {"action": action}, follow=True)
        assert words in response.content.decode()


def test_view_compaction_starts_or_says_why_not(admin_client, db_with_view, couch_server):
    url = reverse("browser:maintenance", kwargs={"db": db_with_view})
    page = admin_client.post(url, {"action": "compact-views", "ddoc": "report"}, follow=True).content.decode()
    if couch_server.is_apache_couchdb:
        assert "View compaction started." in page
    else:
        assert "CouchDB refused" in page  # pouchdb-server has no _compact/{ddoc}


def test_task_progress_is_a_fragment_for_htmx_and_a_page_otherwise(admin_client, db_with_view):
    url = reverse("browser:task-progress", kwargs={"db": db_with_view})
    fragment = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="tasks"')
    assert "<html" in admin_client.get(url).content.decode()


def test_members_are_told_only_server_admins_see_progress(client, personas, make_database):
    from tests.conftest import log_in

    db = make_database(security={"admins": {"names": [], "roles": []},
                                 "members": {"names": [personas["member"].name], "roles": []}})
    log_in(client, personas["member"])
    page = client.get(reverse("browser:maintenance", kwargs={"db": db})).content.decode()
    assert "Only server admins can see task progress" in page  # _active_tasks answers 401
