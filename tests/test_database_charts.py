"""The databases page draws counts and sizes as small bars, scaled to the page shown, each beside its
number (the bar is decorative: the number is the text a screen reader reads). Real server, either kind."""

import re
import uuid

import pytest

from browser.couch.databases import DatabaseSummary
from browser.views.databases import _chart_rows
from tests.conftest import RUN_ID

BAR = re.compile(r'<svg class="bar bar-(\w+)"[^>]*aria-hidden="true"[^>]*data-share="(\d+)"')


@pytest.fixture
def three_databases(make_database, couch_server):
    prefix = f"ca-{RUN_ID}-bars{uuid.uuid4().hex[:6]}-"
    http = couch_server.admin_http()
    names = []
    for i, count in enumerate((0, 5, 10)):
        name = make_database(f"{prefix}{i}")
        if count:
            docs = [{"_id": f"d{n}", "n": n} for n in range(count)]
            http.post(f"{couch_server.url}{name}/_bulk_docs", json={"docs": docs}, timeout=10).raise_for_status()
        names.append(name)
    return prefix, names


def _rows(page):
    return {m.group(1): m.group(2) for m in re.finditer(r'<tr data-db="([^"]+)">(.*?)</tr>', page, re.S)}


def test_each_database_has_bars_beside_its_numbers_scaled_to_the_page(admin_client, three_databases):
    prefix, names = three_databases
    page = admin_client.get("/", {"prefix": prefix}).content.decode()
    rows = _rows(page)
    assert list(rows) == names
    shares = {name: dict(BAR.findall(row)) for name, row in rows.items()}
    assert [s["docs"] for s in shares.values()] == ["0", "50", "100"]
    for name, count in zip(names, ("0", "5", "10"), strict=True):
        assert re.search(rf'<div class="bar-cell"><span>{count}</span><svg class="bar bar-docs"', rows[name])
    if any("size" in s for s in shares.values()):  # both servers report a size; pouchdb-server as disk_size
        assert max(int(s["size"]) for s in shares.values()) == 100
    assert "the bars compare the databases on this page" in page


def test_the_htmx_fragment_carries_the_bars_too(admin_client, three_databases):
    prefix, names = three_databases
    fragment = admin_client.get("/", {"prefix": prefix}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and len(BAR.findall(fragment)) >= 3


def test_bars_scale_to_the_largest_value_and_a_small_one_stays_visible():
    rows = _chart_rows([DatabaseSummary("a", doc_count=1, active_size=0), DatabaseSummary("b", doc_count=1000),
                        DatabaseSummary("c", doc_count=None, file_size=2048), DatabaseSummary("d", problem="gone")])
    assert [(r["docs"], r["size"]) for r in rows] == [(1, 0), (100, None), (None, 100), (None, None)]


def test_junk_numbers_and_an_empty_page_draw_no_bar():
    rows = _chart_rows([DatabaseSummary("a", doc_count=True, doc_del_count=-3, active_size="12")])
    assert (rows[0]["docs"], rows[0]["deleted"], rows[0]["size"]) == (None, None, None)
    assert _chart_rows([]) == []
    zero = _chart_rows([DatabaseSummary("a", doc_count=0)])
    assert zero[0]["docs"] == 0
