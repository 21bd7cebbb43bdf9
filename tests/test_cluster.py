"""The Cluster page: server admins only; every node of _membership marked configured and connected, figures
from each node in words and units (answers recorded from a CouchDB 3.5 cluster, malformed and hostile ones),
a single node says so, pouchdb-server is told what it lacks; on a real 3-node cluster a stopped node shows
DOWN while databases, document edits and Mango queries keep working."""

import json
import os
import shlex
import subprocess
from html import unescape
from urllib.parse import unquote, urlsplit

import pytest
import requests
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from browser.couch import cluster
from browser.couch.client import CouchClient
from browser.couch.cluster import cluster_health, message_queues, node_health, one_node_health
from browser.couch.flavour import CouchDB3
from tests.conftest import log_in, put_document
from tests.support.contract import RecordedResponse
from tests.support.data import HOSTILE
from tests.support.lacking import assert_lacking
from tests.test_replication import wait_for

URL = "/cluster/"
SERVER_ADMIN = "This needs a CouchDB server admin."
N1, N2, N3 = "node1@127.0.0.1", "node2@127.0.0.1", "node3@127.0.0.1"

# Recorded from the local 3-node CouchDB 3.5.0 cluster (trimmed: fewer message queues and stats).
MEMBERSHIP = {"all_nodes": [N1, N2, N3], "cluster_nodes": [N1, N2, N3]}
MEMBERSHIP_NODE3_STOPPED = {"all_nodes": [N1, N2], "cluster_nodes": [N1, N2, N3]}
SYSTEM = {
    "uptime": 118,
    "memory": {"other": 10623153, "atom": 631001, "atom_used": 599902, "processes": 12594984,
               "processes_used": 12592104, "binary": 129184, "code": 13351038, "ets": 1339328},
    "run_queue": 0, "run_queue_dirty_cpu": 0, "ets_table_count": 134, "context_switches": 63477,
    "reductions": 23230869, "garbage_collection_count": 32270, "words_reclaimed": 23490667, "io_input": 98765,
    "io_output": 105844, "os_proc_count": 0, "stale_proc_count": 0, "process_count": 376, "process_limit": 262144,
    "message_queues": {"couch_file": {"count": 2, "min": 0, "max": 0, "50": 0, "90": 0, "99": 0},
                       "couch_db_updater": {"count": 2, "min": 0, "max": 0, "50": 0, "90": 0, "99": 0},
                       "couch_server": 0, "rexi_server": 0, "code_server": 2, "mem3_sync": 0},
    "internal_replication_jobs": 0,
    "distribution": {N1: {"recv_oct": 68317, "send_pend": 0}, N3: {"recv_oct": 35590, "send_pend": 0}},
    "distribution_events": {N3: [["2026-11-27T10:53:38Z", "init"]], N1: [["2026-11-27T10:53:38Z", "init"]]},
}
STATS = {  # GET /_node/{node}/_stats/couchdb
    "httpd": {"requests": {"value": 4, "type": "counter", "desc": "number of HTTP requests"}},
    "open_databases": {"value": 2, "type": "counter", "desc": "number of open databases"},
    "open_os_files": {"value": 2, "type": "counter", "desc": "number of file descriptors CouchDB has open"},
    "auth_cache_hits": {"value": 30, "type": "counter", "desc": "number of authentication cache hits"},
    "auth_cache_misses": {"value": 10, "type": "counter", "desc": "number of authentication cache misses"},
    "request_time": {"value": {"n": 20, "min": 3.0, "max": 160.0, "median": 144.0}, "type": "histogram",
                     "desc": "length of a request inside CouchDB without MochiWeb"},
}
WELCOME = {"couchdb": "Welcome", "uuid": "181db2d611c9eef7707c680cb383d486", "version": "3.5.0",
           "vendor": {"name": "The Apache Software Foundation"}}
VERSIONS = {"javascript_engine": {"name": "quickjs"}, "erlang": {"version": "25.2.3", "supported_hashes": ["sha"]},
            "collation_driver": {"name": "libicu", "library_version": "72.1"}}
NODEDOWN = (412, {"error": "nodedown", "reason": "node3@127.0.0.1 is down"})
NO_MAINTENANCE = (404, {"error": "not_found", "reason": "unknown_config_value"})
NO_SUCH_NODE = (404, {"error": "not_found", "reason": "no such node: node9@127.0.0.1"})


class FakeCluster:
    """A stand-in for requests.Session answering by path with recorded answers, safe to call from threads;
    a path mapped to an exception class raises it (e.g. requests.Timeout for a node that never answers)."""

    def __init__(self, answers):
        self.answers = answers
        self.sent = []

    def request(self, method, url, **kwargs):
        path = unquote(urlsplit(url).path)
        self.sent.append((path, kwargs.get("timeout")))
        answer = self.answers.get(path, (404, {"error": "not_found", "reason": "missing"}))
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("recorded failure")
        status, body = answer if isinstance(answer, tuple) else (200, answer)
        return RecordedResponse({"response": {"status": status, "body": body}})


