"""The Active tasks page: server admins only, every task summarised from what CouchDB reports (recorded
answers, malformed ones and real tasks on CouchDB 3), hostile names escaped and routed, and refresh by
htmx polling only while tasks run."""

import json
import threading
import time
from html import unescape
from urllib.parse import unquote

import pytest
import requests
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve, reverse

from browser.couch.tasks import in_words, scrub_url, sort_tasks, summarize_task
from browser.views.active_tasks import _row
from tests.conftest import RUN_ID, log_in
from tests.support.data import CONTRACT, HOSTILE

URL = "/tasks/"
NOW = 1795395460
SERVER_ADMIN = "This needs a CouchDB server admin."


def recorded_task_lists():
    exchanges = json.loads((CONTRACT / "tasks_replication.json").read_text())
    return {e["name"]: e["response"]["body"] for e in exchanges if e["request"]["path"] == "/_active_tasks"
            and e["response"]["status"] == 200}


def recorded(name_start):
    return next(body for name, body in recorded_task_lists().items() if name.startswith(name_start))


def fragment_for(tasks, now=NOW):
    """The table fragment as the view renders it, for summaries of the given task dicts."""
    summaries = [summarize_task(t, now) for t in tasks]
    context = {"rows": [_row(s) for s in sort_tasks(summaries)], "total": len(summaries), "counts": [],
               "refresh_url": URL, "checked_at": "12:00:00 UTC"}
    return render_to_string("browser/_active_tasks.html", context, request=RequestFactory().get(URL))


def routed(url):
    """What Django hands the view for this link, once the browser and WSGI have decoded it."""
    return resolve(unquote(url))


# What CouchDB 3.5 answered, summarised

def test_an_index_build_on_two_shards_is_two_rows_of_one_database():
    sample = recorded("GET /_active_tasks while a view index is being built (20k docs), sample 2")
    first, second = (summarize_task(t, NOW) for t in sample)
    assert (first.database, second.database) == ("contract-big", "contract-big")
    assert {first.shard, second.shard} == {"80000000-ffffffff", "00000000-7fffffff"}
    assert first.kind == "View index build" and first.design_document == "slow"
    assert first.progress == 37 and first.changes_done == 3737 and first.total_changes == 10001
    assert first.rate == 3737 and first.rate_text == "3,737 changes/s"
    assert first.node == "couchdb@127.0.0.1"
    assert first.age == 5 and first.age_words == "5 seconds" and first.since_update_words == "4 seconds"
    assert first.started_on.isoformat() == "2026-11-23T00:57:35+00:00"


def test_a_database_compaction_shows_its_phase_and_no_rate_before_its_first_second():
    compaction = next(summarize_task(t, NOW) for t in recorded("GET /_active_tasks while a database compaction")
                      if t["type"] == "database_compaction")
    assert compaction.kind == "Database compaction" and compaction.phase == "document_copy"
    assert compaction.progress == 0 and compaction.rate is None and compaction.design_document == ""


def test_a_replicator_documents_replication_links_to_that_document():
    task = summarize_task(recorded("GET /_active_tasks with a continuous replication")[0], NOW)
    assert task.database == "_replicator" and task.from_replicator and task.continuous
    assert task.source == "http://127.0.0.1:15984/contract-rep-src/"
    assert task.docs_read == task.docs_written == 5 and task.doc_write_failures == 0
    assert task.changes_pending is None and task.progress is None
    doc_url = reverse("browser:replication-doc", kwargs={"docid": "contract-rep-continuous"})
    assert _row(task)["replication_url"] == doc_url


def test_a_replicate_call_links_to_its_job():
    task = summarize_task({"type": "replication", "database": None, "replication_id": "abc+continuous",
                           "doc_id": None, "started_on": NOW - 10, "updated_on": NOW, "docs_read": 50}, NOW)
    assert not task.from_replicator and task.rate_text == "5 docs/s"
    assert _row(task)["replication_url"] == reverse("browser:replication-job", kwargs={"job_id": "abc+continuous"})


