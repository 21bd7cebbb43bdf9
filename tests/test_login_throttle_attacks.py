"""Attacks on the login throttle: many concurrent guesses for one name, one address spraying names (as behind
NAT, where others share it), and the audit writer's reserved name."""

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings
from django.test import Client, override_settings

from tests.conftest import RUN_ID
from tests.test_shared_sessions import redis_server, redis_url, start_copy, stop_copy  # noqa: F401 - fixtures

WRONG = "The user name or password is incorrect."
TOO_MANY = "Too many failed logins from your address"
LOCKED = "CouchDB has locked this account"


def attempt(name, password, address):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": name, "password": password})


def concurrent_wrong_logins(base, name, count):
    """`count` wrong logins for one name at once, each on a connection of its own: their answers' texts."""
    first = requests.Session()
    page = first.get(f"{base}/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    cookie = first.cookies.get("csrftoken")

    def one(_):
        browser = requests.Session()
        browser.cookies.set("csrftoken", cookie)
        answer = browser.post(f"{base}/login/", data={"username": name, "password": "wrong",
                                                      "csrfmiddlewaretoken": token}, timeout=120)
        return answer.status_code, answer.text

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(one, range(count)))


@pytest.mark.parametrize("store", ["files", "redis"])
def test_of_40_concurrent_wrong_logins_for_one_name_only_the_limit_reach_couchdb(store, couch_server, victim,
                                                                                 tmp_path, request):
    url = request.getfixturevalue("redis_url") if store == "redis" else ""
    # Two processes of eight threads: the reservations race across processes and within each.
    process, base = start_copy(couch_server.url, tmp_path / "var", url, workers=2, threads=8)
    try:
        answers = concurrent_wrong_logins(base, victim.name, 40)
    finally:
        stop_copy(process)
    assert {status for status, _ in answers} == {400}
    asked_couchdb = [text for _, text in answers if WRONG in text or LOCKED in text]
    refused_here = [text for _, text in answers if TOO_MANY in text]
    assert len(asked_couchdb) == settings.LOGIN_FAILURES_PER_USER
    assert len(refused_here) == 40 - settings.LOGIN_FAILURES_PER_USER
    assert not [text for text in asked_couchdb if LOCKED in text]  # CouchDB's own lockout was never reached


def test_failures_under_other_names_never_refuse_a_right_password_from_the_same_address(victim):
    address = "10.66.7.1"
    with override_settings(LOGIN_FAILURES_PER_CLIENT=20, LOGIN_SLOWDOWN_SECONDS=0.3):
        for i in range(25):
            answer = attempt(f"ca-{RUN_ID}-sprayed-{i}-{uuid.uuid4().hex[:4]}", "wrong", address)
            assert answer.status_code == 400 and WRONG in answer.content.decode()  # each still asked CouchDB
        started = time.monotonic()
        right = attempt(victim.name, victim.password, address)
        assert right.status_code == 302
        assert time.monotonic() - started >= 0.3  # slowed down past the per-client limit, not refused


def test_the_per_client_slowdown_is_bounded():
    from browser import login_throttle

    with override_settings(LOGIN_FAILURES_PER_CLIENT=1, LOGIN_SLOWDOWN_SECONDS=3600):
        attempt(f"ca-{RUN_ID}-bounded-{uuid.uuid4().hex[:6]}", "wrong", "10.66.7.2")
        started = time.monotonic()
        attempt(f"ca-{RUN_ID}-bounded-{uuid.uuid4().hex[:6]}", "wrong", "10.66.7.2")
        assert time.monotonic() - started < login_throttle.SLOWDOWN_MOST + 5


def test_the_audit_writers_name_is_refused_like_a_wrong_password_and_never_reaches_couchdb(couch_server):
    # From the dashboard's own address: had these reached CouchDB, CouchDB 3 would lock the writer there.
    address = "127.0.0.1"
    right = attempt(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD, address)
    assert right.status_code == 400 and WRONG in right.content.decode()
    for _ in range(settings.LOGIN_FAILURES_PER_USER + 3):
        answer = attempt(settings.AUDIT_WRITER_NAME, "wrong", address).content.decode()
        assert WRONG in answer and TOO_MANY not in answer  # nothing counted, nothing to lock
    direct = requests.post(couch_server.url + "_session", json={"name": settings.AUDIT_WRITER_NAME,
                                                                "password": settings.AUDIT_WRITER_PASSWORD},
                           timeout=10)
    assert direct.status_code == 200  # the writer still logs in to CouchDB from this address


def test_a_login_refused_for_couchdb_being_unreachable_does_not_count(victim):
    from embedded.pouchdb import free_port

    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{free_port()}/"):
        for _ in range(settings.LOGIN_FAILURES_PER_USER + 2):
            assert "CouchDB cannot be reached" in attempt(victim.name, "wrong", "10.66.7.3").content.decode()
    assert attempt(victim.name, victim.password, "10.66.7.3").status_code == 302
