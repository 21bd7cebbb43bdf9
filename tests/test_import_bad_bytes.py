"""An import with a byte that is not UTF-8 stores (or reports) every valid row before it, and names the bad row by
line and byte offset: NDJSON reads on past the bad line, a JSON array and a CSV file stop there."""

import io
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from browser.couch.transfer import NotUtf8, binary_lines, text_chunks
from tests.conftest import TEAM, log_in
from tests.support.eventually import eventually

BAD = b"\xff"


@pytest.fixture
def member_client(client, personas):
    return log_in(client, personas["member"])


def stored_ids(couch_server, db, at_least=0):
    """The ids _all_docs lists; on a cluster it reads one copy of each shard: wait until `at_least` are there."""
    def read():
        return couch_server.admin_http().get(f"{couch_server.url}{db}/_all_docs", timeout=60).json()["rows"]
    return {row["id"] for row in eventually(read, until=lambda rows: len(rows) >= at_least)}


def run_import(client, db, name, data, kind):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse("browser:import", kwargs={"db": db}), {"file": upload, "kind": kind})
    assert response.status_code == 200
    return unescape(b"".join(response.streaming_content).decode())


def ndjson_with_a_bad_byte(before=1200, after=30):
    lines = [f'{{"_id": "r{n:05}", "n": {n}, "text": "ünï ✓"}}\n'.encode() for n in range(1, before + 1)]
    offset = sum(len(line) for line in lines) + len(b'{"_id": "bad", "text": "')
    lines.append(b'{"_id": "bad", "text": "' + BAD + b'"}\n')
    lines += [f'{{"_id": "a{n:05}", "n": {n}}}\n'.encode() for n in range(after)]
    return b"".join(lines), offset


def test_ndjson_stores_every_valid_row_and_names_the_bad_one(member_client, make_database, couch_server):
    db = make_database(security=TEAM)
    data, offset = ndjson_with_a_bad_byte()
    page = run_import(member_client, db, "rows.ndjson", data, "ndjson")
    ids = stored_ids(couch_server, db, at_least=1230)
    assert {f"r{n:05}" for n in range(1, 1201)} <= ids and {f"a{n:05}" for n in range(30)} <= ids
    assert "bad" not in ids and len(ids) == 1230
    assert "1,201" in page and f"byte {offset:,}" in page and "0xff" in page, page[-3000:]


def test_a_json_array_stores_the_items_before_the_bad_byte_and_says_where(member_client, make_database, couch_server):
    db = make_database(security=TEAM)
    items = [f'{{"_id": "j{n:05}", "pad": "{"x" * 300}"}}'.encode() for n in range(1500)]
    head = b"[\n" + b",\n".join(items) + b",\n"
    data = head + b'{"_id": "bad", "t": "' + BAD + b'"},\n{"_id": "after"}\n]'
    page = run_import(member_client, db, "rows.json", data, "json")
    ids = stored_ids(couch_server, db, at_least=1500)
    assert {f"j{n:05}" for n in range(1500)} <= ids and "bad" not in ids and "after" not in ids
    line = head.count(b"\n") + 1
    assert f"Line {line:,} is not UTF-8" in page and f"byte {len(head) + 21:,}" in page, page[-3000:]


def test_a_csv_file_stores_the_rows_before_the_bad_byte_and_says_where(member_client, make_database, couch_server):
    db = make_database(security=TEAM)
    rows = b"".join(f"c{n:05},ünï {n}\r\n".encode() for n in range(1300))
    data = b"_id,name\r\n" + rows + b"bad,x" + BAD + b"\r\nafter,y\r\n"
    page = run_import(member_client, db, "rows.csv", data, "csv")
    ids = stored_ids(couch_server, db, at_least=1300)
    assert {f"c{n:05}" for n in range(1300)} <= ids and "bad" not in ids
    offset = len(b"_id,name\r\n" + rows + b"bad,x")
    assert "Line 1,302 is not UTF-8" in page and f"byte {offset:,}" in page, page[-3000:]


def test_text_chunks_give_the_good_text_first_whatever_the_chunking():
    data = "é✓".encode() * 1000 + b"tail" + BAD + b"more"
    for size in (1, 2, 3, 7, 4096):
        chunks = [data[i:i + size] for i in range(0, len(data), size)]
        got = []
        with pytest.raises(NotUtf8) as caught:
            for text in text_chunks(chunks):
                got.append(text)
        assert "".join(got) == "é✓" * 1000 + "tail" and caught.value.offset == len(data) - 5


def test_binary_lines_keep_universal_newlines_and_a_byte_order_mark_is_dropped():
    data = b"\xef\xbb\xbfone\r\ntwo\rthree\n" + b"f" + BAD + b"ur\rfive"
    lines = list(binary_lines(io.BytesIO(data)))
    assert [line for _, line in lines if isinstance(line, str)] == ["one\r\n", "two\r", "three\n", "five"]
    bad = [(number, line) for number, line in lines if isinstance(line, NotUtf8)]
    assert bad[0][0] == 4 and bad[0][1].offset == data.index(BAD)
    assert re.search(r"Line 4 is not UTF-8 text: byte \d+ of the file is 0xff", str(bad[0][1]))
