"""Replication pages against the real server: on Apache CouchDB 3.5 they start, show, stop, restart and delete
replications, and no credential reaches a page or the audit log; on pouchdb-server they send no replication
request at all and say why."""

import json
import time
import uuid

import pytest
import requests
from django.test import Client
from django.urls import reverse

from browser.couch.client import CouchClient
from browser.couch.replication import scheduler_doc, scheduler_job
from browser.couch.session import login
from tests.conftest import RUN_ID, TEAM, log_in, put_security, remove_replicator_doc
from tests.support.audit_log import outcome_records
from tests.support.lacking import assert_lacking

ALL_PAGES = [("browser:replications", {}), ("browser:replication-start", {}),
             ("browser:replication-doc", {"docid": "x/y"}), ("browser:replication-job", {"job_id": "abc+continuous"}),
             ("browser:replication-doc-delete", {"docid": "x"})]


def wait_for(check, seconds=45):
    """Ask `check` until it answers something true, for a bounded time."""
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.3)


def quoted(text):
    return requests.utils.quote(text, safe="")


@pytest.fixture(autouse=True)
def _replicating_within_the_test_server(settings, couch_server):
    # conftest points COUCHDB_URL at the test server; CouchDB must reach its own databases there too.
    settings.COUCHDB_REPLICATION_URL = couch_server.url


@pytest.fixture
def admin_couch(couch_server):
    client = CouchClient()
    login(client, couch_server.admin.name, couch_server.admin.password)
    return client


@pytest.fixture
def cleanup(couch_server):
    """After each test, every replication that touches this run's databases is stopped: saved ones deleted,
    transient ones cancelled, even when the test failed."""
    yield
    if not couch_server.is_apache_couchdb:
        return
    http = couch_server.admin_http()
    mark = f"ca-{RUN_ID}"
    docs = http.get(couch_server.url + "_replicator/_all_docs", params={"include_docs": "true"}, timeout=10).json()
    for row in docs.get("rows", []):
        doc = row.get("doc") or {}
        if mark in json.dumps(doc) and not row["id"].startswith("_design/"):
            remove_replicator_doc(couch_server, row["id"])
    for job in http.get(couch_server.url + "_scheduler/jobs", timeout=10).json().get("jobs", []):
        if job.get("database") is None and mark in json.dumps(job):
            http.post(couch_server.url + "_replicate", json={"replication_id": job["id"], "cancel": True}, timeout=10)


def source_with_docs(make_database, couch_server, count, name=None, security=None):
    db = make_database(name, **({"security": security} if security else {}))
    docs = [{"_id": f"d{i:05d}", "n": i} for i in range(count)]
    couch_server.admin_http().post(f"{couch_server.url}{quoted(db)}/_bulk_docs", json={"docs": docs},
                                   timeout=60).raise_for_status()
    return db


def audit_records(couch_server, target, at_least=1):
    return outcome_records(couch_server, {"target": target}, at_least)


def start(client, **fields):
    data = {"mode": "named", **fields}
    return client.post(reverse("browser:replication-start"), data)


# --- every server -----------------------------------------------------------------------------------------------

def test_anonymous_callers_are_sent_to_log_in(client):
    for name, kwargs in ALL_PAGES:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(reverse("browser:replication-job-stop", kwargs={"job_id": "abc"}))
    assert response.status_code in (302, 403)


def test_pouchdb_server_gets_no_replication_request_and_the_pages_say_why(admin_client, couch_server,
                                                                           make_database):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB runs replications")
    for name, kwargs in ALL_PAGES:
        assert_lacking(admin_client.get(reverse(name, kwargs=kwargs)), "runs_replications")
    source, target = make_database(), f"ca-{RUN_ID}-never"
    response = start(admin_client, source=source, target=target, create_target="on",
                     local_password=couch_server.admin.password)
    assert_lacking(response, "runs_replications")
    http = couch_server.admin_http()
    assert http.get(couch_server.url, timeout=10).status_code == 200  # still alive
    assert http.get(couch_server.url + target, timeout=10).status_code == 404  # nothing was replicated


# --- Apache CouchDB 3 -------------------------------------------------------------------------------------------

