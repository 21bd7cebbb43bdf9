"""Design documents and views through the dashboard, against the real server."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse
from markupsafe import escape

from browser.forms.design import NEW_VIEW_MAP
from tests.support.data import HOSTILE
from tests.support.design_form import posted_by_the_page, view_rows

HOSTILE_IDS = HOSTILE["document_ids"]

SALES = [
    {"_id": "s01", "region": "eu", "date": [2023, 1], "amount": 10},
    {"_id": "s02", "region": "eu", "date": [2023, 2], "amount": 20},
    {"_id": "s03", "region": "us", "date": [2023, 2], "amount": 5},
    {"_id": "s04", "region": "us", "date": [2024, 1], "amount": 7},
    {"_id": "s05", "region": "apac", "date": [2024, 3], "amount": 30},
]
BY_DATE = "function (doc) { if (doc.date) emit(doc.date.concat([doc.region]), doc.amount); }"
DESIGN = {"_id": "_design/sales", "language": "javascript",
          "views": {"by_date": {"map": BY_DATE, "reduce": "_sum"},
                    "by_region": {"map": "function (doc) { if (doc.region) emit(doc.region, doc.amount); }"}},
          "validate_doc_update": "function (newDoc) { if (newDoc.locked) throw({forbidden: 'locked'}); }"}


@pytest.fixture
def sales(make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs",
                                   json={"docs": SALES + [DESIGN]}).raise_for_status()
    return db


def run(client, db, ddoc, view, **params):
    url = reverse("browser:view-run", kwargs={"db": db, "ddoc": ddoc})
    response = client.get(url, {"view": view, "run": "1", **params})
    return response, unescape(response.content.decode())


def keys_and_values(page):
    return re.findall(r'<th scope="row"><code>(.*?)</code></th><td><code>(.*?)</code></td>', page)


def test_group_level_on_array_keys(admin_client, sales):
    _, page = run(admin_client, sales, "sales", "by_date", group_level="1")
    assert keys_and_values(page) == [("[2023]", "35"), ("[2024]", "37")]
    _, page = run(admin_client, sales, "sales", "by_date", group_level="2")
    assert keys_and_values(page) == [("[2023,1]", "10"), ("[2023,2]", "25"), ("[2024,1]", "7"), ("[2024,3]", "30")]


def test_map_rows_with_key_ranges_and_reduce_false(admin_client, sales):
    _, page = run(admin_client, sales, "sales", "by_date", reduce="false", startkey="[2023]", endkey="[2023, {}]")
    assert [k for k, _ in keys_and_values(page)] == ['[2023,1,"eu"]', '[2023,2,"eu"]', '[2023,2,"us"]']


def test_keys_typed_as_json(admin_client, sales):
    _, page = run(admin_client, sales, "sales", "by_region", keys='["us", "apac"]')
    assert [k for k, _ in keys_and_values(page)] == ['"us"', '"us"', '"apac"']


def test_invalid_json_in_a_key_is_explained(admin_client, sales):
    response, page = run(admin_client, sales, "sales", "by_region", key="{oops")
    assert response.status_code == 400
    assert "line 1, column 2" in page


def test_views_page_by_key_not_skip(admin_client, sales):
    response, page = run(admin_client, sales, "sales", "by_region", limit="2")
    assert [k for k, _ in keys_and_values(page)] == ['"apac"', '"eu"']
    next_url = unescape(re.search(r'<a rel="next" href="([^"]+)"', page).group(1))
    assert "startkey=%22eu%22" in next_url and "startkey_docid=s02" in next_url and "skip" not in next_url
    second = admin_client.get(reverse("browser:view-run", kwargs={"db": sales, "ddoc": "sales"}) + next_url)
    assert [k for k, _ in keys_and_values(unescape(second.content.decode()))] == ['"eu"', '"us"']


def test_keys_and_ranges_with_hostile_ids(admin_client, make_database, couch_server):
    db = make_database()
    docs = [{"_id": i, "tag": "x"} for i in HOSTILE_IDS if not i.startswith("_")]
    docs.append({"_id": "_design/ids", "views": {"by_id": {"map": "function (doc) { emit(doc._id, null); }"}}})
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}).raise_for_status()
    for docid in ("with space", "q?mark=1&x=2", "hash#tag", "<script>alert('id')</script>", "new\nline"):
        response, page = run(admin_client, db, "ids", "by_id", key=json.dumps(docid))
        assert response.status_code == 200
        link = escape(reverse("browser:document", kwargs={"db": db, "docid": docid}))
        assert f'href="{link}"' in response.content.decode()
        assert "<script>alert('id')" not in response.content.decode()
    _, page = run(admin_client, db, "ids", "by_id", startkey='"h"', endkey='"r"')
    assert [k for k, _ in keys_and_values(page)] == ['"hash#tag"', '"new\\nline"', '"percent%2Fliteral%20"',
                                                    '"plus+sign"', '"q?mark=1&x=2"', '"quote\\"and\'apostrophe"']


def test_deleting_one_view_keeps_the_rest_of_the_design_document(admin_client, sales, couch_server):
    rev = couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json()["_rev"]
    response = admin_client.post(reverse("browser:view-delete", kwargs={"db": sales, "ddoc": "sales"}),
                                 {"view": "by_region", "rev": rev})
    assert response.status_code == 302
    ddoc = couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json()
    assert list(ddoc["views"]) == ["by_date"]
    assert "validate_doc_update" in ddoc


def test_deleting_the_last_view_keeps_a_design_document_with_validation(admin_client, make_database, couch_server):
    db = make_database()
    http = couch_server.admin_http()
    rev = http.put(f"{couch_server.url}{db}/_design/guard", json={
        "views": {"only": {"map": "function (doc) { emit(1, 1); }"}},
        "validate_doc_update": "function (newDoc) {}"}).json()["rev"]
    admin_client.post(reverse("browser:view-delete", kwargs={"db": db, "ddoc": "guard"}), {"view": "only", "rev": rev})
    ddoc = http.get(f"{couch_server.url}{db}/_design/guard").json()
    assert ddoc["views"] == {} and ddoc["validate_doc_update"] == "function (newDoc) {}"


def test_a_view_with_sum_is_created_in_the_editor_and_run_grouped(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": SALES}).raise_for_status()
    created = admin_client.post(reverse("browser:design-list", kwargs={"db": db}), {"name": "report"})
    assert created.status_code == 302
    edit_url = reverse("browser:design-edit", kwargs={"db": db, "ddoc": "report"})
    rev = couch_server.admin_http().get(f"{couch_server.url}{db}/_design/report").json()["_rev"]
    saved = admin_client.post(edit_url, {"rev": rev, **view_rows({
        "name": "total", "map": "function (doc) { emit(doc.region, doc.amount); }", "reduce": "_sum", "custom": ""}),
                                         "validate_doc_update": "", "options": ""})
    assert saved.status_code == 302, saved.content[:500]
    _, page = run(admin_client, db, "report", "total", group="on")
    assert keys_and_values(page) == [('"apac"', "30"), ('"eu"', "30"), ('"us"', "12")]


def test_the_design_editor_keeps_members_it_does_not_edit(admin_client, sales, couch_server):
    http = couch_server.admin_http()
    current = http.get(f"{couch_server.url}{sales}/_design/sales").json()
    http.put(f"{couch_server.url}{sales}/_design/sales", json={**current, "filters": {"f": "function(){}"}})
    page = admin_client.get(reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"}))
    rev = re.search(r'name="rev" value="([^"]+)"', page.content.decode()).group(1)
    form = {"rev": rev, "validate_doc_update": DESIGN["validate_doc_update"], "options": '{"local_seq": true}',
            **view_rows(*({"name": name, "map": view["map"], "reduce": view.get("reduce", ""), "custom": ""}
                          for name, view in sorted(DESIGN["views"].items())), initial=2)}
    edit_url = reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"})
    assert admin_client.post(edit_url, form).status_code == 302
    saved = http.get(f"{couch_server.url}{sales}/_design/sales").json()
    assert saved["filters"] == {"f": "function(){}"} and saved["options"] == {"local_seq": True}


LINES = "function (doc) {\n  emit(doc._id, null);\n}"


def test_the_editor_page_as_a_browser_posts_it_saves_the_functions_as_typed(admin_client, make_database,
                                                                              couch_server):
    # The page's own fields, as a browser sends them: the formset's counts, every textarea with CRLF, and the
    # untouched new row (the formset's extra form, after the stored rows) holding the default map.
    db = make_database()
    http = couch_server.admin_http()
    url = f"{couch_server.url}{db}/_design/lines"
    http.put(url, json={"views": {"a": {"map": LINES}, "b": {"map": LINES, "reduce": "_count"}},
                        "validate_doc_update": "function (newDoc) {\n  return;\n}"}).raise_for_status()
    edit_url = reverse("browser:design-edit", kwargs={"db": db, "ddoc": "lines"})
    fields = posted_by_the_page(admin_client.get(edit_url).content.decode())
    assert fields["view-TOTAL_FORMS"] == "3" and fields["view-INITIAL_FORMS"] == "2"
    assert fields["view-0-map"] == LINES.replace("\n", "\r\n") and fields["view-1-reduce"] == "_count"
    assert fields["view-2-name"] == "" and fields["view-2-map"] == NEW_VIEW_MAP.replace("\n", "\r\n")
    fields["view-1-reduce"] = "_sum"
    assert admin_client.post(edit_url, fields).status_code == 302
    saved = http.get(url).json()
    assert saved["views"] == {"a": {"map": LINES}, "b": {"map": LINES, "reduce": "_sum"}}
    assert saved["validate_doc_update"] == "function (newDoc) {\n  return;\n}"

    fields = posted_by_the_page(admin_client.get(edit_url).content.decode())
    fields.update({"view-0-name": "", "view-0-map": ""})  # a row cleared of name and map removes its view
    assert admin_client.post(edit_url, fields).status_code == 302
    assert http.get(url).json()["views"] == {"b": {"map": LINES, "reduce": "_sum"}}


def test_view_rows_posted_without_the_formset_counts_are_refused_and_nothing_is_saved(admin_client, sales,
                                                                                      couch_server):
    old = couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json()
    form = {"rev": old["_rev"], "view-0-name": "mine", "view-0-map": "function (doc) { emit(1, 2); }",
            "validate_doc_update": "", "options": ""}
    response = admin_client.post(reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"}), form)
    assert response.status_code == 400
    assert "The page sent its view rows without their count" in unescape(response.content.decode())
    assert couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json() == old


def test_problems_of_view_rows_are_named_and_the_text_stays(admin_client, sales, couch_server):
    rev = couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json()["_rev"]
    form = {"rev": rev, "validate_doc_update": "", "options": "", **view_rows(
        {"name": "", "map": "function (doc) { emit(3, 3); }"},
        {"name": "twice", "map": "function (doc) { emit(4, 4); }"},
        {"name": "twice", "map": "function (doc) { emit(5, 5); }"},
        {"name": "odd", "map": "function (doc) { emit(6, 6); }", "reduce": "_median"})}
    response = admin_client.post(reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"}), form)
    page = unescape(response.content.decode())
    assert response.status_code == 400
    assert "Every view needs a name." in page and "There are two views named “twice”." in page
    assert "View “odd”, Reduce: Select a valid choice. _median is not one of the available choices." in page
    assert all(f"emit({n}, {n})" in page for n in range(3, 7))


def test_a_design_conflict_keeps_the_text(admin_client, sales, couch_server):
    http = couch_server.admin_http()
    old = http.get(f"{couch_server.url}{sales}/_design/sales").json()
    http.put(f"{couch_server.url}{sales}/_design/sales", json={**old, "language": "javascript"})
    form = {"rev": old["_rev"], **view_rows({"name": "mine", "map": "function (doc) { emit(1, 2); }", "reduce": "",
                                             "custom": ""}), "validate_doc_update": "", "options": ""}
    response = admin_client.post(reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"}), form)
    assert response.status_code == 409
    page = unescape(response.content.decode())
    assert "function (doc) { emit(1, 2); }" in page and "Save over their version" in page


@pytest.mark.couchdb3
def test_couchdb_reports_a_broken_map_function_and_the_text_stays(admin_client, sales, couch_server):
    rev = couch_server.admin_http().get(f"{couch_server.url}{sales}/_design/sales").json()["_rev"]
    form = {"rev": rev, **view_rows({"name": "broken", "map": "function (doc) { emit(", "reduce": "", "custom": ""}),
            "validate_doc_update": "", "options": ""}
    response = admin_client.post(reverse("browser:design-edit", kwargs={"db": sales, "ddoc": "sales"}), form)
    assert response.status_code == 400
    page = unescape(response.content.decode())
    assert "compilation_error" in page and "function (doc) { emit(" in page


@pytest.mark.couchdb3
def test_couchdb_view_info_is_shown(admin_client, sales):
    _, page = run(admin_client, sales, "sales", "by_region")
    assert "updater" in page and "This server gives no index information" not in page


def test_a_view_runs_as_soon_as_it_is_opened_and_shows_its_code(admin_client, sales):
    url = reverse("browser:view-run", kwargs={"db": sales, "ddoc": "sales"})
    response = admin_client.get(url, {"view": "by_region"})
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert [k for k, _ in keys_and_values(page)] == ['"apac"', '"eu"', '"eu"', '"us"', '"us"']
    assert f'<code data-testid="view-map">{DESIGN["views"]["by_region"]["map"]}</code>' in page
    assert 'data-testid="view-reduce"' not in page and 'data-testid="reduce-toggle"' not in page


def test_a_reduce_view_opens_reduced_with_a_toggle_to_its_map_rows(admin_client, sales):
    url = reverse("browser:view-run", kwargs={"db": sales, "ddoc": "sales"})
    page = unescape(admin_client.get(url, {"view": "by_date"}).content.decode())
    assert keys_and_values(page) == [("null", "72")]
    assert '<code data-testid="view-reduce">_sum</code>' in page
    toggle = re.search(r'data-testid="reduce-toggle">.*?<a href="([^"]+)"', page).group(1)
    assert "reduce=false" in toggle
    mapped = unescape(admin_client.get(url + toggle).content.decode())
    assert len(keys_and_values(mapped)) == 5 and "Show reduced rows" in mapped


def test_a_view_code_is_escaped(admin_client, make_database, couch_server):
    db = make_database()
    couch_server.admin_http().put(f"{couch_server.url}{db}/_design/x", json={
        "views": {"v": {"map": "function (doc) { emit('</code><script>alert(1)</script>', 1); }"}}})
    response = admin_client.get(reverse("browser:view-run", kwargs={"db": db, "ddoc": "x"}), {"view": "v"})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.content.decode()
    assert "&lt;/code&gt;&lt;script&gt;" in response.content.decode()


@pytest.mark.couchdb3
def test_couchdb_opens_a_view_at_once_while_its_index_builds(admin_client, make_database, couch_server):
    # One shard: on a cluster, two shards' indexes build side by side on three nodes and 2,500 changes are
    # taken in before the page asks; one shard takes them in as a single node does.
    db = make_database(q=1)
    http = couch_server.admin_http()
    docs = [{"_id": f"d{i:05d}", "n": i} for i in range(2500)]  # more changes than LAZY_FROM to index
    http.post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs}).raise_for_status()
    # Slow on purpose: CouchDB starts building a new design document's index at once (ken), and a plain map takes
    # 2,500 changes in within a second, sometimes before the page asks. This one takes about 3 s for them.
    slow = "function (doc) { var x = 0; for (var i = 0; i < 50000; i++) { x += i; } emit(doc.n, x); }"
    http.put(f"{couch_server.url}{db}/_design/slow", json={"views": {"v": {"map": slow}}}).raise_for_status()
    response = admin_client.get(reverse("browser:view-run", kwargs={"db": db, "ddoc": "slow"}), {"view": "v"})
    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert 'data-testid="index-building"' in page and "is being built" in page
