"""Credentials the replication form forwards for this same CouchDB (by a database name, or by any URL that
reaches it) are checked through the login form's throttled login, naming the person's address, before any
replication is created: nobody can lock another person's account through CouchDB's replicator."""

import json
import socket
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from browser.forms.replication import ReplicationStartForm, reaches_couchdb
from tests.conftest import RUN_ID, log_in

WRONG = "The user name or password is incorrect."
TOO_MANY = "Too many failed logins from your address"


def own_addresses():
    """This machine's non-loopback addresses, as its host name resolves."""
    try:
        found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except OSError:
        return set()
    return {address for address in found if not address.startswith("127.")}


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:5984/db", "http://localhost:5984/db", "http://LOCALHOST.:5984/db", "http://127.1:5984/db",
    "http://127.9.8.7:5984/db", "http://2130706433:5984/db", "http://0x7f000001:5984/db", "http://0.0.0.0:5984/db",
    "http://[::1]:5984/db", "http://[::ffff:127.0.0.1]:5984/db", "https://localhost:5984/db",
    "http://user:pw@localhost:5984/db",
])
def test_every_loopback_spelling_on_couchdbs_port_reaches_it(url):
    with override_settings(COUCHDB_URL="http://127.0.0.1:5984/", COUCHDB_REPLICATION_URL="http://127.0.0.1:5984/"):
        assert reaches_couchdb(url)


@pytest.mark.parametrize("url", [
    "http://localhost:5985/db", "http://localhost/db", "https://127.0.0.1/db", "http://couch.example.invalid:5984/db",
    "http://192.0.2.1:5984/db",
])
def test_another_port_or_host_does_not(url):
    with override_settings(COUCHDB_URL="http://127.0.0.1:5984/", COUCHDB_REPLICATION_URL="http://127.0.0.1:5984/"):
        assert not reaches_couchdb(url)


def test_this_machines_own_addresses_reach_a_couchdb_on_loopback_and_the_replication_url_counts_too():
    with override_settings(COUCHDB_URL="https://couch.example.invalid/", COUCHDB_REPLICATION_URL="http://localhost:5984/"):
        assert reaches_couchdb("http://127.0.0.1:5984/db")
        assert not reaches_couchdb("http://127.0.0.1:8443/db")
        for address in own_addresses():
            assert reaches_couchdb(f"http://{address}:5984/db")
            assert reaches_couchdb(f"http://{socket.gethostname()}:5984/db")


def test_a_couchdb_at_a_machine_address_is_reached_by_that_address_and_by_loopback():
    addresses = own_addresses()
    if not addresses:
        pytest.skip("this machine's host name resolves to no non-loopback address")
    address = sorted(addresses)[0]
    with override_settings(COUCHDB_URL=f"http://{address}:5984/", COUCHDB_REPLICATION_URL=f"http://{address}:5984/"):
        assert reaches_couchdb(f"http://{address}:5984/db")
        assert reaches_couchdb("http://localhost:5984/db")  # CouchDB resolves it on its own machine: itself
        assert not reaches_couchdb("http://192.0.2.1:5984/db")


def form(**fields):
    data = {"mode": "transient", **fields}
    bound = ReplicationStartForm(data, person="me")
    assert bound.is_valid(), bound.errors
    return bound


def test_the_form_names_each_credential_it_would_forward_to_this_server_once():
    with override_settings(COUCHDB_URL="http://127.0.0.1:5984/", COUCHDB_REPLICATION_URL="http://127.0.0.1:5984/"):
        assert form(source="a", target="b", local_password="pw").credentials_for_this_server() == [
            ("local_password", "me", "pw")]
        assert form(source="http://them:x@localhost:5984/a", target="b",
                    local_password="pw").credentials_for_this_server() == [("source_password", "them", "x"),
                                                                            ("local_password", "me", "pw")]
        assert form(source="http://me:pw@[::1]:5984/a", target="b",
                    local_password="pw").credentials_for_this_server() == [("source_password", "me", "pw")]
        assert form(source="https://u:p@elsewhere.example.invalid/a", target="http://localhost:5984/b",
                    ).credentials_for_this_server() == []  # a remote's, and a URL of this server without any