def node_answers(node, system=SYSTEM, stats=STATS):
    base = f"/_node/{node}"
    return {f"{base}/_system": system, f"{base}/_stats/couchdb": stats, base: WELCOME,
            f"{base}/_versions": VERSIONS, f"{base}/_config/couchdb/maintenance_mode": NO_MAINTENANCE}


def fake_client(membership=MEMBERSHIP, **answers):
    everything = {"/_membership": membership}
    for node in (N1, N2, N3):
        everything.update(node_answers(node))
    everything.update(answers)
    http = FakeCluster(everything)
    return CouchClient(base_url="http://couch.test/", http=http, flavour=CouchDB3), http


def fragment(members, nodes):
    context = {"members": members, "nodes": nodes, "down": [n for n in nodes if n.state != "up"],
               "strangers": [n for n in nodes if not n.in_cluster], "refresh_url": URL, "refresh_seconds": 5,
               "large_queue": cluster.LARGE_QUEUE, "node_timeout": cluster.NODE_TIMEOUT, "checked_at": "12:00:00 UTC"}
    return render_to_string("browser/_cluster.html", context, request=RequestFactory().get(URL))


# The service, with recorded answers

def test_three_connected_nodes_are_up_with_their_figures():
    client, http = fake_client()
    members, nodes = cluster_health(client)
    assert [n.name for n in nodes] == [N1, N2, N3] and not members.single_node
    first = nodes[0]
    assert (first.state, first.in_cluster, first.connected) == ("up", True, True)
    assert first.version == "3.5.0" and first.erlang_version == "25.2.3" and first.javascript_engine == "quickjs"
    assert first.uptime == 118 and first.uptime_words == "1 minute 58 seconds"
    # Erlang's total: processes + system (atom, binary, code, ets, other); the *_used parts are inside those.
    assert first.memory_total == 10623153 + 631001 + 12594984 + 129184 + 13351038 + 1339328
    assert first.process_count == 376 and first.process_limit == 262144
    assert first.requests == 4 and first.request_rate == pytest.approx(4 / 118) and first.recent_rate == 2
    assert first.open_databases == 2 and first.auth_cache_hit_ratio == 0.75
    assert first.peers == (N1, N3) and not first.maintenance_mode
    assert [(q.name, q.length) for q in first.queues] == [("code_server", 2)]
    # Every per-node call carries the short timeout.
    assert {timeout for path, timeout in http.sent if path.startswith("/_node/")} == {cluster.NODE_TIMEOUT}


def test_a_stopped_node_is_down_and_not_asked_while_the_others_show():
    client, http = fake_client(MEMBERSHIP_NODE3_STOPPED)
    _, nodes = cluster_health(client)
    assert [n.state for n in nodes] == ["up", "up", "down"]
    assert nodes[2].in_cluster and not nodes[2].connected and "not connected" in nodes[2].problem
    assert not [path for path, _ in http.sent if path.startswith(f"/_node/{N3}")]


def test_a_connected_node_that_answers_nodedown_or_nothing_is_not_answering():
    client, _ = fake_client(**{f"/_node/{N2}/_system": requests.Timeout, f"/_node/{N3}/_system": NODEDOWN})
    _, nodes = cluster_health(client)
    assert [n.state for n in nodes] == ["up", "silent", "silent"]
    assert "no answer within 3 seconds" in nodes[1].problem
    assert "node3@127.0.0.1 is down" in nodes[2].problem


def test_a_connected_node_missing_from_cluster_nodes_is_marked():
    client, _ = fake_client({"all_nodes": [N1, N2, N3], "cluster_nodes": [N1, N2]})
    _, nodes = cluster_health(client)
    assert [(n.name, n.in_cluster, n.state) for n in nodes] == [(N1, True, "up"), (N2, True, "up"), (N3, False, "up")]
    page = fragment(*cluster_health(client))
    assert "not configured in the cluster" in page and 'data-testid="nodes-not-in-cluster"' in page


def test_a_node_in_maintenance_mode_says_so():
    client, _ = fake_client(**{f"/_node/{N1}/_config/couchdb/maintenance_mode": '"true"'})
    _, nodes = cluster_health(client)
    assert nodes[0].maintenance_mode and not nodes[1].maintenance_mode
    assert 'data-testid="maintenance"' in fragment(*cluster_health(client))


