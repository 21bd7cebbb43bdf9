"""Conflicts without losing data: resolution acts only on the revisions the person saw and never deletes
the winner; a 409 on save merges three ways (two-way when the base was compacted away)."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch import jsontext
from browser.couch.client import shared_http
from tests.conftest import fetch_document, put_document
from tests.support.compaction import compact_until_gone
from tests.support.eventually import eventually

A, B, C = ("1-" + ch * 32 for ch in "abc")


@pytest.fixture
def db(make_database):
    return make_database()


def branch(couch_server, db, docid, *leaves):
    """Conflicting leaves made the way replication makes them (new_edits=false)."""
    docs = [{"_id": docid, "_rev": rev, **body} for rev, body in leaves]
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs",
                                   json={"new_edits": False, "docs": docs}).raise_for_status()


def put_everywhere(couch_server, db, docid, body):
    """Write with w=3: on a cluster every copy has the revision before the dashboard saves over it. A save
    carrying an older rev that meets a copy still without the newer one is accepted there (202) as a
    conflicting branch, not refused with a 409 (pouchdb-server ignores w; one node answers 202 and keeps it)."""
    return put_document(couch_server, db, docid, body, w=3)


def leaves_of(couch_server, db, docid):
    doc = couch_server.admin_http().get(f"{couch_server.url}{db}/{docid}", params={"conflicts": "true"}).json()
    return doc, sorted([doc["_rev"], *doc.get("_conflicts", [])])


def resolved_leaves_of(couch_server, db, docid):
    """leaves_of once the resolution has reached the copies a read meets: on a cluster, the losers' deletions
    made through the dashboard (CouchDB's default quorum) reach the third copy a moment later."""
    return eventually(lambda: leaves_of(couch_server, db, docid), until=lambda found: len(found[1]) == 1)


def resolve_url(db, docid):
    return reverse("browser:document-conflicts", kwargs={"db": db, "docid": docid})


def seen_on(page):
    return re.findall(r'name="seen" value="([^"]+)"', page)


# --- resolution ------------------------------------------------------------------------------------------------


def test_a_revision_that_arrives_after_the_page_loaded_is_never_removed(admin_client, db, couch_server):
    branch(couch_server, db, "late", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "late")).content.decode()
    seen = seen_on(page)
    assert sorted(seen) == [A, B]
    branch(couch_server, db, "late", (C, {"v": "C"}))  # replication brings a third leaf meanwhile

    refused = admin_client.post(resolve_url(db, "late"), {"keep": A, "seen": seen, "merged": ""})
    assert refused.status_code == 409
    text = unescape(refused.content.decode())
    assert "changed since you opened this page" in text and f"new: {C}" in text and "Nothing was removed" in text
    assert sorted(seen_on(text)) == [A, B, C]  # the page now shows, and will act on, the new set
    assert leaves_of(couch_server, db, "late")[1] == [A, B, C]


def test_a_post_without_the_revisions_seen_removes_nothing(admin_client, db, couch_server):
    branch(couch_server, db, "blind", (A, {"v": "A"}), (B, {"v": "B"}))
    refused = admin_client.post(resolve_url(db, "blind"), {"keep": B})
    assert refused.status_code == 400
    assert leaves_of(couch_server, db, "blind")[1] == [A, B]


def test_keeping_a_losing_revision_writes_it_on_the_winner_and_removes_the_others(admin_client, db, couch_server):
    branch(couch_server, db, "split", (A, {"v": "A"}), (B, {"v": "B"}), (C, {"v": "C"}))
    winner = leaves_of(couch_server, db, "split")[0]["_rev"]
    assert winner == C  # CouchDB's rule: same generation, the highest rev hash wins
    page = admin_client.get(resolve_url(db, "split")).content.decode()
    assert page.count('class="candidate"') == 3
    response = admin_client.post(resolve_url(db, "split"),
                                 {"keep": A, "seen": seen_on(page), "merged": '{\n  "v": "C"\n}'})
    assert response.status_code == 302
    doc, leaves = resolved_leaves_of(couch_server, db, "split")
    assert doc["v"] == "A" and len(leaves) == 1 and doc["_rev"].startswith("2-")
    history = couch_server.admin_http().get(f"{couch_server.url}{db}/split", params={"revs": "true"}).json()
    assert history["_revisions"]["ids"][1] == C[2:]  # the winner's branch goes on; it was never deleted


