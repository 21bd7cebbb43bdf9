"""The Configuration pages against the real server: server admins only; every section per node, compared
across a cluster; set, add and delete a key in a section of the test's own with a typed confirmation;
secrets never in any page nor in the audit log; CORS explained and warned about; pouchdb-server read-only.

Tests change only keys of their own section (couchadmin_test_<run>_<n>) and put CORS keys back exactly."""

import json
import uuid
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.urls import reverse
from markupsafe import escape

from browser.couch.client import CouchClient
from browser.couch.configuration import cors_summary, is_secret, read_configuration, set_value, shown_value
from browser.couch.session import login
from tests.conftest import RUN_ID, log_in
from tests.support.audit_log import outcome_records
from tests.support.lacking import assert_lacking

CONFIG, SET, DELETE = "/config/", "/config/set/", "/config/delete/"
SERVER_ADMIN = "This needs a CouchDB server admin."


def config_url(couch_server, node, *rest):
    return "/".join([couch_server.url + "_node", quote(node, safe=""), "_config",
                     *(quote(part, safe="") for part in rest)])


def nodes_of(couch_server):
    if not couch_server.is_apache_couchdb:
        return []
    return couch_server.admin_http().get(couch_server.url + "_membership", timeout=10).json()["cluster_nodes"]


@pytest.fixture
def section(couch_server):
    """A configuration section of this test's own, emptied on every node afterwards."""
    name = f"couchadmin_test_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    yield name
    http = couch_server.admin_http()
    for node in nodes_of(couch_server):
        keys = http.get(config_url(couch_server, node, name), timeout=10).json()
        for key in keys if isinstance(keys, dict) else ():
            http.delete(config_url(couch_server, node, name, key), timeout=10)


def put_config(couch_server, node, section, key, value):
    answer = couch_server.admin_http().put(config_url(couch_server, node, section, key), data=json.dumps(value),
                                           timeout=10)
    answer.raise_for_status()
    return answer.json()


def get_config(couch_server, node, section, key=None):
    parts = (section,) if key is None else (section, key)
    return couch_server.admin_http().get(config_url(couch_server, node, *parts), timeout=10)


def audit_docs(couch_server):
    answer = couch_server.admin_http().get(f"{couch_server.url}{settings.AUDIT_DATABASE}/_all_docs",
                                           params={"include_docs": "true"}, timeout=10).json()
    return [row["doc"] for row in answer["rows"] if row["doc"].get("phase") == "outcome"]


def form_for(section, key, node, confirm=None, **more):
    return {"section": section, "key": key, "node": node, "confirm": key if confirm is None else confirm, **more}


# --- the rule for secrets, and CORS in words (pure) -----------------------------------------------------

@pytest.mark.parametrize(("section", "key"), [
    ("admins", "admin"), ("admins", "anyone"), ("chttpd_auth", "secret"), ("couch_httpd_auth", "secret"),
    ("replicator", "password"), ("replicator", "auth_password"), ("jwt_keys", "hmac:_default"),
    ("ssl", "key_file"), ("anything", "db_password"), ("chttpd_auth", "proxy_secret_key"),
    ("jwt_auth", "signing_key"), ("Admins", "x")])
def test_credentials_are_secret(section, key):
    assert is_secret(section, key) and shown_value(section, key, "s3cr3t") is None


@pytest.mark.parametrize(("section", "key"), [("couchdb", "uuid"), ("chttpd", "port"), ("cors", "origins"),
                                              ("couchdb", "max_document_size"), ("mango", "index_all_disabled")])
def test_ordinary_settings_are_shown(section, key):
    assert not is_secret(section, key) and shown_value(section, key, "42") == "42"


def test_a_url_value_loses_its_user_and_password():
    assert shown_value("replicator", "proxy", "http://bob:hunter2@proxy:3128/") == "http://proxy:3128/"


def test_origins_star_with_credentials_is_warned_about_even_while_cors_is_off():
    off = cors_summary({"cors": {"origins": "*", "credentials": "true"}})
    on = cors_summary({"chttpd": {"enable_cors": "true"}, "cors": {"origins": "*", "credentials": "true"}})
    assert not off.enabled and "Not in effect" in off.warnings[0]
    assert on.enabled and on.enabled_from == "[chttpd] enable_cors" and "any web site" in on.warnings[0]
    assert "Not in effect" not in on.warnings[0]