@pytest.mark.couchdb3
def test_a_one_shot_of_1000_documents_completes_and_shows_its_counts(admin_client, couch_server, make_database,
                                                                     drop_database_afterwards, admin_couch, cleanup):
    source = source_with_docs(make_database, couch_server, 1000)
    target = f"ca-{RUN_ID}-copy-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(target)
    docid = f"ca-{RUN_ID}-oneshot-{uuid.uuid4().hex[:6]}"
    response = start(admin_client, source=source, target=target, create_target="on", name=docid,
                     local_password=couch_server.admin.password)
    assert response.status_code == 302, response.content.decode()[:2000]
    done = wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state == "completed" and r)
    assert done and done.docs_written == 1000
    # On a cluster each node answers _scheduler/docs for a finished replication from its own copy of the
    # _replicator document, which may not say "completed" yet: the page is asked until it does.
    completed = 'data-testid="replication-state">completed<'
    page = wait_for(lambda: completed in (html := admin_client.get(
        reverse("browser:replication-doc", kwargs={"docid": docid})).content.decode()) and html, seconds=15)
    assert page and completed in page
    assert 'data-testid="docs-written">1,000<' in page
    # On a cluster the scheduler drops a finished job before every copy of its _replicator document says
    # "completed", and the list reads one copy: it can miss the replication for a moment.
    listing = wait_for(lambda: docid in (html := admin_client.get(reverse("browser:replications")).content.decode())
                       and html, seconds=15)
    assert listing and docid in listing
    assert couch_server.admin_http().get(couch_server.url + target, timeout=10).json()["doc_count"] == 1000


@pytest.mark.couchdb3
def test_a_replication_to_an_unreachable_target_shows_crashing_and_why(admin_client, couch_server, make_database,
                                                                       admin_couch, cleanup):
    source = make_database()
    docid = f"ca-{RUN_ID}-unreachable-{uuid.uuid4().hex[:6]}"
    start(admin_client, source=source, target="http://127.0.0.1:9/x", name=docid,
          local_password=couch_server.admin.password)
    failing = wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state in ("crashing", "failed") and r)
    assert failing, "the scheduler never reported the failure"
    page = admin_client.get(reverse("browser:replication-doc", kwargs={"docid": docid})).content.decode()
    assert "The target could not be reached." in page
    assert "econnrefused" in page
    assert 'hx-trigger="every 2s"' in page  # crashing: it retries, so the page keeps refreshing
    listing = admin_client.get(reverse("browser:replications")).content.decode()
    assert "The target could not be reached." in listing


@pytest.mark.couchdb3
def test_a_password_never_appears_in_a_page_or_the_audit_log(admin_client, couch_server, make_database, personas,
                                                             admin_couch, cleanup):
    # The team's database admin lends their credentials: a password unique enough to search for.
    lender = personas["dbadmin"]
    source, target = make_database(security=TEAM), make_database(security=TEAM)
    docid = f"ca-{RUN_ID}-continuous-{uuid.uuid4().hex[:6]}"
    base = couch_server.url.replace("://", f"://{lender.name}:{lender.password}@", 1)
    response = start(admin_client, source=base + source, target=couch_server.url + target, name=docid,
                     target_username=lender.name, target_password=lender.password, continuous="on")
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = couch_server.admin_http().get(f"{couch_server.url}_replicator/{quoted(docid)}", timeout=10).json()
    assert stored["source"]["auth"]["basic"]["password"] == lender.password  # in CouchDB, in the auth object
    assert "@" not in stored["source"]["url"]
    running = wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state == "running" and r)
    assert running
    pages = [reverse("browser:replications"), reverse("browser:replication-doc", kwargs={"docid": docid}),
             reverse("browser:replication-job", kwargs={"job_id": running.job_id}),
             reverse("browser:replication-doc-delete", kwargs={"docid": docid})]
    for url in pages:
        for headers in ({}, {"HX-Request": "true"}):
            html = admin_client.get(url, headers=headers).content.decode()
            assert lender.password not in html, url
    detail = admin_client.get(pages[1]).content.decode()
    assert "(credentials hidden)" in detail and 'data-testid="replication-state">running<' in detail

    restarted = admin_client.post(reverse("browser:replication-doc-restart", kwargs={"docid": docid}), follow=True)
    assert "Restarted" in restarted.content.decode() and lender.password not in restarted.content.decode()
    assert wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state == "running")
    deleted = admin_client.post(reverse("browser:replication-doc-delete", kwargs={"docid": docid}),
                                {"confirm": "on"}, follow=True)
    assert "Stopped the replication" in deleted.content.decode()
    assert scheduler_doc(admin_couch, docid) is None
    records = audit_records(couch_server, docid, at_least=3)
    assert sorted(r["action"] for r in records) == ["replication.delete", "replication.restart", "replication.start"]
    assert lender.password not in json.dumps(records)


