"""Export and import against the real server: formats, selections, attachments, exact round trips, per-row
reports, reruns, rights, and memory that does not grow with the file."""

import base64
import io
import json
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.session import login
from browser.couch.transfer import StreamBroken, array_items, lines_items
from browser.couch.transfer_import import import_documents
from tests.conftest import TEAM, log_in
from tests.support.eventually import eventually

PNG = base64.b64encode(bytes(range(256)) * 4).decode()
HOSTILE_IDS = ["a/b?c#d%e&f+g h", "ünï©ødé", "_design/x y", "..", "~.."]
DOCS = [
    {"_id": "alice", "name": "Alice", "age": 31, "active": True, "address": {"city": "Lyon", "zip": "69001"},
     "tags": ["a", "b"], "big": 12345678901234567890, "exact": 0.1000000000000000055},
    {"_id": "bob", "name": "Bob, \"the\" builder", "age": 40, "active": False, "address": {"city": "Oslo"},
     "note": "line one\nline two", "nothing": None},
    {"_id": "files", "title": "with files", "_attachments": {
        "image.png": {"content_type": "image/png", "data": PNG},
        "notes/é.txt": {"content_type": "text/plain;charset=utf-8",
                        "data": base64.b64encode("héllo".encode()).decode()}}},
    *({"_id": docid, "n": i} for i, docid in enumerate(HOSTILE_IDS)),
]


def _bulk(couch_server, db, docs, **params):
    answer = couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", timeout=30,
                                            data=jsontext.dumps({"docs": docs, **params}).encode(),
                                            headers={"Content-Type": "application/json"})
    answer.raise_for_status()
    return answer.json()


@pytest.fixture
def source_db(make_database, couch_server):
    db = make_database(security=TEAM)
    _bulk(couch_server, db, DOCS)
    return db


@pytest.fixture
def member_client(client, personas):
    return log_in(client, personas["member"])


def _download(client, db, **params):
    response = client.get(reverse("browser:export", kwargs={"db": db}), params)
    assert response.status_code == 200, response.content[:500] if not response.streaming else response
    assert response.streaming
    return response, b"".join(response.streaming_content).decode()


def _all_exact(couch_server, db):
    """Every document as CouchDB returns it, attachments' data inline, by id (exact numbers kept)."""
    text = couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs",
                                         params={"include_docs": "true", "attachments": "true"}, timeout=30).text
    return {row["id"]: row["doc"] for row in jsontext.loads(text)["rows"]}


def _import(client, db, name, content, **fields):
    upload = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    response = client.post(reverse("browser:import", kwargs={"db": db}), {"file": upload, **fields})
    assert response.status_code == 200, response.content.decode()[-4000:]
    return b"".join(response.streaming_content).decode()


def _number(page, testid):
    start = page.index(f'data-testid="{testid}">') + len(f'data-testid="{testid}">')
    return int(page[start:page.index("<", start)].replace(",", ""))


# --- export ---

def test_ndjson_export_streams_every_document_exactly_with_revs(member_client, source_db, couch_server):
    response, text = _download(member_client, source_db, format="ndjson", include_design="on")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/x-ndjson")
    docs = [jsontext.loads(line) for line in text.splitlines()]
    stored = _all_exact(couch_server, source_db)
    assert {d["_id"] for d in docs} == set(stored)
    for doc in docs:
        expected = {k: v for k, v in stored[doc["_id"]].items() if k != "_attachments"}
        assert jsontext.dumps(doc) == jsontext.dumps(expected)  # no attachments unless asked
    if couch_server.is_apache_couchdb:  # pouchdb-server rounds big integers to doubles when it stores them
        assert '"big":12345678901234567890' in text


def test_rows_copied_unparsed_are_whole_documents_whatever_their_text(member_client, make_database, couch_server):
    # JSON and NDJSON exports copy each document's text out of the _all_docs row unparsed: an id or a value that
    # looks like the row's own layout, stubs to leave out and a member named _attachments deeper down.
    db = make_database(security=TEAM)
    tricky = [{"_id": 'a},"doc":{"x', "text": '"_attachments":{}', "n": 1.5},
              {"_id": "deep", "meta": {"_attachments": {"not": "stubs"}}},
              {"_id": "stubs", "_attachments": {"a.txt": {"content_type": "text/plain", "data": "aGk="}}},
              {"_id": "_design/left-out", "views": {}}]
    _bulk(couch_server, db, tricky)
    stored = _all_exact(couch_server, db)
    expected = {i: {k: v for k, v in doc.items() if k != "_attachments"} for i, doc in stored.items()
                if not i.startswith("_design/")}
    _, ndjson = _download(member_client, db, format="ndjson")
    _, array = _download(member_client, db, format="json")
    for docs in ([jsontext.loads(line) for line in ndjson.split("\n") if line], jsontext.loads(array)):
        assert {d["_id"]: jsontext.dumps(d) for d in docs} == {i: jsontext.dumps(d) for i, d in expected.items()}


