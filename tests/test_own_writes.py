"""A person's own writes, read back (issue 30). On a cluster the document list and the deleted documents are
read from one copy of each shard, which may not hold what the person has just written. The dashboard
remembers their writes briefly, reads those few documents back at quorum and shows the list as a quorum
holds them, or says that the other copies are still catching up; the document's page says when their save
has become a conflicting revision. The lagging copies are real databases (tests/support/lagging_copy.py):
these tests run alike on one node, on a cluster and on pouchdb-server."""

import re
from html import unescape

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from browser import own_writes
from browser.audit_trail import audit_writer
from browser.couch.documents import RecentWrite
from tests.conftest import bulk_docs, fetch_document, log_in, put_document
from tests.support.eventually import eventually
from tests.support.lagging_copy import FewCopies, LaggingCopy


@pytest.fixture(autouse=True)
def _audit_writer_logged_in_to_the_server():
    """The process's audit writer keeps the client it first logged in with: have it log in to the test server
    before a proxy stands in front of it (logged in through a proxy closed after the test, it would record
    nothing for the tests after this one)."""
    writer = audit_writer()
    if writer is not None:
        assert writer.problem() == ""


@pytest.fixture
def db(make_database):
    return make_database()


@pytest.fixture
def lagging(couch_server):
    proxy = LaggingCopy(couch_server)
    yield proxy
    proxy.close()
    proxy.drop()


def through(proxy):
    return override_settings(COUCHDB_URL=proxy.url)


def listed(client, db, **query):
    """(id, rev) of each row of the document list, and the page."""
    page = unescape(client.get(reverse("browser:database", kwargs={"db": db}), query).content.decode())
    rows = re.findall(r'<tr data-id="([^"]*)"><td><input type="checkbox" name="selected" value="([^ "]*) ', page)
    return [(docid, rev) for docid, rev in rows], page


def deleted_listed(client, db):
    page = unescape(client.get(reverse("browser:deleted-documents", kwargs={"db": db})).content.decode())
    body = page.split('id="deleted-rows"', 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td><a href="[^"]*/deleted-doc/[^"]*">([^<]*)</a></td>', body), page


def notice(page):
    found = re.search(r'<p class="note" role="status" data-testid="catching-up">(.*?)</p>', page, re.S)
    return " ".join(found.group(1).split()) if found else None


def new_document(client, db, docid, text):
    answer = client.post(reverse("browser:document-new", kwargs={"db": db}),
                         {"docid": docid, "mode": "text", "text": text})
    assert answer.status_code == 302, answer.content[:500]


def save_text(client, db, docid, base_rev, text):
    answer = client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": docid}),
                         {"mode": "text", "base_rev": base_rev, "text": text, "save": "1"})
    assert answer.status_code == 302, answer.content[:500]


def delete(client, db, docid, rev):
    answer = client.post(reverse("browser:document-delete", kwargs={"db": db, "docid": docid}), {"rev": rev})
    assert answer.status_code == 302, answer.content[:500]


def test_the_list_agrees_with_the_persons_own_create_save_and_delete(admin_client, db, couch_server, lagging,
                                                                     personas):
    revs = {docid: put_document(couch_server, db, docid, {"n": n}) for n, docid in enumerate(("a", "b", "c"))}
    lagging.freeze(db)
    with through(lagging):
        new_document(admin_client, db, "d", '{"n": 3}')
        save_text(admin_client, db, "b", revs["b"], '{"n": 1, "edited": true}')
        delete(admin_client, db, "a", revs["a"])
        rows, page = listed(admin_client, db)
        assert rows == [("b", fetch_document(couch_server, db, "b")["_rev"]), ("c", revs["c"]),
                        ("d", fetch_document(couch_server, db, "d")["_rev"])]
        assert notice(page) == ("Other copies of this database are still catching up with your changes to “a”, "
                                "“b”, “d”: this list shows them as most copies already hold them.")
        # Someone else, who wrote nothing, meets the lagging copy as it is.
        other, _ = listed(log_in(Client(), personas["admin"]), db)
        assert other == [("a", revs["a"]), ("b", revs["b"]), ("c", revs["c"])]


