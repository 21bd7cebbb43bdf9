"""The audit log under attack (issue 23): records chained and sealed, so a rewritten, deleted, purged or
forged record is marked on the audit page; the writer's own credential cannot start a branch; a writer that
cannot log in is said plainly; with AUDIT_REQUIRED=1 nothing audited happens unrecorded; and the actions
that were not recorded before are recorded now."""

import base64
import hashlib
import json
import logging
import time
import uuid
from html import unescape

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from browser import audit_trail
from browser.audit_trail import audit_writer, report_writer_at_start
from browser.couch.audit import NEXT_READS_MOST, chain_id, prepare_audit_database, seq_of
from browser.couch.client import CouchClient
from browser.couch.errors import Unauthorized
from browser.couch.session import login
from tests.conftest import RUN_ID, TEAM, fetch_document, log_in, put_document
from tests.support.design_form import view_rows
from tests.support.eventually import eventually
from tests.support.lagging_copy import LaggingCopy
from tests.support.slow_couchdb import SlowCouchDB


def db_url(couch_server, db, *rest):
    return "/".join([couch_server.url + requests.utils.quote(db, safe=""),
                     *(requests.utils.quote(r, safe="") for r in rest)])


def records_of(couch_server, db=None, until=lambda records: True, seconds=15):
    """The chained records, read again until `until` holds (on a cluster, _all_docs reads one copy of each
    shard, which may not have a record written a moment ago) or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        answer = couch_server.admin_http().get(db_url(couch_server, db or settings.AUDIT_DATABASE, "_all_docs"),
                                               params={"include_docs": "true"}, timeout=10).json()
        records = [r["doc"] for r in answer["rows"] if seq_of(r["id"]) is not None]
        if until(records) or time.monotonic() > deadline:
            return records
        time.sleep(0.1)


def outcomes(couch_server, action, target, db=None, until_count=1):
    def mine(records):
        return sorted((r for r in records if r["action"] == action and r["target"] == target
                       and r.get("phase") == "outcome"), key=lambda r: int(r["seq"]))

    return mine(records_of(couch_server, db, until=lambda records: len(mine(records)) >= until_count))


def audit_page(client, showing=(), texts=(), seconds=15, **query):
    """The audit page, asked again until it shows the records `showing` (on a cluster, _find reads one copy
    of each shard, which may not have a record written a moment ago) or the time is up."""
    deadline = time.monotonic() + seconds
    while True:
        page = unescape(client.get(reverse("browser:audit"), query).content.decode())
        wanted = [f'data-seq="{seq_of(d)}"' for d in showing] + list(texts)
        if all(w in page for w in wanted) or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def record(action, target="t"):
    result = audit_writer().record(settings.AUDIT_DATABASE, "alice", action, target, phase="test")
    assert result.ok, result.problem
    return chain_id(result.seq)


def without_validation(couch_server, db=None):
    """What a server admin who wants to rewrite history does first: replace the validation."""
    http, url = couch_server.admin_http(), db_url(couch_server, db or settings.AUDIT_DATABASE, "_design/audit")
    current = http.get(url, timeout=10).json()
    http.put(url, json={"_rev": current["_rev"], "validate_doc_update": "function () {}"}, timeout=10)
    return lambda: prepare_audit_database(_admin(couch_server), db or settings.AUDIT_DATABASE,
                                          settings.AUDIT_WRITER_NAME)


def _admin(couch_server):
    admin = CouchClient()
    login(admin, couch_server.admin.name, couch_server.admin.password)
    return admin


def row_of(page, docid):
    """The table row of one record, found by the chain number it shows."""
    marker = f'data-seq="{seq_of(docid)}"'
    assert marker in page, f"{docid} not on the page"
    start = page.rindex("<tr", 0, page.index(marker))
    return page[start:page.index("</tr>", start)]


# --- the chain ---------------------------------------------------------------------------------------------
def test_records_are_numbered_one_after_another_and_each_links_to_the_one_before(couch_server):
    ids = [record("test.chain") for _ in range(3)]
    seqs = [seq_of(i) for i in ids]
    assert seqs == list(range(seqs[0], seqs[0] + 3))
    stored = {r["_id"]: r for r in records_of(couch_server, until=lambda rs: set(ids) <= {r["_id"] for r in rs})}
    for before, after in zip(ids, ids[1:], strict=False):
        assert stored[after]["prev"] == stored[before]["seal"]


def test_two_writers_at_once_never_share_a_number(couch_server):
    # A second copy of the dashboard: its own writer object, the same user and key.
    other = audit_trail.AuditWriter(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD, audit_trail.audit_key())
    mine, theirs = record("test.race"), other.record(settings.AUDIT_DATABASE, "bob", "test.race", "t")
    after_theirs = record("test.race")  # this writer last wrote `mine`: it finds theirs after it and moves on
    assert theirs.ok and seq_of(after_theirs) == theirs.seq + 1 == seq_of(mine) + 2


def test_a_writer_that_reads_a_lagging_copy_still_claims_after_the_newest_record(couch_server, make_database):
    # On a cluster, _all_docs reads one copy of each shard; this copy holds none of the records written since.
    # Claiming from it, the writer would meet a 409 on every try (or, with the other copies down, fork the chain).
    database = make_database()
    prepare_audit_database(_admin(couch_server), database, settings.AUDIT_WRITER_NAME)
    lagging = LaggingCopy(couch_server)
    try:
        lagging.freeze(database)
        here = audit_trail.AuditWriter(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD,
                                       audit_trail.audit_key())
        written = [here.record(database, "alice", "test.lag", "t") for _ in range(3)]
        assert [w.seq for w in written] == [1, 2, 3]
        with override_settings(COUCHDB_URL=lagging.url):
            behind = audit_trail.AuditWriter(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD,
                                             audit_trail.audit_key())
            late = behind.record(database, "bob", "test.lag", "t")
        assert late.ok and late.seq == 4, late.problem
        stored = {r["_id"]: r for r in records_of(couch_server, database, until=lambda rs: len(rs) == 4)}
        assert stored[chain_id(4)]["prev"] == stored[chain_id(3)]["seal"]
    finally:
        lagging.close()
        lagging.drop()


def test_many_records_added_with_the_writers_password_cost_the_writer_a_bounded_number_of_reads(
        couch_server, make_database):
    # The writer confirms the end of the chain record by record; 100 records added behind its back must not make
    # its next claim read 100 documents one by one.
    database = make_database()
    prepare_audit_database(_admin(couch_server), database, settings.AUDIT_WRITER_NAME)
    proxy = SlowCouchDB(couch_server.url)
    try:
        with override_settings(COUCHDB_URL=proxy.url):
            writer = audit_trail.AuditWriter(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD,
                                             audit_trail.audit_key())
            assert writer.record(database, "alice", "test.bulk", "t").seq == 1
            # One by one: pouchdb-server's _bulk_docs does not hand the writer's name to the validation.
            attacker = requests.Session()
            attacker.post(couch_server.url + "_session", timeout=10, json={
                "name": settings.AUDIT_WRITER_NAME, "password": settings.AUDIT_WRITER_PASSWORD}).raise_for_status()
            for n in range(2, 102):
                attacker.put(db_url(couch_server, database, chain_id(n)), timeout=10, json={
                    "type": "audit", "at": "2026-01-01T00:00:00.000000Z", "action": "test.bulk", "target": "t",
                    "seq": n, "prev": ""}).raise_for_status()
            before = len(proxy.done)
            late = writer.record(database, "alice", "test.bulk", "t")
        assert late.ok and late.seq == 102, late.problem
        assert len(proxy.done) - before <= 3 * NEXT_READS_MOST
    finally:
        proxy.close()


def test_a_writer_whose_couchdb_session_ended_logs_in_again(couch_server):
    writer = audit_trail.AuditWriter(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD,
                                     audit_trail.audit_key())
    first = writer.record(settings.AUDIT_DATABASE, "alice", "test.relogin", "t")
    # A session cookie CouchDB no longer accepts (as after its timeout): well formed, its hash not CouchDB's.
    stale = f"{settings.AUDIT_WRITER_NAME}:{int(time.time()) - 86_400:X}:".encode() + bytes(20)
    writer._client.token = base64.urlsafe_b64encode(stale).decode().rstrip("=")
    again = writer.record(settings.AUDIT_DATABASE, "alice", "test.relogin", "t")
    assert first.ok and again.ok, again.problem
    assert again.seq > first.seq


def test_a_sound_chain_reads_as_sound(admin_client):
    page = audit_page(admin_client, [record("test.sound")], action="test.sound")
    assert "sealed, linked" in page and "Warning:" not in page


def test_the_writers_own_credential_cannot_start_a_branch(couch_server):
    docid = record("test.branch-attempt")
    writer = requests.Session()
    writer.auth = (settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD)
    forged = {"_id": docid, "_rev": "1-" + "f" * 32, "type": "audit", "at": "2000-01-01T00:00:00Z",
              "action": "test.branch-attempt", "who": "nobody", "target": "rewritten"}
    answer = writer.post(db_url(couch_server, settings.AUDIT_DATABASE, "_bulk_docs"),
                         json={"docs": [forged], "new_edits": False}, timeout=10)
    results = answer.json() if answer.status_code < 300 else []
    assert answer.status_code >= 400 or all(r.get("error") == "forbidden" for r in results), answer.text
    stored = couch_server.admin_http().get(db_url(couch_server, settings.AUDIT_DATABASE, docid),
                                           params={"conflicts": "true"}, timeout=10).json()
    assert stored["target"] == "t" and "_conflicts" not in stored
    fresh = dict(forged, _id=f"rec-{uuid.uuid4().int % 10**11:012d}")
    refused = writer.post(db_url(couch_server, settings.AUDIT_DATABASE, "_bulk_docs"),
                          json={"docs": [fresh], "new_edits": False}, timeout=10)
    assert refused.status_code >= 400 or all(r.get("error") == "forbidden" for r in refused.json())


def test_a_record_rewritten_by_a_server_admin_is_marked_altered(admin_client, couch_server):
    docid = record("test.rewritten")
    restore = without_validation(couch_server)
    try:
        http, url = couch_server.admin_http(), db_url(couch_server, settings.AUDIT_DATABASE, docid)
        current = http.get(url, timeout=10).json()
        http.put(url, json={**current, "who": "somebody-else"}, timeout=10).raise_for_status()
    finally:
        restore()
    page = audit_page(admin_client, [docid], action="test.rewritten")
    assert "altered: its seal does not match" in row_of(page, docid)


def test_a_deleted_record_leaves_a_gap_that_is_marked(admin_client, couch_server):
    gone, kept = record("test.gap"), record("test.gap")
    restore = without_validation(couch_server)
    try:
        http, url = couch_server.admin_http(), db_url(couch_server, settings.AUDIT_DATABASE, gone)
        http.delete(url, params={"rev": http.get(url, timeout=10).json()["_rev"]}, timeout=10).raise_for_status()
    finally:
        restore()
    page = audit_page(admin_client, [kept], action="test.gap")
    assert f"the record before it ({seq_of(gone)}) is missing: it was deleted or purged" in row_of(page, kept)
    # The whole-chain check reads _all_docs: on a cluster one copy of each shard, which may not have the deletion yet.
    gap = f"record {seq_of(gone)} is missing: it was deleted or purged"
    assert gap in audit_page(admin_client, texts=[gap], action="test.gap", check="on")


@pytest.mark.couchdb3
def test_a_purged_record_leaves_a_gap_that_is_marked(admin_client, couch_server):
    # pouchdb-server has no _purge.
    gone, kept = record("test.purged"), record("test.purged")
    http = couch_server.admin_http()
    rev = http.get(db_url(couch_server, settings.AUDIT_DATABASE, gone), timeout=10).json()["_rev"]
    http.post(db_url(couch_server, settings.AUDIT_DATABASE, "_purge"), json={gone: [rev]},
              timeout=10).raise_for_status()
    page = audit_page(admin_client, [kept], [f"the record before it ({seq_of(gone)}) is missing"], action="test.purged")
    assert f"the record before it ({seq_of(gone)}) is missing" in row_of(page, kept)


@pytest.mark.couchdb3
def test_a_branch_made_by_a_server_admin_is_marked(admin_client, couch_server):
    # pouchdb-server answers 201 to the new_edits:false write and stores nothing (its validation, cached from
    # before the admin replaced it, still refuses): no branch can be made there.
    docid = record("test.branched")
    restore = without_validation(couch_server)
    try:
        stored = couch_server.admin_http().get(db_url(couch_server, settings.AUDIT_DATABASE, docid), timeout=10).json()
        branch = {**stored, "_rev": "1-" + "f" * 32, "who": "mallory"}
        answer = couch_server.admin_http().post(db_url(couch_server, settings.AUDIT_DATABASE, "_bulk_docs"),
                                                json={"docs": [branch], "new_edits": False}, timeout=10)
        assert answer.status_code == 201 and not [r for r in answer.json() if "error" in r], answer.text
    finally:
        restore()
    page = audit_page(admin_client, [docid], ["a branch: 2 versions"], action="test.branched")
    assert "a branch: 2 versions of this record exist" in row_of(page, docid)


def test_a_record_forged_with_only_the_writers_password_is_marked(admin_client, couch_server):
    """The writer's credential may add records, but without the dashboard's key it cannot seal them."""
    last = record("test.forged")
    stored = couch_server.admin_http().get(db_url(couch_server, settings.AUDIT_DATABASE, last), timeout=10).json()
    seq = seq_of(last) + 1
    forged = {"_id": chain_id(seq), "type": "audit", "who": "alice", "at": stored["at"], "action": "test.forged",
              "target": "t", "before": None, "after": None, "phase": "test", "seq": seq, "prev": stored["seal"]}
    forged["seal"] = hashlib.sha256(json.dumps(forged, sort_keys=True).encode()).hexdigest()
    writer = requests.Session()
    writer.auth = (settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD)
    writer.put(db_url(couch_server, settings.AUDIT_DATABASE, forged["_id"]), json=forged,
               timeout=10).raise_for_status()
    after = record("test.forged")  # the dashboard goes on after it
    page = audit_page(admin_client, [forged["_id"], after], action="test.forged")
    assert "altered: its seal does not match" in row_of(page, forged["_id"])
    assert "Warning" not in row_of(page, after)


# --- the writer and AUDIT_REQUIRED --------------------------------------------------------------------------
@pytest.fixture
def own_audit(couch_server, make_database):
    """An audit log and writer of this test's own, so locking its writer touches no other test."""
    database, name, password = make_database(), f"ca-{RUN_ID}-w-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex
    prepare_audit_database(_admin(couch_server), database, name, password)
    with override_settings(AUDIT_DATABASE=database, AUDIT_WRITER_NAME=name, AUDIT_WRITER_PASSWORD=password):
        yield database, name, password
    http = couch_server.admin_http()
    url = f"{couch_server.url}_users/org.couchdb.user:{name}"
    http.delete(url, params={"rev": http.get(url, timeout=10).json()["_rev"]}, timeout=10)


