"""A person working for an hour stays logged in: every fresh AuthSession CouchDB sends is kept."""

import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from browser.auth import LOGIN_AT_KEY, TOKEN_KEY, USER_KEY
from browser.couch.client import CouchClient
from browser.couch.session import login
from browser.middleware import CouchSessionMiddleware
from tests.conftest import log_in


class FakeSession(dict):
    modified = False


def _request_with_token(token):
    request = RequestFactory().get("/server/")
    request.session = FakeSession({TOKEN_KEY: token, USER_KEY: {"name": "u", "roles": []},
                                   LOGIN_AT_KEY: int(time.time())})
    return request


def test_the_middleware_stores_a_token_couchdb_refreshed_during_the_request():
    def view(request):
        request.couch._remember_token(_FakeResponse("AuthSession=fresh-token; Version=1; Path=/; HttpOnly"))
        return HttpResponse("ok")

    request = _request_with_token("old-token")
    CouchSessionMiddleware(view)(request)
    assert request.session[TOKEN_KEY] == "fresh-token"


def test_the_middleware_keeps_the_token_when_couchdb_sent_none():
    request = _request_with_token("old-token")
    CouchSessionMiddleware(lambda r: HttpResponse("ok"))(request)
    assert request.session[TOKEN_KEY] == "old-token"


class _FakeHeaders:
    def __init__(self, cookie):
        self.cookie = cookie

    def getlist(self, name):
        return [self.cookie] if name == "Set-Cookie" else []


class _FakeResponse:
    def __init__(self, cookie):
        self.raw = type("Raw", (), {"headers": _FakeHeaders(cookie)})()
        self.headers = {"Set-Cookie": cookie}


@pytest.mark.couchdb3
def test_couchdb_refreshes_an_aging_cookie_and_the_dashboard_keeps_it(client, personas):
    # Apache CouchDB re-issues AuthSession on any request once the cookie is older than 10 % of its
    # 600 s timeout; pouchdb-server never does. This is what keeps an hour-long session alive.
    log_in(client, personas["member"])
    first = client.session[TOKEN_KEY]
    time.sleep(61)
    assert client.get("/server/").status_code == 200
    refreshed = client.session[TOKEN_KEY]
    assert refreshed != first
    fresh_client = CouchClient(token=refreshed)
    assert fresh_client.get_json("_session")["userCtx"]["name"] == personas["member"].name


def test_a_login_token_works_for_the_next_request(personas):
    client = CouchClient()
    login(client, personas["member"].name, personas["member"].password)
    assert CouchClient(token=client.token).get_json("_session")["userCtx"]["name"] == personas["member"].name
