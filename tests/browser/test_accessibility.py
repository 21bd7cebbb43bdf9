"""Every page of the dashboard, in light and in dark mode, checked by axe-core in Chromium: no serious or
critical violation. With GALLERY_DIR set, each page is also photographed there (the README's gallery)."""

import os
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, reverse

from browser.urls import urlpatterns
from tests.conftest import TEAM, put_document

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = ("serious", "critical")
# Pages that answer with something other than a page of HTML, or only to a POST.
NOT_PAGES = {"logout", "attachment", "healthz"}


def every_pattern(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from every_pattern(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def page_urls(db, user):
    """One URL for every page, with real arguments: a database, a document, a design document, a user."""
    values = {"db": db, "docid": "doc", "ddoc": "d", "name": user, "job_id": "no-such-job",
              "node": "couchdb@127.0.0.1"}
    urls = {}
    for pattern in every_pattern(urlpatterns):
        if pattern.name in NOT_PAGES:
            continue
        kwargs = {name: values.get(name, "x") for name in pattern.pattern.converters}
        urls[pattern.name] = reverse(f"browser:{pattern.name}", kwargs=kwargs)
    urls["document-edit-text"] = urls["document-edit"] + "?mode=text"
    urls["database-json"] = urls["database"] + "?mode=json"
    urls["database-meta"] = urls["database"] + "?mode=meta"
    urls["view-run"] += "?view=by_v"
    urls["not-found"] = "/no/such/page/"
    return urls


def run_axe(page):
    page.evaluate(AXE.read_text())  # evaluated by the browser's debugger: the page's CSP does not apply
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    return [v for v in result if v["impact"] in SEVERE]


@pytest.fixture
def site(make_database, couch_server, personas):
    db = make_database(security=TEAM)
    put_document(couch_server, db, "doc", {"title": "A document", "n": 1, "nested": {"list": [1, 2]}})
    put_document(couch_server, db, "_design/d", {"views": {"by_v": {"map": "function (doc) { emit(doc.n, 1); }"}}})
    return db, personas["member"].name


def test_every_page_has_no_serious_accessibility_violation_in_light_and_dark_mode(admin_page, site):
    db, user = site
    page = admin_page.page
    gallery = Path(os.environ["GALLERY_DIR"]) if os.environ.get("GALLERY_DIR") else None
    found = {}
    for name, url in page_urls(db, user).items():
        if page.request.get(admin_page.base_url + url, max_redirects=0).status == 405:
            continue  # a route for posts only
        admin_page.open(url)
        page.wait_for_load_state("networkidle")
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            violations = run_axe(page)
            if violations:
                found[f"{name} in {scheme} mode ({url})"] = violations
            if gallery:
                gallery.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(gallery / f"{re.sub(r'[^a-z0-9-]', '-', name)}-{scheme}.jpg"),
                                type="jpeg", quality=70)
        page.emulate_media(color_scheme="light")
    if gallery:
        write_gallery_index(gallery)
    assert not found, "\n".join(f"{where}: {v}" for where, v in found.items())


def write_gallery_index(gallery):
    names = sorted({shot.name.rsplit("-", 1)[0] for shot in gallery.glob("*-light.jpg")})
    lines = ["# Gallery: every page of couchadmin, light and dark", "",
             "Taken by `tests/browser/test_accessibility.py` (`make gallery`) in Chromium, 1280×720.", ""]
    for name in names:
        lines += [f"## {name}", "", f"![{name}, light]({name}-light.jpg) ![{name}, dark]({name}-dark.jpg)", ""]
    (gallery / "README.md").write_text("\n".join(lines))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_login_page_has_no_serious_accessibility_violation(browser_page, scheme):
    browser_page.page.emulate_media(color_scheme=scheme)
    browser_page.open("/login/")
    assert run_axe(browser_page.page) == []