def lock_out(couch_server, name, peer):
    for _ in range(8):
        requests.post(couch_server.url + "_session", json={"name": name, "password": "wrong"},
                      headers={"X-Forwarded-For": peer} if peer else {}, timeout=10)


@pytest.mark.couchdb3
def test_failed_logins_as_the_writer_from_the_dashboards_host_do_not_stop_recording(own_audit, couch_server,
                                                                                     personas, make_database):
    # CouchDB's lockout is CouchDB's own: pouchdb-server has none.
    database, name, _ = own_audit
    lock_out(couch_server, name, None)  # an attacker on the same host, straight to CouchDB
    lock_out(couch_server, name, "127.0.0.1")
    team_db = make_database(security=TEAM)
    log_in(Client(), personas["dbadmin"]).post(reverse("browser:permissions", kwargs={"db": team_db}), {
        "section": "members", "kind": "names", "value": "after-the-attack", "op": "add"})
    assert outcomes(couch_server, "security.update", team_db, database)


@pytest.mark.couchdb3
def test_with_audit_required_a_locked_writer_means_nothing_audited_happens(own_audit, couch_server, personas,
                                                                           make_database, admin_client):
    database, name, password = own_audit
    audit_trail._writer.cache_clear()
    lock_out(couch_server, name, audit_trail.AuditWriter(name, password, audit_trail.audit_key()).peer)
    team_db, doomed = make_database(security=TEAM), make_database()
    security_before = couch_server.admin_http().get(db_url(couch_server, team_db, "_security"), timeout=10).json()
    with override_settings(AUDIT_REQUIRED=True):
        grant = log_in(Client(), personas["dbadmin"]).post(reverse("browser:permissions", kwargs={"db": team_db}), {
            "section": "members", "kind": "names", "value": "unrecorded", "op": "add"})
        delete = admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}), {"confirm_name": doomed})
        user = admin_client.post(reverse("browser:users"), {"name": f"ca-{RUN_ID}-never", "password": "p4ssword-x",
                                                            "roles": ""})
        page = audit_page(admin_client)
    for answer in (grant, delete, user):
        assert answer.status_code == 503
        assert "Nothing was done" in answer.content.decode() and "AUDIT_REQUIRED=1" in answer.content.decode()
    assert couch_server.admin_http().get(db_url(couch_server, team_db, "_security"), timeout=10).json() == \
        security_before
    assert couch_server.admin_http().get(db_url(couch_server, doomed), timeout=10).status_code == 200
    assert couch_server.admin_http().get(f"{couch_server.url}_users/org.couchdb.user:ca-{RUN_ID}-never",
                                         timeout=10).status_code == 404
    assert "locked the audit writer" in page and "every audited action is refused" in page
    assert records_of(couch_server, database) == []