@pytest.mark.couchdb3
def test_deleting_asks_first(admin_client, couch_server, make_database, cleanup):
    docid = f"ca-{RUN_ID}-keep-{uuid.uuid4().hex[:6]}"
    start(admin_client, source=make_database(), target="http://127.0.0.1:9/x", name=docid,
          local_password=couch_server.admin.password)
    refused = admin_client.post(reverse("browser:replication-doc-delete", kwargs={"docid": docid}), {})
    assert refused.status_code == 400
    assert couch_server.admin_http().get(f"{couch_server.url}_replicator/{quoted(docid)}", timeout=10).ok


@pytest.mark.couchdb3
def test_a_transient_continuous_replication_runs_and_stops(admin_client, couch_server, make_database, admin_couch,
                                                           cleanup):
    source, target = source_with_docs(make_database, couch_server, 3), make_database()
    response = start(admin_client, source=source, target=target, continuous="on", mode="transient",
                     local_password=couch_server.admin.password)
    assert response.status_code == 302, response.content.decode()[:2000]
    job_id = response["Location"].rstrip("/").rsplit("/", 1)[1]
    assert wait_for(lambda: (r := scheduler_job(admin_couch, job_id)) and r.docs_written == 3)
    page = admin_client.get(response["Location"]).content.decode()
    assert "transient (POST /_replicate)" in page and couch_server.admin.password + "@" not in page
    stopped = admin_client.post(reverse("browser:replication-job-stop", kwargs={"job_id": job_id}), follow=True)
    assert "Stopped the replication." in stopped.content.decode()
    assert scheduler_job(admin_couch, job_id) is None
    records = audit_records(couch_server, job_id, at_least=2)
    assert sorted(r["action"] for r in records) == ["replication.start", "replication.stop"]


@pytest.mark.couchdb3
def test_hostile_database_names_and_replication_names_work(admin_client, couch_server, make_database, admin_couch,
                                                           drop_database_afterwards, cleanup):
    source = source_with_docs(make_database, couch_server, 2, name=f"ca-{RUN_ID}-h/o+s$(t)-{uuid.uuid4().hex[:4]}")
    target = f"ca-{RUN_ID}-t/a+r$(g)-{uuid.uuid4().hex[:4]}"
    drop_database_afterwards(target)
    docid = f"ca-{RUN_ID} ? # % & + ünï/x"
    response = start(admin_client, source=source, target=target, create_target="on", name=docid,
                     local_password=couch_server.admin.password)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state == "completed")
    page = admin_client.get(reverse("browser:replication-doc", kwargs={"docid": docid})).content.decode()
    assert "completed" in page and "t/a+r$(g)" in page
    assert couch_server.admin_http().get(couch_server.url + quoted(target), timeout=10).json()["doc_count"] == 2


@pytest.mark.couchdb3
def test_a_wrong_password_for_local_databases_is_caught_before_couchdb_retries_it(admin_client, make_database):
    response = start(admin_client, source=make_database(), target=make_database(), local_password="not-it")
    assert response.status_code == 400 and "The user name or password is incorrect." in response.content.decode()


@pytest.mark.couchdb3
def test_a_member_without_replicator_access_is_told_and_can_run_a_transient_one(client, personas, couch_server,
                                                                               make_database, cleanup):
    member = personas["member"]
    source, target = source_with_docs(make_database, couch_server, 4, security=TEAM), make_database(security=TEAM)
    log_in(client, member)
    listing = client.get(reverse("browser:replications")).content.decode()
    assert "keeps its _replicator database for server admins" in listing
    refused = start(client, source=source, target=target, local_password=member.password)
    assert refused.status_code == 400 and "keeps its _replicator database for server admins" in \
        refused.content.decode()
    assert member.password not in refused.content.decode()
    done = start(client, source=source, target=target, local_password=member.password, mode="transient")
    assert done.status_code == 302
    told = client.get(done["Location"]).content.decode()
    # Within the dashboard's wait the counts are told; on a busy machine it says CouchDB goes on copying.
    assert "4 documents written" in told or "CouchDB is still copying" in told
    db_url = couch_server.url + quoted(target)
    assert wait_for(lambda: couch_server.admin_http().get(db_url, timeout=10).json()["doc_count"] == 4)
    job = client.get(reverse("browser:replication-job", kwargs={"job_id": "abc+continuous"})).content.decode()
    assert "to server admins only" in job


