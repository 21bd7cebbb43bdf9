"""Reading, editing (form and text), creating, copying and deleting one document, and conflicts."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch import jsontext
from browser.editor.rows import nodes_from_value
from tests.conftest import fetch_document, put_document


@pytest.fixture
def db(make_database):
    return make_database()






def form_data(body, base_rev, **extra):
    """What the browser posts for the form editor holding `body`."""
    data = {"mode": "form", "base_rev": base_rev, "f:r:t": "object"}

    def walk(node):
        data[f"f:{node.path}:t"] = node.type
        if node.key is not None:
            data[f"f:{node.path}:k"] = node.key
        if not node.is_container:
            data[f"f:{node.path}:v"] = node.value
        for child in node.children:
            walk(child)

    for child in nodes_from_value(jsontext.loads(jsontext.dumps(body))).children:
        walk(child)
    data.update(extra)
    return data


def edit_url(db, docid):
    return reverse("browser:document-edit", kwargs={"db": db, "docid": docid})


def test_the_document_page_shows_json_and_metadata(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "doc", {"title": "<b>hi</b>", "n": 1})
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "doc"})).content.decode()
    assert rev in page
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "<b>hi</b>" not in page


def test_it_saves_a_nested_edit_made_in_the_form(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "nested", {"a": {"b": [1, 2]}, "keep": "me"})
    data = form_data({"a": {"b": [1, 2]}, "keep": "me"}, rev)
    data["f:r.0.0.1:v"] = "3"  # a.b[1]
    response = admin_client.post(edit_url(db, "nested"), data)
    assert response.status_code == 302
    saved = fetch_document(couch_server, db, "nested")
    assert saved["a"] == {"b": [1, 3]} and saved["keep"] == "me"


def test_it_saves_json_text_and_sends_the_starting_rev(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "texty", {"v": 1})
    response = admin_client.post(edit_url(db, "texty"), {"mode": "text", "base_rev": rev, "text": '{"v": 2}'})
    assert response.status_code == 302
    assert fetch_document(couch_server, db, "texty")["v"] == 2


def test_invalid_json_names_line_and_column_and_keeps_the_text(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "typo", {"v": 1})
    text = '{\n  "v": 2,\n  "w" 3\n}'
    response = admin_client.post(edit_url(db, "typo"), {"mode": "text", "base_rev": rev, "text": text})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "line 3, column 7" in page
    assert text in page
    assert fetch_document(couch_server, db, "typo")["v"] == 1


def test_unknown_underscore_fields_are_refused_with_a_message(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "under", {"v": 1})
    response = admin_client.post(edit_url(db, "under"), {"mode": "text", "base_rev": rev, "text": '{"_foo": 1}'})
    assert response.status_code == 400
    assert "“_foo”" in response.content.decode()


def test_a_body_that_is_not_an_object_is_refused(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "arr", {"v": 1})
    response = admin_client.post(edit_url(db, "arr"), {"mode": "text", "base_rev": rev, "text": "[1, 2]"})
    assert response.status_code == 400
    assert "must be a JSON object" in response.content.decode()


def test_switching_between_form_and_text_keeps_the_edits(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "switch", {"v": 1})
    data = form_data({"v": 1}, rev, switch="text")
    data["f:r.0:v"] = "42"
    as_text = admin_client.post(edit_url(db, "switch"), data)
    page = unescape(as_text.content.decode())
    assert '"v": 42' in page
    back = admin_client.post(edit_url(db, "switch"), {"mode": "text", "base_rev": rev,
                                                      "text": '{"v": 43, "new": "x"}', "switch": "form"})
    page = unescape(back.content.decode())
    assert 'name="f:r.0:v" value="43"' in page and ">x</textarea>" in page


def test_form_operations_add_remove_rename_and_reorder(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "ops", {"a": 1, "b": 2})
    added = admin_client.post(edit_url(db, "ops"), form_data({"a": 1, "b": 2}, rev, op="add:r"))
    assert 'name="f:r.2:k" value="field3"' in added.content.decode()
    data = form_data({"a": 1, "b": 2}, rev)
    data["f:r.0:k"] = "renamed"
    data.update({"op": "down:r.0"})
    moved = admin_client.post(edit_url(db, "ops"), data).content.decode()
    assert moved.index('value="b"') < moved.index('value="renamed"')
    removed = admin_client.post(edit_url(db, "ops"), form_data({"a": 1, "b": 2}, rev, op="remove:r.0")).content
    assert 'value="a"' not in removed.decode()


def test_a_conflict_keeps_my_edit_and_shows_the_difference(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "race", {"v": 1, "who": "start"})
    theirs = put_document(couch_server, db, "race", {"_rev": rev, "v": 2, "who": "them"})
    text = '{"v": 1, "who": "me"}'
    response = admin_client.post(edit_url(db, "race"), {"mode": "text", "base_rev": rev, "text": text})
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert text in page and theirs in page
    assert "<code>who</code>" in page
    mine = admin_client.post(edit_url(db, "race"), {"mode": "text", "base_rev": rev, "text": text,
                                                    "overwrite_rev": theirs})
    assert mine.status_code == 302
    assert fetch_document(couch_server, db, "race")["who"] == "me"


def test_merge_by_hand_puts_mine_beside_theirs(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "merge", {"v": 1})
    theirs = put_document(couch_server, db, "merge", {"_rev": rev, "v": 2})
    response = admin_client.post(edit_url(db, "merge"), {"mode": "text", "base_rev": rev, "text": '{"v": 3}',
                                                         "switch": "merge"})
    page = unescape(response.content.decode())
    assert 'data-testid="theirs-json">{\n  "v": 2\n}' in page
    assert f'name="base_rev" value="{theirs}"' in page
    assert '"v": 3' in page


def test_saving_keeps_the_attachments(admin_client, db, couch_server):
    import base64

    rev = put_document(couch_server, db, "withatt", {"v": 1, "_attachments": {"a.txt": {
        "content_type": "text/plain", "data": base64.b64encode(b"hello").decode()}}})
    edit = admin_client.get(edit_url(db, "withatt") + "?mode=text").content.decode()
    stubs = unescape(re.search(r'name="attachments" value="([^"]*)"', edit).group(1))
    admin_client.post(edit_url(db, "withatt"), {"mode": "text", "base_rev": rev, "text": '{"v": 2}',
                                                "attachments": stubs})
    assert "a.txt" in fetch_document(couch_server, db, "withatt")["_attachments"]


def test_it_creates_documents_with_an_id_a_uuid_a_design_and_a_local_id(admin_client, db, couch_server):
    new_url = reverse("browser:document-new", kwargs={"db": db})
    for docid in ("given", "_design/made", "_local/made"):
        response = admin_client.post(new_url, {"docid": docid, "mode": "text", "text": '{"x": 1}'})
        assert response.status_code == 302, response.content[:300]
        assert fetch_document(couch_server, db, docid)["x"] == 1
    generated = admin_client.post(new_url, {"docid": "", "mode": "text", "text": '{"x": 2}'})
    assert generated.status_code == 302
    assert "/doc/" in generated["Location"]


def test_creating_an_existing_id_keeps_the_text(admin_client, db, couch_server):
    put_document(couch_server, db, "taken", {"x": 1})
    response = admin_client.post(reverse("browser:document-new", kwargs={"db": db}),
                                 {"docid": "taken", "mode": "text", "text": '{"mine": true}'})
    assert response.status_code == 409
    assert "already exists" in response.content.decode()
    assert "&#34;mine&#34;: true" in response.content.decode()


def test_an_underscore_id_is_refused_with_a_message(admin_client, db):
    response = admin_client.post(reverse("browser:document-new", kwargs={"db": db}),
                                 {"docid": "_bad", "mode": "text", "text": "{}"})
    assert response.status_code == 400
    assert "may start with “_”" in response.content.decode()


def test_copy_and_delete(admin_client, db, couch_server):
    put_document(couch_server, db, "orig", {"x": 1})
    copied = admin_client.post(reverse("browser:document-copy", kwargs={"db": db, "docid": "orig"}),
                               {"destination": "copy/of orig"})
    assert copied.status_code == 302
    assert fetch_document(couch_server, db, "copy/of orig")["x"] == 1
    rev = fetch_document(couch_server, db, "orig")["_rev"]
    delete_url = reverse("browser:document-delete", kwargs={"db": db, "docid": "orig"})
    assert admin_client.get(delete_url, {"rev": rev}).status_code == 200
    assert admin_client.post(delete_url, {"rev": rev}).status_code == 302
    assert "error" in fetch_document(couch_server, db, "orig")


def test_deleting_a_changed_document_is_a_clear_conflict(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "moving", {"x": 1})
    # w=3: every copy has the change, so no copy takes the stale delete as a new branch
    put_document(couch_server, db, "moving", {"_rev": rev, "x": 2}, w=3)
    response = admin_client.post(reverse("browser:document-delete", kwargs={"db": db, "docid": "moving"}),
                                 {"rev": rev})
    assert response.status_code == 409
    assert "changed since you opened it" in response.content.decode()


def test_revisions_can_be_opened_compared_and_restored(admin_client, db, couch_server):
    first = put_document(couch_server, db, "hist", {"v": "one"})
    put_document(couch_server, db, "hist", {"_rev": first, "v": "two"})
    url = reverse("browser:document-revisions", kwargs={"db": db, "docid": "hist"})
    listing = admin_client.get(url).content.decode()
    assert first in listing
    opened = unescape(admin_client.get(url, {"rev": first}).content.decode())
    assert '"one"' in opened and '"two"' in opened
    current = fetch_document(couch_server, db, "hist")["_rev"]
    restored = admin_client.post(url, {"rev": first, "current_rev": current})
    assert restored.status_code == 302
    assert fetch_document(couch_server, db, "hist")["v"] == "one"


def test_a_document_over_1_mb_is_collapsed_with_a_download_link(admin_client, db, couch_server):
    put_document(couch_server, db, "large", {"blob": "x" * 1_100_000})
    url = reverse("browser:document", kwargs={"db": db, "docid": "large"})
    page = admin_client.get(url).content.decode()
    assert "over 1 MB" in page and "?download=json" in page
    download = admin_client.get(url, {"download": "json"})
    assert download["Content-Disposition"].startswith("attachment")
    assert len(download.content) > 1_100_000


@pytest.mark.couchdb3
def test_a_document_couchdb_refuses_as_too_large_keeps_the_text(admin_client, db, couch_server):
    # Apache CouchDB refuses documents over max_document_size (8 MB by default) with 413;
    # pouchdb-server stores them.
    rev = put_document(couch_server, db, "huge", {"v": 1})
    text = '{"blob": "' + "x" * 8_500_000 + '"}'
    response = admin_client.post(edit_url(db, "huge"), {"mode": "text", "base_rev": rev, "text": text})
    assert response.status_code == 413
    page = response.content.decode()
    assert "too large" in page
    assert "x" * 1000 in page


def test_big_documents_and_many_fields_can_be_saved_from_the_editor(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "wide", {"v": 1})
    body = {f"field{i}": i for i in range(1500)}
    data = form_data(body, rev)
    assert len(data) > 4000
    assert admin_client.post(edit_url(db, "wide"), data).status_code == 302
    rev = fetch_document(couch_server, db, "wide")["_rev"]
    text = '{"blob": "' + "y" * 3_000_000 + '"}'
    assert admin_client.post(edit_url(db, "wide"), {"mode": "text", "base_rev": rev, "text": text}).status_code == 302
    assert len(fetch_document(couch_server, db, "wide")["blob"]) == 3_000_000


def test_every_row_offers_the_types_the_form_takes_and_marks_its_own(admin_client, db, couch_server):
    # The template writes the seven options out (a loop over them was half a row's rendering time):
    # they must stay the ones nodes_from_post accepts, with each row's own type selected.
    from browser.editor.rows import TYPES

    put_document(couch_server, db, "typed", {"s": "x", "n": 1, "b": True, "z": None, "o": {}, "a": []})
    page = admin_client.get(edit_url(db, "typed")).content.decode()
    selects = re.findall(r'<select name="f:(r\.\d+):t"[^>]*>(.*?)</select>', page)
    assert len(selects) == 6
    for path, options in selects:
        assert re.findall(r"<option value=(\w+)[^>]*>([^<]+)", options) == list(TYPES), path
    chosen = [re.search(r"<option value=(\w+) selected>", options).group(1) for _, options in selects]
    assert chosen == ["string", "number", "boolean", "null", "object", "array"]