def test_every_recorded_answer_renders_with_its_links():
    for name, tasks in recorded_task_lists().items():
        page = fragment_for(tasks)
        assert "<th scope=\"col\">Progress</th>" in page, name
        if any(t["database"].endswith("contract-big.1795395454") for t in tasks):
            assert f'href="{reverse("browser:database", kwargs={"db": "contract-big"})}"' in page
    page = fragment_for(recorded("GET /_active_tasks while a view compaction"))
    assert f'href="{reverse("browser:design-edit", kwargs={"db": "contract-big", "ddoc": "slow"})}"' in page
    assert 'hx-trigger="every 2s"' in page


# What a hostile member or a broken server could put there

MALFORMED = [
    {},
    {"type": None, "database": None, "progress": None},
    {"type": "indexer", "progress": "half", "changes_done": "many", "total_changes": 0, "started_on": "yesterday"},
    {"type": "indexer", "changes_done": 5, "total_changes": 0, "started_on": NOW + 100, "updated_on": NOW - 5},
    {"type": "database_compaction", "progress": True, "started_on": 1e300, "updated_on": -1e300},
    {"type": "view_compaction", "progress": float("nan"), "changes_done": float("inf"), "total_changes": -3},
    {"type": "indexer", "progress": 250, "database": "shards/", "design_document": ["_design/x"]},
    {"type": "replication", "source": {"url": "http://u:p@h/db"}, "target": 7, "docs_read": {"n": 1},
     "doc_id": ["x"], "replication_id": "a/b", "continuous": "yes", "changes_pending": "lots"},
    {"type": "search_indexer", "database": "shards/a", "design_document": "_design/", "node": {"n": 1}},
    {"type": "<b>reshard</b>", "database": 12, "phase": ["x"], "started_on": 10**30},
]


@pytest.mark.parametrize("task", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_task_is_summarised_and_rendered(task):
    summary = summarize_task(task, NOW)
    assert summary.progress is None or 0 <= summary.progress <= 100
    assert summary.rate is None or summary.rate >= 0
    page = fragment_for([task])
    assert "<b>reshard" not in page


def test_progress_comes_from_the_change_counts_when_couchdb_leaves_it_out():
    task = summarize_task({"type": "indexer", "changes_done": 25, "total_changes": 200}, NOW)
    assert task.progress == 12 and task.age is None and task.rate is None


def test_a_summary_without_started_on_shows_dashes():
    page = fragment_for([{"type": "indexer", "database": "plain"}])
    assert "unknown" in page and "ago" not in page


def test_replication_endpoints_lose_their_credentials():
    assert scrub_url("http://admin:*****@127.0.0.1:5984/db/") == "http://127.0.0.1:5984/db/"
    assert scrub_url("https://user:pa/ss@w@host/db") == "https://host/db"
    assert scrub_url("https://only-user@host/db") == "https://host/db"
    assert scrub_url({"url": "http://a:b@h/d", "auth": {"basic": {"password": "x"}}}) == "http://h/d"
    assert scrub_url("name:secret@host/db") == "host/db"
    assert scrub_url("localdb") == "localdb"
    assert scrub_url(None) == "" and scrub_url(["x"]) == ""
    page = fragment_for([{"type": "replication", "source": "http://bob:hunter2@h/a", "target": "http://h/b"}])
    assert "hunter2" not in page and "bob" not in page and "http://h/a" in page


def test_durations_read_as_words():
    assert in_words(None) is None
    assert in_words(0.4) == "less than a second"
    assert in_words(1) == "1 second"
    assert in_words(312) == "5 minutes 12 seconds"
    assert in_words(90061) == "1 day 1 hour"


def test_tasks_sort_by_database_age_progress_or_node():
    tasks = [summarize_task(t, NOW) for t in (
        {"type": "indexer", "database": "b", "started_on": NOW - 5, "progress": 90, "node": "n1"},
        {"type": "indexer", "database": "a", "started_on": NOW - 50, "progress": 10, "node": "n2"},
        {"type": "indexer", "database": "c", "progress": 50, "node": "n0"})]
    assert [t.database for t in sort_tasks(tasks)] == ["a", "b", "c"]
    assert [t.database for t in sort_tasks(tasks, "oldest")] == ["a", "b", "c"]
    assert [t.database for t in sort_tasks(tasks, "progress")] == ["a", "c", "b"]
    assert [t.database for t in sort_tasks(tasks, "node")] == ["c", "b", "a"]


@pytest.mark.parametrize("name", HOSTILE["database_names"])
def test_a_hostile_database_name_from_a_shard_path_routes_back_to_itself(name):
    task = summarize_task({"type": "indexer", "database": f"shards/00000000-ffffffff/{name}.1795395454",
                           "design_document": "_design/d"}, NOW)
    assert task.database == name
    row = _row(task)
    assert routed(row["database_url"]).kwargs == {"db": name}
    assert routed(row["design_url"]).kwargs == {"db": name, "ddoc": "d"}


@pytest.mark.parametrize("docid", HOSTILE["document_ids"])
def test_a_hostile_design_document_name_is_escaped_and_routes_back_to_itself(docid):
    ddoc = docid.removeprefix("_design/")
    task = {"type": "indexer", "database": "shards/00000000-ffffffff/plain.1", "design_document": "_design/" + ddoc}
    row = _row(summarize_task(task, NOW))
    assert routed(row["design_url"]).kwargs == {"db": "plain", "ddoc": ddoc}
    page = fragment_for([task])
    assert "<script>alert" not in page and "<img src=x" not in page


def test_an_invalid_database_name_in_a_task_is_shown_but_not_linked():
    page = fragment_for([{"type": "indexer", "database": "<script>alert(1)</script>", "design_document": "_design/x"}])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "/db/" not in page


def test_a_hostile_replicator_document_id_routes_back_to_itself():
    for docid in HOSTILE["document_ids"]:
        task = summarize_task({"type": "replication", "database": "shards/0-1/_replicator.1", "doc_id": docid}, NOW)
        assert routed(_row(task)["replication_url"]).kwargs == {"docid": docid}


# The page, as each persona meets it

def test_anonymous_callers_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("browser:login"))


@pytest.mark.parametrize("who", ["member", "dbadmin", "outsider"])
def test_anyone_but_a_server_admin_gets_the_page_naming_the_requirement(client, personas, who):
    log_in(client, personas[who])
    response = client.get(URL)
    assert response.status_code == 403 and SERVER_ADMIN in response.content.decode()
    assert response.status_code == 403 == client.get(URL, headers={"HX-Request": "true"}).status_code


def test_a_server_admin_sees_the_page_with_filter_and_refresh(admin_client, couch_server):
    response = admin_client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Active tasks</h1>" in page
    assert '<label for="id_type">Type</label>' in page and '<label for="id_sort">Sort by</label>' in page
    assert f'<a href="{URL}" data-testid="refresh">Refresh</a>' in page
    # Polling only while something runs (on CouchDB another test's task may still be running).
    assert ('hx-trigger="every 2s"' in page) == ("No tasks are running" not in page)
    assert ("pouchdb-server reports no tasks" in page) == (not couch_server.is_apache_couchdb)


def test_the_same_url_answers_htmx_with_the_fragment(admin_client):
    response = admin_client.get(URL, {"type": "indexer", "sort": "oldest"}, headers={"HX-Request": "true"})
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="active-tasks"') and "<html" not in fragment
    assert "HX-Request" in response["Vary"]
    assert 'href="/tasks/?type=indexer&amp;sort=oldest"' in fragment


def test_an_unknown_filter_is_refused_in_words_with_the_list_unfiltered(admin_client):
    response = admin_client.get(URL, {"type": "<script>", "sort": "sideways"})
    page = response.content.decode()
    assert response.status_code == 400 and "Select a valid choice." in page and "<script>" not in page


def test_pouchdb_server_reports_no_tasks_even_while_it_compacts(admin_client, couch_server, make_database):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB reports its tasks (see the couchdb3 tests)")
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_compact", json={}, timeout=10)
    page = admin_client.get(URL).content.decode()
    assert "pouchdb-server reports no tasks" in page and "No tasks are running" in page


# Real tasks on Apache CouchDB 3

SLOW_MAP = "function (doc) { var x = 0; for (var i = 0; i < 20000; i++) { x += i % 7; } emit(doc.n, x); }"


def fill(couch_server, db, count):
    """`count` documents of about 2 KB each, in batches, through _bulk_docs."""
    http = couch_server.admin_http()
    url = f"{couch_server.url}{requests.utils.quote(db, safe='')}/_bulk_docs"
    for start in range(0, count, 1000):
        docs = [{"_id": f"d{i:06d}", "n": i, "body": "x" * 2000} for i in range(start, min(start + 1000, count))]
        http.post(url, json={"docs": docs}, timeout=60).raise_for_status()


