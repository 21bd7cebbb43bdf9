"""The one scrub every replication passes through, the plain words for the scheduler's reasons, and the start
form's handling of credentials: pure code, fed CouchDB 3.5's recorded answers and hostile documents."""

import json

from django.conf import settings

from browser.couch import jsontext
from browser.couch.replication import (
    HIDDEN,
    from_document,
    from_scheduler,
    problem_for,
    scrub,
    side_of,
    split_userinfo,
    text_of,
)
from browser.forms.replication import ReplicationStartForm
from tests.support.data import CONTRACT

SECRET = "s3cr3t-Pa55"


def recorded(name):
    for exchange in json.loads((CONTRACT / "tasks_replication.json").read_text()):
        if exchange["name"] == name:
            return exchange["response"]["body"]
    raise KeyError(name)


def test_scrub_removes_auth_objects_headers_and_userinfo_at_any_place():
    doc = {"source": {"url": f"http://bob:{SECRET}@remote.example/db", "auth": {"basic": {"password": SECRET}},
                      "headers": {"Authorization": f"Basic {SECRET}", "Cookie": f"AuthSession={SECRET}"}},
           "target": f"https://eve:{SECRET}@x.example:6984/t", "notes": [f"see http://a:{SECRET}@h/ now"],
           f"http://k:{SECRET}@key/": 1, "password": SECRET}
    cleaned = scrub(doc)
    assert SECRET not in json.dumps(cleaned)
    assert cleaned["source"]["auth"] == {"basic": {"password": HIDDEN}}
    assert cleaned["source"]["headers"] == {"Authorization": HIDDEN, "Cookie": HIDDEN}
    assert cleaned["password"] == HIDDEN and list(cleaned) == ["source", "target", "notes", "http://key/", "password"]
    assert cleaned["source"]["url"] == "http://remote.example/db"
    assert cleaned["target"] == "https://x.example:6984/t"
    assert SECRET in json.dumps(doc)  # the original is left as it was


def test_scrub_survives_what_a_hostile_member_can_write():
    deep = jsontext.loads("[" * 20_000 + f'"http://u:{SECRET}@h/"' + "]" * 20_000)
    assert SECRET not in jsontext.dumps(scrub(deep))
    weird = {"source": 5, "target": ["http://", None, {"url": 7}], "auth": None, "x": "@" * 100_000,
             "url": f"javascript://x:{SECRET}@y", "n": jsontext.JsonNumber("1e400")}
    cleaned = scrub(weird)
    assert SECRET not in jsontext.dumps(cleaned)
    assert cleaned["n"] == "1e400" and isinstance(cleaned["n"], jsontext.JsonNumber)
    row = from_document({"_id": {"not": "a string"}, "source": ["x"] * 10_000, "target": {"url": "x" * 100_000},
                         "_replication_state": 7, "_replication_stats": {"docs_written": "lots"},
                         "_replication_state_reason": {"deep": deep}, "owner": None})
    assert len(row.target.url) < 2_100 and len(row.source.url) < 400
    assert row.docs_written is None and row.state == "7"
    assert SECRET not in row.error


def test_text_of_is_bounded_and_scrubbed():
    assert text_of("x" * 50_000).endswith("…") and len(text_of("x" * 50_000)) == 2_001
    assert SECRET not in text_of({"url": f"http://u:{SECRET}@h/db"})


def test_sides_on_this_server_show_the_database_name():
    base = settings.COUCHDB_REPLICATION_URL.rstrip("/")
    side = side_of({"url": f"{base}/team%2Forders%2B%24(x)", "auth": {"basic": {}}})
    assert side.local_db == "team/orders+$(x)" and side.has_credentials
    remote = side_of(f"https://u:{SECRET}@elsewhere.example/db")
    assert remote.local_db is None and remote.has_credentials and SECRET not in remote.url


def test_recorded_scheduler_answers_read_as_states_counts_and_plain_words():
    docs = {d["doc_id"]: from_scheduler(d) for d in recorded("GET /_scheduler/docs (all replicator dbs)")["docs"]}
    assert docs["contract-rep-oneshot"].state == "completed" and docs["contract-rep-oneshot"].docs_written == 5
    assert docs["contract-rep-continuous"].state == "running" and docs["contract-rep-continuous"].live
    failing = docs["contract-rep-badcreds"]
    assert failing.state == "crashing" and failing.problem == "The source or target refused the credentials (401)."
    assert "session_request_forbidden" in failing.error
    jobs = recorded("GET /_scheduler/jobs with a continuous replication running")["jobs"]
    crashed = from_scheduler(jobs[0])
    assert crashed.state == "crashing" and crashed.history[0].type == "crashed"
    assert from_scheduler(jobs[1]).state == "running"


def test_reasons_become_plain_words_naming_the_side():
    source, target = side_of("http://127.0.0.1:15984/a"), side_of("http://127.0.0.1:9/x")
    unreachable = ('{http_request_failed,"GET","http://127.0.0.1:9/x/",\n {error,{error,{conn_failed,'
                   '{error,econnrefused}}}}}')
    assert problem_for(unreachable, source, target) == "The target could not be reached."
    missing = "db_not_found: could not open http://127.0.0.1:15984/a/"
    assert problem_for(missing, source, target) == "The source database does not exist."
    assert problem_for(recorded("POST /_replicate with bad source credentials (user that does not exist)")["reason"]) \
        == "The source or target refused the credentials (401)."


def test_a_url_typed_with_credentials_moves_them_into_the_auth_object():
    assert split_userinfo(f"https://bob:{SECRET}%40x@host:1/db") == ("https://host:1/db", "bob", f"{SECRET}@x")
    form = ReplicationStartForm({"source": f"https://bob:{SECRET}@host/db", "target": "local-db",
                                 "local_password": "mine", "mode": "named"}, person="me")
    assert form.is_valid(), form.errors
    body = form.body()
    assert body["source"] == {"url": "https://host/db", "auth": {"basic": {"username": "bob", "password": SECRET}}}
    assert body["target"]["auth"] == {"basic": {"username": "me", "password": "mine"}}
    assert body["target"]["url"].endswith("/local-db")
    assert SECRET not in json.dumps(form.shown())


def test_the_form_never_sends_a_password_or_a_url_with_credentials_back():
    form = ReplicationStartForm({"source": f"https://bob:{SECRET}@host/db", "target": "Bad Name",
                                 "local_password": SECRET, "target_password": SECRET, "mode": "named"}, person="me")
    assert not form.is_valid()
    html = str(form["source"]) + str(form["local_password"]) + str(form["target_password"])
    assert SECRET not in html


def test_the_form_refuses_a_selector_with_ids_and_odd_locations():
    form = ReplicationStartForm({"source": "ftp://h/db", "target": "https://h", "selector": '{"a": 1}',
                                 "doc_ids": "a\nb", "mode": "transient"})
    assert not form.is_valid()
    assert "source" in form.errors and "target" in form.errors
    assert "not both" in str(form.non_field_errors())
