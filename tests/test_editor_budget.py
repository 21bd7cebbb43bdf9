"""The form of a big document: rows up to a budget, the rest as JSON fields that save exactly and expand."""

from html import unescape
from html.parser import HTMLParser

import pytest

from browser.couch import jsontext
from browser.couch.jsontext import JsonNumber
from browser.editor.rows import ROW_BUDGET, apply_operation, nodes_from_value, value_from_nodes
from browser.editor.state import FORM_DEFAULT_MOST_VALUES
from tests.conftest import fetch_document
from tests.test_document_edit import edit_url
from tests.test_editor_limits import put_text

EXACT = '[9007199254740993, -0.0, 1.10, 1e-7, 12.50]'


@pytest.fixture
def db(make_database):
    return make_database()


def big_text(items=1_200):
    """About 100 KiB: more values than the budget, with numbers a double would change."""
    rows = ",".join(f'{{"id":{i},"name":"item {i}","price":{i}.10,"tags":["a","b"],"exact":{EXACT}}}'
                    for i in range(items))
    return f'{{"title":"big","meta":{{"a":1,"b":[1,2]}},"items":[{rows}]}}'


class _FormReader(HTMLParser):
    """The fields the browser would post from the editor form (no buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self._textarea, self._select = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def posted_fields(page):
    start = page.index('id="editor"')
    form = page[start:page.index("</form>", start)]
    reader = _FormReader()
    reader.feed(form)
    reader.fields.pop("csrfmiddlewaretoken", None)
    return reader.fields


def open_form(admin_client, db, docid):
    """The form as a person reaches it for a big document: it opens as text, then Form."""
    page = admin_client.get(edit_url(db, docid)).content.decode()
    assert 'name="mode" value="text"' in page
    fields = {**posted_fields(page), "switch": "form"}
    answer = admin_client.post(edit_url(db, docid), fields)
    assert answer.status_code == 200
    return answer.content.decode()


def stored(couch_server, db, docid):
    """The server's copy with its numbers exactly as it sends them."""
    answer = couch_server.admin_http().get(f"{couch_server.url}{db}/{docid}", timeout=10)
    doc = jsontext.loads(answer.text)
    return {k: v for k, v in doc.items() if k not in ("_id", "_rev")}


def stored_body(couch_server, db, docid):
    return jsontext.dumps(stored(couch_server, db, docid))


def test_the_form_of_a_big_document_shows_rows_up_to_the_budget_and_json_fields_for_the_rest(
        admin_client, db, couch_server):
    put_text(couch_server, db, "big", big_text())
    page = open_form(admin_client, db, "big")
    assert 'name="mode" value="form"' in page
    assert page.count('class="field-row') == 7  # title, meta, meta.a, meta.b and its 2 items, items
    fields = posted_fields(page)
    assert fields["f:r.2:t"] == "json" and fields["f:r.1.1:t"] == "array"
    assert jsontext.dumps(jsontext.loads(fields["f:r.2:v"])) == jsontext.dumps(stored(couch_server, db, "big")["items"])
    assert 'value="expand:r.2" aria-label="Show field items as rows">Expand</button>' in page
    assert 'value="expand:r.1"' not in page


def test_saving_the_budgeted_form_unchanged_stores_exactly_the_same_document(admin_client, db, couch_server):
    put_text(couch_server, db, "big", big_text())
    before = stored_body(couch_server, db, "big")
    fields = posted_fields(open_form(admin_client, db, "big"))
    answer = admin_client.post(edit_url(db, "big"), {**fields, "save": "1"})
    assert answer.status_code == 302
    assert stored_body(couch_server, db, "big") == before
    if couch_server.is_apache_couchdb:  # CouchDB writes 1.10 as 1.1 but keeps every digit of an integer
        assert '"exact":[9007199254740993,' in before


def test_a_value_edited_inside_a_json_field_is_saved(admin_client, db, couch_server):
    put_text(couch_server, db, "big", big_text())
    fields = posted_fields(open_form(admin_client, db, "big"))
    assert '"name": "item 7",' in fields["f:r.2:v"]
    fields["f:r.2:v"] = fields["f:r.2:v"].replace('"name": "item 7",', '"name": "seven",')
    assert admin_client.post(edit_url(db, "big"), {**fields, "save": "1"}).status_code == 302
    stored = fetch_document(couch_server, db, "big")
    assert stored["items"][7]["name"] == "seven" and stored["items"][8]["name"] == "item 8"


