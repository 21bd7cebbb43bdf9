"""The three-way merge behind the 409 screen: two edits of one document, made from the same revision.

Every walk here uses an explicit stack, never recursion: a stored document may be nested
thousands of levels deep, and nothing CouchDB returns may crash a page.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from browser.couch import jsontext
from browser.couch.jsontext import Json, JsonNumber, JsonObject
from browser.editor.paths import path_label

MISSING = object()  # a member one side does not have
_UNKNOWN = object()  # the base of a two-way merge: equal to nothing
# A member's place in a document: the names of the objects it is in, and its own (objects merge member by member).
MemberPath = tuple[str, ...]


def _kind(value: object) -> str:
    if isinstance(value, JsonNumber) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return "number"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null" if value is None else "other"


def equal(a: object, b: object) -> bool:
    """Whether two JSON values are the same (numbers by their text, member order ignored)."""
    stack: list[tuple[Any, Any]] = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is MISSING or y is MISSING or x is _UNKNOWN or y is _UNKNOWN:
            if x is not y or x is _UNKNOWN:
                return False
            continue
        kind = _kind(x)
        if kind != _kind(y):
            return False
        if kind == "object":
            if x.keys() != y.keys():
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif kind == "array":
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif str(x) != str(y):
            return False
    return True


@dataclass(frozen=True)
class Overlap:
    """A member both sides changed differently since the base: a decision for the person."""

    path: MemberPath
    base: object  # a JSON value, or MISSING where that side has no such member
    mine: object
    theirs: object

    @property
    def label(self) -> str:
        return path_label(self.path)

    @property
    def path_json(self) -> str:
        return json.dumps(list(self.path), ensure_ascii=False)

    @property
    def texts(self) -> tuple[str, ...]:
        """The three values as JSON text, "(absent)" where a side has no such member."""
        return tuple(value_text(v) for v in (self.base, self.mine, self.theirs))


def value_text(value: object) -> str:
    return "(absent)" if value is MISSING else jsontext.dumps(value)


@dataclass(frozen=True)
class Merge:
    body: JsonObject
    mine_changed: tuple[MemberPath, ...]  # the members each side changed since the base
    theirs_changed: tuple[MemberPath, ...]
    overlaps: tuple[Overlap, ...]
    two_way: bool

    @property
    def mine_changed_labels(self) -> tuple[str, ...]:
        return tuple(path_label(p) for p in self.mine_changed)

    @property
    def theirs_changed_labels(self) -> tuple[str, ...]:
        return tuple(path_label(p) for p in self.theirs_changed)

    @property
    def discarded_by_saving_mine(self) -> tuple[str, ...]:
        """What "save mine over" drops of theirs: each of their changes that mine does not share."""
        return self.theirs_changed_labels + tuple(o.label for o in self.overlaps)


def merge3(base: JsonObject | None, mine: JsonObject, theirs: JsonObject,
           take_theirs: Iterable[Sequence[str]] = ()) -> Merge:
    """Merge two edits of one document made from `base` (None: unknown, a two-way merge).

    Objects merge member by member; any other value is one unit. A member only one side changed takes
    that side's value; a member both changed differently is an overlap and keeps mine, unless its path
    is in `take_theirs`."""
    two_way = base is None
    chosen = {tuple(p) for p in take_theirs}
    result: JsonObject = {}
    mine_changed: list[MemberPath] = []
    theirs_changed: list[MemberPath] = []
    overlaps: list[Overlap] = []
    stack: list[tuple[MemberPath, Json, JsonObject, JsonObject, JsonObject]] = [
        ((), {} if two_way else base, mine, theirs, result)]
    while stack:
        path, b, m, t, out = stack.pop()
        for key in list(m) + [k for k in t if k not in m]:
            here = (*path, key)
            m_v, t_v = m.get(key, MISSING), t.get(key, MISSING)
            b_v = _UNKNOWN if two_way else (b.get(key, MISSING) if isinstance(b, dict) else MISSING)
            if isinstance(m_v, dict) and isinstance(t_v, dict):
                out[key] = {}
                stack.append((here, b_v if isinstance(b_v, dict) else {}, m_v, t_v, out[key]))
                continue
            if equal(m_v, t_v):
                value = m_v
            elif equal(m_v, b_v):
                value = t_v
                theirs_changed.append(here)
            elif equal(t_v, b_v):
                value = m_v
                mine_changed.append(here)
            else:
                overlaps.append(Overlap(here, MISSING if b_v is _UNKNOWN else b_v, m_v, t_v))
                value = t_v if here in chosen else m_v
            if value is not MISSING:
                out[key] = value
    return Merge(body=result, mine_changed=tuple(mine_changed), theirs_changed=tuple(theirs_changed),
                 overlaps=tuple(overlaps), two_way=two_way)
