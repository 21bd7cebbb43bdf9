"""The filters the templates use: the dashboard's own (sizes, counts, visible names, field labels) and the few
of Django's that keep their Django meaning (`default` replaces any false value, `pluralize`, `floatformat`…)."""

from collections.abc import Callable
from typing import Any

from django.template import defaultfilters
from django.utils import dateformat

from browser import visible_text
from browser.editor.paths import name_label

UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def size(value: Any) -> str:
    """1536 -> '1.5 KiB'; None -> '—'."""
    if value is None or value == "":
        return "—"
    number = float(value)
    for unit in UNITS:
        if number < 1024 or unit == UNITS[-1]:
            return f"{int(number)} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1024
    return str(value)


def count_or_dash(value: Any) -> str:
    """1000000 -> '1,000,000'; None -> '—'. A count read from CouchDB may be JSON text (JsonNumber) or
    anything a member stored: what is not a whole number is shown as it is, never a 500."""
    if value is None:
        return "—"
    try:
        return f"{int(str(value)):,}"
    except ValueError:
        return str(value)


def field_label(name: Any) -> str:
    """A top-level field's name as a column header writes it: `title`, `["a.b"]`, `[""]` (browser/editor/paths.py)."""
    return name_label(str(name))


def default(value: Any, fallback: Any = "") -> Any:
    """Django's meaning: any false value (None, "", 0, an empty list, an undefined name) gives the fallback."""
    return value or fallback


def default_if_none(value: Any, fallback: Any = "") -> Any:
    return fallback if value is None else value


def date(value: Any, format_string: str) -> str:
    """Django's date format letters ("Y-m-d H:i"); nothing for a missing date."""
    return dateformat.format(value, format_string) if value else ""


FILTERS: dict[str, Callable[..., Any]] = {
    "bytes": size,
    "count_or_dash": count_or_dash,
    "visible": visible_text.visible,
    "field_label": field_label,
    "default": default,
    "default_if_none": default_if_none,
    "date": date,
    "pluralize": defaultfilters.pluralize,
    "add": defaultfilters.add,
    "floatformat": defaultfilters.floatformat,
    "filesizeformat": defaultfilters.filesizeformat,
    "truncatechars": defaultfilters.truncatechars,
    "slugify": defaultfilters.slugify,
    "yesno": defaultfilters.yesno,
    "urlencode": defaultfilters.urlencode,
    "slice": defaultfilters.slice_filter,
}