def test_a_json_field_with_a_repeated_name_is_refused_and_kept(admin_client, db, couch_server):
    rev = put_text(couch_server, db, "big", big_text())
    fields = posted_fields(open_form(admin_client, db, "big"))
    fields["f:r.2:v"] = fields["f:r.2:v"].replace('"name": "item 3",', '"name": "item 3", "name": "again",')
    answer = admin_client.post(edit_url(db, "big"), {**fields, "save": "1"})
    assert answer.status_code == 400
    assert 'the name "name" appears twice' in unescape(answer.content.decode())
    assert fetch_document(couch_server, db, "big")["_rev"] == rev


def test_expanding_a_json_field_gives_its_rows_and_they_save(admin_client, db, couch_server):
    put_text(couch_server, db, "big", big_text())
    before = stored_body(couch_server, db, "big")
    fields = posted_fields(open_form(admin_client, db, "big"))
    answer = admin_client.post(edit_url(db, "big"), {**fields, "op": "expand:r.2"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    expanded = posted_fields(answer.content.decode())
    assert expanded["f:r.2:t"] == "array" and "f:r.2:v" not in expanded
    assert expanded["f:r.2.0:t"] == "json" and expanded["f:r.2.1199:t"] == "json"
    assert 'value="expand:r.2.0"' in answer.content.decode()
    again = admin_client.post(edit_url(db, "big"), {**expanded, "op": "expand:r.2.0"})
    rows = posted_fields(again.content.decode())
    price = str(stored(couch_server, db, "big")["items"][0]["price"])
    assert rows["f:r.2.0.2:k"] == "price" and rows["f:r.2.0.2:v"] == price and rows["f:r.2.0.4:t"] == "array"
    assert admin_client.post(edit_url(db, "big"), {**rows, "save": "1"}).status_code == 302
    assert stored_body(couch_server, db, "big") == before


def test_a_document_the_form_opens_by_default_is_all_rows():
    body = jsontext.loads('{"a": [' + ",".join(["[1, 2, 3]"] * 249) + "]}")
    root = nodes_from_value(body, budget=ROW_BUDGET)
    assert ROW_BUDGET >= FORM_DEFAULT_MOST_VALUES
    assert all(child.type == "array" for child in root.children[0].children)


@pytest.mark.parametrize("budget", [0, 1, 2, 3, 5, 8, 100])
def test_rows_and_json_fields_give_back_the_same_value_at_any_budget(budget):
    text = ('{"a": {"b": [1, {"c": 1.10}, []], "d": {}}, "e": ' + EXACT + ', "f": [[[[-0.0]]]], '
            '"g": "control\\u0001", "h": {"i": {"j": 9007199254740993}}}')
    value = jsontext.loads(text)
    root = nodes_from_value(value, budget=budget)
    assert jsontext.dumps(value_from_nodes(root)) == jsontext.dumps(value)
    assert [child.key for child in root.children] == ["a", "e", "f", "g", "h"]


def test_expanding_a_deep_json_field_opens_one_level_at_a_time_without_recursion():
    value = jsontext.loads('{"a":' * 5000 + "1" + "}" * 5000)
    root = nodes_from_value(value, budget=0)
    assert root.children[0].type == "json"
    apply_operation(root, "expand:r.0")
    node, opened = root.children[0], 0
    while node.type == "object":
        node, opened = node.children[0], opened + 1
    assert node.type == "json" and opened == ROW_BUDGET
    assert jsontext.dumps(value_from_nodes(root)) == jsontext.dumps(value)


def test_expanding_invalid_json_keeps_the_text_and_says_where():
    root = nodes_from_value({"a": {"b": 1}}, budget=0)
    root.children[0].value = '{"b": 1,,}'
    apply_operation(root, "expand:r.0")
    assert root.children[0].type == "json" and root.children[0].value == '{"b": 1,,}'
    assert "line 1, column 9" in root.children[0].error
    assert value_from_nodes(nodes_from_value({"n": JsonNumber("1.10")}, budget=0))["n"] == "1.10"