def test_once_every_copy_has_caught_up_the_list_says_nothing(admin_client, db, couch_server):
    put_document(couch_server, db, "kept", {})
    new_document(admin_client, db, "mine", '{"x": 1}')
    # On one node at once; on a cluster, once the copy the list is read from has the write.
    rows, page = eventually(lambda: listed(admin_client, db), until=lambda found: notice(found[1]) is None)
    assert [docid for docid, _ in rows] == ["kept", "mine"] and notice(page) is None


def test_a_bulk_delete_is_read_back_on_the_list(admin_client, db, couch_server, lagging):
    revs = {docid: put_document(couch_server, db, docid, {}) for docid in ("x1", "x2", "x3")}
    lagging.freeze(db)
    with through(lagging):
        answer = admin_client.post(reverse("browser:bulk-delete", kwargs={"db": db}),
                                   {"selected": [f"{revs['x1']} x1", f"{revs['x3']} x3"], "confirmed": "yes"})
        assert answer.status_code == 200 and "fewer copies" not in answer.content.decode()
        rows, page = listed(admin_client, db)
    assert rows == [("x2", revs["x2"])]
    assert "“x1”" in notice(page) and "“x3”" in notice(page)


def test_a_write_not_even_a_quorum_holds_yet_is_said_to_be_catching_up(admin_client, db, couch_server, lagging):
    put_document(couch_server, db, "old", {})
    lagging.freeze(db)
    lagging.quorum_lags = True  # as when CouchDB stored the write on fewer copies than the read meets
    with through(lagging):
        new_document(admin_client, db, "new", '{"x": 1}')
        rows, page = listed(admin_client, db)
    rev = fetch_document(couch_server, db, "new")["_rev"]
    assert [docid for docid, _ in rows] == ["old"]
    assert notice(page) == ("Other copies of this database are still catching up: not shown yet, as not even "
                            f"most copies hold it: your change to “new” (revision {rev}). Reload in a moment.")


def test_only_the_page_a_write_belongs_on_changes(admin_client, db, couch_server, lagging):
    even = [f"d{n:03d}" for n in range(0, 120, 2)]  # d000, d002, … d118: three pages of 20
    bulk_docs(couch_server, db, [{"_id": docid} for docid in even])
    lagging.freeze(db)
    with through(lagging):
        new_document(admin_client, db, "d005", '{"x": 1}')
        new_document(admin_client, db, "d115", '{"x": 1}')
        first, first_page = listed(admin_client, db)
        second, second_page = listed(admin_client, db, start="d040")
        descending, _ = listed(admin_client, db, order="desc")
    assert [docid for docid, _ in first] == ["d000", "d002", "d004", "d005", *even[3:19]]
    assert "start=d038" in first_page and "“d005”" in notice(first_page)  # the row pushed off starts the next page
    assert [docid for docid, _ in second] == even[20:40] and notice(second_page) is None
    assert [docid for docid, _ in descending][:3] == ["d118", "d116", "d115"]


def test_the_deleted_page_lists_the_persons_own_deletion_and_offers_its_restore(admin_client, db, couch_server,
                                                                              lagging):
    put_document(couch_server, db, "older", {})
    rev = put_document(couch_server, db, "gone", {"name": "Ada"})
    lagging.freeze(db)
    with through(lagging):
        delete(admin_client, db, "gone", rev)
        ids, page = deleted_listed(admin_client, db)
        assert ids == ["gone"] and "Ada" in page and 'aria-label="Restore gone"' in page
        assert notice(page) == ("Other copies of this database are still catching up with your change to “gone”: "
                                "this list shows it as most copies already hold it.")


def test_a_restored_document_leaves_the_deleted_page(admin_client, db, couch_server, lagging):
    rev = put_document(couch_server, db, "back", {"v": 1})
    tomb = couch_server.admin_http().delete(f"{couch_server.url}{db}/back", params={"rev": rev}).json()["rev"]
    lagging.freeze(db)
    with through(lagging):
        restored = admin_client.post(reverse("browser:deleted-document", kwargs={"db": db, "docid": "back"}),
                                     {"rev": tomb})
        assert restored.status_code == 302
        ids, page = deleted_listed(admin_client, db)
    assert ids == [] and "“back”" in notice(page)
    assert fetch_document(couch_server, db, "back")["v"] == 1


