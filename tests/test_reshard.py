"""Resharding against the real server: a split started from the page completes and the database's ranges
change with every document still readable; stop and resume the subsystem; remove a job; malformed and hostile
answers; who may; what pouchdb-server lacks. The subsystem is always left running and the jobs removed."""

import re
import time
import uuid
from html import unescape

import pytest
import requests
from django.urls import reverse

from browser.couch import reshard
from tests.conftest import ADMINS_ONLY, RUN_ID, log_in
from tests.support.audit_log import outcome_records
from tests.support.lacking import assert_lacking

SPLIT_WAIT_SECONDS = 60


@pytest.fixture
def resharding(couch_server):
    """Direct admin access to _reshard; afterwards the subsystem runs and the jobs this test made are gone."""
    http = couch_server.admin_http()
    before = {j["id"] for j in http.get(couch_server.url + "_reshard/jobs", timeout=10).json()["jobs"]}
    yield http
    http.put(couch_server.url + "_reshard/state", json={"state": "running"}, timeout=10).raise_for_status()
    for job in http.get(couch_server.url + "_reshard/jobs", timeout=10).json()["jobs"]:
        if job["id"] not in before:
            http.delete(couch_server.url + "_reshard/jobs/" + job["id"], timeout=10)


@pytest.fixture
def database_with_docs(make_database, couch_server):
    db = make_database(f"ca-{RUN_ID}-reshard-{uuid.uuid4().hex[:8]}", security=ADMINS_ONLY)
    docs = [{"_id": f"doc-{i:03d}", "n": i} for i in range(40)]
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}, timeout=10)
    answer.raise_for_status()
    return db


def ranges_of(couch_server, db):
    answer = couch_server.admin_http().get(f"{couch_server.url}{requests.utils.quote(db, safe='')}/_shards",
                                           timeout=10).json()
    return sorted(answer["shards"])


def page(client, db=None, **headers):
    return client.get(reverse("browser:reshard"), {"db": db} if db else {}, **headers)


def jobs_for(couch_server, db):
    jobs = couch_server.admin_http().get(couch_server.url + "_reshard/jobs", timeout=10).json()["jobs"]
    return [j for j in jobs if reshard.shard_database(j["source"]) == db]


def wait_until_done(client, couch_server, db):
    """Poll the page's live fragment (as htmx does) until every job of db has finished."""
    deadline = time.monotonic() + SPLIT_WAIT_SECONDS
    while True:
        states = {j["job_state"] for j in jobs_for(couch_server, db)}
        fragment = page(client, db, headers={"HX-Request": "true"}).content.decode()
        if states and states <= {"completed", "failed"}:
            return fragment, states
        assert time.monotonic() < deadline, f"split not done after {SPLIT_WAIT_SECONDS} s: {states}"
        time.sleep(0.5)


def audit_actions(couch_server, target):
    # outcome_records waits for a record: on a cluster _find reads one copy of each shard.
    return [(d["action"], d["after"]) for d in outcome_records(couch_server, {"target": target})]


def start_split(client, db, shard_range="", node=""):
    return client.post(reverse("browser:reshard-start"), {"db": db, "range": shard_range, "node": node})


@pytest.mark.couchdb3
def test_a_split_started_from_the_page_completes_and_changes_the_ranges(admin_client, couch_server, resharding,
                                                                        database_with_docs):
    db = database_with_docs
    before = ranges_of(couch_server, db)
    shown = page(admin_client, db).content.decode()
    assert f'value="{before[0]}"' in shown, "the form offers the database's ranges"
    answer = start_split(admin_client, db, before[0])
    assert answer.status_code == 302, answer.content[:2000]
    assert unescape(answer["Location"]) == reverse("browser:reshard") + "?db=" + requests.utils.quote(db, safe="")
    fragment, states = wait_until_done(admin_client, couch_server, db)
    assert states == {"completed"}
    after = ranges_of(couch_server, db)
    assert len(after) > len(before) and before[0] not in after
    lower = before[0].split("-")[0]
    assert any(r.startswith(lower + "-") for r in after)
    # The page shows the new ranges and links to the database's shards page; the jobs say completed.
    for shard_range in after:
        assert f'data-range="{shard_range}"' in fragment
    assert reverse("browser:database-shards", kwargs={"db": db}) in fragment
    assert 'data-job-state="completed"' in fragment and "hx-get" not in fragment
    # Every document is still there.
    rows = couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", params={"include_docs": "true"},
                                         timeout=10).json()["rows"]
    assert sorted(r["doc"]["n"] for r in rows) == list(range(40))
    [(action, after)] = audit_actions(couch_server, db)
    assert action == "resharding.split" and after["range"] == before[0] and len(after["jobs"]) >= 1