def test_with_audit_required_a_writer_with_a_wrong_password_means_nothing_happens(own_audit, couch_server,
                                                                                 admin_client, make_database):
    doomed = make_database()
    with override_settings(AUDIT_REQUIRED=True, AUDIT_WRITER_PASSWORD="not-the-password"):
        answer = admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}), {"confirm_name": doomed})
        page = audit_page(admin_client)
    assert answer.status_code == 503 and "Nothing was done" in answer.content.decode()
    assert couch_server.admin_http().get(db_url(couch_server, doomed), timeout=10).status_code == 200
    assert "refuses the audit writer" in page and "manage.py prepare_audit" in page


def test_with_audit_required_the_intent_is_written_before_the_action_and_the_outcome_after(own_audit, couch_server,
                                                                                         admin_client, make_database):
    database, _, _ = own_audit
    doomed = make_database()
    with override_settings(AUDIT_REQUIRED=True):
        assert admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}),
                                 {"confirm_name": doomed}).status_code == 302
    outcomes(couch_server, "database.delete", doomed, database)
    found = sorted((r for r in records_of(couch_server, database) if r["target"] == doomed), key=lambda r: r["seq"])
    assert [(r["phase"], r.get("result")) for r in found] == [("intent", None), ("outcome", "done")]
    assert found[1]["of"] == found[0]["seq"]


