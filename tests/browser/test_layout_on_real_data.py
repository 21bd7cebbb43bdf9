"""Real data in a real browser (issue 24): 300-character ids, long JSON values and a conflict between long
values, on every page that shows an id, at a laptop's 1366 px and a phone's 390 px. No page scrolls sideways,
the header is one row on the laptop, the id column of the document list stays readable beside wide JSON
columns, and text cut short carries its full text in a `title`. With LAYOUT_SHOTS_DIR set, each page is
photographed there."""

import json
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from django.urls import reverse

SOLID_ID = "order-" + "".join(f"{n:03d}abcdefg" for n in range(30))[:294]
SPACED_ID = " ".join(f"customer{n:02d} placed an order" for n in range(20))[:300]
GONE_ID = "removed-" + "z" * 292
WIDE = "x" * 400
PROSE = " ".join(["a long sentence of words that wraps"] * 14)
WIDTHS = {"laptop": 1366, "phone": 390}
# About one line of text in the header plus its padding; two rows measure ~95 px.
HEADER_ONE_ROW = 64
ID_COLUMN_CHARACTERS = 12

MEASURE = """(id) => {
    const root = document.documentElement;
    const header = document.querySelector(".site-header").getBoundingClientRect();
    const clipped = [];
    for (const el of document.querySelectorAll("main *")) {
        const style = getComputedStyle(el);
        const hides = ["hidden", "clip"].includes(style.overflowX) || style.textOverflow === "ellipsis";
        if (!hides || el.matches("input, textarea, select") || el.closest(".visually-hidden")) continue;
        if (el.getClientRects().length === 0) continue;
        if (el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1) continue;
        const text = el.textContent.trim();
        const titled = el.closest("[title]");
        if (!titled || !titled.title.includes(text)) clipped.push(el.outerHTML.slice(0, 160));
    }
    const wider = [];
    for (const el of document.querySelectorAll("body *")) {
        const box = el.getBoundingClientRect();
        if (box.right > window.innerWidth + 1 && el.getClientRects().length && !el.closest(".visually-hidden")) {
            let inside = false;
            for (let up = el.parentElement; up && up !== document.body && !inside; up = up.parentElement) {
                inside = ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(up).overflowX);
            }
            if (!inside) wider.push(el.tagName.toLowerCase() + "." + el.className + " right=" + Math.round(box.right));
        }
    }
    const shown = document.body.innerText.includes(id)
        || [...document.querySelectorAll("[title]")].some(el => el.title.includes(id))
        || [...document.querySelectorAll("input, textarea")].some(el => el.value.includes(id));
    return {scrollWidth: root.scrollWidth, innerWidth: window.innerWidth, headerHeight: header.height,
            clipped, wider: wider.slice(0, 6), shown};
}"""

ID_COLUMN = """(characters) => {
    const cell = document.querySelector('table[data-testid="document-rows"] tbody th');
    const probe = document.createElement("span");
    probe.textContent = "0".repeat(characters);
    cell.appendChild(probe);
    const wide = probe.getBoundingClientRect().width;
    probe.remove();
    return {cell: cell.getBoundingClientRect().width, characters: wide,
            columns: document.querySelectorAll('table[data-testid="document-rows"] thead th').length};
}"""


def quoted(docid):
    return requests.utils.quote(docid, safe="")


@pytest.fixture
def real_data(make_database, couch_server):
    """A database with two 300-character ids (one with spaces) holding long JSON values and a conflict
    between long values, an attachment with a long name, a deleted 300-character id and a view."""
    db = make_database()
    http = couch_server.admin_http()
    base = couch_server.url + db
    body = {"title": PROSE, "blob": WIDE, "nested": {"path": {"deeper": [WIDE, PROSE]}},
            "tags": [f"tag-{n}-" + "t" * 40 for n in range(8)], "n": 1, "kind": "order"}
    for docid in (SOLID_ID, SPACED_ID):
        docs = [{**body, "_id": docid, "_rev": f"1-{ch * 32}", "side": ch * 200, "note": f"{ch} {PROSE}"}
                for ch in "ab"]
        http.post(f"{base}/_bulk_docs", json={"new_edits": False, "docs": docs}, timeout=10).raise_for_status()
    winner = http.get(f"{base}/{quoted(SOLID_ID)}", timeout=10).json()["_rev"]
    http.put(f"{base}/{quoted(SOLID_ID)}/{quoted('scan-' + 'p' * 150 + '.txt')}", params={"rev": winner},
             data=b"hello", headers={"Content-Type": "text/plain"}, timeout=10).raise_for_status()
    rev = http.put(f"{base}/{quoted(GONE_ID)}", json={"blob": WIDE}, timeout=10).json()["rev"]
    http.delete(f"{base}/{quoted(GONE_ID)}", params={"rev": rev}, timeout=10).raise_for_status()
    http.put(f"{base}/_design/d", json={"views": {"by_id": {"map": "function (doc) { emit(doc._id, doc.title); }"}}},
             timeout=10).raise_for_status()
    return db