def test_json_export_without_design_documents_is_one_array(member_client, source_db):
    _, text = _download(member_client, source_db, format="json")
    docs = jsontext.loads(text)
    assert isinstance(docs, list) and "alice" in {d["_id"] for d in docs}
    assert not any(d["_id"].startswith("_design/") for d in docs)


def test_csv_export_has_the_chosen_nested_fields_with_their_types(member_client, source_db):
    response, text = _download(member_client, source_db, format="csv", fields="name, address.city, tags, age")
    assert response["Content-Type"].startswith("text/csv")
    lines = text.split("\r\n")
    assert lines[0] == "_id,name,address.city,tags:json,age:number"
    assert 'alice,Alice,Lyon,"[""a"",""b""]",31' in lines
    assert 'bob,"Bob, ""the"" builder",Oslo,,40' in lines


def test_a_csv_export_without_fields_has_a_column_for_every_field(member_client, source_db):
    _, text = _download(member_client, source_db, format="csv", csv_values="raw")
    header = text.split("\r\n")[0].split(",")
    assert header[:2] == ["_id", "_rev"]
    assert {"name", "age:number", "active:boolean", "address:json", "tags:json", "nothing:json",
            "title"} <= set(header)
    assert "_attachments" not in text


def test_a_mango_selection_exports_only_its_documents_with_attachments(member_client, source_db):
    _, text = _download(member_client, source_db, format="ndjson", selector='{"title": "with files"}',
                        attachments="on")
    docs = [jsontext.loads(line) for line in text.splitlines()]
    assert [d["_id"] for d in docs] == ["files"]
    assert docs[0]["_attachments"]["image.png"]["data"] == PNG


def test_attachments_come_inline_when_asked(member_client, source_db):
    _, text = _download(member_client, source_db, format="json", attachments="on")
    files = next(d for d in jsontext.loads(text) if d["_id"] == "files")
    assert base64.b64decode(files["_attachments"]["notes/é.txt"]["data"]).decode() == "héllo"


def test_the_export_page_says_the_count_and_outsiders_are_refused(member_client, personas, source_db):
    page = member_client.get(reverse("browser:export", kwargs={"db": source_db}))
    assert page.status_code == 200 and f"holds {len(DOCS)} documents" in page.content.decode()
    client = log_in(Client(), personas["outsider"])
    response = client.get(reverse("browser:export", kwargs={"db": source_db}), {"format": "ndjson"})
    assert response.status_code in (401, 403)