def test_without_audit_required_a_broken_writer_warns_and_the_action_goes_ahead(own_audit, couch_server,
                                                                              admin_client, make_database):
    doomed = make_database()
    with override_settings(AUDIT_WRITER_PASSWORD="not-the-password"):
        answer = admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}),
                                   {"confirm_name": doomed}, follow=True)
    assert "audit record is missing" in answer.content.decode()
    assert couch_server.admin_http().get(db_url(couch_server, doomed), timeout=10).status_code == 404


def test_a_failed_action_is_recorded_as_failed(own_audit, couch_server, admin_client, make_database):
    database, _, _ = own_audit
    db = make_database()
    admin_client.post(reverse("browser:index-delete", kwargs={"db": db}),
                      {"ddoc": "_design/never-there", "type": "json", "name": "nothing"})
    found = outcomes(couch_server, "index.delete", db, database)
    assert found and found[0]["result"] == "failed" and found[0]["reason"]


def test_a_writer_that_cannot_log_in_is_said_at_start_up(own_audit, caplog):
    with override_settings(AUDIT_WRITER_PASSWORD="not-the-password"), caplog.at_level(logging.ERROR):
        report_writer_at_start()
        for thread in __import__("threading").enumerate():
            if thread.name == "audit-writer-check":
                thread.join(15)
    assert any("refuses the audit writer" in r.getMessage() and "prepare_audit" in r.getMessage()
               for r in caplog.records)


