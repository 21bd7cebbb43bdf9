"""The session store down: /healthz says so (503, naming it), every page says in words that sessions are
unavailable and nothing answers 500; an unsaved edit is kept to send again. And what anonymous callers read
never shows the internal CouchDB URL."""

import re
from html import unescape

import pytest
import requests
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from browser.middleware import StoreSessionMiddleware
from embedded.pouchdb import free_port
from tests.conftest import log_in, put_document
from tests.test_shared_sessions import logged_in, post_form, redis_server, start_copy, stop_copy  # noqa: F401

UNAVAILABLE = "Sessions are unavailable"


def dead_store():
    """Settings naming a Redis where nothing listens: the store is unreachable."""
    return override_settings(SESSION_STORE_URL=f"redis://127.0.0.1:{free_port()}/0")


def test_under_gunicorn_a_redis_outage_is_a_503_health_check_and_words_on_every_page(couch_server, personas,
                                                                                    tmp_path, redis_server):  # noqa: F811
    copies = [start_copy(couch_server.url, tmp_path / f"copy{i}", redis_server.url) for i in range(2)]
    try:
        browser, member = requests.Session(), personas["member"]
        assert post_form(browser, f"{copies[0][1]}/login/", {"username": member.name,
                                                             "password": member.password}).status_code == 302
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                          browser.get(f"{copies[0][1]}/login/", timeout=10).text).group(1)
        redis_server.stop()
        for _, base in copies:
            health = requests.get(f"{base}/healthz", timeout=10)
            assert health.status_code == 503
            assert health.json()["session_store"] == "down" and health.json()["couchdb"] == "up"
            assert "session store: the connection was refused" in health.json()["reason"]
            page = browser.get(f"{base}/server/", allow_redirects=False, timeout=10)
            assert page.status_code == 503 and UNAVAILABLE in page.text
            login = browser.post(f"{base}/login/", data={"username": member.name, "password": member.password,
                                                         "csrfmiddlewaretoken": token}, timeout=10)
            assert login.status_code == 503 and UNAVAILABLE in login.text
            assert member.password not in login.text
            fresh = requests.Session()  # no session cookie at all: the login view itself meets the outage
            form = fresh.get(f"{base}/login/", timeout=10)
            assert form.status_code == 503 and UNAVAILABLE in form.text
        redis_server.start()  # back, empty (it keeps nothing on disk): logged out, and a login works again
        for _, base in copies:
            assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
            assert browser.get(f"{base}/server/", allow_redirects=False, timeout=10).status_code == 302
        assert post_form(browser, f"{copies[1][1]}/login/", {"username": member.name,
                                                             "password": member.password}).status_code == 302
        assert logged_in(browser, copies[0][1])
    finally:
        for process, _ in copies:
            stop_copy(process)


def test_healthz_names_the_session_store_when_it_is_down(client):
    with dead_store():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "couchdb": "up", "session_store": "down",
                                "reason": "session store: the connection was refused (is Redis running?)"}


def test_a_logged_in_page_says_sessions_are_unavailable(client, personas):
    log_in(client, personas["member"])
    with dead_store():
        response = client.get("/server/")
        htmx = client.get("/server/", headers={"HX-Request": "true"})
    assert response.status_code == 503 and UNAVAILABLE in response.content.decode()
    assert htmx.status_code == 503
    assert client.get("/server/").status_code == 200  # the store back: still logged in


def test_a_login_while_the_store_is_down_says_so_and_keeps_no_password(personas):
    member = personas["member"]
    with dead_store():
        response = Client().post("/login/", {"username": member.name, "password": member.password})
    page = response.content.decode()
    assert response.status_code == 503 and UNAVAILABLE in page
    assert member.name in page and member.password not in page


def test_an_unsaved_edit_is_kept_through_an_outage_and_sent_again_afterwards(admin_client, make_database,
                                                                            couch_server):
    db = make_database()
    rev = put_document(couch_server, db, "doc", {"v": 1})
    url = reverse("browser:document-edit", kwargs={"db": db, "docid": "doc"})
    text = '{\n  "v": 2,\n  "note": "<b>typed during the outage</b>"\n}'
    with dead_store():
        response = admin_client.post(url, {"mode": "text", "base_rev": rev, "text": text})
    page = response.content.decode()
    assert response.status_code == 503 and UNAVAILABLE in page
    assert "<b>typed" not in page  # kept escaped
    kept = dict((name, unescape(value)) for name, value in
                re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page))
    assert kept["text"] == text and kept["base_rev"] == rev
    assert f'action="{url}"' in page
    again = admin_client.post(url, {name: value for name, value in kept.items() if name != "csrfmiddlewaretoken"})
    assert again.status_code == 302
    assert couch_server.admin_http().get(f"{couch_server.url}{db}/doc", timeout=10).json()["note"] == \
        "<b>typed during the outage</b>"


def test_a_session_that_cannot_be_saved_at_the_end_of_a_request_is_the_page_not_a_500():
    def view(request):
        request.session["something"] = "to keep"
        return HttpResponse("done")

    request = RequestFactory().post("/", {"text": "sent once"})
    with dead_store():
        middleware = StoreSessionMiddleware(view)
        request.couch_user = None
        response = middleware(request)
        with pytest.raises(Exception) as plain:  # what Django's own middleware does with the same request
            SessionMiddleware(view)(RequestFactory().post("/", {"text": "sent once"}))
    page = response.content.decode()
    assert response.status_code == 503 and UNAVAILABLE in page
    assert "may have been done" in page and "Send again" not in page  # the view ran: nothing to send twice
    assert type(plain.value).__name__ == "StoreUnavailable"


# --- what anonymous callers read ---------------------------------------------------------------------------


def test_healthz_never_shows_the_couchdb_url(client):
    port = free_port()
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{port}/"):
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["couchdb"] == "down"
    assert str(port) not in response.content.decode()
    assert response.json()["reason"] == "CouchDB: the connection was refused (is CouchDB running?)"


def test_a_login_error_never_shows_the_couchdb_url(victim):
    port = free_port()
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{port}/"):
        response = Client().post("/login/", {"username": victim.name, "password": "whatever"})
        anonymous_page = Client().get("/")
    page = response.content.decode()
    assert "CouchDB cannot be reached: the connection was refused" in page
    assert str(port) not in page
    assert anonymous_page.status_code == 503 and str(port) not in anonymous_page.content.decode()
