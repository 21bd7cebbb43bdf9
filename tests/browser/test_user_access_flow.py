"""In a real browser: the page of the databases a user can access fills itself in to the end, a stretch of
databases a request, and says how far it has got in one live region that stays in place."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from browser.views import users as users_view
from tests.conftest import TEAM

# Every text the status takes, in order, and whether it is still the element the page came with (a live region
# that is replaced, rather than changed, is not announced by every screen reader).
WATCH_STATUS = """
window.statusTexts = [];
new MutationObserver(() => {
  const status = document.getElementById("scan-status");
  if (!status) { return; }
  window.firstStatus = window.firstStatus || status;
  const text = status.textContent.trim();
  if (window.statusTexts[window.statusTexts.length - 1] !== text) { window.statusTexts.push(text); }
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def test_the_access_page_fills_in_to_the_end_and_shows_its_progress(admin_page, personas, make_database, monkeypatch):
    monkeypatch.setattr(users_view, "SCAN_PAGE", 2)  # many requests, however few databases the server holds
    granted = [make_database(security=TEAM) for _ in range(3)]
    closed = make_database()
    page = admin_page.page
    page.add_init_script(WATCH_STATUS)
    admin_page.open(reverse("browser:user-access", kwargs={"name": personas["member"].name}))

    status = page.get_by_test_id("scan-status")
    expect(status).to_contain_text("Scan finished", timeout=60_000)
    expect(status).to_have_attribute("role", "status")
    texts = page.evaluate("window.statusTexts")
    assert page.evaluate("document.getElementById('scan-status') === window.firstStatus")
    running, finished = texts[:-1], texts[-1]
    assert len(running) >= 2 and all(re.fullmatch(r"Scanned [0-9,]+ of [0-9,]+ databases…", t) for t in running)
    scanned = [int(re.match(r"Scanned ([0-9,]+)", t).group(1).replace(",", "")) for t in running]
    assert scanned == sorted(set(scanned)) and scanned[0] == 2
    total = int(finished.split(": ")[1].split(" ")[0].replace(",", ""))
    assert total > scanned[-1] and re.fullmatch(r"Scan finished: [0-9,]+ databases checked\.", finished)

    table = page.get_by_test_id("user-access")
    for db in granted:
        expect(table.locator(f'tr[data-db="{db}"]')).to_contain_text("member by role “ca-team”")
    expect(table.locator(f'tr[data-db="{closed}"]')).to_have_count(0)
    expect(page.locator("#scan-next")).to_have_count(0)
    assert [m for m in admin_page.console if m[0] in ("error", "pageerror")] == []