@pytest.mark.couchdb3
def test_stop_and_resume_through_the_page(admin_client, couch_server, resharding, database_with_docs):
    db = database_with_docs
    try:
        answer = admin_client.post(reverse("browser:reshard-state"), {"state": "stopped", "reason": "<b>backup</b>"})
        assert answer.status_code == 302
        state = resharding.get(couch_server.url + "_reshard/state", timeout=10).json()
        assert state == {"state": "stopped", "reason": "<b>backup</b>"}
        shown = page(admin_client).content.decode()
        assert 'data-state="stopped"' in shown and "&lt;b&gt;backup&lt;/b&gt;" in shown
        assert 'data-testid="resume-resharding"' in shown
        # A split asked for while stopped waits, stopped, with CouchDB's reason.
        first = ranges_of(couch_server, db)[0]
        assert start_split(admin_client, db, first).status_code == 302
        jobs = jobs_for(couch_server, db)
        assert jobs and {j["job_state"] for j in jobs} == {"stopped"}
        shown = page(admin_client, db).content.decode()
        assert 'data-job-state="stopped"' in shown and 'data-testid="job-reason"' in shown
        # Remove it through the page.
        for job in jobs:
            answer = admin_client.post(reverse("browser:reshard-job-delete"), {"job_id": job["id"], "db": db})
            assert answer.status_code == 302
        assert jobs_for(couch_server, db) == []
        assert ("resharding.delete_job", None) in audit_actions(couch_server, jobs[0]["id"])
        answer = admin_client.post(reverse("browser:reshard-state"), {"state": "running"})
        assert answer.status_code == 302
        assert resharding.get(couch_server.url + "_reshard/state", timeout=10).json()["state"] == "running"
        assert 'data-testid="stop-resharding"' in page(admin_client).content.decode()
        actions = [a for a, _ in audit_actions(couch_server, "_reshard")]
        assert "resharding.stop" in actions and "resharding.resume" in actions
    finally:
        resharding.put(couch_server.url + "_reshard/state", json={"state": "running"}, timeout=10)


@pytest.mark.couchdb3
def test_refusals_are_said_in_words_and_keep_the_form(admin_client, couch_server, resharding, database_with_docs):
    db = database_with_docs
    answer = start_split(admin_client, db, "zz")
    assert answer.status_code == 400
    assert "8-digit hexadecimal" in answer.content.decode()
    answer = start_split(admin_client, db, "00000000-7fffffff", node="nobody@nowhere")
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "CouchDB refused the split" in text and "not a valid node name" in text
    assert 'value="nobody@nowhere"' in text or "nobody@nowhere" in text
    missing = page(admin_client, f"ca-{RUN_ID}-no-such-{uuid.uuid4().hex[:6]}").content.decode()
    assert 'data-testid="db-problem"' in missing
    gone = admin_client.post(reverse("browser:reshard-job-delete"), {"job_id": "001-no-such-job"})
    assert gone.status_code == 302
    assert jobs_for(couch_server, db) == []


