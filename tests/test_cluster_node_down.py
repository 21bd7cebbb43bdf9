"""One flow per area through the dashboard on a real 3-node CouchDB cluster with a node stopped mid-flow
(issue 30): each flow's first part runs while all three nodes are up, then one node (never the one the
dashboard talks to) is stopped once for the module, and each flow finishes through the dashboard with two of
three copies answering; the data is read back with a quorum read (GET of a document), or, where CouchDB reads
one copy per shard (_all_docs, _find, views, _changes), by a bounded poll for the state wanted."""

import base64
import json
import os
import re
import uuid
from dataclasses import dataclass, field
from html import unescape

import pytest
import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from browser import own_writes
from browser.couch.client import CouchClient
from browser.couch.replication import scheduler_doc
from browser.couch.session import login
from tests.conftest import RUN_ID, TEAM, fetch_document, log_in, put_document, remove_replicator_doc
from tests.support.design_form import view_rows
from tests.test_audit_chain import audit_page, outcomes, row_of
from tests.test_cluster import connected, node_knob, node_to_stop, run_knob
from tests.test_conflicts import merge_fields
from tests.test_replication import wait_for

pytestmark = pytest.mark.cluster

ATTACHMENT = os.urandom(40_000) + bytes(range(256))
FRUIT = [{"_id": f"f{i:02d}", "type": "fruit" if i % 2 else "veg", "name": name, "price": i}
         for i, name in enumerate(["kale", "apple", "beet", "pear", "bean", "plum"])]
SALES = [{"_id": f"s{i}", "region": region, "amount": amount}
         for i, (region, amount) in enumerate([("eu", 10), ("eu", 20), ("us", 5), ("us", 7), ("apac", 30)])]
EXPORTED = [{"_id": f"e{i:02d}", "n": i, "nested": {"list": [i, str(i), None, True]}} for i in range(12)] + [
    {"_id": "with-file", "n": -1, "_attachments": {"a.bin": {
        "content_type": "application/octet-stream", "data": base64.b64encode(bytes(range(256))).decode()}}}]
LOSER = "1-" + "b" * 32
WINNER = "2-" + "c" * 32


@dataclass
class Cluster:
    """What the flows share: the stopped node, the databases their first parts made, and what they wrote."""
    node: str
    dbs: dict = field(default_factory=dict)
    revs: dict = field(default_factory=dict)
    made: list = field(default_factory=list)  # every database to drop afterwards


def quoted(text):
    return requests.utils.quote(text, safe="")


def bulk(couch_server, db, docs, **params):
    answer = couch_server.admin_http().post(f"{couch_server.url}{quoted(db)}/_bulk_docs",
                                            json={"docs": docs, **params}, timeout=30)
    answer.raise_for_status()
    return answer.json()


def one_copy_read(couch_server, db, path, **params):
    """A read CouchDB answers from one copy of each shard (_all_docs, _changes, a view)."""
    answer = couch_server.admin_http().get(f"{couch_server.url}{quoted(db)}/{path}", params=params, timeout=10)
    answer.raise_for_status()
    return answer.json()


def all_docs(couch_server, db):
    rows = one_copy_read(couch_server, db, "_all_docs", include_docs="true", attachments="true")["rows"]
    return {row["id"]: row["doc"] for row in rows}


def download(client, db, docid, name):
    response = client.get(reverse("browser:attachment", kwargs={"db": db, "docid": docid}), {"name": name})
    return response, b"".join(response.streaming_content) if response.streaming else response.content


def upload(client, db, docid, rev, name, body):
    return client.post(reverse("browser:attachment-upload", kwargs={"db": db, "docid": docid}),
                       {"rev": rev, "files": [SimpleUploadedFile(name, body, "application/octet-stream")],
                        "name": name}, headers={"Accept": "application/json"})


def grant(client, db, kind, value):
    return client.post(reverse("browser:permissions", kwargs={"db": db}),
                       {"section": "members", "kind": kind, "value": value, "op": "add"})


def still_down(couch_server, cluster):
    assert not connected(couch_server, cluster.node), f"{cluster.node} came back before the flow finished"