def test_the_older_httpd_switch_counts_while_chttpd_has_none():
    assert cors_summary({"httpd": {"enable_cors": "true"}, "cors": {"origins": "https://a.example"}}).enabled
    assert not cors_summary({"chttpd": {"enable_cors": "false"}, "httpd": {"enable_cors": "true"}}).enabled
    named = cors_summary({"chttpd": {"enable_cors": "true"},
                          "cors": {"origins": "https://a.example", "credentials": "true"}})
    assert named.warnings == ()


# --- who may come in -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", [CONFIG, SET, DELETE])
def test_anonymous_callers_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("browser:login"))


@pytest.mark.parametrize("who", ["member", "dbadmin", "outsider"])
@pytest.mark.parametrize("url", [CONFIG, SET, DELETE])
def test_anyone_but_a_server_admin_gets_the_page_naming_the_requirement(client, personas, who, url):
    log_in(client, personas[who])
    response = client.get(url)
    assert response.status_code == 403 and SERVER_ADMIN in response.content.decode()
    refused = client.post(url, form_for("x", "y", "all", value="z"))
    assert refused.status_code == (405 if url == CONFIG else 403)


# --- reading ---------------------------------------------------------------------------------------------

def test_a_server_admin_sees_every_section_grouped_with_the_cors_panel(admin_client, couch_server):
    page = admin_client.get(CONFIG).content.decode()
    assert "<h1>Configuration</h1>" in page and ">[httpd]</h2>" in page and ">[couchdb]</h2>" in page
    assert "which other web sites may call this server" in page and "[cors] credentials" in page
    assert ("Edit<span" in page) == couch_server.is_apache_couchdb
    assert ('data-testid="config-read-only"' in page) != couch_server.is_apache_couchdb


