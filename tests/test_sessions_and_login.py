"""Sessions kept on the server that logout ends, an absolute login lifetime, and logins throttled per
client and name so that nobody can lock an account out for others."""

import time

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from browser.auth import LOGIN_AT_KEY, TOKEN_KEY
from tests.conftest import RUN_ID, TEAM, log_in, set_session_values


def logged_in_as(client):
    response = client.get("/server/")
    return response.status_code == 200 and 'data-testid="who"' in response.content.decode()


def test_the_browser_holds_only_a_session_key_never_couchdbs_token(client, personas):
    log_in(client, personas["member"])
    token = client.session[TOKEN_KEY]
    assert token and all(token not in cookie.value for cookie in client.cookies.values())


def test_a_session_cookie_replayed_after_logout_is_logged_out(client, personas):
    log_in(client, personas["member"])
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert logged_in_as(client)
    client.post(reverse("browser:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/server/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_login_ends_after_its_lifetime_however_active(client, personas):
    log_in(client, personas["member"])
    set_session_values(client, **{LOGIN_AT_KEY: int(time.time()) - settings.SESSION_COOKIE_AGE - 1})
    response = client.get("/server/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert TOKEN_KEY not in client.session


def test_recently_opened_databases_do_not_carry_over_to_the_next_person(client, personas, make_database):
    db = make_database(security=TEAM)
    log_in(client, personas["member"])
    client.get(f"/db/{db}/")
    assert db in client.session.get("recent_databases", [])
    log_in(client, personas["dbadmin"])  # the next person, same browser, no logout in between
    assert db not in client.session.get("recent_databases", [])


def attempt(name, password, address):
    return Client(REMOTE_ADDR=address).post("/login/", {"username": name, "password": password})


def test_wrong_passwords_from_one_client_do_not_lock_the_user_out_elsewhere(victim):
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        assert "incorrect" in attempt(victim.name, "wrong", "10.66.0.1").content.decode()
    refused = attempt(victim.name, victim.password, "10.66.0.1")
    assert refused.status_code == 400 and "Too many failed logins from your address" in refused.content.decode()
    assert attempt(victim.name, victim.password, "10.66.0.2").status_code == 302


def test_one_client_guessing_many_names_is_slowed_down_and_never_refused_the_right_password(victim):
    with override_settings(LOGIN_FAILURES_PER_CLIENT=3, LOGIN_SLOWDOWN_SECONDS=0.5):
        for i in range(3):
            attempt(f"nobody-{RUN_ID}-{i}", "wrong", "10.66.0.3")
        started = time.monotonic()
        slowed = attempt(f"nobody-{RUN_ID}-x", "wrong", "10.66.0.3").content.decode()
        assert time.monotonic() - started >= 0.5
        assert "user name or password is incorrect" in slowed  # CouchDB was still asked
        assert attempt(victim.name, victim.password, "10.66.0.3").status_code == 302


@pytest.mark.couchdb3
def test_couchdbs_lockout_keys_on_the_persons_address_and_is_said_in_plain_words(victim):
    # Let every failure reach CouchDB: its own lockout (5 failures per user and address) answers.
    with override_settings(LOGIN_FAILURES_PER_USER=100):
        for _ in range(5):
            assert attempt(victim.name, "wrong", "10.66.1.1").status_code == 400
        locked = attempt(victim.name, victim.password, "10.66.1.1").content.decode()
        assert "CouchDB has locked this account for logins from your address" in locked
        assert "Account is temporarily locked" not in locked
        assert attempt(victim.name, victim.password, "10.66.1.2").status_code == 302
