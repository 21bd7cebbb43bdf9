"""Issue 24, items 7, 9 and 10: field paths that read apart, the conflict resolver's box following the chosen
revision, a delete that says what goes, members offered only what they may do, the dashboard's own words never
put in CouchDB's mouth, Mango columns in the requested order, counts with separators, and numbers CouchDB will
rewrite said before saving."""

import re
from html import unescape

import pytest
from django.urls import reverse

from browser.couch.jsontext import JsonNumber, loads
from browser.editor.diff import diff
from browser.editor.merge import merge3
from browser.editor.paths import path_label
from browser.editor.rows import nodes_from_value
from browser.editor.text import number_notes, stored_number_text
from tests.conftest import fetch_document, log_in, put_document
from tests.support.templates import form_rows_html
from tests.test_conflicts import A, B, C, branch, resolve_url, seen_on


@pytest.fixture
def db(make_database):
    return make_database()


def member_db(make_database, personas):
    return make_database(security={"admins": {"names": [], "roles": ["ca-team-admins"]},
                                   "members": {"names": [], "roles": ["ca-team"]}})


# --- 7. field paths ----------------------------------------------------------------------------------------------


def test_a_path_is_written_so_that_no_two_paths_read_alike():
    assert path_label(("a.b",)) == '["a.b"]'
    assert path_label(("a", "b")) == "a.b"
    assert path_label(("",)) == '[""]'
    assert path_label(("0",)) == '["0"]' and path_label(("items", 0)) == "items[0]"
    assert path_label(("(document)",)) == '["(document)"]'
    assert path_label(()) != path_label(("",))


def test_a_top_level_dotted_name_and_a_nested_member_are_two_fields_in_a_diff():
    rows = diff({"a.b": 1}, {"a": {"b": 1}})
    assert [(r.path, r.status) for r in rows] == [('["a.b"]', "removed"), ("a.b", "added")]
    assert [r.path for r in diff({"": 1}, {"": 2})] == ['[""]']


def test_the_merge_names_an_empty_field_name_as_itself():
    merge = merge3({"": 1, "x": 1}, {"": 2, "x": 1}, {"": 1, "x": 2})
    assert merge.mine_changed_labels == ('[""]',) and merge.theirs_changed_labels == ("x",)


def test_the_conflicts_page_tells_a_dotted_name_from_a_nested_member(admin_client, db, couch_server):
    branch(couch_server, db, "dots", (A, {"a.b": 1, "": "x"}), (B, {"a": {"b": 1}, "": "y"}))
    page = unescape(admin_client.get(resolve_url(db, "dots")).content.decode())
    assert '<code>["a.b"]</code>' in page and "<code>a.b</code>" in page and '<code>[""]</code>' in page


def test_the_audit_page_names_fields_unambiguously(admin_client, db, couch_server, settings):
    from browser.views.audit import _shown
    shown = _shown({"before": {"": 1, "a.b": 1}, "after": {"": 2, "a": {"b": 1}}}, None)
    assert [c.path for c in shown["changes"]] == ['[""]', '["a.b"]', "a.b"]


def test_the_document_list_heads_an_empty_field_name_and_a_dotted_one_unambiguously(admin_client, db,
                                                                                  couch_server):
    put_document(couch_server, db, "d", {"": "empty", "a.b": "dotted", "plain": 1})
    page = unescape(admin_client.get(reverse("browser:database", kwargs={"db": db})).content.decode())
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert '[""]' in headers and '["a.b"]' in headers and "plain" in headers
    assert "" not in headers


def test_the_form_editor_names_a_field_with_an_empty_name():
    html = unescape(str(form_rows_html(nodes_from_value({"": 1, "a.b": 2, "ok": 3}))))
    assert 'aria-label="Value of field [""]"' in html
    assert 'aria-label="Value of field ["a.b"]"' in html and 'aria-label="Value of field ok"' in html


# --- 9. the conflict resolver's box --------------------------------------------------------------------------------


def box_of(page):
    return unescape(re.search(r'<textarea name="merged"[^>]*>\n?([^<]*)</textarea>', page).group(1))


