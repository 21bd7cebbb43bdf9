"""A replication's credentials never reach a page, fragment or export of a replicator database (_replicator, or any
*/_replicator), and an edit of such a document keeps the stored secret unless a new one is typed."""

import csv
import io
import json
import uuid
from html import unescape
from html.parser import HTMLParser

import pytest
import requests
from django.urls import reverse

from browser.couch import jsontext
from browser.couch.replication import HIDDEN, is_replicator_database, scrub_document, secrets_kept, shown
from tests.conftest import RUN_ID

SECRET = f"pw-{uuid.uuid4().hex}"
URL_SECRET = f"upw-{uuid.uuid4().hex}"
HEADER_SECRET = f"hdr-{uuid.uuid4().hex}"


def replication_doc(couch_server):
    """A local replication as the start form writes it (the person's own password in auth), a remote target with
    userinfo, and a header: each endpoint unreachable, so that the replicator never writes into the document."""
    return {"source": {"url": "http://127.0.0.1:9/ca-nowhere",
                       "auth": {"basic": {"username": "admin", "password": SECRET}},
                       "headers": {"Authorization": f"Bearer {HEADER_SECRET}"}},
            "target": f"http://bob:{URL_SECRET}@127.0.0.1:9/ca-elsewhere", "continuous": True, "note": "x"}