def test_prepare_audit_sets_a_rotated_password_on_an_existing_writer(own_audit, couch_server):
    database, name, old = own_audit
    new = uuid.uuid4().hex
    done = prepare_audit_database(_admin(couch_server), database, name, new)
    assert f"set the password of the user {name}" in done
    # On a cluster the user's new document reaches the other nodes' auth caches a moment later.
    assert eventually(lambda: logs_in(name, new))
    assert not eventually(lambda: logs_in(name, old), until=lambda works: not works)
    assert f"the user {name} already has this password" in prepare_audit_database(_admin(couch_server), database,
                                                                                   name, new)


def logs_in(name, password):
    try:
        login(CouchClient(), name, password)
    except Unauthorized:
        return False
    return True


# --- what is recorded now -----------------------------------------------------------------------------------
def test_database_creation_index_deletion_compaction_and_cleanup_are_recorded(admin_client, couch_server,
                                                                             drop_database_afterwards):
    name = f"ca-{RUN_ID}-made-{uuid.uuid4().hex[:6]}"
    drop_database_afterwards(name)
    admin_client.post(reverse("browser:database-create"), {"name": name})
    assert outcomes(couch_server, "database.create", name)[0]["result"] == "done"
    admin_client.post(reverse("browser:indexes", kwargs={"db": name}),
                      {"fields": "year", "ddoc": "by-year", "name": "year", "index_type": "json"})
    admin_client.post(reverse("browser:index-delete", kwargs={"db": name}),
                      {"ddoc": "_design/by-year", "type": "json", "name": "year"})
    assert outcomes(couch_server, "index.delete", name)[0]["before"]["name"] == "year"
    for action in ("compact", "cleanup"):
        admin_client.post(reverse("browser:maintenance", kwargs={"db": name}), {"action": action})
    assert outcomes(couch_server, "maintenance.compact", name)
    assert outcomes(couch_server, "maintenance.cleanup", name)


