"""Logging in and out as a CouchDB user, through the Django test client and the real server."""

from django.test import Client

from browser.auth import TOKEN_KEY, USER_KEY
from browser.couch.client import CouchClient
from browser.couch.session import current_user
from tests.conftest import ADMINS_ONLY, log_in, set_session_values


def test_every_page_but_login_needs_a_logged_in_person(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2F"


def test_it_logs_in_with_couchdb_and_keeps_only_the_session_cookie(client, personas):
    member = personas["member"]
    response = client.post("/login/", {"username": member.name, "password": member.password})
    assert response.status_code == 302
    session = client.session
    assert session[USER_KEY] == {"name": member.name, "roles": ["ca-team"]}
    assert current_user(CouchClient(token=session[TOKEN_KEY])).name == member.name
    assert member.password not in str(dict(session.items()))


def test_it_shows_who_is_logged_in_and_their_roles(client, personas):
    log_in(client, personas["member"])
    page = client.get("/server/").content.decode()
    assert personas["member"].name in page
    assert "ca-team" in page


def test_a_wrong_password_keeps_the_user_name_and_says_why(client, personas):
    response = client.post("/login/", {"username": personas["member"].name, "password": "wrong"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "user name or password is incorrect" in page
    assert f'value="{personas["member"].name}"' in page
    assert 'value="wrong"' not in page


def test_it_goes_back_to_next_after_login(client, personas):
    response = client.post("/login/?next=/server/", {"username": personas["admin"].name,
                                                      "password": personas["admin"].password})
    assert response["Location"] == "/server/"


def test_it_refuses_to_redirect_to_another_site_after_login(client, personas):
    response = client.post("/login/?next=https://evil.example/", {"username": personas["admin"].name,
                                                                  "password": personas["admin"].password})
    assert response["Location"] == "/"


def test_logout_ends_the_dashboard_session(client, personas):
    log_in(client, personas["member"])
    response = client.post("/logout/")
    assert response.status_code == 302
    assert TOKEN_KEY not in client.session
    assert client.get("/")["Location"].startswith("/login/")


def test_logout_needs_post(client, personas):
    log_in(client, personas["member"])
    assert client.get("/logout/").status_code == 405


def test_an_expired_couchdb_session_sends_the_person_to_login_with_next(client, personas, make_database):
    db = make_database(security=ADMINS_ONLY)
    log_in(client, personas["admin"])
    # CouchDB treats a forged or expired cookie as anonymous, exactly as it does an expired session.
    set_session_values(client, **{TOKEN_KEY: "Zm9yZ2VkOjAwMDAwMDAwOmZvcmdlZC10b2tlbg"})
    response = client.get(f"/db/{db}/")
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next=%2Fdb%2F{db}%2F"


def test_htmx_requests_are_sent_to_login_by_a_client_redirect(client, personas):
    fresh = Client()
    response = fresh.get("/?prefix=a", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/?prefix=a"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=%2F%3Fprefix%3Da"