def test_choosing_a_losing_revision_puts_its_body_in_the_box(admin_client, db, couch_server):
    branch(couch_server, db, "pick", (A, {"v": "A"}), (B, {"v": "B"}), (C, {"v": "C"}))
    first = admin_client.get(resolve_url(db, "pick")).content.decode()
    assert '"v": "C"' in box_of(first)  # the winner's, at first
    page = admin_client.get(resolve_url(db, "pick"), {"rev": A}).content.decode()
    assert '"v": "A"' in box_of(page)
    assert re.search(rf'<input type="radio" name="keep" id="keep-\d" value="{A}"\s+hx-get="[^"]*"[^>]*checked', page) \
        or re.search(rf'value="{A}"[^>]*checked', page)
    assert f'name="filled_from" value="{A}"' in page
    # Sent as it was filled, the chosen revision is kept as it is.
    response = admin_client.post(resolve_url(db, "pick"), {"keep": A, "seen": seen_on(page),
                                                           "merged": box_of(page), "filled_from": A})
    assert response.status_code == 302
    assert fetch_document(couch_server, db, "pick")["v"] == "A"


def test_the_box_edited_after_choosing_a_loser_is_saved_as_the_merge(admin_client, db, couch_server):
    branch(couch_server, db, "pick2", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "pick2"), {"rev": A}).content.decode()
    response = admin_client.post(resolve_url(db, "pick2"), {"keep": A, "seen": seen_on(page),
                                                            "merged": '{"v": "A and B"}', "filled_from": A})
    assert response.status_code == 302
    assert fetch_document(couch_server, db, "pick2")["v"] == "A and B"


def test_a_revision_that_is_not_a_leaf_leaves_the_winner_in_the_box(admin_client, db, couch_server):
    branch(couch_server, db, "pick3", (A, {"v": "A"}), (B, {"v": "B"}))
    page = admin_client.get(resolve_url(db, "pick3"), {"rev": "9-" + "f" * 32}).content.decode()
    assert '"v": "B"' in box_of(page)


# --- 10. the delete confirmation -----------------------------------------------------------------------------------


def test_the_delete_page_says_exactly_what_goes_and_carries_the_rev_hidden(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "doomed", {"a": 1, "b": 2, "c": 3})
    http = couch_server.admin_http()
    rev = http.put(f"{couch_server.url}{db}/doomed/note.txt", params={"rev": rev}, data=b"hello",
                   headers={"Content-Type": "text/plain"}).json()["rev"]
    url = reverse("browser:document-delete", kwargs={"db": db, "docid": "doomed"})
    page = unescape(admin_client.get(url, {"rev": rev}).content.decode())
    assert f'<input type="hidden" name="rev" value="{rev}"' in page
    summary = page.split('data-testid="delete-summary"', 1)[1].split("</dl>", 1)[0]
    assert "doomed" in summary and rev in summary and "3 fields" in summary
    assert "1 attachment" in summary and "note.txt" in summary and "none" in summary  # no conflicts
    assert 'name="rev" value="' in page and 'type="text" name="rev"' not in page
    assert admin_client.post(url, {"rev": rev}).status_code == 302
    assert fetch_document(couch_server, db, "doomed").get("error") == "not_found"


def test_deleting_a_document_with_conflicts_says_which_revision_takes_its_place(admin_client, db, couch_server):
    branch(couch_server, db, "split", (A, {"v": "A"}), (B, {"v": "B"}), (C, {"v": "C"}))
    page = unescape(admin_client.get(reverse("browser:document-delete", kwargs={"db": db, "docid": "split"}))
                    .content.decode())
    assert "2 conflicting revisions" in page
    warning = page.split('data-testid="delete-conflict-warning"', 1)[1].split("</p>", 1)[0]
    assert "does not disappear" in warning and B in warning


def test_a_delete_that_meets_a_newer_revision_shows_the_new_summary_to_confirm(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "moving", {"x": 1})
    newer = put_document(couch_server, db, "moving", {"_rev": rev, "x": 2, "y": 3})
    url = reverse("browser:document-delete", kwargs={"db": db, "docid": "moving"})
    response = admin_client.post(url, {"rev": rev})
    page = unescape(response.content.decode())
    assert response.status_code == 409 and "Nothing was deleted" in page
    assert f'name="rev" value="{newer}"' in page and "2 fields" in page
    assert admin_client.post(url, {"rev": newer}).status_code == 302


