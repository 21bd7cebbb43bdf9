"""The server page, /healthz, admin party and an unreachable CouchDB."""

from django.test import override_settings

from embedded.pouchdb import free_port
from tests.conftest import log_in


def test_the_server_page_shows_version_vendor_and_uuid(admin_client, couch_server):
    info = couch_server.admin_http().get(couch_server.url).json()
    page = admin_client.get("/server/").content.decode()
    assert info["version"] in page
    assert info["uuid"] in page
    assert "Admin party</dt><dd>no" in page


def test_healthz_reports_couchdb_up_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "couchdb": "up", "session_store": "up"}


def test_healthz_reports_couchdb_down_with_503(client):
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{free_port()}/"):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["couchdb"] == "down"


def test_an_unreachable_couchdb_is_a_503_page_naming_the_server(admin_client):
    url = f"http://127.0.0.1:{free_port()}/"
    with override_settings(COUCHDB_URL=url):
        response = admin_client.get("/server/")
    assert response.status_code == 503
    page = response.content.decode()
    assert url in page
    assert "connection was refused" in page
    assert "Traceback" not in page


def test_login_keeps_the_user_name_when_couchdb_is_down(client):
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{free_port()}/"):
        response = client.post("/login/", {"username": "someone", "password": "pw"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "cannot be reached" in page
    assert 'value="someone"' in page


def test_admin_party_works_without_login_and_warns(client, admin_party_server):
    with override_settings(COUCHDB_URL=admin_party_server.url):
        response = client.get("/")
        server_page = client.get("/server/").content.decode()
    assert response.status_code == 200
    assert 'data-testid="admin-party"' in response.content.decode()
    assert "anyone can administer this server" in server_page


def test_a_logged_in_non_admin_is_told_a_server_admin_is_needed(client, personas, make_database):
    db = make_database()
    log_in(client, personas["member"])
    response = client.post(f"/db/{db}/delete/", {"confirm_name": db})
    assert response.status_code == 403
    assert "server admin" in response.content.decode()


def test_a_person_outside_a_database_gets_the_403_page_naming_the_permission(client, personas, make_database):
    db = make_database(security={"members": {"names": [personas["member"].name]}, "admins": {}})
    log_in(client, personas["outsider"])
    response = client.get(f"/db/{db}/")
    # CouchDB answers 403; pouchdb-server answers 401 even to a logged-in outsider, and the dashboard
    # asks /_session, sees the person is still logged in, and shows the same 403 page.
    assert response.status_code == 403
    assert "member of the database" in response.content.decode()