def test_the_filter_keeps_matching_keys_and_is_a_fragment_for_htmx(admin_client):
    page = admin_client.get(CONFIG, {"q": "bind_addr"}).content.decode()
    assert "<code>bind_address</code>" in page and ">[couchdb]</h2>" not in page
    by_section = admin_client.get(CONFIG, {"section": "couchdb"}).content.decode()
    assert ">[couchdb]</h2>" in by_section and ">[httpd]</h2>" not in by_section
    fragment = admin_client.get(CONFIG, {"q": "nothing-matches-this"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().startswith('<div id="config-sections"') and "No section or key" in \
        fragment.content.decode()


def test_nonsense_in_the_query_string_is_no_error(admin_client):
    response = admin_client.get(CONFIG, {"node": "no-such-node", "q": "x" * 500, "section": "[", "differing": "z"})
    assert response.status_code == 200


def secrets_of(couch_server):
    """The real admin hashes and session secrets of the test server, read through its API."""
    http = couch_server.admin_http()
    if couch_server.is_apache_couchdb:
        base = couch_server.url + "_node/_local/_config/"
        auth = http.get(base + "chttpd_auth", timeout=10).json()
        values = [auth.get("secret"), http.get(base + "couch_httpd_auth", timeout=10).json().get("secret")]
    else:
        values = [http.get(couch_server.url + "_config/couch_httpd_auth", timeout=10).json().get("secret")]
        base = couch_server.url + "_config/"
    values += list(http.get(base + "admins", timeout=10).json().values())
    found = [v for v in values if v]
    assert found, "the test server should have an admin hash and a secret"
    return found


def test_secrets_are_in_no_page_at_all(admin_client, couch_server):
    secrets = secrets_of(couch_server)
    node = (nodes_of(couch_server) or ["_local"])[0]
    pages = [admin_client.get(CONFIG), admin_client.get(CONFIG, {"q": "secret"}),
             admin_client.get(CONFIG, {"section": "admins"}), admin_client.get(CONFIG, {"node": "all"}),
             admin_client.get(CONFIG, {"section": "chttpd_auth"}, headers={"HX-Request": "true"}),
             admin_client.get(SET, {"section": "chttpd_auth", "key": "secret", "node": node}),
             admin_client.get(DELETE, {"section": "chttpd_auth", "key": "secret", "node": node}),
             admin_client.get(SET, {"section": "admins", "key": "admin", "node": node})]
    for response in pages:
        text = response.content.decode()
        for secret in secrets:
            for shape in {secret, escape(secret), quote(secret, safe=""), secret[-16:]}:
                assert shape not in text
    assert "(secret)" in pages[1].content.decode()


# --- changing (Apache CouchDB) ---------------------------------------------------------------------------

@pytest.mark.couchdb3
def test_a_wrong_confirmation_is_refused_and_the_input_kept(admin_client, couch_server, section):
    node = nodes_of(couch_server)[0]
    response = admin_client.post(SET, form_for(section, "greeting", node, confirm="greetin", value="hello there"))
    page = response.content.decode()
    assert response.status_code == 400 and "does not match the key name" in page
    assert 'value="hello there"' in page and f'value="{section}"' in page and 'value="greetin"' in page
    assert get_config(couch_server, node, section, "greeting").status_code == 404


@pytest.mark.couchdb3
def test_add_edit_and_delete_a_key_with_typed_confirmations_and_audit(admin_client, couch_server, section):
    node = nodes_of(couch_server)[0]
    added = admin_client.post(SET, form_for(section, "greeting", node, value="hello"), follow=True)
    assert "greeting added on" in added.content.decode()
    assert get_config(couch_server, node, section, "greeting").json() == "hello"
    confirm_page = admin_client.get(SET, {"section": section, "key": "greeting", "node": node}).content.decode()
    assert "<code>hello</code>" in confirm_page and "Type the key name to confirm" in confirm_page
    assert 'value="hello"' in confirm_page  # the edit starts from the current value
    changed = admin_client.post(SET, form_for(section, "greeting", node, value="bonjour"), follow=True)
    assert "greeting changed on" in changed.content.decode()
    assert get_config(couch_server, node, section, "greeting").json() == "bonjour"
    assert admin_client.post(DELETE, form_for(section, "greeting", node, confirm="Greeting")).status_code == 400
    deleted = admin_client.post(DELETE, form_for(section, "greeting", node), follow=True)
    assert "greeting deleted on" in deleted.content.decode()
    assert get_config(couch_server, node, section, "greeting").status_code == 404
    target = f"{node} [{section}] greeting"
    records = [(d["action"], d["before"], d["after"])
               for d in outcome_records(couch_server, {"target": target}, at_least=3)]
    assert sorted(records, key=str) == sorted([("config.set", None, "hello"), ("config.set", "hello", "bonjour"),
                                               ("config.delete", "bonjour", None)], key=str)


@pytest.mark.couchdb3
def test_odd_section_and_key_names_round_trip_and_are_escaped(admin_client, couch_server, section):
    node = nodes_of(couch_server)[0]
    odd_section, key = f"{section} a/b é?#%&+", "<i>k</i>/ ü&amp; x"
    try:
        assert admin_client.post(SET, form_for(odd_section, key, node, value="<b>v</b>")).status_code == 302
        assert get_config(couch_server, node, odd_section, key).json() == "<b>v</b>"
        page = admin_client.get(CONFIG, {"q": section, "node": node}).content.decode()
        assert "<i>k</i>" not in page and "<b>v</b>" not in page
        assert escape(key) in page and escape("<b>v</b>") in page
        edit_link = reverse("browser:config-set") + "?" + urlencode({"section": odd_section, "key": key, "node": node})
        assert escape(edit_link) in page
        assert admin_client.post(DELETE, form_for(odd_section, key, node)).status_code == 302
        assert get_config(couch_server, node, odd_section, key).status_code == 404
    finally:
        couch_server.admin_http().delete(config_url(couch_server, node, odd_section, key), timeout=10)


@pytest.mark.couchdb3
def test_names_couchdb_refuses_are_refused_in_words(admin_client, couch_server, section):
    node = nodes_of(couch_server)[0]
    for bad in ({"key": "a[b]"}, {"section": section + "]"}, {"value": "two\nlines"}):
        data = {**form_for(section, "k", node, value="v"), **bad}
        data["confirm"] = data["key"]
        page = admin_client.post(SET, data).content.decode()
        assert "CouchDB refuses" in page
    assert get_config(couch_server, node, section).json() == {}


@pytest.mark.couchdb3
def test_admins_cannot_be_changed_from_this_page(admin_client, couch_server):
    node = nodes_of(couch_server)[0]
    before = get_config(couch_server, node, "admins").json()
    response = admin_client.post(DELETE, form_for("admins", couch_server.admin.name, node))
    assert response.status_code == 400 and "are not changed from this page" in response.content.decode()
    assert get_config(couch_server, node, "admins").json() == before


@pytest.mark.couchdb3
def test_a_secret_key_is_masked_on_every_page_and_in_the_audit(admin_client, couch_server, section):
    node = nodes_of(couch_server)[0]
    value, newer = f"pw-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    assert admin_client.post(SET, form_for(section, "db_password", node, value=value)).status_code == 302
    confirm_page = admin_client.get(SET, {"section": section, "key": "db_password", "node": node})
    assert 'type="password"' in confirm_page.content.decode() and "value=" not in \
        confirm_page.content.decode().split('id="id_value"')[0].rsplit("<input", 1)[1]
    wrong = admin_client.post(SET, form_for(section, "db_password", node, confirm="nope", value=newer))
    assert admin_client.post(SET, form_for(section, "db_password", node, value=newer)).status_code == 302
    pages = [admin_client.get(CONFIG), admin_client.get(CONFIG, {"q": section}), confirm_page, wrong,
             admin_client.get(DELETE, {"section": section, "key": "db_password", "node": node})]
    records = outcome_records(couch_server, {"target": f"{node} [{section}] db_password"}, at_least=2)
    for text in [p.content.decode() for p in pages] + [json.dumps(d) for d in records + audit_docs(couch_server)]:
        assert value not in text and newer not in text
    assert {(d["before"], d["after"]) for d in records} == {(None, "(secret)"), ("(secret)", "(secret)")}


@pytest.mark.couchdb3
def test_a_node_that_does_not_answer_shows_as_down(couch_server):
    client = CouchClient()
    login(client, couch_server.admin.name, couch_server.admin.password)
    real = nodes_of(couch_server)[0]
    config = read_configuration(client, [real, "ghost@127.0.0.1"])
    assert config.nodes[0].up and not config.nodes[1].up and "no such node" in config.nodes[1].problem
    assert not config.cors[1].known and config.key_count > 0


@pytest.mark.couchdb3
def test_the_cors_panel_warns_about_any_origin_with_credentials(admin_client, couch_server):
    node = nodes_of(couch_server)[0]
    before = {key: get_config(couch_server, node, "cors", key) for key in ("origins", "credentials")}
    try:
        put_config(couch_server, node, "cors", "origins", "*")
        put_config(couch_server, node, "cors", "credentials", "true")
        page = admin_client.get(CONFIG, {"node": node}).content.decode()
        assert 'data-testid="cors-warning"' in page and "origins is “*” and credentials is true" in page
    finally:
        for key, answer in before.items():
            if answer.status_code == 200:
                put_config(couch_server, node, "cors", key, answer.json())
            else:
                couch_server.admin_http().delete(config_url(couch_server, node, "cors", key), timeout=10)
    for key, answer in before.items():
        assert get_config(couch_server, node, "cors", key).status_code == answer.status_code


# --- pouchdb-server: read-only ---------------------------------------------------------------------------

def test_pouchdb_server_configuration_is_read_only(admin_client, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("pouchdb-server only: Apache CouchDB's configuration is editable")
    assert_lacking(admin_client.get(SET), "edits_node_config")
    assert_lacking(admin_client.post(SET, form_for("couchadmin_test", "k", "node1@127.0.0.1", value="v")),
                   "edits_node_config")
    got = couch_server.admin_http().get(couch_server.url + "_config/couchadmin_test", timeout=10)
    assert got.json() in ({}, None) or got.status_code == 404
    page = admin_client.get(CONFIG).content.decode()
    # Its shipped CORS settings (origins * with credentials) are warned about, though CORS is off.
    assert "Not in effect while CORS is off" in page


# --- a cluster -------------------------------------------------------------------------------------------

@pytest.mark.cluster
def test_a_key_set_on_one_node_shows_as_differing(admin_client, couch_server, section):
    nodes = nodes_of(couch_server)
    put_config(couch_server, nodes[1], section, "only_here", "1")
    page = admin_client.get(CONFIG, {"node": "all", "section": section, "differing": "on"}).content.decode()
    assert '<tr class="differs">' in page and "<code>only_here</code>" in page
    assert page.count("not set") >= 2


@pytest.mark.cluster
def test_all_nodes_apply_sets_the_value_everywhere(admin_client, couch_server, section):
    nodes = nodes_of(couch_server)
    response = admin_client.post(SET, form_for(section, "everywhere", "all", value="yes"), follow=True)
    text = response.content.decode()
    assert all(f"everywhere added on {node}" in text for node in nodes)
    assert [get_config(couch_server, n, section, "everywhere").json() for n in nodes] == ["yes"] * len(nodes)
    page = admin_client.get(CONFIG, {"node": "all", "section": section}).content.decode()
    assert "<code>everywhere</code>" in page and "differs</strong>" not in page


@pytest.mark.cluster
def test_the_service_reports_each_node_of_an_all_nodes_change(couch_server, section):
    client = CouchClient()
    login(client, couch_server.admin.name, couch_server.admin.password)
    outcomes = set_value(client, [*nodes_of(couch_server), "ghost@127.0.0.1"], section, "k", "v")
    assert [o.ok for o in outcomes] == [True, True, True, False] and "no such node" in outcomes[-1].problem
