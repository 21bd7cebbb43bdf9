"""The editor and the pages around it with documents of any depth and size, and the editor's strict
reading of what a person types: repeated names and numbers CouchDB would refuse."""

from html import unescape

import pytest
import requests
from django.urls import reverse
from markupsafe import escape

from browser.couch import jsontext
from browser.editor.rows import nodes_from_post, value_from_nodes
from browser.editor.state import FORM_DEFAULT_MOST_DEPTH, FORM_DEFAULT_MOST_VALUES
from tests.conftest import fetch_document, put_document
from tests.test_document_edit import edit_url, form_data

DEPTH = 5000
# pouchdb-server's own stack overflows storing 5,000 levels; 3,000 is still far past Python's 1,000.
POUCHDB_DEPTH = 3000


@pytest.fixture
def db(make_database):
    return make_database()


def put_text(couch_server, db, docid, text):
    """Store JSON text as written (json= would recurse, and would merge repeated names)."""
    answer = couch_server.admin_http().put(f"{couch_server.url}{db}/{requests.utils.quote(docid, safe='')}",
                                           data=text.encode(), headers={"Content-Type": "application/json"},
                                           timeout=30)
    answer.raise_for_status()
    return answer.json()["rev"]


def deep_text(depth=DEPTH):
    return '{"a":' * depth + '"bottom"' + "}" * depth


def stored_depth(couch_server):
    return DEPTH if couch_server.is_apache_couchdb else POUCHDB_DEPTH


def test_a_document_5000_deep_opens_on_its_page_and_in_both_listings(admin_client, db, couch_server):
    put_text(couch_server, db, "deep", '{"deep": ' + deep_text(stored_depth(couch_server)) + "}")
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "deep"}))
    assert page.status_code == 200
    assert "bottom" in page.content.decode()
    for mode in ("table", "json"):
        listing = admin_client.get(reverse("browser:database", kwargs={"db": db}), {"mode": mode})
        assert listing.status_code == 200
        assert "deep" in listing.content.decode()


