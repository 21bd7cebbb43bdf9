"""In a real browser: a CSV export through the page, for spreadsheets (formulas neutralised) and as raw values;
and a _replicator document edited and saved without its password ever reaching the page, the password kept."""

import csv
import uuid
from pathlib import Path

import requests
from django.urls import reverse
from playwright.sync_api import expect

from browser.couch.replication import HIDDEN
from tests.conftest import RUN_ID, TEAM

SECRET = f"pw-{uuid.uuid4().hex}"


def _put(couch_server, db, docid, body):
    quote = requests.utils.quote
    answer = couch_server.admin_http().put(f"{couch_server.url}{quote(db, safe='')}/{quote(docid, safe='')}",
                                           json=body, timeout=10)
    answer.raise_for_status()


def _get(couch_server, db, docid):
    quote = requests.utils.quote
    return couch_server.admin_http().get(f"{couch_server.url}{quote(db, safe='')}/{quote(docid, safe='')}",
                                         timeout=10).json()


def _download(page, fmt_choice):
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Fields (comma-separated, dotted for nested)").fill("_id, formula, n")
    page.get_by_label(fmt_choice).check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    with open(Path(download.value.path()), newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_a_csv_export_is_safe_for_spreadsheets_or_raw_by_choice(browser_page, personas, make_database, couch_server):
    db = make_database(security=TEAM)
    _put(couch_server, db, "f1", {"formula": "=HYPERLINK(\"http://evil.example\")", "n": -3})
    _put(couch_server, db, "f2", {"formula": "@SUM(1)", "n": 4})
    browser_page.log_in(personas["member"], path=reverse("browser:export", kwargs={"db": db}))
    page = browser_page.page
    expect(page.get_by_label("Raw values (for programs, not spreadsheets)")).not_to_be_checked()
    safe = _download(page, "For spreadsheets")
    assert safe == [["_id", "formula", "n:number"], ["f1", "'=HYPERLINK(\"http://evil.example\")", "-3"],
                    ["f2", "'@SUM(1)", "4"]]
    raw = _download(page, "Raw values (for programs, not spreadsheets)")
    assert raw == [["_id", "formula", "n:number"], ["f1", "=HYPERLINK(\"http://evil.example\")", "-3"],
                   ["f2", "@SUM(1)", "4"]]


def test_a_replicator_document_is_edited_without_its_password_shown_and_keeps_it(admin_page, make_database,
                                                                                  couch_server):
    db = make_database(f"ca-{RUN_ID}-{uuid.uuid4().hex[:8]}/_replicator")
    body = {"source": {"url": "http://127.0.0.1:9/ca-nowhere",
                       "auth": {"basic": {"username": "admin", "password": SECRET}}},
            "target": f"http://bob:{SECRET}x@127.0.0.1:9/ca-elsewhere", "continuous": True, "note": "before"}
    _put(couch_server, db, "rep", body)
    page = admin_page.page
    bodies = []

    def recorded(route):  # every answer the browser gets, read before it reaches the page
        response = route.fetch()
        bodies.append(response.text())
        route.fulfill(response=response)

    page.route("**/*", recorded)
    admin_page.open(reverse("browser:document-edit", kwargs={"db": db, "docid": "rep"}))
    expect(page.get_by_label("Value of field password")).to_have_value(HIDDEN)
    expect(page.get_by_label("Value of field target")).to_have_value("http://127.0.0.1:9/ca-elsewhere")
    assert SECRET not in page.content()
    page.get_by_label("Value of field note").fill("after")
    page.get_by_role("button", name="JSON text").click()  # through the text editor and back: still hidden
    expect(page.get_by_label("Document JSON")).to_contain_text(HIDDEN)
    assert SECRET not in page.get_by_label("Document JSON").input_value()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")
    assert SECRET not in page.content()
    stored = _get(couch_server, db, "rep")
    assert stored["note"] == "after"
    assert stored["source"]["auth"]["basic"]["password"] == SECRET and stored["target"] == body["target"]
    page.unroute_all(behavior="ignoreErrors")
    assert len(bodies) >= 3 and not [text for text in bodies if SECRET in text]
