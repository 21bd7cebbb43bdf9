"""What the CouchDB client takes from its environment: proxies and CA bundles, read once when the process
starts (requests would read them again on every request), and never a ~/.netrc password."""

from urllib.parse import urlsplit

import pytest

from browser.couch import client as client_module
from browser.couch.client import CouchClient
from browser.couch.errors import CouchUnavailable
from embedded.pouchdb import free_port


@pytest.fixture
def fresh_http(monkeypatch):
    """shared_http() built anew under the environment the test sets, then the process's own again."""
    kept = client_module._http
    monkeypatch.setattr(client_module, "_http", None)
    yield client_module.shared_http
    client_module._http = kept


def test_a_netrc_password_never_goes_with_anyone_s_requests(couch_server, fresh_http, monkeypatch, tmp_path):
    host = urlsplit(couch_server.url).hostname
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login {couch_server.admin.name} password {couch_server.admin.password}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text(netrc.read_text())
    (tmp_path / ".netrc").chmod(0o600)
    anonymous = CouchClient(http=fresh_http())
    assert anonymous.get_json("_session")["userCtx"]["name"] is None


def test_a_proxy_set_in_the_environment_is_used(couch_server, fresh_http, monkeypatch):
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HTTP_PROXY", nobody_listens)
    monkeypatch.setenv("http_proxy", nobody_listens)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with pytest.raises(CouchUnavailable):
        CouchClient(http=fresh_http()).get_json("")


def test_no_proxy_for_couchdb_s_host_is_honoured(couch_server, fresh_http, monkeypatch):
    nobody_listens = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("HTTP_PROXY", nobody_listens)
    monkeypatch.setenv("http_proxy", nobody_listens)
    monkeypatch.setenv("NO_PROXY", urlsplit(couch_server.url).hostname)
    monkeypatch.setenv("no_proxy", urlsplit(couch_server.url).hostname)
    assert "version" in CouchClient(http=fresh_http()).get_json("")


def test_a_ca_bundle_named_in_the_environment_is_used(fresh_http, monkeypatch, tmp_path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    assert fresh_http().verify == str(bundle)