def put_document(couch_server, db, docid, body):
    answer = couch_server.admin_http().put(_doc_url(couch_server, db, docid), json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()["rev"]


def fetch_document(couch_server, db, docid):
    return couch_server.admin_http().get(_doc_url(couch_server, db, docid), timeout=10).json()


def _doc_url(couch_server, db, docid):
    quote = requests.utils.quote
    return f"{couch_server.url}{quote(db, safe='')}/{quote(docid, safe='')}"


def secrets_in(text):
    return [s for s in (SECRET, URL_SECRET, HEADER_SECRET) if s in text]


@pytest.fixture
def repdb(make_database):
    return make_database(f"ca-{RUN_ID}-{uuid.uuid4().hex[:8]}/_replicator")


@pytest.fixture
def stored(repdb, couch_server):
    rev = put_document(couch_server, repdb, "rep-1", replication_doc(couch_server))
    return rev


def url(name, db, **kwargs):
    return reverse(f"browser:{name}", kwargs={"db": db, **kwargs})


class _Fields(HTMLParser):
    """The named controls of the editor's form, as a browser would post them (no button)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.data, self.textarea, self.select, self.option = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            self.data[name] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self.textarea, self.data[name] = name, ""
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select:
            self.option = None
            if "selected" in attrs or self.select not in self.data:
                self.data[self.select] = attrs.get("value", "")
                self.option = None if "value" in attrs else self.select  # its text is its value

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag in ("select", "option"):
            self.select = None if tag == "select" else self.select
            self.option = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data
        elif self.option:
            self.data[self.option] += data.strip()


def posted_fields(page):
    parser = _Fields()
    parser.feed(page)
    data = parser.data
    data.pop("csrfmiddlewaretoken", None)
    if "text" in data and data["text"].startswith("\n"):
        data["text"] = data["text"][1:]  # the newline HTML drops after <textarea>
    return data


# --- the scrub and its inverse, as pure code ---------------------------------------------------------------

def test_replicator_databases_are_named_and_others_are_left_alone():
    assert is_replicator_database("_replicator") and is_replicator_database("team/_replicator")
    assert not is_replicator_database("my_replicator") and not is_replicator_database("_replicator/x")
    doc = {"auth": {"basic": {"password": SECRET}}}
    assert shown("orders", doc) is doc and SECRET not in json.dumps(shown("a/_replicator", doc))


def test_scrub_document_keeps_couchdb_members_exact_and_the_order():
    doc = {"_id": "http://u:p@h/x", "_rev": "1-a", "z": 1, "_attachments": {"a@b": {"stub": True}},
           "target": f"http://u:{SECRET}@h/db", "a": 2}
    cleaned = scrub_document(doc)
    assert list(cleaned) == list(doc) and cleaned["_id"] == doc["_id"]
    assert cleaned["_attachments"] == doc["_attachments"]
    assert cleaned["target"] == "http://h/db"


def test_secrets_kept_puts_back_what_was_left_hidden_and_keeps_what_was_typed():
    stored = {"source": {"url": "http://h/a", "auth": {"basic": {"username": "admin", "password": SECRET}}},
              "target": f"http://bob:{URL_SECRET}@h/b", f"http://k:{SECRET}@key/": 1, "token": 7,
              "list": [{"password": SECRET}]}
    edited = jsontext.loads(jsontext.dumps(scrub_document(stored)))
    assert edited["source"]["auth"]["basic"] == {"username": "admin", "password": HIDDEN}
    edited["note"] = "changed"
    assert jsontext.dumps(secrets_kept(edited, stored)) == jsontext.dumps({**stored, "note": "changed"})
    edited["source"]["auth"]["basic"]["password"] = "new-one"
    edited["target"] = "http://elsewhere/b"
    again = secrets_kept(edited, stored)
    assert again["source"]["auth"]["basic"]["password"] == "new-one" and again["target"] == "http://elsewhere/b"
    assert again["token"] == 7 and again["list"] == [{"password": SECRET}]
    # "(hidden)" typed outside a secret is what the person typed
    assert secrets_kept({"note": HIDDEN}, {"note": SECRET}) == {"note": HIDDEN}


# --- every page, fragment and export -----------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["table", "json", "meta"])
def test_the_documents_list_shows_no_secret(admin_client, repdb, stored, mode):
    page = admin_client.get(url("database", repdb), {"mode": mode}).content.decode()
    assert "rep-1" in page and not secrets_in(unescape(page))
    fragment = admin_client.get(url("database", repdb), {"mode": mode}, HTTP_HX_REQUEST="true").content.decode()
    assert "rep-1" in fragment and not secrets_in(unescape(fragment))


@pytest.mark.couchdb3  # pouchdb-server's replicator crashes the server when a _replicator document it runs is deleted
def test_the_shared_replicator_database_is_scrubbed_too(admin_client, couch_server):
    docid = f"ca-{RUN_ID}-secret-{uuid.uuid4().hex[:6]}"
    put_document(couch_server, "_replicator", docid, replication_doc(couch_server))
    try:
        for address, query in ((url("database", "_replicator"), {"mode": "json", "prefix": docid}),
                               (url("document", "_replicator", docid=docid), {}),
                               (url("document-edit", "_replicator", docid=docid), {"mode": "text"})):
            page = admin_client.get(address, query).content.decode()
            assert docid in unescape(page) and not secrets_in(unescape(page)), address
    finally:
        http = couch_server.admin_http()
        doc_url = f"{couch_server.url}_replicator/{requests.utils.quote(docid, safe='')}"
        http.delete(doc_url, params={"rev": http.get(doc_url, timeout=10).json()["_rev"]}, timeout=10)


def test_the_document_page_and_its_download_show_no_secret(admin_client, repdb, stored):
    page = admin_client.get(url("document", repdb, docid="rep-1"))
    assert page.status_code == 200 and HIDDEN in unescape(page.content.decode())
    assert not secrets_in(unescape(page.content.decode()))
    download = admin_client.get(url("document", repdb, docid="rep-1"), {"download": "json"}).content.decode()
    assert json.loads(download)["source"]["auth"]["basic"]["password"] == HIDDEN and not secrets_in(download)


@pytest.mark.parametrize("mode", ["form", "text"])
def test_the_edit_page_shows_no_secret(admin_client, repdb, stored, mode):
    page = admin_client.get(url("document-edit", repdb, docid="rep-1"), {"mode": mode}).content.decode()
    assert HIDDEN in unescape(page) and not secrets_in(unescape(page))
    assert 'data-testid="secrets-hidden"' in page


@pytest.mark.parametrize("mode", ["form", "text"])
def test_saving_an_edit_keeps_the_secrets_left_hidden(admin_client, repdb, stored, couch_server, mode):
    page = admin_client.get(url("document-edit", repdb, docid="rep-1"), {"mode": mode}).content.decode()
    data = posted_fields(page)
    if mode == "text":
        data["text"] = data["text"].replace('"note": "x"', '"note": "edited"')
    else:
        note = next(k[:-2] for k, v in data.items() if k.endswith(":k") and v == "note")
        data[note + ":v"] = "edited"
    response = admin_client.post(url("document-edit", repdb, docid="rep-1"), {**data, "save": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    now = fetch_document(couch_server, repdb, "rep-1")
    expected = replication_doc(couch_server)
    assert now["note"] == "edited" and now["source"] == expected["source"] and now["target"] == expected["target"]


def test_a_typed_new_password_replaces_the_stored_one(admin_client, repdb, stored, couch_server):
    page = admin_client.get(url("document-edit", repdb, docid="rep-1"), {"mode": "form"}).content.decode()
    data = posted_fields(page)
    password = next(k[:-2] for k, v in data.items() if k.endswith(":k") and v == "password")
    assert data[password + ":v"] == HIDDEN
    data[password + ":v"] = "typed-anew"
    assert admin_client.post(url("document-edit", repdb, docid="rep-1"), {**data, "save": "1"}).status_code == 302
    now = fetch_document(couch_server, repdb, "rep-1")
    assert now["source"]["auth"]["basic"]["password"] == "typed-anew"
    assert now["source"]["headers"] == replication_doc(couch_server)["source"]["headers"]


def test_a_conflict_and_a_merge_by_hand_show_no_secret_and_keep_it(admin_client, repdb, stored, couch_server):
    page = admin_client.get(url("document-edit", repdb, docid="rep-1"), {"mode": "text"}).content.decode()
    data = posted_fields(page)
    data["text"] = data["text"].replace('"note": "x"', '"note": "mine"')
    theirs = {**replication_doc(couch_server), "other": "theirs", "_rev": stored}
    theirs["source"]["auth"]["basic"]["password"] = SECRET + "-theirs"
    put_document(couch_server, repdb, "rep-1", theirs)
    conflict = admin_client.post(url("document-edit", repdb, docid="rep-1"), {**data, "save": "1"})
    assert conflict.status_code == 409 and not secrets_in(unescape(conflict.content.decode()))
    merge = admin_client.post(url("document-edit", repdb, docid="rep-1"), {**data, "switch": "merge"})
    assert merge.status_code == 200 and not secrets_in(unescape(merge.content.decode()))
    merged_text = posted_fields(merge.content.decode())
    assert admin_client.post(url("document-edit", repdb, docid="rep-1"),
                             {**merged_text, "save": "1"}).status_code == 302
    now = fetch_document(couch_server, repdb, "rep-1")
    # The merge by hand started from their revision: their password stays, the edit is saved.
    assert now["note"] == "mine" and now["source"]["auth"]["basic"]["password"] == SECRET + "-theirs"
    assert now["target"] == replication_doc(couch_server)["target"]


def test_the_three_way_merge_after_a_conflict_keeps_the_secrets(admin_client, repdb, stored, couch_server):
    page = admin_client.get(url("document-edit", repdb, docid="rep-1"), {"mode": "text"}).content.decode()
    data = posted_fields(page)
    data["text"] = data["text"].replace('"note": "x"', '"note": "mine"')
    theirs_rev = put_document(couch_server, repdb, "rep-1",
                              {**replication_doc(couch_server), "other": "theirs", "_rev": stored})
    saved = admin_client.post(url("document-edit", repdb, docid="rep-1"),
                              {**data, "save": "1", "merge_theirs_rev": theirs_rev})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    now = fetch_document(couch_server, repdb, "rep-1")
    assert now["note"] == "mine" and now["other"] == "theirs"
    assert now["source"] == replication_doc(couch_server)["source"] and URL_SECRET in now["target"]


def test_revisions_and_deleted_documents_show_no_secret(admin_client, repdb, stored, couch_server):
    second = put_document(couch_server, repdb, "rep-1", {**replication_doc(couch_server), "_rev": stored, "v": 2})
    page = admin_client.get(url("document-revisions", repdb, docid="rep-1"), {"rev": stored}).content.decode()
    assert stored in page and not secrets_in(unescape(page))
    couch_server.admin_http().delete(f"{couch_server.url}{requests.utils.quote(repdb, safe='')}/rep-1",
                                     params={"rev": second}, timeout=10).raise_for_status()
    listing = admin_client.get(reverse("browser:deleted-documents", kwargs={"db": repdb})).content.decode()
    assert "rep-1" in listing and not secrets_in(unescape(listing))
    one = admin_client.get(reverse("browser:deleted-document", kwargs={"db": repdb, "docid": "rep-1"}))
    assert one.status_code == 200 and not secrets_in(unescape(one.content.decode()))


def test_the_conflicts_page_shows_no_secret_and_a_typed_merge_keeps_it(admin_client, repdb, stored, couch_server):
    other = {**replication_doc(couch_server), "_id": "rep-1", "_rev": "1-" + "f" * 32, "branch": "b"}
    other["source"]["auth"]["basic"]["password"] = SECRET + "-b"
    couch_server.admin_http().post(f"{couch_server.url}{requests.utils.quote(repdb, safe='')}/_bulk_docs",
                                   json={"docs": [other], "new_edits": False}, timeout=10).raise_for_status()
    page = admin_client.get(url("document-conflicts", repdb, docid="rep-1"))
    text = unescape(page.content.decode())
    assert page.status_code == 200 and "1-" + "f" * 32 in text and not secrets_in(text)
    fields = posted_fields(page.content.decode())
    merged = json.loads(fields["merged"])
    merged["note"] = "merged"
    winner = fetch_document(couch_server, repdb, "rep-1")["_rev"]
    leaves = sorted({stored, "1-" + "f" * 32})
    response = admin_client.post(url("document-conflicts", repdb, docid="rep-1"),
                                 {"keep": winner, "merged": json.dumps(merged), "seen": leaves})
    assert response.status_code == 302, unescape(response.content.decode())[:3000]
    now = fetch_document(couch_server, repdb, "rep-1")
    winner_doc = replication_doc(couch_server) if winner == stored else other
    assert now["note"] == "merged" and now["source"]["auth"] == winner_doc["source"]["auth"]


@pytest.mark.parametrize("order", ["newest", "oldest"])
def test_changes_with_documents_show_no_secret(admin_client, repdb, stored, order):
    query = {"include_docs": "on"} if order == "newest" else {"include_docs": "on", "order": "oldest", "since": "0"}
    page = admin_client.get(url("changes", repdb), query).content.decode()
    assert "rep-1" in page and HIDDEN in unescape(page) and not secrets_in(unescape(page))


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_exports_in_every_format_show_no_secret(admin_client, repdb, stored, fmt):
    fields = "_id,source.auth.basic.password,source.headers.Authorization,target" if fmt == "csv" else ""
    for selector in ("", '{"_id": {"$gt": null}}'):
        response = admin_client.get(url("export", repdb), {"format": fmt, "fields": fields, "selector": selector,
                                                           "include_design": "on", "csv_values": "spreadsheet"})
        body = b"".join(response.streaming_content).decode()
        assert response.status_code == 200 and "rep-1" in body and not secrets_in(body), body
        if fmt == "csv":
            row = list(csv.reader(io.StringIO(body)))[1]
            assert row[1:3] == [HIDDEN, HIDDEN] and row[3] == "http://127.0.0.1:9/ca-elsewhere"


def test_mango_results_show_no_secret(admin_client, repdb, stored):
    for mode in ("table", "json"):
        response = admin_client.post(url("mango", repdb), {"selector": '{"_id": {"$gt": null}}', "action": "run",
                                                           "mode": mode, "limit": "20"})
        text = unescape(response.content.decode())
        assert response.status_code == 200 and "rep-1" in text and not secrets_in(text), text[-3000:]


def test_view_results_show_no_secret(admin_client, repdb, stored, couch_server):
    view = {"map": "function (doc) { emit(doc.target, doc); }"}
    put_document(couch_server, repdb, "_design/v", {"views": {"all": view}})
    response = admin_client.get(reverse("browser:view-run", kwargs={"db": repdb, "ddoc": "v"}),
                                {"view": "all", "include_docs": "on"})
    text = unescape(response.content.decode())
    assert response.status_code == 200 and "rep-1" in text and not secrets_in(text), text[-3000:]