def test_a_document_5000_deep_opens_as_text_with_a_note_and_saves(admin_client, db, couch_server):
    depth = stored_depth(couch_server)
    rev = put_text(couch_server, db, "deep", '{"deep": ' + deep_text(depth) + "}")
    response = admin_client.get(edit_url(db, "deep"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert 'name="mode" value="text"' in page
    assert f"nested more than {FORM_DEFAULT_MOST_DEPTH} levels deep" in page and "Choose Form" in page
    text = page.split('data-json-text', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    chosen = admin_client.post(edit_url(db, "deep"), {"mode": "text", "base_rev": rev, "text": text,
                                                      "switch": "form"})
    assert chosen.status_code == 200
    assert "stays in the JSON text editor" in unescape(chosen.content.decode())
    saved = admin_client.post(edit_url(db, "deep"), {"mode": "text", "base_rev": rev,
                                                     "text": text.replace('"bottom"', '"changed"')})
    assert saved.status_code == 302
    stored = couch_server.admin_http().get(f"{couch_server.url}{db}/deep", timeout=30).text
    assert jsontext.dumps(jsontext.loads(stored)["deep"]) == deep_text(depth).replace("bottom", "changed")


def test_a_document_with_many_values_opens_as_text_with_a_note_and_the_form_on_request(admin_client, db,
                                                                                     couch_server):
    body = {f"field{i}": i for i in range(FORM_DEFAULT_MOST_VALUES + 1)}
    rev = put_document(couch_server, db, "wide", body)
    page = unescape(admin_client.get(edit_url(db, "wide")).content.decode())
    assert 'name="mode" value="text"' in page
    assert f"more than {FORM_DEFAULT_MOST_VALUES:,} values" in page
    chosen = admin_client.post(edit_url(db, "wide"), {"mode": "text", "base_rev": rev,
                                                      "text": jsontext.dumps(body), "switch": "form"})
    form = chosen.content.decode()
    assert 'name="mode" value="form"' in form and 'name="f:r.1000:v" value="1000"' in form
    assert 'data-testid="editor-note"' not in form


def test_a_document_nested_past_the_forms_depth_opens_as_text(admin_client, db, couch_server):
    put_text(couch_server, db, "nested", deep_text(FORM_DEFAULT_MOST_DEPTH + 1))
    page = unescape(admin_client.get(edit_url(db, "nested")).content.decode())
    assert 'name="mode" value="text"' in page and "levels deep" in page
    put_text(couch_server, db, "shallow", deep_text(FORM_DEFAULT_MOST_DEPTH))
    assert 'name="mode" value="form"' in admin_client.get(edit_url(db, "shallow")).content.decode()


def test_a_name_repeated_in_the_text_is_refused_with_line_and_column(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "dup", {"v": 1})
    text = '{\n  "v": 1,\n  "v": 2\n}'
    response = admin_client.post(edit_url(db, "dup"), {"mode": "text", "base_rev": rev, "text": text})
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert 'line 3, column 3: the name "v" appears twice' in page
    assert text in page
    assert fetch_document(couch_server, db, "dup")["_rev"] == rev


def test_a_name_repeated_in_a_json_field_of_the_form_is_refused(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "dupform", {"v": "x"})
    data = form_data({"v": "x"}, rev)
    data.update({"f:r.0:t": "json", "f:r.0:v": '{"k": 1, "k": 2}'})
    response = admin_client.post(edit_url(db, "dupform"), data)
    assert response.status_code == 400
    assert 'the name "k" appears twice' in unescape(response.content.decode())


def test_reading_a_stored_document_with_a_repeated_name_keeps_the_page_working(admin_client, db, couch_server):
    put_text(couch_server, db, "twice", '{"a": 1, "a": 2}')
    page = admin_client.get(reverse("browser:document", kwargs={"db": db, "docid": "twice"}))
    assert page.status_code == 200
    assert admin_client.get(edit_url(db, "twice")).status_code == 200


def test_a_number_beyond_a_double_is_refused_naming_the_field(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "huge", {"size": 1, "other": 2})
    data = form_data({"size": 1, "other": 2}, rev)
    data["f:r.0:v"] = "1e400"
    response = admin_client.post(edit_url(db, "huge"), data)
    assert response.status_code == 400
    page = response.content.decode()
    row = page.split('aria-label="Field size"', 1)[1].split('aria-label="Field other"', 1)[0]
    assert "1e400 is too large" in row
    assert fetch_document(couch_server, db, "huge")["size"] == 1


def test_a_number_beyond_a_double_in_the_text_is_refused_with_line_and_column(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "hugetext", {"v": 1})
    response = admin_client.post(edit_url(db, "hugetext"), {"mode": "text", "base_rev": rev,
                                                            "text": '{\n  "v": -1e400\n}'})
    assert response.status_code == 400
    assert "line 2, column 8: -1e400 is beyond the range" in unescape(response.content.decode())


def test_the_form_is_rebuilt_from_fields_posted_in_any_order_and_at_any_depth():
    fields = {"f:r:t": "object", "f:r.10:k": "tenth", "f:r.10:t": "number", "f:r.10:v": "10",
              "f:r.2:k": "second", "f:r.2:t": "string", "f:r.2:v": "two", "f:r.5.0:t": "null",
              "f:r.99.0:t": "string", "f:r.99.0:v": "orphan"}
    assert value_from_nodes(nodes_from_post(fields)) == {"second": "two", "tenth": jsontext.JsonNumber("10")}
    deep = {"f:r:t": "object"}
    path = "r.0"
    for _ in range(DEPTH):
        deep.update({f"f:{path}:k": "a", f"f:{path}:t": "object"})
        path += ".0"
    assert jsontext.dumps(value_from_nodes(nodes_from_post(deep))) == '{"a":' * DEPTH + "{}" + "}" * DEPTH


def test_twenty_thousand_posted_values_come_back_in_their_order():
    fields = {"f:r:t": "object"}
    for i in reversed(range(20_000)):
        fields.update({f"f:r.{i}:k": f"k{i}", f"f:r.{i}:t": "number", f"f:r.{i}:v": str(i)})
    value = value_from_nodes(nodes_from_post(fields))
    assert list(value) == [f"k{i}" for i in range(20_000)]


def test_the_form_writes_little_html_per_value(admin_client, db, couch_server):
    body = {f"name{i}": [f"value {i}", i, True, None] for i in range(100)}
    put_document(couch_server, db, "small", body)
    page = admin_client.get(edit_url(db, "small")).content.decode()
    form = page.split('data-path="r"', 1)[1].split("Apply type changes", 1)[0]
    assert form.count('class="field-row') == 500
    assert len(form.encode()) / 500 < 800
    assert escape("value 99") in form
