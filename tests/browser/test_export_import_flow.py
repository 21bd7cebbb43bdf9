"""In a real browser: reach the import page by keyboard, choose a CSV file with a bad row, watch the progress
and read the report; then download the database as NDJSON."""

from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import TEAM

CSV = ("_id,name,age:number\r\n"
       + "".join(f"p{i},Person {i},{20 + i}\r\n" for i in range(1, 1200))
       + "bad,Nobody,not a number\r\n")


def test_a_csv_upload_shows_progress_and_reports_its_bad_row(browser_page, personas, make_database, couch_server):
    db = make_database(security=TEAM)
    browser_page.log_in(personas["member"], path=f"/db/{db}/")
    page = browser_page.page
    page.get_by_role("navigation", name="Database").get_by_role("link", name="Import").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Import into {db}")).to_be_visible()
    page.get_by_label("File to import").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": CSV.encode()})
    page.get_by_label("File to import").focus()
    page.keyboard.press("Tab")  # to "The file is"
    page.keyboard.press("Tab")  # to "Keep the documents’ revisions"
    page.keyboard.press("Tab")  # to Import
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("import-report")).to_contain_text("Import finished")
    expect(page.get_by_test_id("import-stored")).to_have_text("1,199")
    expect(page.get_by_test_id("import-invalid")).to_have_text("1")
    expect(page.get_by_test_id("import-failure")).to_contain_text("“not a number” is not a number")
    progress = page.locator(".import-step progress").last
    expect(progress).to_be_visible()
    assert progress.get_attribute("max") == progress.get_attribute("value")
    assert couch_server.admin_http().get(f"{couch_server.url}{db}").json()["doc_count"] == 1199

    page.get_by_role("navigation", name="Database").get_by_role("link", name="Export").click()
    expect(page.get_by_test_id("export-count")).to_contain_text("1,199 documents")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    assert download.value.suggested_filename == f"{db}.ndjson"
    assert len(Path(download.value.path()).read_text().splitlines()) == 1199
