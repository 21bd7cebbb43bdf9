"""Deleted documents against the real server: the list (newest and oldest first, paged, bounded reads on a
database of thousands of deletions), the last body, restore in one post as a new revision on top of the
tombstone (attachments and exact numbers kept), hostile and design ids, re-created documents left alone,
compacted bodies said plainly, and rights."""

import re
from html import unescape

import pytest
import requests
from django.urls import reverse

from browser.couch import deleted as service
from browser.couch import flavour
from browser.couch.client import CouchClient
from browser.visible_text import visible
from tests.conftest import TEAM, fetch_document, log_in, put_document
from tests.support.audit_log import outcome_records
from tests.support.compaction import compact_until_gone
from tests.support.data import HOSTILE


def doc_url(couch_server, db, docid):
    return f"{couch_server.url}{db}/{requests.utils.quote(docid, safe='')}"


def delete(couch_server, db, docid):
    """Delete as the admin; answers (the deleted rev, the tombstone's rev)."""
    http = couch_server.admin_http()
    rev = http.get(doc_url(couch_server, db, docid), timeout=10).json()["_rev"]
    # w=3: on a cluster every copy has the tombstone before the page lists deleted documents from one copy.
    answer = http.delete(doc_url(couch_server, db, docid), params={"rev": rev, "w": 3}, timeout=10)
    answer.raise_for_status()
    return rev, answer.json()["rev"]


def bulk(couch_server, db, docs):
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}, timeout=120)
    answer.raise_for_status()
    return answer.json()


def list_url(db, query=""):
    return reverse("browser:deleted-documents", kwargs={"db": db}) + (f"?{query}" if query else "")


def detail_url(db, docid):
    return reverse("browser:deleted-document", kwargs={"db": db, "docid": docid})


def listed_ids(html):
    body = html.split('id="deleted-rows"', 1)[1].split("</tbody>", 1)[0]
    return [unescape(i) for i in re.findall(r'<td><a href="[^"]*/deleted-doc/[^"]*">([^<]*)</a></td>', body)]


def restore_forms(html):
    """(action, rev) of every Restore button on the page."""
    return [(unescape(a), r) for a, r in re.findall(
        r'<form method="post" action="([^"]+)">\s*<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">'
        r'\s*<input type="hidden" name="rev" value="([^"]+)">', html)]


def link(html, rel):
    match = re.search(r'<a href="\?([^"]*)" rel="' + rel + '"', html)
    return unescape(match.group(1)) if match else None


def number(rev):
    return int(rev.split("-", 1)[0])


@pytest.fixture
def db(make_database):
    return make_database()


def test_a_deleted_document_is_listed_and_restored_in_one_post_as_a_new_revision(admin_client, db, couch_server):
    put_document(couch_server, db, "keep-me", {"still": "here"})
    first = put_document(couch_server, db, "oops", {"name": "Ada", "big": 12345678901234567890, "n": 0.1})
    put_document(couch_server, db, "oops", {"_rev": first, "name": "Ada", "big": 12345678901234567890, "n": 0.1,
                                            "version": 2})
    deleted_rev, tomb = delete(couch_server, db, "oops")
    page = admin_client.get(list_url(db))
    assert page.status_code == 200
    html = page.content.decode()
    assert listed_ids(html) == ["oops"]
    assert "&#34;version&#34;:2" in html  # the last body's preview
    [(action, rev)] = restore_forms(html)
    assert rev == tomb and action == detail_url(db, "oops")
    restored = admin_client.post(action, {"rev": rev})
    assert restored.status_code == 302 and restored["Location"] == reverse(
        "browser:document", kwargs={"db": db, "docid": "oops"})
    now = fetch_document(couch_server, db, "oops")
    assert number(now["_rev"]) == number(tomb) + 1 == number(deleted_rev) + 2
    assert {k: v for k, v in now.items() if not k.startswith("_")} == {
        "name": "Ada", "big": now["big"], "n": 0.1, "version": 2}
    if couch_server.is_apache_couchdb:  # pouchdb-server (JavaScript) rounds big integers itself
        raw = requests.get(doc_url(couch_server, db, "oops"), auth=(couch_server.admin.name,
                                                                     couch_server.admin.password), timeout=10).text
        assert '"big":12345678901234567890' in raw
    assert listed_ids(admin_client.get(list_url(db)).content.decode()) == []


