"""A CouchDB slower than the dashboard waits is slow, not down (issue 24, item 4): the page says CouchDB is taking
longer than N seconds and the work may still complete, says what to do, and, after a write, reads the document
again to say whether it happened; "unavailable" is kept for a connection refused or failed. The slowness is real:
a proxy holds CouchDB's requests or answers (tests/support/slow_couchdb.py) while CouchDB does the work."""

import re
import socket
from html import unescape

import pytest
import requests
from django.test import override_settings
from django.urls import reverse

from browser.couch import jsontext
from browser.couch.documents import attachment_bytes
from tests.conftest import fetch_document, put_document
from tests.support.design_form import view_rows
from tests.test_audit_chain import outcomes

WAIT = 0.5  # the dashboard's COUCHDB_TIMEOUT in these tests
SLOW = 2.0  # how long CouchDB "takes"


@pytest.fixture
def db(make_database):
    return make_database()


def through(proxy, timeout=WAIT):
    return override_settings(COUCHDB_URL=proxy.url, COUCHDB_TIMEOUT=timeout)


def page_of(response):
    return unescape(response.content.decode())


def edit_url(db, docid):
    return reverse("browser:document-edit", kwargs={"db": db, "docid": docid})


def text_edit(rev, text, **extra):
    return {"mode": "text", "base_rev": rev, "text": text, **extra}


# --- reading: the pages say "taking longer", with what to do -----------------------------------------------------


def test_a_slow_read_says_couchdb_is_taking_longer_not_that_it_is_unavailable(admin_client, db, couch_server,
                                                                               slow_couchdb):
    put_document(couch_server, db, "big-one", {"v": 1})
    slow_couchdb.slow("GET", "/big-one", after=SLOW)
    url = reverse("browser:document-edit", kwargs={"db": db, "docid": "big-one"})
    with through(slow_couchdb):
        response = admin_client.get(url)
    page = page_of(response)
    assert response.status_code == 504
    assert "CouchDB is taking longer than 0.5 seconds to answer; the work may still complete in CouchDB." in page
    assert "unavailable" not in page.lower() and "cannot reach" not in page
    assert "Wait a moment and try again" in page
    assert f'href="{url}" data-testid="ask-again"' in page


def test_a_refused_connection_is_still_unavailable(admin_client):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with override_settings(COUCHDB_URL=f"http://127.0.0.1:{port}/"):
        response = admin_client.get(reverse("browser:server"))
    page = page_of(response)
    assert response.status_code == 503
    assert "CouchDB is unavailable" in page and "the connection was refused" in page
    assert "taking longer" not in page


def says_slow_not_down(page):
    return "taking longer than 0.5 seconds" in page and not re.search(
        r"unavailable|unreachable|cannot be reached|\bis down\b", page, re.IGNORECASE)


def test_a_slow_document_list_points_at_the_nodes_and_keeps_the_filters(admin_client, db, slow_couchdb):
    slow_couchdb.slow("GET", "/_all_docs", after=SLOW)
    url = reverse("browser:database", kwargs={"db": db}) + "?jump=order-&size=50&mode=json"
    with through(slow_couchdb):
        response = admin_client.get(url)
    page = page_of(response)
    assert response.status_code == 504 and says_slow_not_down(page)
    assert "one slow or overloaded node holds up the list" in page
    assert 'name="jump" value="order-"' in page and '<option value="50" selected>' in page
    assert f'href="{url}" data-testid="ask-again"'.replace("&", "&amp;") in response.content.decode()


def test_a_slow_document_list_asked_by_htmx_answers_its_rows_with_the_words(admin_client, db, slow_couchdb):
    # htmx leaves an error answer unshown unless it names its swap (static/js/app.js shows those).
    slow_couchdb.slow("GET", "/_all_docs", after=SLOW)
    with through(slow_couchdb):
        response = admin_client.get(reverse("browser:database", kwargs={"db": db}), {"jump": "order-"},
                                    HTTP_HX_REQUEST="true")
    page = page_of(response)
    assert response.status_code == 504 and response["HX-Reswap"] == "innerHTML"
    assert says_slow_not_down(page) and 'data-testid="slow"' in page
    assert "<html" not in page  # the rows' fragment, not a whole page


def test_a_view_building_its_index_says_so_keeps_the_query_and_offers_the_index_as_it_stands(
        admin_client, db, couch_server, slow_couchdb):
    put_document(couch_server, db, "_design/d", {"views": {"v": {"map": "function (doc) { emit(doc._id, 1); }"}}})
    slow_couchdb.slow("GET", "/_view/v", after=SLOW)
    url = reverse("browser:view-run", kwargs={"db": db, "ddoc": "d"}) + "?view=v&limit=7&descending=on"
    with through(slow_couchdb):
        response = admin_client.get(url)
    page = page_of(response)
    assert response.status_code == 504 and says_slow_not_down(page)
    assert "builds or brings up to date a view's index" in page and "Active tasks" in page
    assert 'name="limit" value="7"' in page and re.search(r'name="descending"[^>]*checked', page)
    assert 'data-testid="view-map">function (doc) { emit(doc._id, 1); }' in page
    link = re.search(r'href="([^"]+)" data-testid="read-as-it-stands"', page).group(1)
    assert "update=false" in link and "limit=7" in link


