"""Field-level differences between two JSON documents, for conflicts and revisions."""

from dataclasses import dataclass

from browser.couch import jsontext

ADDED, REMOVED, CHANGED = "added", "removed", "changed"


@dataclass(frozen=True)
class FieldDiff:
    path: str
    status: str
    left: str | None
    right: str | None


def flatten(value, path=""):
    """Leaf paths (`a.b[0]`) and their JSON text; empty objects and arrays are leaves too."""
    if isinstance(value, dict) and value:
        items = {}
        for key, child in value.items():
            items.update(flatten(child, f"{path}.{key}" if path else key))
        return items
    if isinstance(value, list) and value:
        items = {}
        for i, child in enumerate(value):
            items.update(flatten(child, f"{path}[{i}]"))
        return items
    return {path or "(document)": jsontext.dumps(value)}


def diff(left, right):
    """What changed from `left` to `right`, field by field, in the order the fields appear."""
    a, b = flatten(left), flatten(right)
    rows = []
    for path in list(a) + [p for p in b if p not in a]:
        if path not in b:
            rows.append(FieldDiff(path, REMOVED, a[path], None))
        elif path not in a:
            rows.append(FieldDiff(path, ADDED, None, b[path]))
        elif a[path] != b[path]:
            rows.append(FieldDiff(path, CHANGED, a[path], b[path]))
    return rows