def test_keeping_the_winner_only_removes_the_losers(admin_client, db, couch_server):
    branch(couch_server, db, "keepwin", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "keepwin")).content.decode()
    merged = re.search(r'<textarea name="merged"[^>]*>\n?([^<]*)</textarea>', page).group(1)
    response = admin_client.post(resolve_url(db, "keepwin"), {"keep": B, "seen": seen_on(page),
                                                               "merged": unescape(merged)})
    assert response.status_code == 302
    doc, leaves = resolved_leaves_of(couch_server, db, "keepwin")
    assert leaves == [B] and doc["v"] == "B"


def test_a_merged_body_is_saved_on_the_winner(admin_client, db, couch_server):
    branch(couch_server, db, "merge2", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "merge2")).content.decode()
    response = admin_client.post(resolve_url(db, "merge2"), {"keep": A, "seen": seen_on(page),
                                                             "merged": '{"v": "A+B"}'})
    assert response.status_code == 302
    doc, leaves = resolved_leaves_of(couch_server, db, "merge2")
    assert doc["v"] == "A+B" and doc["_rev"].startswith("2-") and len(leaves) == 1


# --- a 409 on save ---------------------------------------------------------------------------------------------


def edit_url(db, docid):
    return reverse("browser:document-edit", kwargs={"db": db, "docid": docid})


def text_save(client, db, docid, base_rev, text, **extra):
    return client.post(edit_url(db, docid), {"mode": "text", "base_rev": base_rev, "text": text, **extra})


def merge_fields(response):
    """The hidden and radio fields the 409 screen adds to the editor's form (checked radios only)."""
    page = response.content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="((?:merge_theirs_rev|path-\d+))" value="([^"]*)"', page))
    fields.update(re.findall(r'<input type="radio" name="(take-\d+)" value="(\w+)" form="editor" checked>', page))
    return {k: unescape(v) for k, v in fields.items()}


START = {"text": "hello", "ok": False, "price": 10}


def test_changes_to_different_fields_merge_and_save_keeps_both(admin_client, db, couch_server):
    base = put_everywhere(couch_server, db, "race", START)
    put_everywhere(couch_server, db, "race", {"_rev": base, "text": "hello, world", "ok": False, "price": 10,
                                            "curl_added": True})
    mine = '{"text": "hello", "ok": true, "price": 12}'
    conflict = text_save(admin_client, db, "race", base, mine)
    assert conflict.status_code == 409
    page = unescape(conflict.content.decode())
    summary = page[page.index('data-testid="merge-summary"'):page.index("</ul>", page.index("merge-summary"))]
    assert "<code>text</code>, <code>curl_added</code>" in summary and "<code>ok</code>, <code>price</code>" in summary
    assert 'data-testid="overlaps"' not in page and "nothing to decide" in page
    assert "discards their changes to <code>text</code>, <code>curl_added</code>" in page
    assert mine in page  # the edit itself is untouched

    saved = text_save(admin_client, db, "race", base, mine, save="1", **merge_fields(conflict))
    assert saved.status_code == 302
    doc = fetch_document(couch_server, db, "race")
    assert (doc["text"], doc["ok"], doc["price"], doc["curl_added"]) == ("hello, world", True, 12, True)


@pytest.mark.parametrize("choice, expected_price", [("mine", 12), ("theirs", 11)])
def test_a_field_both_changed_is_the_persons_choice(admin_client, db, couch_server, choice, expected_price):
    base = put_everywhere(couch_server, db, "both", START)
    put_everywhere(couch_server, db, "both", {**START, "_rev": base, "price": 11, "text": "theirs"})
    mine = '{"text": "hello", "ok": true, "price": 12}'
    conflict = text_save(admin_client, db, "both", base, mine)
    page = unescape(conflict.content.decode())
    overlaps = page[page.index('data-testid="overlaps"'):page.index("</table>", page.index('data-testid="overlaps"'))]
    assert 'data-path="price"' in overlaps and "<code>10</code>" in overlaps and "<code>11</code>" in overlaps
    assert 'data-path="text"' not in overlaps
    fields = merge_fields(conflict)
    take = next(k for k in fields if k.startswith("take-"))
    fields[take] = choice
    assert text_save(admin_client, db, "both", base, mine, save="1", **fields).status_code == 302
    doc = fetch_document(couch_server, db, "both")
    assert (doc["price"], doc["ok"], doc["text"]) == (expected_price, True, "theirs")