def pages(db, docid, apache):
    """(name, URL) of every page that shows this document's id."""
    def doc(name, **query):
        url = reverse(f"browser:{name}", kwargs={"db": db, "docid": docid})
        return url + ("?" + urlencode(query) if query else "")

    mango = {"run": "1", "selector": json.dumps({"_id": {"$gt": None}}), "limit": "25", "mode": "table"}
    listed = [
        ("documents-table", reverse("browser:database", kwargs={"db": db})),
        ("documents-json", reverse("browser:database", kwargs={"db": db}) + "?mode=json"),
        ("documents-meta", reverse("browser:database", kwargs={"db": db}) + "?mode=meta"),
        ("conflict-list", reverse("browser:conflict-list", kwargs={"db": db})),
        ("changes", reverse("browser:changes", kwargs={"db": db})),
        ("mango", reverse("browser:mango", kwargs={"db": db}) + "?" + urlencode(mango)),
        ("view", reverse("browser:view-run", kwargs={"db": db, "ddoc": "d"}) + "?view=by_id"),
    ]
    one = [
        ("document", doc("document")),
        ("edit", doc("document-edit")),
        ("edit-text", doc("document-edit", mode="text")),
        ("revisions", doc("document-revisions")),
        ("conflicts", doc("document-conflicts")),
        ("delete", doc("document-delete")),
        ("attachments", doc("attachment-list")),
    ]
    if apache:  # pouchdb-server has neither shards nor _purge
        one += [("shard", doc("document-shard")), ("purge", doc("document-purge"))]
    return listed, one


def visits(db, apache):
    listed, solid = pages(db, SOLID_ID, apache)
    _, spaced = pages(db, SPACED_ID, apache)
    gone = [("deleted-list", reverse("browser:deleted-documents", kwargs={"db": db})),
            ("deleted-document", reverse("browser:deleted-document", kwargs={"db": db, "docid": GONE_ID}))]
    yield from ((name, url, SOLID_ID) for name, url in listed + solid)
    yield from ((name + "-spaced", url, SPACED_ID) for name, url in spaced)
    yield from ((name, url, GONE_ID) for name, url in gone)


@pytest.mark.parametrize("device", WIDTHS)
def test_no_page_with_long_ids_and_values_is_wider_than_the_screen(admin_page, real_data, couch_server, device):
    page = admin_page.page
    page.set_viewport_size({"width": WIDTHS[device], "height": 900})
    shots = Path(os.environ["LAYOUT_SHOTS_DIR"]) if os.environ.get("LAYOUT_SHOTS_DIR") else None
    problems = []
    for name, url, docid in visits(real_data, couch_server.is_apache_couchdb):
        response = admin_page.open(url)
        page.wait_for_load_state("networkidle")
        where = f"{name} at {WIDTHS[device]} px"
        if response.status != 200:
            problems.append(f"{where}: answered {response.status}")
            continue
        if shots:
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / f"{device}-{re.sub(r'[^a-z0-9-]', '-', name)}.png"), full_page=True)
        found = page.evaluate(MEASURE, docid)
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(f"{where}: {found['scrollWidth']} px wide; too wide: {found['wider']}")
        if device == "laptop" and found["headerHeight"] > HEADER_ONE_ROW:
            problems.append(f"{where}: the header is {found['headerHeight']} px high, more than one row")
        if found["clipped"]:
            problems.append(f"{where}: text cut short with no title: {found['clipped'][:3]}")
        if not found["shown"]:
            problems.append(f"{where}: the id is neither shown in full nor in a title")
        if name == "documents-table":
            column = page.evaluate(ID_COLUMN, ID_COLUMN_CHARACTERS)
            assert column["columns"] >= 6, "wide JSON columns are shown beside the id"
            if column["cell"] < column["characters"]:
                problems.append(f"{where}: the id column is {column['cell']:.0f} px, narrower than "
                                f"{ID_COLUMN_CHARACTERS} characters ({column['characters']:.0f} px)")
    assert not problems, "\n".join(problems)