def first_parts(couch_server, personas, admin, cluster, make):
    """Each flow's part before the node stops, through the dashboard where a person would do it there."""
    dbs = cluster.dbs

    dbs["documents"] = make()
    created = admin.post(reverse("browser:document-new", kwargs={"db": dbs["documents"]}),
                         {"docid": "note", "mode": "text", "text": '{"text": "hello", "ok": false, "price": 10}'})
    assert created.status_code == 302, created.content[:500]
    cluster.revs["note"] = fetch_document(couch_server, dbs["documents"], "note")["_rev"]

    dbs["attachments"] = make()
    rev = put_document(couch_server, dbs["attachments"], "holder", {"title": "files"})
    uploaded = upload(admin, dbs["attachments"], "holder", rev, "data.bin", ATTACHMENT)
    assert uploaded.status_code == 200, uploaded.content[:500]
    rev = put_document(couch_server, dbs["attachments"], "to-rename", {"title": "renamed while down"})
    uploaded = upload(admin, dbs["attachments"], "to-rename", rev, "old.bin", ATTACHMENT)
    assert uploaded.status_code == 200, uploaded.content[:500]

    dbs["mango"] = make()
    bulk(couch_server, dbs["mango"], FRUIT)

    dbs["views"] = make()
    bulk(couch_server, dbs["views"], SALES[:3])

    dbs["access"] = make(security={"admins": {"names": [personas["dbadmin"].name], "roles": []},
                                   "members": {"names": [], "roles": ["_admin"]}})
    put_document(couch_server, dbs["access"], "private", {"secret": "for members"})

    dbs["audit"] = make(security={"admins": {"names": [personas["dbadmin"].name], "roles": []},
                                  "members": {"names": [], "roles": ["_admin"]}})
    team_admin = log_in(Client(), personas["dbadmin"])
    assert grant(team_admin, dbs["audit"], "names", f"ca-{RUN_ID}-before-stop").status_code == 302

    dbs["changes"] = make()
    for docid in ("before-1", "before-2"):
        assert admin.post(reverse("browser:document-new", kwargs={"db": dbs["changes"]}),
                          {"docid": docid, "mode": "text", "text": '{"when": "before"}'}).status_code == 302

    dbs["replication"] = make()
    bulk(couch_server, dbs["replication"], [{"_id": f"r{i:03d}", "n": i} for i in range(50)])

    dbs["export"] = make(security=TEAM)
    bulk(couch_server, dbs["export"], EXPORTED)

    # Two copies, one on the node that stops: its write quorum (2) cannot be met while that node is down.
    dbs["few"] = next(name for name in (make(n=2, q=1) for _ in range(12))
                      if cluster.node in one_copy_read(couch_server, name, "_shards")["shards"]["00000000-ffffffff"])
    cluster.revs["few"] = put_document(couch_server, dbs["few"], "note", {"v": 1}, w=2)

    dbs["purge"] = make()
    # Three leaves as replication makes them: winner 2-ccc…, a losing 1-bbb…, a deleted 1-ddd….
    bulk(couch_server, dbs["purge"], [
        {"_id": "split", "_rev": "1-" + "a" * 32, "v": "a"}, {"_id": "split", "_rev": LOSER, "v": "loser"},
        {"_id": "split", "_rev": WINNER, "v": "winner", "_revisions": {"start": 2, "ids": ["c" * 32, "a" * 32]}},
        {"_id": "split", "_rev": "1-" + "d" * 32, "_deleted": True}], new_edits=False)