@pytest.mark.cluster
def test_on_the_cluster_a_split_of_one_copy_completes(admin_client, couch_server, resharding, database_with_docs):
    db = database_with_docs
    nodes = couch_server.admin_http().get(f"{couch_server.url}{db}/_shards", timeout=10).json()["shards"]
    first = sorted(nodes)[0]
    node = nodes[first][0]
    shown = page(admin_client, db).content.decode()
    assert f'<option value="{node}">' in shown
    assert start_split(admin_client, db, first, node).status_code == 302
    fragment, states = wait_until_done(admin_client, couch_server, db)
    assert states == {"completed"}
    after = couch_server.admin_http().get(f"{couch_server.url}{db}/_shards", timeout=10).json()["shards"]
    halves = [r for r in after if r.startswith(first.split("-")[0] + "-") and r != first]
    assert halves and all(node in after[r] for r in halves)
    count = couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", params={"limit": 0},
                                          timeout=10).json()["total_rows"]
    assert count == 40


def test_only_server_admins_may(client, personas):
    anonymous = page(client)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
    for who in ("member", "outsider", "dbadmin"):
        log_in(client, personas[who])
        assert page(client).status_code == 403, who
        for name in ("browser:reshard-start", "browser:reshard-state", "browser:reshard-job-delete"):
            assert client.post(reverse(name), {"state": "stopped", "db": "x", "job_id": "x"}).status_code == 403


def test_pouchdb_server_is_asked_nothing(admin_client, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("Apache CouchDB has _reshard")
    assert_lacking(page(admin_client), "has_reshard")
    assert_lacking(admin_client.post(reverse("browser:reshard-state"), {"state": "stopped"}), "has_reshard")


def test_malformed_and_hostile_job_answers_are_read_safely():
    raw = {"id": 7, "type": None, "source": "shards/00000000-7fffffff/a/b.123", "target": ["x", 3],
           "job_state": "running", "split_state": "topoff1", "state_info": {"reason": "<script>"},
           "node": ["n"], "start_time": "1970-01-01T00:00:00Z", "update_time": "not a time",
           "history": [{"timestamp": "2026-11-27T11:05:02Z", "type": "new", "detail": None}, "junk"]}
    job = reshard._job(raw)
    assert job.db == "a/b" and job.range == "00000000-7fffffff" and job.active
    assert job.start_time is None and job.update_time is None and job.reason == "<script>"
    assert job.step_number == 2 and len(job.history) == 1
    assert reshard._started({"error": "x", "reason": "no"}).problem == "no"
    assert reshard.shard_database("elsewhere") == "" and reshard.shard_range("shards/") == ""


def test_the_page_escapes_what_couchdb_answers(admin_client, couch_server, monkeypatch):
    hostile = reshard.Job(id="<i>x</i>", type="split", source="shards/00000000-7fffffff/<b>db</b>.1", targets=(),
                          node="<u>n</u>", job_state="failed", split_state="<s>", reason="<script>alert(1)</script>",
                          start_time=None, update_time=None, history=())
    monkeypatch.setattr(reshard, "jobs", lambda client: [hostile])
    monkeypatch.setattr(reshard, "summary", lambda client: reshard.Summary("running", "", 0, 1, 0, 0, 1))
    if not couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server's page asks nothing")
    text = page(admin_client).content.decode()
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>db</b>" not in text
    assert re.search(r'data-job-state="failed"', text)


@pytest.mark.couchdb3
def test_hostile_posts_are_refused_and_change_nothing(admin_client, couch_server, resharding):
    for job_id in ("..", "../state", "a/b", "", "x" * 300, "001-\x00"):
        answer = admin_client.post(reverse("browser:reshard-job-delete"), {"job_id": job_id})
        assert answer.status_code == 400, job_id
    for state in ("bogus", "", "STOPPED"):
        assert admin_client.post(reverse("browser:reshard-state"), {"state": state}).status_code == 400
    for db, shard_range in (("a/b", ""), ("_x", ""), ("", ""), ("ok", "00000000-7fffffff\x00"), ("Ab", "")):
        answer = admin_client.post(reverse("browser:reshard-start"), {"db": db, "range": shard_range})
        assert answer.status_code in (400, 404), (db, answer.status_code)
    assert resharding.get(couch_server.url + "_reshard/state", timeout=10).json()["state"] == "running"
