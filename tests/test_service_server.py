"""The service layer's server and session functions, against the real server."""

import pytest

from browser.couch.client import CouchClient
from browser.couch.errors import Unauthorized
from browser.couch.server import is_up, new_uuids, server_info
from browser.couch.session import current_user, is_admin_party, login, logout


def test_it_reads_server_info(couch_server):
    info = server_info(CouchClient())
    assert info.version
    assert info.is_apache_couchdb == couch_server.is_apache_couchdb


def test_it_reports_the_server_up():
    assert is_up(CouchClient()) is True


def test_it_asks_the_server_for_uuids():
    uuids = new_uuids(CouchClient(), 3)
    assert len(uuids) == 3 and len(set(uuids)) == 3


def test_it_logs_in_and_out_as_a_couchdb_user(personas):
    client = CouchClient()
    user = login(client, personas["member"].name, personas["member"].password)
    assert user.name == personas["member"].name
    assert "ca-team" in user.roles
    assert client.token
    assert current_user(CouchClient(token=client.token)).name == personas["member"].name
    logout(CouchClient(token=client.token))


def test_a_wrong_password_is_unauthorized(personas):
    with pytest.raises(Unauthorized):
        login(CouchClient(), personas["outsider"].name, "not-the-password")


def test_anonymous_is_not_admin_party_when_the_server_has_admins():
    assert is_admin_party(CouchClient()) is False


def test_a_server_without_admins_is_admin_party(admin_party_server):
    assert is_admin_party(CouchClient(base_url=admin_party_server.url)) is True