def test_the_audit_database_cannot_be_deleted_from_the_dashboard(admin_client, couch_server):
    url = reverse("browser:database-delete", kwargs={"db": settings.AUDIT_DATABASE})
    shown = admin_client.get(url)
    assert shown.status_code == 403 and "the dashboard never deletes it" in unescape(shown.content.decode())
    refused = admin_client.post(url, {"confirm_name": settings.AUDIT_DATABASE})
    assert refused.status_code == 403
    assert couch_server.admin_http().get(db_url(couch_server, settings.AUDIT_DATABASE), timeout=10).status_code == 200


def test_a_single_document_deletion_is_recorded(admin_client, couch_server, make_database):
    db = make_database()
    rev = put_document(couch_server, db, "doomed", {"v": 1})
    admin_client.post(reverse("browser:document-delete", kwargs={"db": db, "docid": "doomed"}), {"rev": rev})
    assert outcomes(couch_server, "document.delete", db)[0]["before"] == {"id": "doomed", "rev": rev}


def test_design_edits_are_recorded_from_the_design_editor_and_the_document_editor(admin_client, couch_server,
                                                                                 make_database):
    db = make_database()
    admin_client.post(reverse("browser:design-list", kwargs={"db": db}), {"name": "rules"})
    rev = fetch_document(couch_server, db, "_design/rules")["_rev"]
    admin_client.post(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "rules"}), {
        "rev": rev, **view_rows({"name": "by_v", "map": "function (doc) { emit(doc.v, 1); }"}),
        "validate_doc_update": ""})
    stored = fetch_document(couch_server, db, "_design/rules")
    assert "by_v" in stored["views"]
    vdu = "function (newDoc) { if (!newDoc.v) { throw({forbidden: 'v'}); } }"
    body = {k: v for k, v in stored.items() if not k.startswith("_")} | {"validate_doc_update": vdu}
    admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "_design/rules"}), {
        "mode": "text", "text": json.dumps(body), "base_rev": stored["_rev"]})
    assert fetch_document(couch_server, db, "_design/rules").get("validate_doc_update") == vdu
    found = outcomes(couch_server, "design.update", db, until_count=3)
    assert [r["after"]["id"] for r in found] == ["_design/rules"] * 3
    assert found[-1]["after"]["validate_doc_update"] == vdu and "by_v" in found[1]["after"]["views"]


