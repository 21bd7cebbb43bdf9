"""Field-level differences between two JSON documents.

Every walk here uses an explicit stack, never recursion: a stored document may be nested
thousands of levels deep, and nothing CouchDB returns may crash a page.
"""

from dataclasses import dataclass

from browser.couch import jsontext
from browser.couch.jsontext import Json
from browser.editor.paths import Path, path_label

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class FieldDiff:
    path: str
    status: str
    left: str | None
    right: str | None


def flatten(value: Json) -> dict[Path, str]:
    """Leaf paths (tuples of member names and indexes) and their JSON text; empty objects and arrays are
    leaves too. Keyed by the path itself: a top-level "a.b" and a nested a → b are two fields."""
    items: dict[Path, str] = {}
    stack: list[tuple[Path, Json]] = [((), value)]
    while stack:
        here, item = stack.pop()
        children: list[tuple[Path, Json]]
        if isinstance(item, dict) and item:
            children = [((*here, key), child) for key, child in item.items()]
        elif isinstance(item, list) and item:
            children = [((*here, i), child) for i, child in enumerate(item)]
        else:
            items[here] = jsontext.dumps(item)
            continue
        stack.extend(reversed(children))
    return items


def diff(left: Json, right: Json) -> list[FieldDiff]:
    """What changed from `left` to `right`, field by field, in the order the fields appear."""
    a, b = flatten(left), flatten(right)
    rows: list[FieldDiff] = []
    for path in list(a) + [p for p in b if p not in a]:
        if path not in b:
            rows.append(FieldDiff(path_label(path), REMOVED, a[path], None))
        elif path not in a:
            rows.append(FieldDiff(path_label(path), ADDED, None, b[path]))
        elif a[path] != b[path]:
            rows.append(FieldDiff(path_label(path), CHANGED, a[path], b[path]))
    return rows