@pytest.fixture(scope="module")
def cluster(couch_server, personas):
    """The flows' first parts, then one node stopped for the whole module; started again (and rejoined)
    afterwards. On a server that is not a 3-node cluster nothing is stopped: every test skips with the
    conftest's reason."""
    if not couch_server.is_apache_couchdb or couch_server.cluster_nodes < 3:
        yield None
        return
    node = node_to_stop(couch_server)
    stop, start = node_knob("COUCHDB_TEST_NODE_STOP", node), node_knob("COUCHDB_TEST_NODE_START", node)
    http = couch_server.admin_http()
    shared = Cluster(node)
    made = shared.made

    def make(security=None, **params):
        name = f"ca-{RUN_ID}-down-{uuid.uuid4().hex[:8]}"
        made.append(name)
        http.put(couch_server.url + name, params=params, timeout=10).raise_for_status()
        http.put(f"{couch_server.url}{name}/_security", json=security or {
            "members": {"roles": ["_admin"]}, "admins": {"roles": ["_admin"]}}, timeout=10).raise_for_status()
        return name

    try:
        first_parts(couch_server, personas, log_in(Client(), personas["admin"]), shared, make)
        run_knob(stop)
        try:
            assert wait_for(lambda: not connected(couch_server, node), 30), f"{node} still in all_nodes after 30 s"
            yield shared
        finally:
            run_knob(start)
            assert wait_for(lambda: connected(couch_server, node), 90), f"{node} not back in all_nodes after 90 s"
            node_url = f"{couch_server.url}_node/{quoted(node)}/_system"
            assert wait_for(lambda: http.get(node_url, timeout=5).status_code == 200, 30), f"{node} not answering"
    finally:
        for name in made:
            http.delete(couch_server.url + quoted(name), timeout=30)


@pytest.fixture
def admin(cluster, personas):
    return log_in(Client(), personas["admin"])


# --- the flows, each finished with the node down ------------------------------------------------------------

def test_documents_are_created_edited_through_a_409_merge_and_deleted(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db, base = cluster.dbs["documents"], cluster.revs["note"]
    new_url = reverse("browser:document-new", kwargs={"db": db})
    created = admin.post(new_url, {"docid": "made-while-down", "mode": "text", "text": '{"x": 1}'})
    assert created.status_code == 302, created.content[:500]
    assert fetch_document(couch_server, db, "made-while-down")["x"] == 1

    # Someone else saves first; my save meets a 409, the three-way merge keeps both changes.
    put_document(couch_server, db, "note", {"_rev": base, "text": "hello, world", "ok": False, "price": 10,
                                            "theirs": True})
    edit_url = reverse("browser:document-edit", kwargs={"db": db, "docid": "note"})
    mine = '{"text": "hello", "ok": true, "price": 12}'
    conflict = admin.post(edit_url, {"mode": "text", "base_rev": base, "text": mine})
    assert conflict.status_code == 409, conflict.content[:500]
    assert mine in unescape(conflict.content.decode())
    saved = admin.post(edit_url, {"mode": "text", "base_rev": base, "text": mine, "save": "1",
                                  **merge_fields(conflict)})
    assert saved.status_code == 302, saved.content[:1000]
    doc = fetch_document(couch_server, db, "note")
    assert (doc["text"], doc["ok"], doc["price"], doc["theirs"]) == ("hello, world", True, 12, True)
    assert doc["_rev"].startswith("3-")

    delete_url = reverse("browser:document-delete", kwargs={"db": db, "docid": "note"})
    assert admin.post(delete_url, {"rev": doc["_rev"]}).status_code == 302
    assert fetch_document(couch_server, db, "note").get("reason") == "deleted"
    assert wait_for(lambda: set(all_docs(couch_server, db)) == {"made-while-down"}, 10)
    still_down(couch_server, cluster)


def test_an_attachment_downloads_byte_identical_and_another_uploads(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["attachments"]
    response, data = download(admin, db, "holder", "data.bin")
    assert response.status_code == 200 and data == ATTACHMENT

    second = b"uploaded while a node is down\n" * 100
    rev = fetch_document(couch_server, db, "holder")["_rev"]
    assert upload(admin, db, "holder", rev, "second.txt", second).status_code == 200
    doc = fetch_document(couch_server, db, "holder")
    assert set(doc["_attachments"]) == {"data.bin", "second.txt"} and doc["title"] == "files"
    assert download(admin, db, "holder", "second.txt")[1] == second
    assert download(admin, db, "holder", "data.bin")[1] == ATTACHMENT
    still_down(couch_server, cluster)


def test_an_attachment_is_renamed(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["attachments"]
    rev = fetch_document(couch_server, db, "to-rename")["_rev"]
    renamed = admin.post(reverse("browser:attachment-rename", kwargs={"db": db, "docid": "to-rename"}),
                         {"name": "old.bin", "new_name": "new.bin", "rev": rev})
    doc = fetch_document(couch_server, db, "to-rename")
    assert set(doc["_attachments"]) == {"new.bin"} and doc["title"] == "renamed while down"
    assert download(admin, db, "to-rename", "new.bin")[1] == ATTACHMENT
    main = renamed.content.decode().partition("<main")[2]
    said = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main.partition(">")[2])))
    assert renamed.status_code == 302, (renamed.status_code, said[:700])
    still_down(couch_server, cluster)


