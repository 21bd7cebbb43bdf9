"""The real server for every test: a fresh pouchdb-server, or COUCHDB_TEST_URL (e.g. Apache CouchDB 3)."""

import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.conf import settings

from browser.couch.audit import prepare_audit_database
from browser.couch.client import CouchClient
from browser.couch.session import login
from embedded.pouchdb import EmbeddedCouch, free_port
from tests.support.eventually import eventually
from tests.support.slow_couchdb import SlowCouchDB

RUN_ID = uuid.uuid4().hex[:8]
# CouchDB 3's default for new databases; pouchdb-server makes new databases public instead.
ADMINS_ONLY = {"members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}}
# A team's database: the dbadmin persona administers it, the member persona reads and writes it.
TEAM = {"members": {"names": [], "roles": ["ca-team"]}, "admins": {"names": [], "roles": ["ca-team-admins"]}}


@dataclass(frozen=True)
class Persona:
    name: str
    password: str
    roles: tuple = ()


@dataclass
class TestServer:
    url: str
    admin: Persona
    is_apache_couchdb: bool
    cluster_nodes: int = 1

    def admin_http(self):
        http = AllCopiesSession(self.cluster_nodes) if self.cluster_nodes > 1 else requests.Session()
        http.auth = (self.admin.name, self.admin.password)
        http.headers["Accept"] = "application/json"
        return http


class AllCopiesSession(requests.Session):
    """A test's own document writes (and database creations) on a cluster wait until every copy has them (w=N),
    so that what the test reads next, through _all_docs, views, _changes or _find on any copy, already holds
    what it set up. Writes made through the dashboard keep CouchDB's default quorum: the product must cope with
    lagging copies."""

    def __init__(self, copies):
        super().__init__()
        self.copies = copies

    def request(self, method, url, params=None, **kwargs):
        if method.upper() in ("PUT", "POST", "DELETE") and _is_document_write(method.upper(), url):
            params = dict(params or {})
            params.setdefault("w", self.copies)
        return super().request(method, url, params=params, **kwargs)


def _is_document_write(method, url):
    """A write of documents, or the creation of a database (so that every copy of each shard exists before the
    test sets its _security: a copy made later would answer with the default security for a moment)."""
    path = urlsplit(url).path.strip("/").split("/")
    if method == "POST":
        return len(path) == 1 or path[-1] == "_bulk_docs"  # a new document, or many
    if method == "PUT" and len(path) == 1:
        return not path[0].startswith("_")
    return len(path) >= 2 and not path[1].startswith("_") or path[1:2] in (["_design"], ["_local"])


@pytest.fixture(autouse=True)
def _couchdb3_only(request, couch_server):
    """Tests marked couchdb3 skip, with the reason, where the test server is not Apache CouchDB."""
    if request.node.get_closest_marker("couchdb3") and not couch_server.is_apache_couchdb:
        pytest.skip("needs Apache CouchDB 3 (make test-couchdb, or set COUCHDB_TEST_URL): pouchdb-server differs here")
    if request.node.get_closest_marker("cluster") and couch_server.cluster_nodes < 3:
        pytest.skip("needs an Apache CouchDB cluster of 3 nodes (make test-cluster, or COUCHDB_TEST_URL at one of "
                    "its nodes); this server has one node")


@pytest.fixture(scope="session")
def couch_server(tmp_path_factory):
    url = os.environ.get("COUCHDB_TEST_URL")
    if url:
        admin = Persona(os.environ["COUCHDB_TEST_USER"], os.environ["COUCHDB_TEST_PASSWORD"], ("_admin",))
        server = TestServer(url.rstrip("/") + "/", admin, is_apache_couchdb=True)
        info = server.admin_http().get(server.url, timeout=10).json()
        server.is_apache_couchdb = "couchdb" in info
        if server.is_apache_couchdb:
            membership = server.admin_http().get(server.url + "_membership", timeout=10).json()
            server.cluster_nodes = len(membership.get("cluster_nodes") or [])
        yield server
        return
    admin = Persona("admin", uuid.uuid4().hex, ("_admin",))
    embedded = EmbeddedCouch(tmp_path_factory.mktemp("pouchdb"), free_port(), admin.name, admin.password).start()
    try:
        yield TestServer(embedded.url, admin, is_apache_couchdb=False)
    finally:
        embedded.stop()


@pytest.fixture(scope="session", autouse=True)
def _dashboard_uses_test_server(couch_server):
    settings.COUCHDB_URL = couch_server.url
    settings.COUCHDB_REPLICATION_URL = couch_server.url
    # The suite's audit records go to a database of its own, never to a real server's audit log, written by
    # a writer of its own, prepared as `manage.py prepare_audit` prepares the real one.
    settings.AUDIT_DATABASE = f"ca-{RUN_ID}-audit"
    settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD = f"ca-{RUN_ID}-audit-writer", uuid.uuid4().hex
    admin = CouchClient()
    login(admin, couch_server.admin.name, couch_server.admin.password)
    prepare_audit_database(admin, settings.AUDIT_DATABASE, settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD)
    yield
    http = couch_server.admin_http()
    http.delete(couch_server.url + settings.AUDIT_DATABASE, timeout=10)
    writer_url = couch_server.url + "_users/" + requests.utils.quote(f"org.couchdb.user:{settings.AUDIT_WRITER_NAME}")
    http.delete(writer_url, params={"rev": http.get(writer_url, timeout=10).json().get("_rev")}, timeout=10)


@pytest.fixture(scope="session")
def personas(couch_server):
    """Real CouchDB users: a database admin, a member and an outsider (the server admin is configured)."""
    http = couch_server.admin_http()
    made = {}
    for key, roles in (("dbadmin", ["ca-team-admins"]), ("member", ["ca-team"]), ("outsider", [])):
        persona = Persona(f"ca-{RUN_ID}-{key}", uuid.uuid4().hex, tuple(roles))
        doc = {"_id": f"org.couchdb.user:{persona.name}", "name": persona.name, "type": "user",
               "roles": roles, "password": persona.password}
        http.put(couch_server.url + "_users/" + requests.utils.quote(doc["_id"], safe=""), json=doc,
                 timeout=10).raise_for_status()
        made[key] = persona
    made["admin"] = couch_server.admin
    yield made
    for key in ("dbadmin", "member", "outsider"):
        doc_url = couch_server.url + "_users/" + requests.utils.quote(f"org.couchdb.user:{made[key].name}", safe="")
        current = http.get(doc_url, timeout=10)
        if current.status_code == 200:
            http.delete(doc_url, params={"rev": current.json()["_rev"]}, timeout=10)


@pytest.fixture
def victim(couch_server):
    """A user of their own, so a test's failed logins (and CouchDB's lockout) never touch another test."""
    persona = Persona(f"ca-{RUN_ID}-victim-{uuid.uuid4().hex[:6]}", uuid.uuid4().hex)
    http = couch_server.admin_http()
    url = f"{couch_server.url}_users/org.couchdb.user:{persona.name}"
    http.put(url, json={"name": persona.name, "password": persona.password, "roles": [], "type": "user"},
             timeout=10).raise_for_status()
    yield persona
    http.delete(url, params={"rev": http.get(url, timeout=10).json()["_rev"]}, timeout=10)


@pytest.fixture
def slow_couchdb(couch_server):
    """A proxy in front of the test server that holds back the requests a test names (tests/support/slow_couchdb.py),
    and records what CouchDB was asked."""
    proxy = SlowCouchDB(couch_server.url)
    yield proxy
    proxy.close()


@pytest.fixture
def make_database(couch_server):
    """Create uniquely named databases for one test and drop them afterwards; by default with CouchDB 3's
    default security (server admins only) on either server, so tests see what CouchDB 3 users see."""
    http = couch_server.admin_http()
    created = []

    def make(name=None, security=ADMINS_ONLY, **params):
        """params: CouchDB's q, n, partitioned (pouchdb-server ignores them)."""
        name = name or f"ca-{RUN_ID}-{uuid.uuid4().hex[:8]}"
        db_url = couch_server.url + requests.utils.quote(name, safe="")
        http.put(db_url, params={k: str(v).lower() for k, v in params.items()}, timeout=10).raise_for_status()
        created.append(db_url)
        # Always set: pouchdb-server would otherwise leave the database public, unlike CouchDB 3.
        put_security(couch_server, name, security)
        return name

    yield make
    for db_url in created:
        http.delete(db_url, timeout=10)


def put_security(couch_server, db, security):
    """PUT /{db}/_security as the admin, and wait until a read answers it. On a cluster CouchDB answers the PUT
    once most copies of the shards hold the new object, and GET /{db}/_security reads one copy: a read just
    after the PUT may still find the old one (and a test that reads, changes and writes it back would undo
    its own setting)."""
    http = couch_server.admin_http()
    url = f"{couch_server.url}{requests.utils.quote(db, safe='')}/_security"
    http.put(url, json=security, timeout=10).raise_for_status()
    read = eventually(lambda: http.get(url, timeout=10).json(), until=lambda now: now == security)
    assert read == security, f"{db}'s _security still reads {read}"


@pytest.fixture
def drop_database_afterwards(couch_server):
    """For databases a test creates through the dashboard."""
    names = []
    yield names.append
    http = couch_server.admin_http()
    for name in names:
        http.delete(couch_server.url + requests.utils.quote(name, safe=""), timeout=10)


def log_in(client, persona):
    response = client.post("/login/", {"username": persona.name, "password": persona.password})
    assert response.status_code == 302, response.content[:500]
    return client


@pytest.fixture
def admin_client(client, personas):
    return log_in(client, personas["admin"])


@pytest.fixture
def admin_couch(personas):
    """The service layer's client, logged in as the server admin."""
    client = CouchClient()
    login(client, personas["admin"].name, personas["admin"].password)
    return client


@pytest.fixture(scope="session")
def admin_party_server(tmp_path_factory):
    """A second embedded server with no admin at all."""
    embedded = EmbeddedCouch(tmp_path_factory.mktemp("party"), free_port(), None, None).start()
    yield embedded
    embedded.stop()


def set_session_values(client, **values):
    """Change the test client's signed-cookie session (saving it makes a new cookie value)."""
    session = client.session
    session.update(values)
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key


def put_document(couch_server, db, docid, body, **params):
    """Write a document straight to the server as its admin; answers the new rev. params: e.g. w=3."""
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/{requests.utils.quote(docid, safe='')}",
                                           json=body, params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()["rev"]


def bulk_docs(couch_server, db, docs):
    """Write documents straight to the server as its admin, in one _bulk_docs."""
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs},
                                   timeout=30).raise_for_status()


def fetch_document(couch_server, db, docid):
    """Read a document straight from the server as its admin (an error body when it is missing)."""
    return couch_server.admin_http().get(f"{couch_server.url}{db}/{requests.utils.quote(docid, safe='')}",
                                         timeout=10).json()


def all_docs(couch_server, db, at_least=0):
    """The rows of _all_docs with their documents, read as the admin. On a cluster _all_docs reads one copy of
    each shard, so rows a write has just put there may be missing for a moment: wait until `at_least` are listed."""
    def read():
        return couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", params={"include_docs": "true"},
                                             timeout=30).json()["rows"]
    return eventually(read, until=lambda rows: len(rows) >= at_least)


def remove_replicator_doc(couch_server, name):
    """Delete a _replicator document a test made, if it is still there (its replication stops with it)."""
    http = couch_server.admin_http()
    current = http.get(f"{couch_server.url}_replicator/{requests.utils.quote(name, safe='')}", timeout=10)
    if current.status_code == 200:
        http.delete(current.url, params={"rev": current.json()["_rev"]}, timeout=10)
