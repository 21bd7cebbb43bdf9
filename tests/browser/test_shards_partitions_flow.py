"""In a real browser: a partition opened by keyboard, a Mango query run within it showing only its documents,
and the shard of one of them reached from the shards page."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.conftest import RUN_ID

DOCS = ([{"_id": f"sensor/1:r{i}", "kind": "reading", "value": i} for i in range(3)]
        + [{"_id": f"sensor-2:r{i}", "kind": "reading", "value": i} for i in range(4)])


@pytest.fixture
def partitioned_db(couch_server):
    http = couch_server.admin_http()
    name = f"ca-{RUN_ID}-flow-{uuid.uuid4().hex[:8]}"
    url = couch_server.url + name
    http.put(url, params={"partitioned": "true", "q": "4"}, timeout=10).raise_for_status()
    for doc in DOCS:
        http.put(url + "/" + requests.utils.quote(doc["_id"], safe=""), json=doc, timeout=10).raise_for_status()
    yield name
    http.delete(url, timeout=10)


@pytest.mark.couchdb3
def test_open_a_partition_by_keyboard_and_query_only_its_documents(admin_page, partitioned_db):
    admin_page.open(f"/db/{partitioned_db}/partitions/")
    page = admin_page.page
    page.get_by_label("Partition name").focus()
    page.keyboard.type("sensor/1")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Partition “sensor/1”")
    expect(page.get_by_test_id("partition-doc-count")).to_have_text("3")
    expect(page.get_by_test_id("partition-docs").locator("li")).to_have_count(3)

    page.get_by_label("Selector (JSON)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type('{"kind": "reading"}')
    page.keyboard.press("Tab")  # fields
    page.keyboard.press("Tab")  # limit
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Run in this partition")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("mango-partition")).to_contain_text("sensor/1")
    results = page.get_by_test_id("mango-results").locator("tbody tr")
    expect(results).to_have_count(3)
    for i in range(3):
        expect(results.nth(i)).to_contain_text(f"sensor/1:r{i}")
    expect(page.get_by_test_id("mango-results")).not_to_contain_text("sensor-2")

    admin_page.open(f"/db/{partitioned_db}/shards/")
    expect(page.get_by_test_id("shard-table").locator("tbody tr")).to_have_count(4)
    page.get_by_label("Document id").fill("sensor/1:r0")
    page.get_by_label("Document id").press("Enter")
    expect(page.get_by_test_id("shard-range")).to_have_text(re.compile(r"^[0-9a-f]{8}-[0-9a-f]{8}$"))
    expect(page.get_by_test_id("partition-note")).to_contain_text("sensor/1")
    page.get_by_test_id("partition-note").get_by_role("link", name="sensor/1").click()
    expect(page.locator("h1")).to_have_text("Partition “sensor/1”")
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []
