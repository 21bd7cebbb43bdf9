"""The README's API coverage table: every row names pages that exist, or says why there is none."""

import re
from pathlib import Path

from django.urls import URLPattern, URLResolver

from browser.urls import urlpatterns

README = Path(__file__).resolve().parents[1] / "README.md"


def table_rows():
    text = README.read_text().split("## CouchDB API coverage", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| area")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


def route_names():
    names, stack = set(), list(urlpatterns)
    while stack:
        pattern = stack.pop()
        if isinstance(pattern, URLResolver):
            stack.extend(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            names.add(pattern.name)
    return names


def test_every_row_names_pages_that_exist_or_a_reason():
    rows = table_rows()
    assert len(rows) >= 50
    known = route_names()
    for area, operation, _, page in rows:
        named = re.findall(r"`([a-z][a-z-]*)`", page)
        if page.startswith("none:"):
            assert not named and len(page) > 20, (area, operation)
            continue
        assert named, (area, operation, page)
        for name in named:
            assert name in known, (operation, name)