def test_the_delete_page_says_when_the_document_changed_since_it_was_looked_at(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "seen", {"x": 1})
    put_document(couch_server, db, "seen", {"_rev": rev, "x": 2})
    page = admin_client.get(reverse("browser:document-delete", kwargs={"db": db, "docid": "seen"}),
                            {"rev": rev}).content.decode()
    assert 'data-testid="delete-newer"' in page


# --- 10. members are offered what their role allows -------------------------------------------------------------


@pytest.fixture
def shared_db(make_database, personas, couch_server):
    name = member_db(make_database, personas)
    couch_server.admin_http().put(f"{couch_server.url}{name}/_design/report",
                                  json={"views": {"v": {"map": "function (doc) { emit(doc._id, 1); }"}}}
                                  ).raise_for_status()
    return name


def pages_for(client, db):
    return {name: client.get(reverse(f"browser:{name}", kwargs=kwargs)).content.decode()
            for name, kwargs in (("maintenance", {"db": db}), ("design-list", {"db": db}),
                                 ("design-edit", {"db": db, "ddoc": "report"}))}


def test_a_member_is_not_offered_compaction_or_design_changes(client, personas, shared_db):
    pages = pages_for(log_in(client, personas["member"]), shared_db)
    assert 'value="compact"' not in pages["maintenance"] and 'value="compact-views"' not in pages["maintenance"]
    assert 'value="cleanup"' not in pages["maintenance"]
    assert "Create design document" not in pages["design-list"]
    assert "Save design document" not in pages["design-edit"] and "Delete view" not in pages["design-edit"]
    assert all('data-testid="needs-db-admin"' in page for page in pages.values())
    assert "Run v" in pages["design-edit"]  # reading and running stays


def test_an_admin_of_the_database_by_role_is_offered_them(client, personas, shared_db):
    pages = pages_for(log_in(client, personas["dbadmin"]), shared_db)
    assert 'value="compact"' in pages["maintenance"] and 'value="compact-views"' in pages["maintenance"]
    assert "Create design document" in pages["design-list"]
    assert "Save design document" in pages["design-edit"] and "Delete view" in pages["design-edit"]
    assert not any('data-testid="needs-db-admin"' in page for page in pages.values())


# --- 10. the dashboard's words are its own ---------------------------------------------------------------------


def test_a_page_for_server_admins_refuses_in_the_dashboards_own_words(client, personas):
    log_in(client, personas["member"])
    page = client.get(reverse("browser:audit")).content.decode()
    assert "This page is for CouchDB server admins." in page
    assert "CouchDB said" not in page


def test_couchdbs_own_refusal_is_quoted_as_couchdbs(client, personas, make_database):
    db = make_database()  # admins only: an outsider is refused by CouchDB
    log_in(client, personas["outsider"])
    response = client.get(reverse("browser:database", kwargs={"db": db}))
    assert response.status_code == 403
    assert 'data-testid="couch-said"' in response.content.decode()


# --- 10. Mango columns ------------------------------------------------------------------------------------------


def test_mango_columns_follow_the_requested_fields(admin_client, db, couch_server):
    put_document(couch_server, db, "m", {"zeta": 1, "alpha": 2, "mid": {"x": 3}, "a.b": 4})
    url = reverse("browser:mango", kwargs={"db": db})
    page = unescape(admin_client.get(url, {"run": "1", "selector": '{"zeta": 1}',
                                           "fields": "zeta, mid.x, alpha, _id, a\\.b", "limit": "25"}).content.decode())
    headers = re.findall(r'<th scope="col">([^<]*)</th>', page)
    assert headers[:5] == ["_id", "zeta", "mid", "alpha", '["a.b"]']


# --- 10. counts with separators ---------------------------------------------------------------------------------


def test_counts_in_the_index_use_thousands_separators(admin_client, db, couch_server):
    from django.template.loader import render_to_string

    html = render_to_string("browser/_document_rows.html", {"db": db, "page": type("P", (), {
        "total_rows": 1_000_000, "rows": [], "next_key": None})(), "rows": [], "columns": [], "mode": "table"})
    assert "1,000,000 rows in the index" in html
    assert "1,234,567" in _view_run_heading(1234567)
    assert "1,234,567" in _view_run_heading(JsonNumber("1234567"))  # as read from CouchDB's JSON