def test_a_save_that_lost_to_another_edit_is_reported_on_the_documents_page(admin_client, db, couch_server):
    base = put_document(couch_server, db, "doc", {"v": 0})
    save_text(admin_client, db, "doc", base, '{"v": "mine"}')
    mine = fetch_document(couch_server, db, "doc")["_rev"]
    # An edit made where the save had not reached yet, on the same revision: it arrives later, and wins.
    theirs = "2-" + "f" * 32
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "doc", "_rev": theirs, "v": "theirs", "_revisions": {"start": 2, "ids": ["f" * 32,
                                                                                       base.split("-")[1]]}}]}
                                   ).raise_for_status()
    page = unescape(admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "doc"})).content.decode())
    assert 'data-testid="own-save-conflict"' in page and f"revision {mine}" in page.replace("<code>", "").replace(
        "</code>", "")
    assert reverse("browser:document-conflicts", kwargs={"db": db, "docid": "doc"}) in page


@pytest.mark.couchdb3  # pouchdb-server keeps one copy and ignores w: it never answers 202
def test_writes_couchdb_stored_on_fewer_copies_than_it_asks_for_are_said_so(admin_client, db, couch_server):
    revs = {docid: put_document(couch_server, db, docid, {"v": 1}) for docid in ("doc", "gone", "b1", "b2")}
    proxy = FewCopies(couch_server)
    try:
        with through(proxy):
            answer = admin_client.post(reverse("browser:document-edit", kwargs={"db": db, "docid": "doc"}),
                                       {"mode": "text", "base_rev": revs["doc"], "text": '{"v": 2}', "save": "1"},
                                       follow=True)
            assert "Saved “doc” as revision 2-" in unescape(answer.content.decode())
            assert own_writes.FEWER_COPIES in unescape(answer.content.decode())
            answer = admin_client.post(reverse("browser:document-new", kwargs={"db": db}),
                                       {"docid": "new", "mode": "text", "text": '{"v": 1}'}, follow=True)
            assert "Created “new”" in unescape(answer.content.decode())
            assert own_writes.FEWER_COPIES in unescape(answer.content.decode())
            answer = admin_client.post(reverse("browser:document-delete", kwargs={"db": db, "docid": "gone"}),
                                       {"rev": revs["gone"]}, follow=True)
            assert "Deleted “gone”." in unescape(answer.content.decode())
            assert own_writes.FEWER_COPIES in unescape(answer.content.decode())
            answer = admin_client.post(reverse("browser:bulk-delete", kwargs={"db": db}),
                                       {"selected": [f"{revs['b1']} b1", f"{revs['b2']} b2"], "confirmed": "yes"})
            assert answer.content.decode().count('data-testid="fewer-copies"') == 2
            assert own_writes.FEWER_COPIES in unescape(answer.content.decode())
    finally:
        proxy.close()
    # Accepted is stored: on one node the only copy has each write, on a cluster each copy gets it.
    assert fetch_document(couch_server, db, "doc")["v"] == 2 and fetch_document(couch_server, db, "new")["v"] == 1
    for docid in ("gone", "b1", "b2"):
        assert fetch_document(couch_server, db, docid).get("reason") == "deleted"


def test_writes_are_remembered_briefly_per_database_newest_first(rf, monkeypatch):
    request = rf.get("/")
    request.session = {}
    clock = [1000.0]
    monkeypatch.setattr(own_writes.time, "time", lambda: clock[0])
    own_writes.remember(request, "one", [RecentWrite("a", "1-a")])
    own_writes.remember(request, "one", [RecentWrite("b", "1-b"), RecentWrite("a", "2-a", deleted=True)])
    assert own_writes.recent(request, "one") == [RecentWrite("b", "1-b"), RecentWrite("a", "2-a", deleted=True)]
    for n in range(own_writes.KEPT_DATABASES):
        own_writes.remember(request, f"db{n}", [RecentWrite("x", "1-x")])
    assert own_writes.recent(request, "one") == []  # the oldest database is no longer remembered
    clock[0] += own_writes.KEPT_SECONDS
    assert own_writes.recent(request, f"db{own_writes.KEPT_DATABASES - 1}") == []
    request.session[own_writes.SESSION_KEY] = {"one": [["a", 1, "not", None, "x"]], "two": "garbage"}
    assert own_writes.recent(request, "one") == [] and own_writes.recent(request, "two") == []