def start_slow_index(couch_server, db):
    """A view whose index takes seconds to build, its build started by a query in a background thread."""
    http = couch_server.admin_http()
    db_url = f"{couch_server.url}{requests.utils.quote(db, safe='')}"
    http.put(f"{db_url}/_design/slow", json={"views": {"v": {"map": SLOW_MAP}}}, timeout=10).raise_for_status()

    def query():
        try:
            http.get(f"{db_url}/_design/slow/_view/v", params={"limit": 1}, timeout=120)
        except requests.RequestException:
            pass  # the database is dropped once the test has seen the task

    threading.Thread(target=query, daemon=True).start()


def watch(client, task_type, needle, tries=150):
    """The fragment listing tasks of this type, polled as htmx does (bounded), once it contains `needle`
    (unescaped); None if it never did."""
    for _ in range(tries):
        fragment = client.get(URL, {"type": task_type}, headers={"HX-Request": "true"}).content.decode()
        if f'data-type="{task_type}"' in fragment and needle in unescape(fragment):
            return fragment
        time.sleep(0.02)
    return None


def seen_with_retry(couch_server, make_database, admin_client, start, task_type):
    """Start the task on a fresh database and watch for it; once more with twice the data if it ended unseen."""
    for count in (5000, 10000):
        db = make_database(f"ca-{RUN_ID}-tasks/{count}(x)+$")
        fill(couch_server, db, count)
        start(db)
        fragment = watch(admin_client, task_type, f">{db}</a>")
        if fragment:
            return db, fragment
    pytest.fail(f"no {task_type} task seen on {db}")


@pytest.mark.couchdb3
def test_a_view_index_build_shows_with_links_while_it_runs(admin_client, couch_server, make_database):
    db, fragment = seen_with_retry(couch_server, make_database, admin_client,
                                   lambda db: start_slow_index(couch_server, db), "indexer")
    assert 'hx-trigger="every 2s"' in fragment
    assert f'href="{reverse("browser:database", kwargs={"db": db})}"' in fragment
    assert f'href="{reverse("browser:design-edit", kwargs={"db": db, "ddoc": "slow"})}">_design/slow</a>' in fragment
    assert "View index build" in fragment and "<progress max=\"100\"" in fragment and "shard " in fragment
    page = admin_client.get(URL).content.decode()
    assert "pouchdb-server" not in page and '<th scope="col">Node</th>' in page


@pytest.mark.couchdb3
def test_a_database_compaction_shows_while_it_runs(admin_client, couch_server, make_database):
    def compact(db):
        couch_server.admin_http().post(f"{couch_server.url}{requests.utils.quote(db, safe='')}/_compact",
                                       json={}, timeout=10).raise_for_status()

    db, fragment = seen_with_retry(couch_server, make_database, admin_client, compact, "database_compaction")
    assert "Database compaction" in fragment
    assert f'href="{reverse("browser:database", kwargs={"db": db})}"' in fragment


@pytest.mark.couchdb3
def test_a_replicator_documents_replication_shows_without_credentials(admin_client, couch_server, make_database,
                                                                      drop_database_afterwards):
    source, target, docid = make_database(), f"ca-{RUN_ID}-rep-target", f"ca-{RUN_ID}-rep/ü x"
    drop_database_afterwards(target)
    admin = couch_server.admin
    with_password = couch_server.url.replace("://", f"://{admin.name}:{admin.password}@", 1)
    http = couch_server.admin_http()
    doc_url = f"{couch_server.url}_replicator/{requests.utils.quote(docid, safe='')}"
    http.put(doc_url, json={"source": with_password + source, "target": with_password + target,
                            "continuous": True, "create_target": True}, timeout=10).raise_for_status()
    try:
        fragment = watch(admin_client, "replication", docid, tries=500)
    finally:
        http.delete(doc_url, params={"rev": http.get(doc_url, timeout=10).json()["_rev"]}, timeout=10)
    assert fragment, "the replication never showed"
    assert f'href="{reverse("browser:replication-doc", kwargs={"docid": docid})}"' in fragment
    assert couch_server.url + source in unescape(fragment) and admin.password not in fragment
    assert f"{admin.name}:" not in fragment and "*****" not in fragment