def test_one_node_is_asked_only_when_the_membership_names_it():
    client, http = fake_client()
    assert one_node_health(client, "node9@127.0.0.1")[1] is None
    assert not [path for path, _ in http.sent if path.startswith("/_node/")]
    assert one_node_health(client, N2)[1].state == "up"


def test_a_single_node_says_it_is_one():
    single = {"all_nodes": ["couchdb@127.0.0.1"], "cluster_nodes": ["couchdb@127.0.0.1"]}
    client, _ = fake_client(single, **node_answers("couchdb@127.0.0.1"))
    members, nodes = cluster_health(client)
    assert members.single_node
    assert "This is a single-node CouchDB (couchdb@127.0.0.1)." in fragment(members, nodes)


def test_message_queues_are_longest_first_and_large_ones_marked():
    queues = message_queues({"couch_server": 5000, "idle": 0, "ioq": 12,
                             "couch_file": {"count": 40, "min": 0, "max": 1500, "50": 0, "90": 3, "99": 900}})
    assert [(q.name, q.length, q.processes, q.large) for q in queues] == [
        ("couch_server", 5000, None, True), ("couch_file", 1500, 40, True), ("ioq", 12, None, False)]
    health = node_health(N1, cluster.Membership((N1,), (N1,)),
                         {"system": {**SYSTEM, "message_queues": {"couch_server": 5000}}, "stats": STATS})
    page = fragment(cluster.Membership((N1,), (N1,)), [health])
    assert 'class="queue-large"' in page and "couch_server: 5,000 messages" in page


def test_the_fragment_shows_a_down_node_plainly_and_polls():
    client, _ = fake_client(MEMBERSHIP_NODE3_STOPPED)
    page = unescape(fragment(*cluster_health(client)))
    assert "1 node not answering" in page and f"{N3}</strong> is DOWN" in page
    assert "3 nodes configured in the cluster, 2 connected (as the node" in page
    assert 'data-state="down"' in page and 'hx-trigger="every 5s"' in page
    assert "36.9 MiB" in page and "1 minute 58 seconds" in page and "75% hits" in page
    for header in ("Node", "State", "Version", "Uptime", "Memory", "Message queues", "Requests", "Open databases"):
        assert f'<th scope="col">{header}</th>' in page


MALFORMED = [
    [], "nope", {"uptime": "long", "memory": [1], "message_queues": {"x": "many", "y": {"max": -4}, "z": None}},
    {"uptime": float("nan"), "memory": {"processes": True, "binary": 1e400}, "process_count": -1},
    {"message_queues": ["couch_server", 3], "distribution": "node1", "process_limit": {"n": 1}},
]


@pytest.mark.parametrize("system", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_answers_still_render(system):
    bad_stats = {"httpd": "many", "open_databases": {"value": "two"}, "request_time": {"value": [1]}}
    members = cluster.Membership((N1,), (N1,))
    health = node_health(N1, members, {"system": system, "stats": bad_stats, "welcome": [], "versions": "x"})
    page = fragment(members, [health])
    assert health.state in ("up", "silent") and N1 in page
    assert health.memory_total is None or health.memory_total >= 0


def test_malformed_membership_is_no_nodes():
    client, _ = fake_client({"all_nodes": "x", "cluster_nodes": [1, None, N1, N1]})
    members, nodes = cluster_health(client)
    assert members.configured == (N1,) and members.connected == () and [n.state for n in nodes] == ["down"]


def test_hostile_node_names_are_escaped_and_linked_by_reverse():
    names = [n for n in HOSTILE["database_names"] + HOSTILE["document_ids"] if "/" not in n][:12] + ["<b>x</b>@h"]
    members = cluster.Membership(tuple(names), ())
    page = fragment(members, [node_health(n, members, None) for n in names])
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;@h" in page
    for name in names:
        assert reverse("browser:cluster-node", kwargs={"node": name}) in unescape(page)


# The page on a real server

def test_only_server_admins_see_the_page(client, personas):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]
    for who in ("member", "outsider", "dbadmin"):
        log_in(client, personas[who])
        for url in (URL, reverse("browser:cluster-node", kwargs={"node": N1})):
            response = client.get(url)
            assert response.status_code == 403 and SERVER_ADMIN in response.content.decode(), who
        client.post("/logout/")


def server_membership(couch_server):
    return couch_server.admin_http().get(couch_server.url + "_membership", timeout=10).json()


@pytest.mark.couchdb3
def test_the_page_lists_every_node_and_a_single_node_says_so(admin_client, couch_server):
    members = server_membership(couch_server)
    response = admin_client.get(URL)
    page = unescape(response.content.decode())
    assert response.status_code == 200
    for node in members["cluster_nodes"]:
        assert f'data-node="{node}"' in page
    if len(members["cluster_nodes"]) == 1:
        assert f"This is a single-node CouchDB ({members['cluster_nodes'][0]})." in page
    assert "3.5" in page or "3." in page  # the node's version
    fragment_response = admin_client.get(URL, headers={"HX-Request": "true"})
    assert fragment_response.status_code == 200 and "HX-Request" in fragment_response["Vary"]
    assert "<h1>" not in fragment_response.content.decode()