def test_with_audit_required_a_refused_design_save_keeps_the_persons_text(own_audit, couch_server, admin_client,
                                                                         make_database):
    db = make_database()
    put_document(couch_server, db, "_design/rules", {"views": {}})
    rev = fetch_document(couch_server, db, "_design/rules")["_rev"]
    typed = "function (doc) { emit('kept <text>', 1); }"
    with override_settings(AUDIT_REQUIRED=True, AUDIT_WRITER_PASSWORD="not-the-password"):
        answer = admin_client.post(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "rules"}), {
            "rev": rev, **view_rows({"name": "kept", "map": typed}), "validate_doc_update": ""})
    page = unescape(answer.content.decode())
    assert answer.status_code == 503 and "Nothing was saved" in page and typed in page
    assert fetch_document(couch_server, db, "_design/rules")["views"] == {}


@pytest.mark.couchdb3
def test_creating_global_changes_is_recorded(admin_client, couch_server):
    # pouchdb-server has no _global_changes.
    http = couch_server.admin_http()
    http.delete(couch_server.url + "_global_changes", timeout=30)
    answer = admin_client.post(reverse("browser:db-updates-setup"), {"confirm_name": "_global_changes"})
    assert answer.status_code == 302
    assert http.get(couch_server.url + "_global_changes", timeout=10).status_code == 200
    assert outcomes(couch_server, "global_changes.create", "_global_changes")[-1]["result"] == "done"


def test_the_audit_page_reads_one_row_per_action_and_flags_an_intent_without_outcome(admin_client, couch_server,
                                                                                    make_database):
    doomed = make_database()
    admin_client.post(reverse("browser:database-delete", kwargs={"db": doomed}), {"confirm_name": doomed})
    done = outcomes(couch_server, "database.delete", doomed)[-1]
    page = audit_page(admin_client, [done["_id"]], target=doomed)
    assert page.count('data-action="database.delete"') == 1 and "(done)" in row_of(page, done["_id"])
    lone = audit_writer().record(settings.AUDIT_DATABASE, "alice", "test.lone", "lone-target", phase="intent")
    page = audit_page(admin_client, [chain_id(lone.seq)], action="test.lone")
    assert "no outcome recorded, so it may or may not have happened" in row_of(page, chain_id(lone.seq))