def test_anonymous_people_are_sent_to_log_in(client, source_db):
    response = client.get(reverse("browser:export", kwargs={"db": source_db}), {"format": "ndjson"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post(reverse("browser:import", kwargs={"db": source_db}))
    assert response.status_code in (302, 403)


# --- round trips ---

@pytest.mark.parametrize("keep_revisions", [False, True])
def test_export_then_import_reproduces_every_document_and_attachment(admin_client, source_db, make_database,
                                                                     couch_server, keep_revisions):
    _, text = _download(admin_client, source_db, format="ndjson", attachments="on", include_design="on")
    target = make_database()
    page = _import(admin_client, target, "export.ndjson", text, kind="auto",
                   **({"keep_revisions": "on"} if keep_revisions else {}))
    assert _number(page, "import-stored") == len(DOCS), page[-3000:]
    # CouchDB makes a first revision from the content alone, so even _rev comes back the same there;
    # pouchdb-server makes new ones unless they are kept.
    _assert_same_documents(couch_server, source_db, target, with_rev=keep_revisions or couch_server.is_apache_couchdb)


def _assert_same_documents(couch_server, source, target, with_rev=True):
    before = _all_exact(couch_server, source)
    # The import wrote at CouchDB's default quorum, and _all_docs reads one copy of each shard: on a cluster
    # wait until the copy read has every document (at once on one node).
    after = eventually(lambda: _all_exact(couch_server, target), until=lambda found: set(found) == set(before))
    assert set(after) == set(before)
    for docid, doc in before.items():
        copy = after[docid]
        left_out = ("_attachments",) if with_rev else ("_attachments", "_rev")
        doc_body, copy_body = ({k: v for k, v in d.items() if k not in left_out} for d in (doc, copy))
        assert jsontext.dumps(copy_body) == jsontext.dumps(doc_body), docid
        # Attachments: the same data, type and digest (pouchdb-server lists their members in another order).
        assert copy.get("_attachments") == doc.get("_attachments"), docid


def test_a_json_array_export_imports_into_a_new_database(admin_client, source_db, couch_server,
                                                         drop_database_afterwards):
    _, text = _download(admin_client, source_db, format="json", attachments="on", include_design="on")
    name = f"{source_db}-copy"
    drop_database_afterwards(name)
    upload = SimpleUploadedFile("dump.json", text.encode())
    response = admin_client.post(reverse("browser:import-new"), {"database": name, "file": upload, "kind": "auto"})
    page = b"".join(response.streaming_content).decode()
    assert _number(page, "import-stored") == len(DOCS)
    _assert_same_documents(couch_server, source_db, name, with_rev=couch_server.is_apache_couchdb)


def test_importing_into_a_new_database_is_for_server_admins(client, personas):
    log_in(client, personas["member"])
    assert client.get(reverse("browser:import-new")).status_code == 403


def test_rerunning_an_import_with_ids_never_duplicates(member_client, make_database, couch_server):
    db = make_database(security=TEAM)
    text = "\n".join(json.dumps({"_id": f"d{i}", "n": i}) for i in range(30))
    first = _import(member_client, db, "a.ndjson", text)
    second = _import(member_client, db, "a.ndjson", text)
    assert _number(first, "import-stored") == 30
    assert _number(second, "import-stored") == 0 and _number(second, "import-existing") == 30
    assert "already there" in second
    # A database's doc_count on a cluster sums one copy of each shard: wait for the copies to agree.
    info = eventually(lambda: couch_server.admin_http().get(f"{couch_server.url}{db}", timeout=10).json(),
                      until=lambda found: found.get("doc_count") == 30)
    assert info["doc_count"] == 30


def test_rerunning_a_changed_file_at_once_leaves_each_document_as_it_was(member_client, make_database,
                                                                         couch_server):
    # On a cluster the second run meets copies that may not have the first run's documents yet: written there as
    # new documents (CouchDB answers 202), they would become conflicting revisions of those just imported.
    db = make_database(security=TEAM)
    _import(member_client, db, "a.ndjson", "\n".join(json.dumps({"_id": f"d{i}", "n": i}) for i in range(30)))
    again = _import(member_client, db, "a.ndjson", "\n".join(json.dumps({"_id": f"d{i}", "n": -i}) for i in range(30)))
    assert _number(again, "import-stored") == 0 and _number(again, "import-existing") == 30
    docs = couch_server.admin_http().post(f"{couch_server.url}{db}/_all_docs", timeout=30, json={
        "keys": [f"d{i}" for i in range(30)]}, params={"include_docs": "true", "conflicts": "true"}).json()["rows"]
    assert [(row["doc"]["n"], row["doc"].get("_conflicts")) for row in docs] == [(i, None) for i in range(30)]


# --- CSV and bad rows ---

CSV_WITH_BAD_ROWS = (
    "_id,name,age:number,active:boolean,tags:json,address.city\r\n"
    "p1,Ann,31,true,\"[\"\"x\"\"]\",Lyon\r\n"
    "p2,Ben,not a number,false,[],Oslo\r\n"
    "p3,Cid,40,false,{broken,Rome\r\n"
    "_p4,Dan,41,true,[],Nice\r\n"
    "p5,Eve,42,maybe,[],Nice\r\n"
    "p6,Fay,43,true,[],Pau,one too many\r\n"
    "p7,Gus,1.50,false,\"{\"\"a\"\": 1}\",\r\n"
)


def test_csv_import_reports_each_bad_row_and_stores_the_rest(member_client, make_database, couch_server):
    db = make_database(security=TEAM)
    page = _import(member_client, db, "people.csv", CSV_WITH_BAD_ROWS)
    assert _number(page, "import-stored") == 2 and _number(page, "import-invalid") == 5
    for line, words in ((3, "is not a number"), (4, "not valid JSON"), (5, "may start with"),
                        (6, "is not true or false"), (7, "7 cells but the header has 6")):
        assert f"row {line}" in page and words in page, (line, words)
    ann = couch_server.admin_http().get(f"{couch_server.url}{db}/p1", timeout=10).json()
    assert {k: v for k, v in ann.items() if k != "_rev"} == {
        "_id": "p1", "name": "Ann", "age": 31, "active": True, "tags": ["x"], "address": {"city": "Lyon"}}
    gus = couch_server.admin_http().get(f"{couch_server.url}{db}/p7", timeout=10).json()
    assert gus["tags"] == {"a": 1} and "address" not in gus  # an empty cell leaves the field out


def test_a_broken_json_item_is_reported_and_the_items_after_it_are_stored(member_client, make_database):
    db = make_database(security=TEAM)
    text = '[{"_id": "a"}, {"_id": "b", "x": tru}, 7, {"_id": "c", "_foo": 1}, {"_id": "d"}]'
    page = _import(member_client, db, "x.json", text)
    assert _number(page, "import-stored") == 2 and _number(page, "import-invalid") == 3
    assert "not a JSON object" in page and "_foo" in page


def test_a_file_that_is_not_an_array_says_so(member_client, make_database):
    db = make_database(security=TEAM)
    page = _import(member_client, db, "x.json", '{"_id": "a"}')
    assert "Reading the file stopped" in page and _number(page, "import-stored") == 0


def test_a_validate_doc_update_refusal_is_reported_per_row(admin_client, make_database, couch_server):
    db = make_database()
    _bulk(couch_server, db, [{"_id": "_design/rules", "validate_doc_update":
                              "function (doc) { if (doc.bad) { throw({forbidden: 'no bad documents'}); } }"}])
    page = _import(admin_client, db, "x.ndjson", '{"_id": "ok"}\n{"_id": "nope", "bad": true}\n{"_id": "ok2"}\n')
    assert _number(page, "import-stored") == 2 and _number(page, "import-refused") == 1
    assert "row 2" in page and "refused" in page
    if couch_server.is_apache_couchdb:  # pouchdb-server answers the refusal with another error name and reason
        assert "validate_doc_update refused it: no bad documents" in page


def test_an_outsider_cannot_import(client, personas, source_db):
    log_in(client, personas["outsider"])
    upload = SimpleUploadedFile("a.ndjson", b'{"_id": "x"}\n')
    response = client.post(reverse("browser:import", kwargs={"db": source_db}), {"file": upload})
    assert response.status_code in (401, 403)


def test_the_import_form_keeps_its_choices_and_needs_a_file(member_client, source_db):
    response = member_client.post(reverse("browser:import", kwargs={"db": source_db}), {"kind": "csv"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and 'value="csv" selected' in page


# --- memory ---

def _ndjson_lines(count):
    for i in range(count):
        yield f'{{"_id": "doc-{i:06d}", "n": {i}, "text": "some small document"}}\n'.encode()


class _GeneratedFile(io.RawIOBase):
    """A file of `count` NDJSON lines that exists only as it is read."""

    def __init__(self, count):
        self._lines = _ndjson_lines(count)
        self._held = b""
        self._pos = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        while len(self._held) < len(buffer):
            line = next(self._lines, None)
            if line is None:
                break
            self._held += line
        size = min(len(buffer), len(self._held))
        buffer[:size] = self._held[:size]
        self._held = self._held[size:]
        self._pos += size
        return size

    def tell(self):
        return self._pos


def test_fifty_thousand_documents_import_in_bounded_memory(make_database, couch_server):
    db = make_database()
    client = CouchClient(base_url=couch_server.url)
    login(client, couch_server.admin.name, couch_server.admin.password)
    source = io.BufferedReader(_GeneratedFile(50_000))
    tracemalloc.start()
    try:
        *_, last = import_documents(client, db, source, "ndjson")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert last.done and last.stored == 50_000 and last.failed == 0
    # The file is ~4 MB and 50,000 documents would take far more as Python objects; one batch is ~1 MB.
    assert peak < 8 * 1024 * 1024, peak


# --- the readers ---

def test_the_array_reader_finds_items_across_any_chunking():
    text = '[ {"a": "x]}\\"{[", "b": [1, {"c": 2}]}, "s", 12.50, true, null, [[]] ]'
    whole = [i.value for i in array_items([text])]
    for size in (1, 2, 3, 7):
        assert [i.value for i in array_items(text[n:n + size] for n in range(0, len(text), size))] == whole
    assert jsontext.dumps(whole[0]) == '{"a":"x]}\\"{[","b":[1,{"c":2}]}' and jsontext.dumps(whole[2]) == "12.50"


def test_the_array_reader_reads_rows_of_an_answer_and_reads_deep_items():
    deep = "[" * 5000 + "]" * 5000
    answer = '{"total_rows": 2, "offset": 0, "rows": [\r\n{"id": "a"},\r\n' + '{"deep": ' + deep + '}\r\n]}'
    items = list(array_items([answer], member="rows"))
    assert items[0].value == {"id": "a"} and items[1].problem == ""


def test_the_array_reader_stops_on_an_unclosed_array_and_lines_skip_blanks():
    with pytest.raises(StreamBroken):
        list(array_items(['[{"a": 1}, {"b": ']))
    items = list(lines_items(io.StringIO('{"a": 1}\n\n{bad\n')))
    assert [i.number for i in items] == [1, 3] and items[1].problem.startswith("not valid JSON")