@pytest.mark.couchdb3
def test_each_node_has_a_page_and_an_unknown_one_is_not_found(admin_client, couch_server):
    node = server_membership(couch_server)["cluster_nodes"][0]
    page = unescape(admin_client.get(reverse("browser:cluster-node", kwargs={"node": node})).content.decode())
    assert f"Node {node}" in page and 'data-state="up"' in page and "Erlang/OTP" in page
    for name in ("node9@127.0.0.1", "..", "<b>", "a b"):
        assert admin_client.get(reverse("browser:cluster-node", kwargs={"node": name})).status_code == 404


def test_pouchdb_server_is_told_what_it_lacks(admin_client, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("about pouchdb-server, which has no _membership")
    for url in (URL, reverse("browser:cluster-node", kwargs={"node": "node1@x"})):
        assert_lacking(admin_client.get(url), "has_cluster_nodes")


# On a real 3-node cluster, with one node stopped

def node_knob(name, node):
    command = os.environ.get(name)
    if not command:
        pytest.skip(f"set {name} (a shell command, {{node}} and {{name}} stand for the node, e.g. node3@127.0.0.1 "
                    "and node3) to let this test stop and start a node: make test-cluster does, with "
                    "COUCHDB_CLUSTER_SCRIPT naming the script that made the cluster")
    return command.replace("{node}", shlex.quote(node)).replace("{name}", shlex.quote(node.split("@")[0]))


def run_knob(command):
    # The command comes from whoever runs the tests (an environment knob), as a Makefile recipe would.
    subprocess.run(command, shell=True, check=True, timeout=180, capture_output=True)  # noqa: S602


def connected(couch_server, node):
    try:
        return node in server_membership(couch_server).get("all_nodes", [])
    except (requests.RequestException, ValueError):
        return False


def node_to_stop(couch_server):
    """The last configured node that is not the one the dashboard talks to."""
    http = couch_server.admin_http()
    entry = http.get(couch_server.url + "_node/_local", timeout=10).json()["name"]
    return sorted(n for n in server_membership(couch_server)["cluster_nodes"] if n != entry)[-1]


@pytest.mark.cluster
def test_the_cluster_shows_three_nodes_up(admin_client):
    page = admin_client.get(URL).content.decode()
    assert page.count('data-state="up"') >= 3 and "single-node" not in page


@pytest.mark.cluster
def test_a_stopped_node_shows_down_while_the_rest_of_the_dashboard_works(admin_client, couch_server, make_database):
    node = node_to_stop(couch_server)
    stop, start = node_knob("COUCHDB_TEST_NODE_STOP", node), node_knob("COUCHDB_TEST_NODE_START", node)
    db = make_database()
    rev = put_document(couch_server, db, "kept", {"type": "fruit", "name": "apple"})
    run_knob(stop)
    try:
        assert wait_for(lambda: not connected(couch_server, node), 30), f"{node} still in all_nodes after 30 s"
        page = unescape(admin_client.get(URL).content.decode())
        assert f'data-node="{node}" data-state="down"' in page and f"{node}</strong> is DOWN" in page
        assert page.count('data-state="up"') == 2
        node_page = unescape(admin_client.get(reverse("browser:cluster-node", kwargs={"node": node})).content.decode())
        assert 'data-state="down"' in node_page
        databases = admin_client.get(reverse("browser:databases"))
        assert databases.status_code == 200 and db in unescape(databases.content.decode())
        edit_url = reverse("browser:document-edit", kwargs={"db": db, "docid": "kept"})
        text = json.dumps({"type": "fruit", "name": "pear"})
        assert admin_client.post(edit_url, {"mode": "text", "base_rev": rev, "text": text}).status_code == 302
        mango_url = reverse("browser:mango", kwargs={"db": db})

        def pear_found():
            answer = admin_client.post(mango_url, {"selector": '{"name": "pear"}', "limit": "10", "action": "run"})
            return answer.status_code == 200 and 'data-id="kept"' in answer.content.decode()

        # The cluster writes two copies of three before it answers: a read right after may still miss it.
        assert wait_for(pear_found, 10)
    finally:
        run_knob(start)
        assert wait_for(lambda: connected(couch_server, node), 90), f"{node} not back in all_nodes after 90 s"
    assert wait_for(lambda: f'data-node="{node}" data-state="up"' in admin_client.get(URL).content.decode(), 30)
