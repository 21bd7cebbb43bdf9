"""CouchDB's internal address is for logged-in people only: no page an anonymous caller can reach names it
(issue 23, finding 9: /healthz and the login errors; here the error pages and every page's context)."""

from django.conf import settings
from django.test import RequestFactory

from browser.context_processors import couch
from browser.couch.errors import ServerError
from browser.couch.session import UserContext
from browser.middleware import server_error_page


def _request(user=None):
    request = RequestFactory().get("/server/")
    request.couch_user, request.session = user, {}
    return request


def test_a_couchdb_failure_page_names_couchdb_only_to_a_logged_in_person():
    failure = ServerError(500, "internal", "it broke")
    anonymous = server_error_page(_request(), failure).content.decode()
    assert settings.COUCHDB_URL not in anonymous and "it broke" in anonymous
    logged_in = server_error_page(_request(UserContext("ann", ())), failure).content.decode()
    assert settings.COUCHDB_URL in logged_in


def test_no_page_gets_the_address_in_its_context_before_a_login():
    assert couch(_request())["couchdb_url"] == ""
    assert couch(_request(UserContext("ann", ())))["couchdb_url"] == settings.COUCHDB_URL


def test_the_login_page_does_not_name_couchdb(client):
    assert settings.COUCHDB_URL not in client.get("/login/").content.decode()