def test_mango_creates_an_index_from_the_page_and_runs_the_query(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["mango"]
    put_document(couch_server, db, "f99", {"type": "fruit", "name": "quince", "price": 99})
    url = reverse("browser:mango", kwargs={"db": db})
    created = admin.post(url, {"selector": '{"type": "fruit"}', "limit": "20", "action": "create-index"})
    page = unescape(created.content.decode())
    assert created.status_code == 200, page[:1000]
    assert 'data-testid="explain-index"' in page and "This query scans every document" not in page
    indexes = couch_server.admin_http().get(f"{couch_server.url}{db}/_index", timeout=10).json()["indexes"]
    assert any(i["def"]["fields"] == [{"type": "asc"}] for i in indexes)
    wanted = ["f01", "f03", "f05", "f99"]

    def fruit_found():
        answer = admin.post(url, {"selector": '{"type": "fruit"}', "limit": "20", "action": "run"})
        return answer.status_code == 200 and sorted(re.findall(r'<tr data-id="([^"]+)"', answer.content.decode()))

    assert wait_for(lambda: fruit_found() == wanted, 15), fruit_found()
    still_down(couch_server, cluster)


def test_a_design_document_is_made_in_the_editor_and_its_view_runs(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["views"]
    bulk(couch_server, db, SALES[3:])
    created = admin.post(reverse("browser:design-list", kwargs={"db": db}), {"name": "report"})
    assert created.status_code == 302, created.content[:500]
    rev = fetch_document(couch_server, db, "_design/report")["_rev"]
    saved = admin.post(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "report"}), {
        "rev": rev, **view_rows({"name": "total", "map": "function (doc) { emit(doc.region, doc.amount); }",
                                 "reduce": "_sum", "custom": ""}), "validate_doc_update": "", "options": ""})
    assert saved.status_code == 302, saved.content[:1000]
    assert "total" in fetch_document(couch_server, db, "_design/report")["views"]
    url = reverse("browser:view-run", kwargs={"db": db, "ddoc": "report"})
    wanted = [('"apac"', "30"), ('"eu"', "30"), ('"us"', "12")]

    def rows():
        response = admin.get(url, {"view": "total", "run": "1", "group": "on"})
        page = unescape(response.content.decode())
        assert response.status_code == 200, page[:1000]
        return re.findall(r'<th scope="row"><code>(.*?)</code></th><td><code>(.*?)</code></td>', page)

    assert wait_for(lambda: rows() == wanted, 20)
    still_down(couch_server, cluster)


def test_a_member_granted_on_the_permissions_page_can_then_read(cluster, couch_server, personas):
    still_down(couch_server, cluster)
    db, member = cluster.dbs["access"], personas["member"]
    outsider_first = log_in(Client(), member).get(reverse("browser:database", kwargs={"db": db}))
    assert outsider_first.status_code == 403
    team_admin = log_in(Client(), personas["dbadmin"])
    assert grant(team_admin, db, "names", member.name).status_code == 302
    security = couch_server.admin_http().get(f"{couch_server.url}{db}/_security", timeout=10).json()
    assert member.name in security["members"]["names"]

    reader = log_in(Client(), member)
    listing = reader.get(reverse("browser:database", kwargs={"db": db}))
    assert listing.status_code == 200
    doc = reader.get(reverse("browser:document", kwargs={"db": db, "docid": "private"}))
    assert doc.status_code == 200 and "for members" in unescape(doc.content.decode())
    still_down(couch_server, cluster)