@pytest.fixture
def replicator_open_to_the_team(couch_server):
    """What a server admin does to let a team save replications: the team's role joins _replicator's members."""
    http = couch_server.admin_http()
    url = couch_server.url + "_replicator/_security"
    before = http.get(url, timeout=10).json()
    members = before.get("members") or {}
    opened = {**before, "members": {**members, "roles": [*members.get("roles", []), "ca-team"]}}
    put_security(couch_server, "_replicator", opened)
    yield
    put_security(couch_server, "_replicator", before)


@pytest.mark.couchdb3
def test_a_member_of_replicator_saves_one_in_their_own_name_and_sees_it(client, personas, couch_server,
                                                                       make_database, replicator_open_to_the_team,
                                                                       admin_couch, cleanup):
    member = personas["member"]
    source, target = source_with_docs(make_database, couch_server, 2, security=TEAM), make_database(security=TEAM)
    docid = f"ca-{RUN_ID}-member-{uuid.uuid4().hex[:6]}"
    log_in(client, member)
    response = start(client, source=source, target=target, name=docid, local_password=member.password)
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = couch_server.admin_http().get(f"{couch_server.url}_replicator/{quoted(docid)}", timeout=10).json()
    assert stored["owner"] == member.name
    assert wait_for(lambda: (r := scheduler_doc(admin_couch, docid)) and r.state == "completed")
    for url in (reverse("browser:replications"), reverse("browser:replication-doc", kwargs={"docid": docid})):
        html = client.get(url).content.decode()
        assert member.password not in html
        assert docid in html and "to server admins only" in html
    # The member's page reads the state from the _replicator document, which the replicator marks "completed"
    # on its own node a moment after the scheduler says so: on a cluster a quorum read can still be the older copy.
    completed = 'data-testid="replication-state">completed<'
    detail = wait_for(lambda: completed in (html := client.get(
        reverse("browser:replication-doc", kwargs={"docid": docid})).content.decode()) and html, seconds=15)
    assert detail and completed in detail
    deleted = client.post(reverse("browser:replication-doc-delete", kwargs={"docid": docid}), {"confirm": "on"})
    assert deleted.status_code == 302
    assert member.password not in json.dumps(audit_records(couch_server, docid))


@pytest.mark.couchdb3
def test_an_outsider_sees_what_they_may_do_and_no_replication(personas, admin_client, couch_server,
                                                              make_database, cleanup):
    docid = f"ca-{RUN_ID}-secret-{uuid.uuid4().hex[:6]}"
    start(admin_client, source=make_database(), target="http://127.0.0.1:9/x", name=docid,
          local_password=couch_server.admin.password)
    client = log_in(Client(), personas["outsider"])
    listing = client.get(reverse("browser:replications")).content.decode()
    assert docid not in listing and "keeps its _replicator database for server admins" in listing
    assert client.get(reverse("browser:replication-doc", kwargs={"docid": docid})).status_code == 403
    stop = client.post(reverse("browser:replication-job-stop", kwargs={"job_id": "abc+continuous"}), follow=True)
    assert stop.status_code == 200


@pytest.mark.couchdb3
def test_a_hostile_replicator_document_neither_breaks_a_page_nor_shows_its_secrets(admin_client, couch_server,
                                                                                  make_database, cleanup):
    secret = uuid.uuid4().hex
    docid = f"ca-{RUN_ID}-<b>hostile</b> ? # %/{uuid.uuid4().hex[:4]}"
    deep = {"a": None}
    for _ in range(300):
        deep = {"a": deep}
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}_replicator/{quoted(docid)}", json={
        "source": {"url": f"{couch_server.url}{make_database()}", "headers": {"Authorization": f"Basic {secret}"},
                   "auth": {"basic": {"username": "admin", "password": secret}}},
        "target": f"http://someone:{secret}@127.0.0.1:9/x", "extra": [1, None, {"url": f"https://u:{secret}@h/"}],
        "deep": deep, "huge": "<script>" * 20_000, "notes": f"call http://x:{secret}@evil.example/"},
        timeout=10).raise_for_status()
    for url in (reverse("browser:replications"), reverse("browser:replication-doc", kwargs={"docid": docid}),
                reverse("browser:replication-doc-delete", kwargs={"docid": docid})):
        response = admin_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        assert secret not in html and "<script>" not in html and "<b>hostile" not in html