# --- against Apache CouchDB 3 (pouchdb-server runs no replications) ---------------------------------------------


@pytest.fixture
def cleanup(couch_server):
    """Whatever a failing test made CouchDB start is stopped."""
    yield
    http = couch_server.admin_http()
    for job in http.get(couch_server.url + "_scheduler/jobs", timeout=10).json().get("jobs", []):
        if job.get("database") is None and f"ca-{RUN_ID}" in json.dumps(job):
            http.post(couch_server.url + "_replicate", json={"replication_id": job["id"], "cancel": True}, timeout=10)


def start(client, **fields):
    return client.post(reverse("browser:replication-start"), {"mode": "transient", **fields})


def couchdb_accepts(couch_server, persona):
    """A login straight to CouchDB from this machine, the address CouchDB's replicator comes from."""
    return requests.post(couch_server.url + "_session", json={"name": persona.name, "password": persona.password},
                         timeout=10).status_code == 200


def jobs_touching(couch_server, db):
    jobs = couch_server.admin_http().get(couch_server.url + "_scheduler/jobs", timeout=10).json().get("jobs", [])
    return [job for job in jobs if db in json.dumps(job)]


@pytest.mark.couchdb3
def test_wrong_passwords_for_another_user_by_a_url_of_this_server_lock_nobody_out(personas, victim, couch_server,
                                                                                  make_database, cleanup):
    attacker = log_in(Client(REMOTE_ADDR="10.77.0.1"), personas["outsider"])  # no rights at all
    db, port = make_database(), urlsplit(couch_server.url).port
    answers = [start(attacker, source=f"http://localhost:{port}/{db}", target=f"http://127.0.0.1:{port}/{db}-copy",
                     source_username=victim.name, source_password=f"wrong-{i}") for i in range(7)]
    assert [a.status_code for a in answers] == [400] * 7
    texts = [a.content.decode() for a in answers]
    assert all(WRONG in t for t in texts[:settings.LOGIN_FAILURES_PER_USER])
    assert all(TOO_MANY in t for t in texts[settings.LOGIN_FAILURES_PER_USER:])
    assert not jobs_touching(couch_server, db)
    assert couchdb_accepts(couch_server, victim)  # not locked for the node's own address


@pytest.mark.couchdb3
def test_a_wrong_local_password_is_refused_in_the_login_forms_words_and_throttled(personas, couch_server,
                                                                                   make_database, cleanup):
    member = personas["member"]
    person = log_in(Client(REMOTE_ADDR="10.77.0.2"), member)
    source, target = make_database(), make_database()
    texts = [start(person, source=source, target=target, local_password="not-it").content.decode()
             for _ in range(settings.LOGIN_FAILURES_PER_USER + 1)]
    assert all(WRONG in t for t in texts[:-1]) and TOO_MANY in texts[-1]
    assert couchdb_accepts(couch_server, member)


@pytest.mark.couchdb3
def test_the_audit_writers_name_is_never_forwarded_for_this_server(admin_client, couch_server, make_database, cleanup):
    db, port = make_database(), urlsplit(couch_server.url).port
    response = start(admin_client, source=f"http://localhost:{port}/{db}", target=f"http://localhost:{port}/{db}-c",
                     source_username=settings.AUDIT_WRITER_NAME, source_password=settings.AUDIT_WRITER_PASSWORD)
    assert response.status_code == 400 and WRONG in response.content.decode()
    assert not jobs_touching(couch_server, db)


@pytest.mark.couchdb3
def test_right_credentials_for_this_server_by_url_start_the_replication(admin_client, couch_server, make_database,
                                                                        cleanup):
    admin, port = couch_server.admin, urlsplit(couch_server.url).port
    source, target = make_database(), make_database()
    response = start(admin_client, source=f"http://localhost:{port}/{source}", target=target,
                     source_username=admin.name, source_password=admin.password, local_password=admin.password)
    assert response.status_code == 302, response.content.decode()[:2000]
