"""Links for the templates: `url()` as Django's {% url %}, and the cheap forms of it the long lists use."""

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.http import RFC3986_SUBDELIMS

from browser.converters import DatabaseNameConverter, escape_dot_segments

# What reverse() leaves unquoted in a path (django.urls.resolvers).
PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"

DATABASE_PAGES = (
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


def url(view: str, /, *args: Any, **kwargs: Any) -> str:
    """{{ url("browser:document", db=db, docid=docid) }}: reverse(), as {% url %} writes it."""
    return reverse(view, args=args or None, kwargs=kwargs or None)


def url_prefix(name: str, db: str) -> str:
    """The URL of page `name` for document "x" of database `db`, without the "x": `doc_path` then adds any
    id to it, exactly as url() would write it, at a fraction of the cost (a page of 500 rows made 500
    reverse() calls, a third of its time)."""
    return reverse(name, kwargs={"db": db, "docid": "x"})[:-1]


def doc_path(docid: Any, prefix: str) -> str:
    """prefix (from url_prefix) + the document id as DocumentIdConverter and reverse() write it."""
    return prefix + quote(escape_dot_segments(str(docid)), safe=PATH_SAFE)


def database_prefix() -> str:
    """The URL of database "x"'s page without "x/": `db_path` then adds any name to it, exactly as url()
    would write it, so a page of databases makes one reverse() call, not one a row."""
    return reverse("browser:database", kwargs={"db": "x"})[:-2]


def db_path(name: Any, prefix: str) -> str:
    """prefix (from database_prefix) + the database's name as DatabaseNameConverter and reverse() write it."""
    return prefix + quote(DatabaseNameConverter().to_url(str(name)), safe=PATH_SAFE) + "/"


def database_pages(db: str) -> tuple[tuple[str, str], ...]:
    """(href, label) of every page of database `db`, for its navigation."""
    return _database_pages(get_script_prefix(), db)


@lru_cache(maxsize=1024)
def _database_pages(script_prefix: str, db: str) -> tuple[tuple[str, str], ...]:
    # reverse() reads the script prefix: it is part of the key
    return tuple((reverse(f"browser:{page}", kwargs={"db": db}), label) for page, label in DATABASE_PAGES)


def querystring(request: HttpRequest, **changes: Any) -> str:
    """Django's {% querystring %}: the current query string with `changes` applied, a None value removing
    its key; "?" and the rest, or "" when there was and is nothing."""
    params = request.GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not request.GET:
        return ""
    return f"?{params.urlencode()}"
