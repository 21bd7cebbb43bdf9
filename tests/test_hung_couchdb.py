"""A CouchDB that hangs (accepts connections, never answers, as under SIGSTOP): /healthz says 503 on its own short
timeout, and pages that need no CouchDB (the login form, static files) still answer, even under gunicorn while
other requests wait on CouchDB."""

import socket
import threading
import time

import pytest
import requests
from django.conf import settings
from django.test import override_settings

from bench.common import start_dashboard, stop_dashboard


class HungCouchDB(str):
    """The URL of a listening socket on 127.0.0.1 that completes every TCP handshake and never answers."""

    def __new__(cls):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        url = super().__new__(cls, f"http://127.0.0.1:{sock.getsockname()[1]}/")
        url.socket = sock
        return url

    def wake(self):
        """Close it: every connection still waiting is reset, so whoever waits on it gets an answer now."""
        self.socket.close()


@pytest.fixture
def hung_couchdb():
    hung = HungCouchDB()
    yield hung
    hung.wake()


def test_the_health_check_gives_up_well_within_the_container_health_check():
    # The Dockerfile's HEALTHCHECK waits 4 s: /healthz must have answered 503 by then, even when CouchDB and
    # the session store both hang.
    assert settings.HEALTHZ_TIMEOUT <= 1.5
    assert settings.HEALTHZ_TIMEOUT < settings.COUCHDB_TIMEOUT
    assert settings.HEALTHZ_TIMEOUT + settings.SESSION_STORE_TIMEOUT < 3


def test_healthz_answers_503_in_time_when_the_session_store_hangs(client, hung_couchdb):
    # The same listening socket that never answers, taken for a Redis.
    started = time.monotonic()
    with override_settings(SESSION_STORE_URL=f"redis://{hung_couchdb[len('http://'):].rstrip('/')}/0",
                           SESSION_STORE_TIMEOUT=0.3):
        response = client.get("/healthz")
    assert response.status_code == 503 and time.monotonic() - started < 3
    assert response.json()["session_store"] == "down" and response.json()["couchdb"] == "up"
    assert "session store: no answer within 0.3 seconds" in response.json()["reason"]


def test_healthz_answers_503_on_its_own_timeout_when_couchdb_hangs(client, hung_couchdb):
    with override_settings(COUCHDB_URL=hung_couchdb, HEALTHZ_TIMEOUT=0.3, COUCHDB_TIMEOUT=30):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["couchdb"] == "down"
    # The health check's timeout was used, not the pages' 30 s.
    assert "no answer within 0.3 seconds" in response.json()["reason"]


def test_the_login_form_and_static_files_need_no_couchdb(client, hung_couchdb):
    with override_settings(COUCHDB_URL=hung_couchdb, COUCHDB_TIMEOUT=30):
        login = client.get("/login/")
        style = client.get("/static/css/app.css")
    assert login.status_code == 200
    assert 'name="password"' in login.content.decode()
    assert style.status_code == 200


def test_a_page_that_needs_couchdb_says_it_does_not_answer_yet(admin_client, hung_couchdb):
    # Connected, asked, no answer: as slow as a hung CouchDB looks, so the page says what it knows (a gateway
    # timeout, 504), not that CouchDB cannot be reached; /healthz still says 503 (above).
    with override_settings(COUCHDB_URL=hung_couchdb, COUCHDB_TIMEOUT=0.3):
        response = admin_client.get("/server/")
    page = response.content.decode()
    assert response.status_code == 504
    assert "CouchDB is taking longer than 0.3 seconds to answer" in page
    assert "if every page says this, stuck" in page


def test_under_gunicorn_requests_waiting_on_a_hung_couchdb_block_no_other_page(hung_couchdb):
    # One worker process, as few threads as can show it: two requests wait on CouchDB, the others still answer.
    dashboard, url = start_dashboard(hung_couchdb, WEB_CONCURRENCY=1, WEB_THREADS=4, COUCHDB_TIMEOUT=120)
    waiting = [threading.Thread(target=_ask_quietly, args=(url + "/",)) for _ in range(2)]
    try:
        for thread in waiting:
            thread.start()
        login = requests.get(url + "/login/", timeout=60)
        style = requests.get(url + "/static/css/app.css", timeout=60)
        health = requests.get(url + "/healthz", timeout=60)
        still_waiting = [thread.is_alive() for thread in waiting]
    finally:
        hung_couchdb.wake()
        stop_dashboard(dashboard)
        for thread in waiting:
            thread.join()
    assert still_waiting == [True, True]  # those pages were still waiting on CouchDB meanwhile
    assert login.status_code == 200
    assert style.status_code == 200
    assert health.status_code == 503
    assert f"no answer within {settings.HEALTHZ_TIMEOUT:g} seconds" in health.json()["reason"]


def _ask_quietly(url):
    try:
        requests.get(url, timeout=130)
    except requests.RequestException:
        pass