def test_save_mine_over_stores_mine_exactly(admin_client, db, couch_server):
    base = put_everywhere(couch_server, db, "over", START)
    theirs = put_everywhere(couch_server, db, "over", {**START, "_rev": base, "text": "theirs"})
    mine = '{"text": "hello", "ok": true, "price": 10}'
    conflict = text_save(admin_client, db, "over", base, mine)
    saved = text_save(admin_client, db, "over", base, mine, overwrite_rev=theirs, **merge_fields(conflict))
    assert saved.status_code == 302
    doc = fetch_document(couch_server, db, "over")
    assert (doc["text"], doc["ok"]) == ("hello", True)


def test_a_third_save_meanwhile_shows_the_screen_again_and_keeps_every_change(admin_client, db, couch_server):
    base = put_everywhere(couch_server, db, "third", START)
    second = put_everywhere(couch_server, db, "third", {**START, "_rev": base, "text": "second"})
    mine = '{"text": "hello", "ok": true, "price": 10}'
    conflict = text_save(admin_client, db, "third", base, mine)
    put_everywhere(couch_server, db, "third", {**START, "_rev": second, "text": "second", "price": 99})
    again = text_save(admin_client, db, "third", base, mine, save="1", **merge_fields(conflict))
    assert again.status_code == 409
    assert text_save(admin_client, db, "third", base, mine, save="1", **merge_fields(again)).status_code == 302
    doc = fetch_document(couch_server, db, "third")
    assert (doc["text"], doc["price"], doc["ok"]) == ("second", 99, True)


@pytest.fixture
def couch_requests():
    """Each request the dashboard sends to CouchDB in this test ("METHOD url"), sent on to the real server."""
    http = shared_http()
    sent, send = [], http.send

    def recording_send(prepared, **kwargs):
        sent.append(f"{prepared.method} {prepared.url}")
        return send(prepared, **kwargs)
    http.send = recording_send
    yield sent
    del http.send


def test_a_merge_that_meets_another_save_reads_the_base_revision_once(admin_client, db, couch_server,
                                                                      couch_requests):
    base = put_everywhere(couch_server, db, "busy", START)
    second = put_everywhere(couch_server, db, "busy", {**START, "_rev": base, "text": "second"})
    mine = '{"text": "hello", "ok": true, "price": 10}'
    conflict = text_save(admin_client, db, "busy", base, mine)
    put_everywhere(couch_server, db, "busy", {**START, "_rev": second, "text": "second", "price": 99})
    couch_requests.clear()
    again = text_save(admin_client, db, "busy", base, mine, save="1", **merge_fields(conflict))
    assert again.status_code == 409 and merge_fields(again)["merge_theirs_rev"].startswith("3-")
    reads_of_base = [r for r in couch_requests if r.startswith("GET ") and f"rev={base}" in r]
    assert len(reads_of_base) == 1, couch_requests
    assert len(couch_requests) == 4, couch_requests  # their revision, the base, the PUT refused, the newest
    assert text_save(admin_client, db, "busy", base, mine, save="1", **merge_fields(again)).status_code == 302
    doc = fetch_document(couch_server, db, "busy")
    assert (doc["text"], doc["price"], doc["ok"]) == ("second", 99, True)


def test_a_compacted_base_falls_back_to_two_way_and_says_so(admin_client, db, couch_server):
    base = put_everywhere(couch_server, db, "gone", START)
    put_everywhere(couch_server, db, "gone", {**START, "_rev": base, "text": "theirs"})
    if not compact_until_gone(couch_server, db, "gone", base, seconds=30):
        pytest.fail("compaction did not remove the old revision's body")
    mine = '{"text": "hello", "ok": true, "price": 10}'
    conflict = text_save(admin_client, db, "gone", base, mine)
    page = unescape(conflict.content.decode())
    assert 'data-testid="two-way"' in page and "no longer on the server" in page
    overlaps = page[page.index('data-testid="overlaps"'):]
    assert 'data-path="text"' in overlaps and 'data-path="ok"' in overlaps and 'data-path="price"' not in overlaps
    assert text_save(admin_client, db, "gone", base, mine, save="1", **merge_fields(conflict)).status_code == 302
    assert fetch_document(couch_server, db, "gone")["ok"] is True