def test_the_grants_outcome_records_are_there_and_the_audit_chain_reads_sound(cluster, couch_server, personas):
    still_down(couch_server, cluster)
    db = cluster.dbs["audit"]
    team_admin = log_in(Client(), personas["dbadmin"])
    assert grant(team_admin, db, "names", f"ca-{RUN_ID}-while-down").status_code == 302
    before, after = outcomes(couch_server, "security.update", db, until_count=2)[-2:]
    assert f"ca-{RUN_ID}-before-stop" in before["after"]["members"]["names"]
    assert f"ca-{RUN_ID}-while-down" in after["after"]["members"]["names"]
    assert f"ca-{RUN_ID}-while-down" not in after["before"]["members"]["names"]
    assert after["who"] == personas["dbadmin"].name and int(after["seq"]) > int(before["seq"])
    # The records themselves, each read from a quorum of its copies.
    for record in (before, after):
        assert fetch_document(couch_server, settings.AUDIT_DATABASE, record["_id"])["seal"] == record["seal"]

    admin = log_in(Client(), personas["admin"])
    page = audit_page(admin, [before["_id"], after["_id"]], action="security.update", target=db)
    for record in (before, after):
        assert "sealed, linked" in row_of(page, record["_id"])
    assert "Warning:" not in page and 'data-tampered="yes"' not in page
    still_down(couch_server, cluster)


def test_the_changes_page_lists_the_writes_from_before_and_during_the_outage(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["changes"]
    for docid in ("during-1", "during-2"):
        assert admin.post(reverse("browser:document-new", kwargs={"db": db}),
                          {"docid": docid, "mode": "text", "text": '{"when": "during"}'}).status_code == 302
    rev = fetch_document(couch_server, db, "before-1")["_rev"]
    assert admin.post(reverse("browser:document-delete", kwargs={"db": db, "docid": "before-1"}),
                      {"rev": rev}).status_code == 302
    url = reverse("browser:changes", kwargs={"db": db})

    def shown():
        page = admin.get(url).content.decode()
        body = page.split('id="change-rows"', 1)[1].split("</tbody>", 1)[0] if 'id="change-rows"' in page else ""
        return {unescape(i) for i in re.findall(r'<td><a href="[^"]*/doc/[^"]*">([^<]*)</a>', body)}

    assert wait_for(lambda: shown() == {"before-1", "before-2", "during-1", "during-2"}, 15), shown()
    feed = one_copy_read(couch_server, db, "_changes")["results"]
    assert {r["id"] for r in feed if r.get("deleted")} == {"before-1"}
    still_down(couch_server, cluster)


def test_a_save_that_fewer_copies_than_asked_took_is_said_so_and_listed(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["few"]
    saved = admin.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "note"}),
                       {"mode": "text", "base_rev": cluster.revs["few"], "text": '{"v": 2}', "save": "1"}, follow=True)
    page = unescape(saved.content.decode())
    assert "Saved “note” as revision 2-" in page and own_writes.FEWER_COPIES in page
    assert 'data-testid="own-save-conflict"' not in page and fetch_document(couch_server, db, "note")["v"] == 2
    created = admin.post(reverse("browser:document-new", kwargs={"db": db}),
                         {"docid": "new", "mode": "text", "text": '{"v": 1}'}, follow=True)
    assert own_writes.FEWER_COPIES in unescape(created.content.decode())
    listed = admin.get(reverse("browser:database", kwargs={"db": db})).content.decode()
    assert 'data-id="new"' in listed and 'data-id="note"' in listed
    still_down(couch_server, cluster)