# --- Mango: the query is kept, and the page says why it may be slow ----------------------------------------------


def says_still_running(page):
    return ("Your query is still running in CouchDB after 0.5 s: this page stopped waiting, and CouchDB will finish "
            "it." in page and not re.search(r"unavailable|unreachable|cannot be reached|\bis down\b", page,
                                             re.IGNORECASE))


def slow_mango_query(client, db, proxy, **fields):
    """The Mango page's answer to a query of fruit whose _find CouchDB answers late."""
    proxy.slow("POST", "/_find", after=SLOW)
    with through(proxy):
        response = client.post(reverse("browser:mango", kwargs={"db": db}),
                               {"selector": '{"type": "fruit"}', "limit": "10", **fields})
    return response, page_of(response)


def test_a_slow_unindexed_mango_query_is_still_running_keeps_the_query_and_offers_an_index(
        admin_client, db, couch_server, slow_couchdb):
    put_document(couch_server, db, "apple", {"type": "fruit"})
    response, page = slow_mango_query(admin_client, db, slow_couchdb, action="run")
    assert response.status_code == 504 and says_still_running(page)
    assert "It reads every document, as no index fits it; an index makes it fast." in page
    assert "This query scans every document" in page and "Create this index and run again" in page
    assert '>{"type": "fruit"}</textarea>' in page


def test_a_confirmed_full_scan_that_outlasts_the_page_is_said_still_running(admin_client, db, couch_server,
                                                                            slow_couchdb):
    for number in range(3):
        put_document(couch_server, db, f"doc-{number}", {"type": "fruit"})
    with override_settings(MANGO_FULL_SCAN_CONFIRM_ABOVE=2):
        response, page = slow_mango_query(admin_client, db, slow_couchdb, full_scan="on")
    assert response.status_code == 504 and says_still_running(page)
    assert "This query scans every document" in page and '>{"type": "fruit"}</textarea>' in page


def test_a_slow_indexed_mango_query_names_the_index_it_waits_for(admin_client, db, couch_server, slow_couchdb):
    put_document(couch_server, db, "apple", {"type": "fruit"})
    http = couch_server.admin_http()
    http.post(f"{couch_server.url}{db}/_index", json={"index": {"fields": ["type"]}, "name": "by-type",
                                                      "ddoc": "by-type"}, timeout=10).raise_for_status()
    response, page = slow_mango_query(admin_client, db, slow_couchdb, use_index="by-type")
    assert response.status_code == 504 and says_still_running(page)
    assert "It uses the index “by-type”, which CouchDB builds or brings up to date before it answers" in page
    assert 'data-testid="explain-index">_design/by-type / by-type</code>' in page


# --- writing: the edit is kept, and the document is read again to say whether it was saved -----------------------


def test_a_slow_save_keeps_the_edit_says_it_is_not_saved_yet_and_saving_again_finds_it_saved(
        admin_client, db, couch_server, slow_couchdb):
    rev = put_document(couch_server, db, "slow-save", {"v": 1})
    slow_couchdb.slow("PUT", "/slow-save", before=SLOW)  # CouchDB starts the write after the dashboard gave up
    with through(slow_couchdb):
        response = admin_client.post(edit_url(db, "slow-save"), text_edit(rev, '{"v": 2}'))
    page = page_of(response)
    assert response.status_code == 504
    assert "CouchDB is taking longer than 0.5 seconds" in page
    assert f"It is not saved yet: the document is still at revision {rev}" in page
    assert '{"v": 2}' in page  # the edit is kept
    assert "unavailable" not in page.lower()

    slow_couchdb.wait_until_done("PUT", "/slow-save")  # the work went on in CouchDB
    stored = fetch_document(couch_server, db, "slow-save")
    assert stored["v"] == 2 and stored["_rev"].startswith("2-")

    slow_couchdb.clear()
    with through(slow_couchdb):
        again = admin_client.post(edit_url(db, "slow-save"), text_edit(rev, '{"v": 2}'), follow=True)
    assert f"“slow-save” already holds your edit, as revision {stored['_rev']}" in page_of(again)
    assert fetch_document(couch_server, db, "slow-save")["_rev"] == stored["_rev"]  # written once


def test_a_save_whose_answer_is_slow_is_read_back_and_said_saved(admin_client, db, couch_server, slow_couchdb):
    rev = put_document(couch_server, db, "late-answer", {"v": 1})
    slow_couchdb.slow("PUT", "/late-answer", after=SLOW)  # written at once, answered late
    with through(slow_couchdb):
        response = admin_client.post(edit_url(db, "late-answer"), text_edit(rev, '{"v": 2.50}'), follow=True)
    stored = fetch_document(couch_server, db, "late-answer")
    assert stored["_rev"].startswith("2-")
    assert (f"Saved “late-answer” as revision {stored['_rev']} (CouchDB took longer than 0.5 seconds to say so)"
            in page_of(response))


