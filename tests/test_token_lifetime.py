"""CouchDB cannot revoke an AuthSession token, so its `[chttpd_auth] timeout` is what bounds a stolen token's
life. With a timeout of seconds, the dashboard keeps a person logged in while they work (it keeps every fresh
token CouchDB sends), and a token nobody refreshes stops working once the timeout has passed."""

import json
import time

import pytest

from browser.auth import TOKEN_KEY
from browser.couch.client import CouchClient
from tests.conftest import TEAM, log_in

TIMEOUT = 10


@pytest.fixture
def short_couchdb_sessions(couch_server):
    """[chttpd_auth] timeout set to TIMEOUT seconds on the node for the test, then put back as it was."""
    http = couch_server.admin_http()
    url = couch_server.url + "_node/_local/_config/chttpd_auth/timeout"
    before = http.get(url, timeout=10)
    http.put(url, data=json.dumps(str(TIMEOUT)), timeout=10).raise_for_status()
    try:
        yield TIMEOUT
    finally:
        if before.status_code == 200:
            http.put(url, data=json.dumps(before.json()), timeout=10).raise_for_status()
        else:
            http.delete(url, timeout=10)


def name_couchdb_sees(token):
    return CouchClient(token=token).get_json("_session")["userCtx"]["name"]


@pytest.mark.couchdb3
def test_the_dashboard_stays_logged_in_across_several_timeouts_while_an_unrefreshed_token_dies(
        client, personas, make_database, short_couchdb_sessions):
    member, db = personas["member"], make_database(security=TEAM)
    log_in(client, member)
    first = client.session[TOKEN_KEY]
    assert name_couchdb_sees(first) == member.name
    started = time.monotonic()
    while time.monotonic() - started < 3.5 * short_couchdb_sessions:
        time.sleep(2)
        # A page CouchDB answers only to a member: an expired token would be sent to the login page.
        response = client.get(f"/db/{db}/")
        assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert client.session[TOKEN_KEY] != first
    assert name_couchdb_sees(client.session[TOKEN_KEY]) == member.name
    assert name_couchdb_sees(first) is None  # the token of the login, never refreshed, is dead


@pytest.mark.couchdb3
def test_after_logout_a_copied_token_lives_only_until_the_timeout(client, personas, short_couchdb_sessions):
    member = personas["member"]
    log_in(client, member)
    copied = client.session[TOKEN_KEY]
    client.post("/logout/")
    assert name_couchdb_sees(copied) == member.name  # CouchDB cannot revoke it: logout does not end it
    time.sleep(short_couchdb_sessions + 2)
    assert name_couchdb_sees(copied) is None