def _view_run_heading(total):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    from browser.forms.design import ViewQueryForm

    request = RequestFactory().get("/")
    html = render_to_string("browser/view_run.html", {"db": "d", "ddoc": "x", "view": "v", "form": ViewQueryForm(),
                                                      "rows": [], "total_rows": total, "offset": 0, "info": {},
                                                      "tasks": []}, request=request)
    return html.split('id="rows-heading"', 1)[1].split("</h2>", 1)[0]


# --- 10. numbers CouchDB will rewrite ----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("1.10", "1.1"), ("1E2", "100.0"), ("3.141592653589793238462", "3.141592653589793"), ("-0.0", "0.0"),
    ("12345678901234567890123", "12345678901234567890123"), ("1e21", "1e+21"), ("1e-7", "1e-7"),
    ("0.000001", "0.000001"), ("123456789012345678.5", "123456789012345680.0"), ("1.5", "1.5"), ("-0", "0"),
    ("1e16", "10000000000000000.0"), ("1.5e-6", "0.0000015"), ("1.7976931348623157e308", "1.7976931348623157e+308"),
])
def test_the_text_couchdb_3_stores_for_a_number_is_predicted(typed, stored):
    assert stored_number_text(typed) == stored


def test_the_form_notes_a_number_couchdb_will_rewrite_next_to_it():
    html = unescape(str(form_rows_html(nodes_from_value(loads('{"price": 1.10, "n": 5, "big": 1E2}')))))
    assert html.count('data-testid="number-note"') == 2
    assert "CouchDB stores this as <code>1.1</code>" in html and "<code>100.0</code>" in html


def test_the_text_editor_lists_the_numbers_couchdb_will_rewrite_by_path():
    notes = number_notes(loads('{"a": {"b": 1.10}, "a.b": 2, "": [1E2, 3]}'))
    assert notes == [("a.b", "1.10", "1.1"), ('[""][0]', "1E2", "100.0")]  # outer members first


def edit_url(db, docid):
    return reverse("browser:document-edit", kwargs={"db": db, "docid": docid})


def test_switching_to_text_says_which_numbers_change_before_saving(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "n", {"x": 1})
    page = unescape(admin_client.post(edit_url(db, "n"), {"mode": "form", "base_rev": rev, "f:r:t": "object",
                                                          "f:r.0:k": "price", "f:r.0:t": "number",
                                                          "f:r.0:v": "1.10", "switch": "text"}).content.decode())
    notes = page.split('data-testid="number-notes"', 1)[1].split("</div>", 1)[0]
    assert "<code>price</code>: <code>1.10</code> becomes <code>1.1</code>" in notes


def test_a_form_sent_back_with_a_rewritten_number_notes_it(admin_client, db, couch_server):
    rev = put_document(couch_server, db, "m", {"x": 1})
    page = unescape(admin_client.post(edit_url(db, "m"), {"mode": "form", "base_rev": rev, "f:r:t": "object",
                                                          "f:r.0:k": "big", "f:r.0:t": "number",
                                                          "f:r.0:v": "1E2", "op": "retype"}).content.decode())
    assert "CouchDB stores this as <code>100.0</code>" in page


@pytest.mark.couchdb3
def test_the_prediction_is_what_couchdb_3_stores(couch_server, db):
    typed = ["1.10", "1E2", "3.141592653589793238462", "1e21", "1e-7", "123456789012345678.5", "2.50e3",
             "12345678901234567890123", "-0", "1.5e-6", "1e16"]
    body = "{" + ", ".join(f'"n{i}": {t}' for i, t in enumerate(typed)) + "}"
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}{db}/nums", data=body.encode(),
             headers={"Content-Type": "application/json"}).raise_for_status()
    stored = loads(http.get(f"{couch_server.url}{db}/nums").text)
    assert [str(stored[f"n{i}"]) for i in range(len(typed))] == [stored_number_text(t) for t in typed]
