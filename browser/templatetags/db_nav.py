"""The navigation every database page shows, written once per database and process: through the template
it cost fourteen reverse() calls a page (~0.4 ms, BENCHMARKS.md, issue 15). reverse() still writes every link,
so each hostile name is encoded exactly as everywhere else; tests/test_db_nav.py compares it with the template."""

from functools import lru_cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse

from browser.markup import markup

register = template.Library()

PAGES = (
    ("database", "Documents"),
    ("changes", "Changes"),
    ("mango", "Mango query"),
    ("indexes", "Indexes"),
    ("design-list", "Design documents & views"),
    ("maintenance", "Maintenance"),
    ("deleted-documents", "Deleted documents"),
    ("database-limits", "Revision limits"),
    ("database-shards", "Shards"),
    ("partitions", "Partitions"),
    ("export", "Export"),
    ("import", "Import"),
    ("permissions", "Permissions"),
    ("database-access", "Who has access"),
)


@register.simple_tag
def db_nav(db):
    return _db_nav(get_script_prefix(), db)


@lru_cache(maxsize=1024)
def _db_nav(script_prefix, db):  # reverse() reads the script prefix: it is part of the key
    links = (f'  <a href="{escape(reverse(f"browser:{page}", kwargs={"db": db}))}">{escape(label)}</a>\n'
             for page, label in PAGES)
    return markup('<nav aria-label="Database" class="db-nav">\n', *links, "</nav>\n")
