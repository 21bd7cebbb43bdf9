"""Export then import gives back the database it came from, in JSON, NDJSON and CSV: the documents CouchDB stores
before and after are the same bytes, and exporting the copy writes the same file byte for byte. The documents
are the project's hostile ones (tests/data/hostile-names.json): hostile ids, field names and values, plus the
types a CSV file used to lose (numbers, true/false, lists, null against a missing field against "")."""

import base64
import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from browser.couch import jsontext
from tests.conftest import TEAM, log_in
from tests.support.data import HOSTILE

N = jsontext.JsonNumber
# _local documents are not in _all_docs: no export holds them.
IDS = [docid for docid in HOSTILE["document_ids"] if not docid.startswith("_local/")]
VALUES = [*HOSTILE["field_values"], "", "cr\rlf\nboth\r\n", "1.10", N("1.10"), N("-0"), N("1E+2"),
          "  spaced  ", "'already quoted", "=1+1", "-leading", "ünï 日本 🛋️", "\u2028\u2029", "null", "true", "[]",
          {"nested": {"list": [None, True, N("1.10"), "x"]}}, [{"a": None}]]
TEXTS = [value for value in VALUES if type(value) is str and value]
NAMES = [*HOSTILE["field_names"], "a:number", "back\\slash", " lead", "trail ", "x,y", "d.o.t\\.", ":json", "\"q\""]


def hostile_documents():
    """Every hostile id, with hostile names holding values of every type; some fields missing, in the same order
    of names in every document (a CSV row keeps its columns' order)."""
    docs = []
    for i, docid in enumerate(IDS):
        doc = {"_id": docid}
        for j, name in enumerate(NAMES):
            if (i + j) % 7 != 3:
                doc[name] = VALUES[(i * 3 + j) % len(VALUES)]
        # The columns of a typical table: a number column with one text, only numbers, true/false, lists.
        doc["total"] = "n/a" if i == 2 else N(f"{i}.10")
        doc["year"] = N("123456789012345678901234567890") if i == 1 else N(str(1990 + i))
        doc["vip"] = i % 2 == 0
        doc["items"] = [i, {"sku": f"s{i}"}] if i % 3 else []
        doc["text"] = TEXTS[i % len(TEXTS)]  # a column of texts only: CR, LF, NUL, "=1+1", spaces, raw in its cells
        if i % 4:  # else missing
            doc["maybe"] = [None, "", "x"][i % 3]
        docs.append(doc)
    return docs


def with_attachments():
    return {"_id": "files", "title": "with files", "_attachments": {
        name: {"content_type": "text/plain",
               "data": base64.b64encode(HOSTILE["attachment_bodies"].get(name, name).encode()).decode()}
        for name in HOSTILE["attachment_names"]}}


def store(couch_server, db, docs):
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", timeout=30,
                                            data=jsontext.dumps({"docs": docs}).encode(),
                                            headers={"Content-Type": "application/json"})
    answer.raise_for_status()
    assert not [row for row in answer.json() if "error" in row], answer.text


def stored_text(couch_server, db):
    """What CouchDB stores, as it writes it: every document, attachments' data inline, one a line."""
    text = couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", timeout=30,
                                         params={"include_docs": "true", "attachments": "true"}).text
    return "\n".join(jsontext.dumps(row["doc"]) for row in jsontext.loads(text)["rows"])


def without_revs(text):
    docs = [jsontext.loads(line) for line in text.split("\n")]
    return [jsontext.dumps({k: v for k, v in doc.items() if k != "_rev"}) for doc in docs]


def download(client, db, **params):
    response = client.get(reverse("browser:export", kwargs={"db": db}), params)
    assert response.status_code == 200 and response.streaming, response
    return b"".join(response.streaming_content)


def upload(client, db, name, content, **fields):
    response = client.post(reverse("browser:import", kwargs={"db": db}),
                           {"file": SimpleUploadedFile(name, content), **fields})
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def total(page, testid):
    start = page.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return int(page[start:page.index("<", start)].replace(",", ""))


@pytest.fixture
def hostile_db(make_database, couch_server):
    def make(attachments):
        db = make_database()
        store(couch_server, db, hostile_documents() + ([with_attachments()] if attachments else []))
        return db
    return make


FORMATS = [("json", {"attachments": "on"}), ("ndjson", {"attachments": "on"}), ("csv", {"csv_values": "raw"})]


@pytest.mark.parametrize(("kind", "options"), FORMATS, ids=[kind for kind, _ in FORMATS])
def test_a_round_trip_of_hostile_documents_is_identical_byte_for_byte(admin_client, hostile_db, make_database,
                                                                     couch_server, kind, options):
    source = hostile_db(attachments=kind != "csv")  # a CSV file holds no attachments
    exported = download(admin_client, source, format=kind, include_design="on", **options)
    target = make_database()
    page = upload(admin_client, target, f"dump.{kind}", exported, kind=kind, keep_revisions="on")
    assert total(page, "import-invalid") == 0 and total(page, "import-refused") == 0, page[-3000:]
    assert total(page, "import-stored") == len(IDS) + (kind != "csv")
    same = (lambda text: text) if couch_server.is_apache_couchdb else attachment_members_in_order
    assert same(stored_text(couch_server, target)) == same(stored_text(couch_server, source))
    again = download(admin_client, target, format=kind, include_design="on", **options)
    assert same(again.decode()) == same(exported.decode())


