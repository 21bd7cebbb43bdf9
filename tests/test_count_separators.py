"""Counts of rows, documents and databases are written with thousands separators everywhere ("1,234", never
"1234"), by the one filter `count_or_dash`, and stay exact however large."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from browser.couch.jsontext import JsonNumber
from browser.rendering.filters import count_or_dash

DOCUMENTS = 1234


@pytest.fixture
def big_db(make_database, couch_server):
    """A database of 1,234 documents."""
    db = make_database()
    docs = [{"_id": f"doc-{number:05d}"} for number in range(DOCUMENTS)]
    couch_server.admin_http().post(f"{couch_server.url}{db}/_bulk_docs", json={"docs": docs},
                                   timeout=120).raise_for_status()
    return db


def test_the_pages_of_a_database_of_1234_documents_say_1_234(admin_client, big_db):
    for page in ("export", "import"):
        html = admin_client.get(reverse(f"browser:{page}", kwargs={"db": big_db})).content.decode()
        assert "The database holds 1,234 documents." in html, page
    html = admin_client.get(reverse("browser:database", kwargs={"db": big_db})).content.decode()
    assert "1,234 rows in the index" in html


def test_the_conflict_scan_says_how_many_documents_it_read_with_a_separator(admin_client, big_db, couch_server):
    if couch_server.is_apache_couchdb:
        pytest.skip("Apache CouchDB searches for conflicts with Mango: only pouchdb-server's scan counts documents")
    html = admin_client.get(reverse("browser:conflict-list", kwargs={"db": big_db})).content.decode()
    assert "Scanned 1,000 documents" in html


def test_import_and_replication_counts_have_separators():
    progress = SimpleNamespace(rows=12345, stored=12000, failed=345, existing=1000, refused=2000, invalid=3000,
                               bytes_read=1, done=True, broken="", failures=[])
    running = render_to_string("browser/_import_progress.html", {"progress": progress, "size": 2})
    assert "12,345 rows: 12,000 stored, 345 not." in running
    report = render_to_string("browser/_import_report.html", {"progress": progress, "db": "d", "listed": 0,
                                                              "listed_most": 1000})
    for shown in ("12,345", "12,000", "1,000", "2,000", "3,000"):
        assert f">{shown}</dd>" in report
    replication = SimpleNamespace(docs_read=1500000, docs_written=JsonNumber("1499999"), doc_write_failures=1,
                                  changes_pending=None, start_time="")
    counts = render_to_string("browser/_replication_counts.html", {"r": replication})
    assert ">1,500,000</dd>" in counts and ">1,499,999</dd>" in counts and ">—</dd>" in counts


def test_the_one_filter_keeps_every_digit_of_a_huge_count():
    assert count_or_dash(12345678901234567890123) == "12,345,678,901,234,567,890,123"
    assert count_or_dash(JsonNumber("98765432109876543210")) == "98,765,432,109,876,543,210"
    assert count_or_dash("1.5e3") == "1.5e3"  # not a whole number: shown as CouchDB sent it
    assert count_or_dash(None) == "—" and count_or_dash(0) == "0"
