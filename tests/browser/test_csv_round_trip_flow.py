"""In a real browser: export a database of hostile documents as raw CSV through the Export page, import the
downloaded file through the Import page, and find every document as it was, types, numbers and _rev included."""

import csv
import io
from pathlib import Path

from playwright.sync_api import expect

from tests.test_round_trip import IDS, hostile_documents, store, stored_text


def test_a_raw_csv_downloaded_and_uploaded_again_gives_back_every_document(admin_page, make_database, couch_server):
    source, target = make_database(), make_database()
    store(couch_server, source, hostile_documents())
    page = admin_page.page
    admin_page.open(f"/db/{source}/export/")
    page.get_by_label("Format").select_option("csv")
    page.get_by_label("Raw values (for programs, not spreadsheets): imports again exactly").check()
    expect(page.get_by_label("Include design documents")).to_be_checked()
    expect(page.get_by_test_id("export-round-trip")).to_contain_text("Raw values round-trip")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == f"{source}.csv"
    exported = Path(download.value.path()).read_bytes()
    header = next(csv.reader(io.StringIO(exported.decode(), newline="")))
    assert header[:2] == ["_id", "_rev"] and {"total:mixed", "year:number", "vip:boolean", "items:json"} <= set(header)

    admin_page.open(f"/db/{target}/import/")
    page.get_by_label("File to import").set_input_files(download.value.path())
    page.get_by_label("The file is").select_option("csv")
    page.get_by_label("Keep the documents’ revisions (_rev)").check()
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_test_id("import-report")).to_contain_text("Import finished")
    expect(page.get_by_test_id("import-stored")).to_have_text(str(len(IDS)))
    expect(page.get_by_test_id("import-invalid")).to_have_text("0")
    assert stored_text(couch_server, target) == stored_text(couch_server, source)