def test_attachments_of_the_last_body_come_back_with_it(admin_client, db, couch_server):
    put_document(couch_server, db, "with-files", {"title": "report", "_attachments": {
        "a b?.txt": {"content_type": "text/plain", "data": "aGVsbG8="}}})
    _, tomb = delete(couch_server, db, "with-files")
    detail = admin_client.get(detail_url(db, "with-files")).content.decode()
    assert "a b?.txt" in detail and "restored with it" in detail
    assert admin_client.post(detail_url(db, "with-files"), {"rev": tomb}).status_code == 302
    http = couch_server.admin_http()
    assert http.get(doc_url(couch_server, db, "with-files") + "/" + requests.utils.quote("a b?.txt", safe=""),
                    timeout=10).content == b"hello"


def test_the_detail_page_shows_the_last_body_escaped_and_offers_restore(admin_client, db, couch_server):
    put_document(couch_server, db, "x", {"html": "<script>alert(1)</script>"})
    _, tomb = delete(couch_server, db, "x")
    html = admin_client.get(detail_url(db, "x")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert restore_forms(html) == [(detail_url(db, "x"), tomb)]


def test_hostile_ids_are_listed_and_restorable_and_local_documents_never_appear(admin_client, db, couch_server):
    ids = [i for i in HOSTILE["document_ids"] if not i.startswith("_local/")]
    # Written and deleted in bulk: an id "." or ".." has no URL of its own that requests would send as is.
    written = bulk(couch_server, db, [{"_id": docid, "was": docid} for docid in ids])
    bulk(couch_server, db, [{"_id": d["id"], "_rev": d["rev"], "_deleted": True} for d in written])
    put_document(couch_server, db, "_local/checkpoint", {"seq": 1})
    rev = fetch_document(couch_server, db, "_local/checkpoint")["_rev"]
    couch_server.admin_http().delete(doc_url(couch_server, db, "_local/checkpoint"), params={"rev": rev})
    html = admin_client.get(list_url(db, "order=oldest")).content.decode()
    assert sorted(listed_ids(html)) == sorted(visible(i) for i in ids)  # shown with invisibles named
    forms = restore_forms(html)
    assert len(forms) == len(ids)
    for action, rev in forms:
        assert admin_client.post(action, {"rev": rev}).status_code == 302
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_all_docs", params={"include_docs": "true"},
                                            json={"keys": ids}, timeout=10).json()
    assert [row["doc"]["was"] for row in answer["rows"]] == ids


def test_a_design_document_is_restorable(admin_client, db, couch_server):
    put_document(couch_server, db, "_design/app", {"views": {"all": {"map": "function (doc) { emit(doc._id); }"}}},
                 w=3)
    _, tomb = delete(couch_server, db, "_design/app")
    assert listed_ids(admin_client.get(list_url(db)).content.decode()) == ["_design/app"]
    assert admin_client.post(detail_url(db, "_design/app"), {"rev": tomb}).status_code == 302
    assert "all" in fetch_document(couch_server, db, "_design/app")["views"]


def test_a_document_recreated_meanwhile_is_never_overwritten(admin_client, db, couch_server):
    put_document(couch_server, db, "back", {"v": "old"})
    _, tomb = delete(couch_server, db, "back")
    html = admin_client.get(list_url(db)).content.decode()
    put_document(couch_server, db, "back", {"v": "new"})
    answer = admin_client.post(detail_url(db, "back"), {"rev": tomb}, follow=True)
    text = unescape(answer.content.decode())
    assert "exists again" in text and "nothing was overwritten" in text
    assert fetch_document(couch_server, db, "back")["v"] == "new"
    assert restore_forms(html)  # the list had offered it; the page now says it is not deleted
    assert 'data-testid="not-deleted"' in text


def test_a_document_deleted_again_is_not_restored_from_an_older_deletion(admin_client, db, couch_server):
    put_document(couch_server, db, "twice", {"v": 1})
    _, tomb = delete(couch_server, db, "twice")
    admin_client.post(detail_url(db, "twice"), {"rev": tomb})
    _, second = delete(couch_server, db, "twice")
    text = unescape(admin_client.post(detail_url(db, "twice"), {"rev": tomb}, follow=True).content.decode())
    assert "deleted again" in text
    assert fetch_document(couch_server, db, "twice").get("error") == "not_found"
    assert second in text  # the page shows the latest deletion, with its own Restore


def test_a_race_between_check_and_write_is_a_conflict_in_words(admin_client, db, couch_server, monkeypatch):
    put_document(couch_server, db, "race", {"v": "old"})
    _, tomb = delete(couch_server, db, "race")
    real_save = service.save_document

    def recreated_first(client, *args, **kwargs):
        put_document(couch_server, db, "race", {"v": "someone else"})
        return real_save(client, *args, **kwargs)

    monkeypatch.setattr(service, "save_document", recreated_first)
    text = unescape(admin_client.post(detail_url(db, "race"), {"rev": tomb}, follow=True).content.decode())
    assert "nothing was overwritten" in text
    assert fetch_document(couch_server, db, "race")["v"] == "someone else"