def attachment_members_in_order(text):
    """pouchdb-server lists an attachment's members (content_type, revpos, digest) in the order they were written;
    CouchDB in one order of its own. Sorted here for pouchdb-server, and only there."""
    if not text.lstrip().startswith(("{", "[")):
        return text  # CSV: no attachments
    lines = []
    for line in text.split("\n"):
        core = line.strip().rstrip(",")
        if not core.startswith("{"):
            lines.append(line)
            continue
        doc = jsontext.loads(core)
        for name, att in doc.get("_attachments", {}).items():
            doc["_attachments"][name] = dict(sorted(att.items()))
        lines.append(jsontext.dumps(doc))
    return "\n".join(lines)


@pytest.mark.parametrize("kind", ["json", "ndjson", "csv"])
def test_without_keeping_revisions_the_bodies_come_back_the_same(admin_client, hostile_db, make_database,
                                                                couch_server, kind):
    source = hostile_db(attachments=False)
    exported = download(admin_client, source, format=kind, include_design="on", csv_values="raw")
    target = make_database()
    page = upload(admin_client, target, f"dump.{kind}", exported, kind="auto")
    assert total(page, "import-stored") == len(IDS), page[-3000:]
    before, after = stored_text(couch_server, source), stored_text(couch_server, target)
    # New revisions: CouchDB makes a first one from the content as it holds it, and it holds -0.0 (which it
    # writes 0.0) apart from 0.0, so a document holding -0.0 gets another _rev, as it would from any client.
    assert without_revs(after) == without_revs(before)


def header_and_rows(data):
    rows = list(csv.reader(io.StringIO(data.decode(), newline="")))
    return rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}


def test_the_csv_header_says_each_columns_type(admin_client, hostile_db):
    header, rows = header_and_rows(download(admin_client, hostile_db(attachments=False), format="csv",
                                            include_design="on", csv_values="raw",
                                            fields="total, year, vip, items, maybe, text, dot\\.ted, a\\:number"))
    assert header == ["_id", "total:mixed", "year:number", "vip:boolean", "items:json", "maybe:mixed", "text",
                      "dot\\.ted:mixed", "a\\:number:mixed"]
    assert {row["text"] for row in rows.values()} == set(TEXTS[:len(IDS)])
    plain = rows["plus+sign"]
    assert plain["total:mixed"] == "5.1"  # CouchDB stores 5.10 as 5.1
    assert rows["q?mark=1&x=2"]["total:mixed"] == '"n/a"'
    assert rows["slash/inside/id"]["year:number"] == "123456789012345678901234567890" or \
        rows["slash/inside/id"]["year:number"].startswith("1.2345678901234")  # pouchdb-server rounds on store
    assert plain["vip:boolean"] == "false" and plain["items:json"] == '[5,{"sku":"s5"}]'
    # null, "" and a missing field are three different cells
    assert {rows[IDS[i]]["maybe:mixed"] for i in (4, 1, 2, 3)} == {"", '""', '"x"', "null"}


def test_a_text_column_says_nothing_and_a_text_column_with_an_empty_text_is_json(admin_client, make_database,
                                                                                couch_server):
    db = make_database()
    store(couch_server, db, [{"_id": "a", "name": "Ann", "note": ""}, {"_id": "b", "name": "=Ben", "note": "hi"},
                             {"_id": "c"}])
    header, rows = header_and_rows(download(admin_client, db, format="csv"))
    assert header == ["_id", "_rev", "name", "note:json"]
    assert rows["a"]["note:json"] == '""' and rows["b"]["note:json"] == '"hi"' and rows["c"]["note:json"] == ""
    assert rows["b"]["name"] == "'=Ben"  # for spreadsheets, still; raw values keep "=Ben"


@pytest.mark.parametrize("values", ["spreadsheet", "raw"])
def test_the_issues_csv_of_total_year_vip_and_items_imports_as_it_was(admin_client, make_database, couch_server,
                                                                     values):
    db = make_database()
    store(couch_server, db, [{"_id": f"order-{i:03}", "total": N(f"{i * 7 - 100}.{i % 10}0"), "year": 2000 + i % 25,
                              "vip": i % 5 == 0, "items": [{"sku": f"s{i}", "qty": i % 4}] if i % 6 else []}
                             for i in range(321)])
    exported = download(admin_client, db, format="csv", fields="total, year, vip, items", csv_values=values)
    assert exported.startswith(b"_id,total:number,year:number,vip:boolean,items:json\r\n")
    target = make_database()
    page = upload(admin_client, target, "orders.csv", exported)
    assert total(page, "import-stored") == 321
    before, after = stored_text(couch_server, db), stored_text(couch_server, target)
    assert without_revs(after) == without_revs(before)


def test_a_member_exports_whole_documents_as_csv_without_naming_fields(client, personas, make_database,
                                                                      couch_server):
    db = make_database(security=TEAM)
    store(couch_server, db, [{"_id": "a", "n": 1, "tags": ["x"]}, {"_id": "b", "extra": True, "n": 2}])
    log_in(client, personas["member"])
    header, rows = header_and_rows(download(client, db, format="csv", csv_values="raw"))
    assert header == ["_id", "_rev", "extra:boolean", "n:number", "tags:json"]
    assert rows["b"]["extra:boolean"] == "true" and rows["a"]["extra:boolean"] == ""


def test_the_export_page_says_which_csv_values_round_trip(admin_client, make_database):
    page = admin_client.get(reverse("browser:export", kwargs={"db": make_database()})).content.decode()
    assert "Raw values round-trip" in page and "imports again exactly" in page
    assert "<code>total:number</code>" in page and "<code>note:mixed</code>" in page
