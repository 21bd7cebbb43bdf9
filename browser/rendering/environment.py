"""The Jinja2 environment every template renders in (settings.TEMPLATES)."""

from typing import Any

from django.templatetags.static import static
from django_htmx.jinja import htmx_script
from jinja2 import ChainableUndefined, Environment

from browser.rendering import links
from browser.rendering.filters import FILTERS


def _refuse_callables(value: Any) -> Any:
    # Django's templates call a method they are handed; Jinja2 would print "<bound method …>".
    if callable(value) and not hasattr(value, "__html__"):
        raise TypeError(f"a template printed {value!r}: call it")
    return value


def environment(**options: Any) -> Environment:
    # ChainableUndefined: `a.b.c` with `a` missing is empty, as in Django's templates, never an error.
    options = {key: value for key, value in options.items() if key not in ("undefined", "autoescape")}
    env = Environment(autoescape=True, undefined=ChainableUndefined, finalize=_refuse_callables, **options)
    env.filters.update(FILTERS)
    env.filters.update(doc_path=links.doc_path, db_path=links.db_path)
    env.globals.update(
        url=links.url,
        url_prefix=links.url_prefix,
        database_prefix=links.database_prefix,
        database_pages=links.database_pages,
        querystring=links.querystring,
        static=static,
        htmx_script=htmx_script,
    )
    return env