def test_a_document_written_deleted_has_no_body_to_restore(admin_client, db, couch_server):
    bulk(couch_server, db, [{"_id": "born-dead", "_deleted": True}])
    html = admin_client.get(list_url(db)).content.decode()
    assert listed_ids(html) == ["born-dead"] and 'data-testid="no-parent"' in html and not restore_forms(html)


def test_pages_newest_and_oldest_first_show_every_deletion_once(admin_client, make_database, couch_server):
    # One shard: with q > 1 CouchDB interleaves its shards' feeds in no fixed order, so newest-first pages
    # (which CouchDB cannot page by sequence) are only exact on one shard; oldest first is exact anyway.
    db = make_database(q=1)
    size = service.PAGE_SIZE
    docs = bulk(couch_server, db, [{"_id": f"d{i:03}"} for i in range(size * 2 + 5)] + [{"_id": "alive"}])
    bulk(couch_server, db, [{"_id": d["id"], "_rev": d["rev"], "_deleted": True} for d in docs if d["id"] != "alive"])
    every = [f"d{i:03}" for i in range(size * 2 + 5)]
    assert sorted(every_page(admin_client, db, "")) == every
    assert sorted(every_page(admin_client, db, "order=oldest")) == every


def test_oldest_first_pages_of_a_sharded_database_show_every_deletion_once(admin_client, db, couch_server):
    docs = bulk(couch_server, db, [{"_id": f"s{i:03}"} for i in range(service.PAGE_SIZE * 2 + 5)])
    bulk(couch_server, db, [{"_id": d["id"], "_rev": d["rev"], "_deleted": True} for d in docs])
    assert sorted(every_page(admin_client, db, "order=oldest")) == sorted(d["id"] for d in docs)


def every_page(client, db, query):
    """The ids listed on a page and on each page its "next" link leads to."""
    seen = []
    while query is not None and len(seen) < 1000:
        html = client.get(list_url(db, query)).content.decode()
        seen += listed_ids(html)
        query = link(html, "next")
    return seen


def test_thousands_of_deletions_list_their_first_page_with_bounded_reads(personas, db, couch_server, monkeypatch):
    docs = bulk(couch_server, db, [{"_id": f"n{i:05}", "i": i} for i in range(3000)])
    bulk(couch_server, db, [{"_id": d["id"], "_rev": d["rev"], "_deleted": True} for d in docs])
    client = CouchClient()
    from browser.couch.session import login

    login(client, personas["admin"].name, personas["admin"].password)
    sent, original = [], client.request

    def request(method, *segments, params=None, **kwargs):
        sent.append((method, segments, params or {}))
        return original(method, *segments, params=params, **kwargs)

    monkeypatch.setattr(client, "request", request)
    page = service.tombstones_newest(client, db)
    assert len(page.changes) == service.PAGE_SIZE and page.older
    assert all(t.restorable for t in page.changes)
    feed_reads = [p for _, s, p in sent if s[-1] == "_changes"]
    assert feed_reads and all(int(p.get("limit", 10**9)) <= flavour.SCAN_MOST for p in feed_reads)
    if couch_server.is_apache_couchdb:
        # The feed filtered by CouchDB (a page and one row), then two _bulk_get for histories and bodies.
        assert all(int(p["limit"]) <= service.PAGE_SIZE + 1 for p in feed_reads)
        assert [s[-1] for _, s, _ in sent].count("_bulk_get") == 2 and len(sent) <= 5


def test_rights_member_lists_and_restores_outsider_and_anonymous_do_not(client, personas, make_database,
                                                                       couch_server):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "team-doc", {"team": True})
    _, tomb = delete(couch_server, db, "team-doc")
    assert client.get(list_url(db)).status_code == 302  # anonymous: to the login page
    assert client.post(detail_url(db, "team-doc"), {"rev": tomb}).status_code == 302
    assert fetch_document(couch_server, db, "team-doc").get("error") == "not_found"
    log_in(client, personas["outsider"])
    refused = client.get(list_url(db))
    assert refused.status_code == 403 and "team-doc" not in refused.content.decode()
    assert client.get(detail_url(db, "team-doc")).status_code == 403
    assert client.post(detail_url(db, "team-doc"), {"rev": tomb}).status_code == 403
    assert fetch_document(couch_server, db, "team-doc").get("error") == "not_found"
    log_in(client, personas["member"])
    html = client.get(list_url(db)).content.decode()
    assert listed_ids(html) == ["team-doc"]
    [(action, rev)] = restore_forms(html)
    assert client.post(action, {"rev": rev}).status_code == 302
    assert fetch_document(couch_server, db, "team-doc")["team"] is True