def test_a_one_off_replication_from_the_page_completes_and_the_target_has_the_documents(admin, cluster,
                                                                                        couch_server):
    still_down(couch_server, cluster)
    source = cluster.dbs["replication"]
    put_document(couch_server, source, "r-during", {"n": -1})
    target = f"ca-{RUN_ID}-down-copy-{uuid.uuid4().hex[:6]}"
    cluster.made.append(target)
    docid = f"ca-{RUN_ID}-down-oneshot-{uuid.uuid4().hex[:6]}"
    try:
        response = admin.post(reverse("browser:replication-start"), {
            "mode": "named", "source": source, "target": target, "create_target": "on", "name": docid,
            "local_password": couch_server.admin.password})
        assert response.status_code == 302, unescape(response.content.decode())[:3000]
        couch = CouchClient()
        login(couch, couch_server.admin.name, couch_server.admin.password)
        done = wait_for(lambda: (r := scheduler_doc(couch, docid)) and r.state in ("completed", "failed") and r, 60)
        assert done and done.state == "completed", done
        assert done.docs_written == 51
        page = admin.get(reverse("browser:replication-doc", kwargs={"docid": docid})).content.decode()
        assert 'data-testid="replication-state">completed<' in page
        for i in (0, 17, 49):
            assert fetch_document(couch_server, target, f"r{i:03d}")["n"] == i
        assert fetch_document(couch_server, target, "r-during")["n"] == -1
        assert wait_for(lambda: len(all_docs(couch_server, target)) == 51, 15)
    finally:
        remove_replicator_doc(couch_server, docid)
    still_down(couch_server, cluster)


def test_a_json_export_imports_into_a_new_database_with_the_same_documents(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    source = cluster.dbs["export"]
    put_document(couch_server, source, "e-during", {"n": 99, "note": "written while a node was down"})
    response = admin.get(reverse("browser:export", kwargs={"db": source}),
                         {"format": "json", "attachments": "on", "include_design": "on"})
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode()
    exported = {d["_id"] for d in json.loads(text)}
    assert exported == {d["_id"] for d in EXPORTED} | {"e-during"}

    name = f"ca-{RUN_ID}-down-import-{uuid.uuid4().hex[:6]}"
    cluster.made.append(name)
    imported = admin.post(reverse("browser:import-new"),
                          {"database": name, "file": SimpleUploadedFile("dump.json", text.encode()), "kind": "auto"})
    assert imported.status_code == 200, imported.content[:3000] if not imported.streaming else imported
    page = b"".join(imported.streaming_content).decode() if imported.streaming else imported.content.decode()
    start = page.index('data-testid="import-stored">') + len('data-testid="import-stored">')
    assert int(page[start:page.index("<", start)].replace(",", "")) == len(exported), page[-3000:]

    for docid in exported:
        original, copy = (fetch_document(couch_server, db, docid) for db in (source, name))
        assert copy == original, docid
    with_file = couch_server.admin_http().get(f"{couch_server.url}{name}/with-file/a.bin", timeout=10)
    assert with_file.content == bytes(range(256))
    assert wait_for(lambda: set(all_docs(couch_server, name)) == exported, 15)
    still_down(couch_server, cluster)


def test_a_conflicts_losing_leaf_is_purged_from_the_purge_page(admin, cluster, couch_server):
    still_down(couch_server, cluster)
    db = cluster.dbs["purge"]
    url = reverse("browser:document-purge", kwargs={"db": db, "docid": "split"})
    listed = admin.get(url).content.decode()
    assert LOSER in listed and WINNER in listed and "conflict (losing revision)" in listed
    response = admin.post(url, {"scope": "chosen", "revs": [LOSER], "confirm_id": "split", "seen": []})
    page = response.content.decode()
    assert response.status_code == 200, page[:2000]
    assert LOSER in page and 'data-testid="purge-remaining"' in page
    doc = couch_server.admin_http().get(f"{couch_server.url}{db}/split", params={"conflicts": "true"},
                                        timeout=10).json()
    assert doc["_rev"] == WINNER and doc["v"] == "winner" and not doc.get("_conflicts")
    leaves = couch_server.admin_http().get(f"{couch_server.url}{db}/split", params={"open_revs": "all"},
                                           headers={"Accept": "application/json"}, timeout=10).json()
    assert LOSER not in {(leaf.get("ok") or {}).get("_rev") for leaf in leaves}
    [record] = outcomes(couch_server, "document.purge", db)
    assert record["after"] == {"id": "split", "purged": [LOSER]}
    still_down(couch_server, cluster)