def test_a_slow_save_that_someone_else_overtook_says_the_document_changed(admin_client, db, couch_server,
                                                                          slow_couchdb):
    rev = put_document(couch_server, db, "overtaken", {"v": 1})
    slow_couchdb.slow("PUT", "/overtaken", before=SLOW)
    theirs = put_document(couch_server, db, "overtaken", {"_rev": rev, "v": "theirs"})
    with through(slow_couchdb):
        response = admin_client.post(edit_url(db, "overtaken"), text_edit(rev, '{"v": "mine"}'))
    page = page_of(response)
    assert response.status_code == 504
    assert f"The document changed meanwhile (now revision {theirs}), but not to your edit" in page
    assert '{"v": "mine"}' in page


def test_a_slow_new_document_keeps_its_id_so_creating_it_again_makes_no_second_copy(
        admin_client, db, couch_server, slow_couchdb):
    slow_couchdb.slow("PUT", f"/{db}/", before=SLOW)
    url = reverse("browser:document-new", kwargs={"db": db})
    with through(slow_couchdb):
        response = admin_client.post(url, {"mode": "text", "text": '{"kind": "order"}', "docid": ""})
    page = page_of(response)
    assert response.status_code == 504
    assert "It is not created yet" in page and '{"kind": "order"}' in page
    docid = re.search(r'name="docid"[^>]*value="([^"]+)"', page).group(1)
    assert f"there is no document “{docid}” with your fields" in page

    slow_couchdb.wait_until_done("PUT", f"/{docid}")
    slow_couchdb.clear()
    with through(slow_couchdb):
        again = admin_client.post(url, {"mode": "text", "text": '{"kind": "order"}', "docid": docid}, follow=True)
    assert f"Created “{docid}”" in page_of(again)
    rows = couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", timeout=10).json()["rows"]
    assert [row["id"] for row in rows] == [docid]


def test_a_document_holding_large_attachments_gets_a_longer_wait_to_save(admin_client, db, couch_server,
                                                                         slow_couchdb):
    rev = put_document(couch_server, db, "with-video", {"v": 1})
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/with-video/video.bin", params={"rev": rev},
                                           data=b"\0" * 5_000_000, headers={"Content-Type": "video/mp4"},
                                           timeout=60)
    rev = answer.json()["rev"]
    stubs = fetch_document(couch_server, db, "with-video")["_attachments"]
    # 5 MB: three seconds for the write, where the usual wait is half a second.
    slow_couchdb.slow("PUT", "/with-video", after=1.5)
    with through(slow_couchdb):
        response = admin_client.post(edit_url(db, "with-video"),
                                     text_edit(rev, '{"v": 2}', attachments=requests.compat.json.dumps(stubs)))
    assert response.status_code == 302
    stored = fetch_document(couch_server, db, "with-video")
    assert stored["v"] == 2 and "video.bin" in stored["_attachments"]


def test_the_bytes_a_document_holds_are_counted_from_its_stubs_whatever_they_say():
    stubs = jsontext.loads('{"a": {"length": 200000000}, "b": {"length": "x"}, "c": "junk", "d": {"length": true},'
                           ' "e": {"length": 5}, "f": {}}')
    assert attachment_bytes(stubs) == 200_000_005
    assert attachment_bytes(None) == attachment_bytes([1]) == 0


def test_a_slow_design_save_keeps_the_text_and_says_to_look_before_saving_again(admin_client, db, couch_server,
                                                                                slow_couchdb):
    put_document(couch_server, db, "_design/rules", {"views": {}})
    rev = fetch_document(couch_server, db, "_design/rules")["_rev"]
    typed = "function (doc) { emit('kept', 1); }"
    slow_couchdb.slow("PUT", "/_design/rules", before=SLOW)
    with through(slow_couchdb):
        answer = admin_client.post(reverse("browser:design-edit", kwargs={"db": db, "ddoc": "rules"}), {
            "rev": rev, **view_rows({"name": "kept", "map": typed}), "validate_doc_update": ""})
    page = unescape(answer.content.decode())
    assert answer.status_code == 504 and typed in page and "taking longer than" in page
    assert "see whether it is saved before you save it again" in page


def test_a_slow_audited_action_is_recorded_as_of_unknown_outcome(admin_client, db, couch_server, slow_couchdb):
    slow_couchdb.slow("POST", "/_compact", after=SLOW)
    with through(slow_couchdb):
        admin_client.post(reverse("browser:maintenance", kwargs={"db": db}), {"action": "compact"})
    found = outcomes(couch_server, "maintenance.compact", db)
    assert found[-1]["result"] == "unknown" and "may still have been done" in found[-1]["reason"]


def test_a_slow_login_says_couchdb_is_busy_not_down(client, personas, slow_couchdb):
    slow_couchdb.slow("POST", "/_session", after=SLOW)
    with through(slow_couchdb):
        answer = client.post(reverse("browser:login"), {"username": personas["member"].name,
                                                        "password": personas["member"].password})
    page = unescape(answer.content.decode())
    assert "is taking longer than" in page and "busy, not down" in page and "cannot be reached" not in page