def test_a_restore_is_audited_with_id_and_revisions_only(admin_client, db, couch_server, settings):
    put_document(couch_server, db, "audited", {"secret": "not in the log"})
    _, tomb = delete(couch_server, db, "audited")
    admin_client.post(detail_url(db, "audited"), {"rev": tomb})
    rows = outcome_records(couch_server, {"action": "document.restore", "target": db})
    assert len(rows) == 1 and rows[0]["before"]["rev"] == tomb and rows[0]["after"]["id"] == "audited"
    assert "not in the log" not in str(rows[0])


def test_a_document_that_is_not_deleted_or_never_was(admin_client, db, couch_server):
    put_document(couch_server, db, "alive", {})
    assert 'data-testid="not-deleted"' in admin_client.get(detail_url(db, "alive")).content.decode()
    assert admin_client.get(detail_url(db, "never-was")).status_code == 404


def test_bad_input_is_refused_in_words(admin_client, db, couch_server):
    assert admin_client.get(list_url(db, "order=sideways")).status_code == 400
    put_document(couch_server, db, "p", {})
    delete(couch_server, db, "p")
    answer = admin_client.post(detail_url(db, "p"), {"rev": "not a rev"}, follow=True)
    assert "Choose a deletion" in unescape(answer.content.decode())
    assert fetch_document(couch_server, db, "p").get("error") == "not_found"


def test_the_page_says_what_pouchdb_server_lacks(admin_client, db, couch_server):
    html = admin_client.get(list_url(db)).content.decode()
    assert ('data-testid="server-lacks"' in html) is (not couch_server.is_apache_couchdb)


def compact(couch_server, db, docid, rev):
    """Compact the database as its admin and wait until no copy keeps the old revision's body (pouchdb-server
    removes old bodies too)."""
    assert compact_until_gone(couch_server, db, docid, rev), "compaction did not finish"


def test_after_compaction_the_page_says_the_body_is_gone_and_offers_no_restore(admin_client, db, couch_server):
    put_document(couch_server, db, "compacted", {"v": 1})
    deleted_rev, tomb = delete(couch_server, db, "compacted")
    compact(couch_server, db, "compacted", deleted_rev)
    html = admin_client.get(list_url(db)).content.decode()
    assert listed_ids(html) == ["compacted"] and 'data-testid="compacted"' in html and not restore_forms(html)
    detail = admin_client.get(detail_url(db, "compacted")).content.decode()
    assert "Compaction has removed the body" in detail and not restore_forms(detail)
    text = unescape(admin_client.post(detail_url(db, "compacted"), {"rev": tomb}, follow=True).content.decode())
    assert "Compaction has removed the body" in text
    assert fetch_document(couch_server, db, "compacted").get("error") == "not_found"


def test_newest_first_pages_of_a_sharded_database_show_every_deletion_once(admin_client, make_database,
                                                                           couch_server):
    db = make_database(q=8)  # CouchDB merges 8 shards' feeds in no fixed order; pouchdb-server has one
    ids = [f"gone{i:03d}" for i in range(70)]
    written = bulk(couch_server, db, [{"_id": docid} for docid in ids])
    bulk(couch_server, db, [{"_id": row["id"], "_rev": row["rev"], "_deleted": True} for row in written])
    seen, query = [], ""
    while query is not None:
        html = admin_client.get(list_url(db, query)).content.decode()
        assert len(listed_ids(html)) == len(set(listed_ids(html)))
        seen.extend(listed_ids(html))
        query = link(html, "next")
    assert sorted(seen) == ids  # none skipped, none twice


def test_a_sharded_database_says_newest_first_is_not_exact(admin_client, make_database, couch_server):
    sharded, single = make_database(), make_database(q=1)
    for db in (sharded, single):
        put_document(couch_server, db, "gone", {})
        delete(couch_server, db, "gone")
    note = 'data-testid="shards-note"'
    assert (note in admin_client.get(list_url(sharded, "")).content.decode()) == couch_server.is_apache_couchdb
    assert note not in admin_client.get(list_url(single, "")).content.decode()
    assert note not in admin_client.get(list_url(sharded, "order=oldest")).content.decode()