def test_a_deleted_document_offers_to_create_it_again(admin_client, db, couch_server):
    base = put_everywhere(couch_server, db, "dropped", START)
    couch_server.admin_http().delete(f"{couch_server.url}{db}/dropped", params={"rev": base}).raise_for_status()
    page = unescape(text_save(admin_client, db, "dropped", base, '{"x": 1}').content.decode())
    assert "was deleted on the server" in page and "merge_theirs_rev" not in page


def test_a_conflict_on_a_very_deep_document_shows_the_merge(admin_client, db, couch_server):
    depth = 5000 if couch_server.is_apache_couchdb else 3000  # pouchdb-server cannot store 5,000 levels
    deep = current = {}
    for _ in range(depth):
        current["a"] = {}
        current = current["a"]
    http, url = couch_server.admin_http(), f"{couch_server.url}{db}/deep"

    def put(body):  # written by jsontext: requests' own encoder recurses
        answer = http.put(url, data=jsontext.dumps(body), headers={"Content-Type": "application/json"})
        answer.raise_for_status()
        return answer.json()["rev"]

    base = put({"tree": deep, "v": 1})
    put({"_rev": base, "tree": deep, "v": 2})
    response = text_save(admin_client, db, "deep", base, '{"tree": {}, "v": 1}')
    assert response.status_code == 409
    assert "Their changes, which" in unescape(response.content.decode())


def test_a_merged_body_with_a_repeated_name_is_refused(admin_client, db, couch_server):
    branch(couch_server, db, "twice", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "twice")).content.decode()
    refused = admin_client.post(resolve_url(db, "twice"), {"keep": A, "seen": seen_on(page),
                                                            "merged": '{"v": "A", "v": "B"}'})
    assert refused.status_code == 400
    assert leaves_of(couch_server, db, "twice")[1] == [A, B]


def test_the_conflicts_list_pages_through_every_conflicted_document(admin_client, make_database, couch_server):
    db = make_database()
    docs = [{"_id": f"plain{i:04d}", "_rev": "1-aaaa"} for i in range(300)]
    for i in range(120):
        docs += [{"_id": f"split{i:03d}", "_rev": "1-aaaa", "v": 1}, {"_id": f"split{i:03d}", "_rev": "1-bbbb", "v": 2}]
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs, "new_edits": False},
                                   timeout=60).raise_for_status()
    url, found = reverse("browser:conflict-list", kwargs={"db": db}), []
    pages = 0
    while url and pages < 10:
        html = admin_client.get(url).content.decode()
        found += re.findall(r'/resolve/(split\d+)"', html)
        nxt = re.search(r'<a rel="next" href="(\?[^"]+)"', html)
        url = reverse("browser:conflict-list", kwargs={"db": db}) + unescape(nxt.group(1)) if nxt else None
        pages += 1
    assert sorted(found) == [f"split{i:03d}" for i in range(120)]
    if couch_server.is_apache_couchdb:
        assert pages == 2  # CouchDB searches (Mango): 100 a page, whatever lies between them
        assert "Scanned" not in html


def test_every_mode_of_the_document_list_marks_conflicts(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"new_edits": False, "docs": [
        {"_id": "split", "_rev": "1-aaaa"}, {"_id": "split", "_rev": "1-bbbb"}, {"_id": "calm", "_rev": "1-cccc"}]},
        timeout=10).raise_for_status()
    resolve = reverse("browser:document-conflicts", kwargs={"db": db, "docid": "split"})
    for mode in ("table", "json", "meta"):
        html = admin_client.get(reverse("browser:database", kwargs={"db": db}), {"mode": mode}).content.decode()
        assert html.count(f'href="{resolve}"') == 1, mode
        assert "⚠ 1 conflict<" in html, mode
