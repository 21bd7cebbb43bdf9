"""In Chromium (issue 24): an existing design document saves when only its reduce or validate_doc_update
changes, though the browser sends every textarea with CRLF and the untouched "New view" holds a default map;
and after CouchDB refuses a save, the page runs and deletes only the views CouchDB has, and marks the
person's text as not saved."""

import pytest
from playwright.sync_api import expect

MAP = "function (doc) {\n  emit(doc.region, doc.amount);\n}"


def _design(couch_server, db, views):
    http = couch_server.admin_http()
    http.put(f"{couch_server.url}{db}/_design/report", json={"views": views}, timeout=10).raise_for_status()
    return lambda: http.get(f"{couch_server.url}{db}/_design/report", timeout=10).json()


def test_changing_only_the_reduce_or_the_validation_of_an_existing_design_saves(admin_page, make_database,
                                                                              couch_server):
    db = make_database()
    stored = _design(couch_server, db, {"by_region": {"map": MAP}})
    admin_page.open(f"/db/{db}/design-edit/report")
    page = admin_page.page
    page.get_by_role("group", name="View by_region").get_by_label("Reduce", exact=True).select_option("_sum")
    page.get_by_role("button", name="Save design document").click()
    expect(page.get_by_role("status")).to_contain_text("Saved _design/report")
    assert stored()["views"] == {"by_region": {"map": MAP, "reduce": "_sum"}}

    validation = "function (newDoc, oldDoc, userCtx) {\n  if (!newDoc.type) { throw({forbidden: 'type'}); }\n}"
    page.get_by_label("validate_doc_update").fill(validation)
    page.get_by_role("button", name="Save design document").click()
    expect(page.get_by_role("status")).to_contain_text("Saved _design/report")
    after = stored()
    assert after["validate_doc_update"] == validation  # LF, as typed: not the browser's CRLF
    assert after["views"] == {"by_region": {"map": MAP, "reduce": "_sum"}}  # the default new view added nothing


@pytest.mark.couchdb3
def test_after_a_refused_save_only_stored_views_can_be_run_and_the_typed_one_says_it_is_not_saved(
        admin_page, make_database, couch_server):
    # pouchdb-server compiles no JavaScript when it stores a design document: it refuses nothing here.
    db = make_database()
    stored = _design(couch_server, db, {"by_region": {"map": MAP}})
    admin_page.open(f"/db/{db}/design-edit/report")
    page = admin_page.page
    new_view = page.get_by_role("group", name="New view")
    new_view.get_by_label("Name").fill("broken")
    new_view.get_by_label("Map function").fill("function (doc) { emit(doc.region, ; }")
    page.get_by_role("button", name="Save design document").click()
    expect(page.get_by_test_id("design-errors")).to_be_visible()
    assert stored()["views"].keys() == {"by_region"}
    expect(page.get_by_role("link", name="Run broken")).to_have_count(0)
    expect(page.get_by_role("button", name="Delete view broken")).to_have_count(0)
    expect(page.get_by_role("link", name="Run by_region")).to_be_visible()
    broken = page.get_by_role("group", name="View broken")
    expect(broken.get_by_test_id("unsaved")).to_be_visible()
    expect(broken.get_by_label("Map function")).to_have_value("function (doc) { emit(doc.region, ; }")
    expect(page.get_by_role("group", name="View by_region").get_by_test_id("unsaved")).to_have_count(0)
