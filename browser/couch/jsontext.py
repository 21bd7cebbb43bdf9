"""JSON that never rounds a number: numbers keep the exact text they were written with.

Python parses integers exactly but turns other numbers into floats, and browsers turn every
number into a double; CouchDB 3 keeps 9007199254740993 and 0.1000000000000000055 as written.
Documents pass through the dashboard as text -> these values -> text, unchanged.

Nothing here recurses over the data: a member may store a document nested 5,000 deep, and reading,
writing and editing it must cost time linear in its size, never a RecursionError.
"""

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]  # in the module, not in its stubs
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, NoReturn

NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = (("true", True), ("false", False), ("null", None))
_CONSTANTS = ("NaN", "-Infinity", "Infinity")
# Beyond this depth indented output is written compactly: indentation grows with depth, so a
# document nested 5,000 deep would otherwise take 50 MB to show.
INDENT_DEPTH_LIMIT = 64

# What JSON read from CouchDB may be: any of dict, list, str (JsonNumber), bool, None, at any depth.
Json = Any
# A JSON object: a document, a row, CouchDB's answer to most requests.
JsonObject = dict[str, Any]


class JsonNumber(str):
    """A JSON number kept as its source text (int() and float() still work on it)."""

    def __repr__(self) -> str:
        return f"JsonNumber({str(self)!r})"


class JsonSyntaxError(ValueError):
    def __init__(self, message: str, line: int, column: int) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"Line {line}, column {column}: {message}")


class _NeedsPosition(Exception):
    """Raised by the fast parser's hooks: the iterative parser finds the place and says what is wrong."""


def is_number_text(text: str) -> bool:
    return bool(NUMBER_RE.fullmatch(text.strip()))


def is_in_double_range(text: str) -> bool:
    """CouchDB 3 refuses numbers beyond a double's range (1e400); tiny ones (1e-400) become 0."""
    return math.isfinite(float(text))


def loads(text: str) -> Json:
    """Parse JSON read back from CouchDB; numbers become JsonNumber; a repeated name keeps the last
    value, as CouchDB does; errors name line and column."""
    return _loads(text, strict=False)


def loads_strict(text: str) -> Json:
    """Parse JSON a person wrote: as loads, but a name repeated in one object and a number beyond a
    double's range are refused with line and column (CouchDB would keep only the last of the names,
    and refuses such numbers as "invalid UTF-8 JSON")."""
    return _loads(text, strict=True)


def _loads(text: str, strict: bool) -> Json:
    hooks = _STRICT_HOOKS if strict else _LENIENT_HOOKS
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(exc.msg, exc.lineno, exc.colno) from None
    except (RecursionError, _NeedsPosition):
        pass
    try:
        return _parse_iteratively(text, strict)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(exc.msg, exc.lineno, exc.colno) from None


def _needs_position(*_: object) -> NoReturn:
    raise _NeedsPosition()


def _checked_number(text: str) -> JsonNumber:
    if not is_in_double_range(text):
        raise _NeedsPosition()
    return JsonNumber(text)


def _unique_members(pairs: list[tuple[str, Json]]) -> JsonObject:
    members = dict(pairs)
    if len(members) != len(pairs):
        raise _NeedsPosition()
    return members


_LENIENT_HOOKS: dict[str, Any] = {"parse_int": JsonNumber, "parse_float": JsonNumber, "parse_constant": _needs_position}
_STRICT_HOOKS: dict[str, Any] = {"parse_int": _checked_number, "parse_float": _checked_number,
                                 "parse_constant": _needs_position, "object_pairs_hook": _unique_members}


def _parse_iteratively(text: str, strict: bool) -> Json:
    """The same grammar as json.loads with an explicit stack of open containers instead of recursion."""
    if text.startswith("\ufeff"):
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    stack: list[list[Any]] = []  # open containers: [list] or [dict, pending name, where the name starts]
    pos = _skip(text, 0)
    while True:
        value, pos, opened = _value_at(text, pos, strict)
        if opened is not None:
            stack.append(opened)
            if isinstance(opened[0], dict):
                pos = _member_name(text, pos, opened)
            continue
        while True:
            if not stack:
                pos = _skip(text, pos)
                if pos != len(text):
                    raise json.JSONDecodeError("Extra data", text, pos)
                return value
            frame = stack[-1]
            _store(frame, value, text, strict)
            pos = _skip(text, pos)
            closer = "}" if isinstance(frame[0], dict) else "]"
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
                if isinstance(frame[0], dict):
                    pos = _member_name(text, pos, frame)
                break
            if not text.startswith(closer, pos):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            value, pos = stack.pop()[0], pos + 1


def _skip(text: str, pos: int) -> int:
    # The pattern matches the empty string, so it always matches.
    return _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]


def _value_at(text: str, pos: int, strict: bool) -> tuple[Json, int, list[Any] | None]:
    """(value, end, None) for a scalar or an empty container; (None, end, frame) for an opened one."""
    char = text[pos:pos + 1]
    if char in ("{", "["):
        after = _skip(text, pos + 1)
        if text.startswith("}" if char == "{" else "]", after):
            return ({} if char == "{" else []), after + 1, None
        return None, after, ([{}, None, after] if char == "{" else [[]])
    if char == '"':
        value, end = scanstring(text, pos + 1, True)
        return value, end, None
    number = NUMBER_RE.match(text, pos)
    if number:
        if strict and not is_in_double_range(number.group()):
            raise json.JSONDecodeError(f"{number.group()} is beyond the range of numbers CouchDB accepts "
                                       "(about ±1.8e308)", text, pos)
        return JsonNumber(number.group()), number.end(), None
    for word, value in _LITERALS:
        if text.startswith(word, pos):
            return value, pos + len(word), None
    for word in _CONSTANTS:
        if text.startswith(word, pos):
            raise json.JSONDecodeError(f"{word} is not valid JSON", text, pos)
    raise json.JSONDecodeError("Expecting value", text, pos)


def _member_name(text: str, pos: int, frame: list[Any]) -> int:
    if not text.startswith('"', pos):
        raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, pos)
    frame[1], end = scanstring(text, pos + 1, True)
    frame[2] = pos
    end = _skip(text, end)
    if not text.startswith(":", end):
        raise json.JSONDecodeError("Expecting ':' delimiter", text, end)
    return _skip(text, end + 1)


def _store(frame: list[Any], value: Json, text: str, strict: bool) -> None:
    if len(frame) == 1:
        frame[0].append(value)
        return
    members, name, where = frame
    if strict and name in members:
        raise json.JSONDecodeError(f"the name {json.dumps(name, ensure_ascii=False)} appears twice in this object "
                                   "(CouchDB would keep only the last)", text, where)
    members[name] = value


def dumps(value: Json, indent: int | None = None) -> str:
    """Serialise, writing each JsonNumber's text as it is."""
    if indent is None and c_make_encoder is not None:
        try:
            return "".join(_compact_encoder(value, 0))
        except RecursionError:
            pass
    out: list[str] = []
    _write(value, indent, out)
    return "".join(out)


def outline(value: Json, levels: int = 2, indent: int = 2) -> str:
    """Indented at the top `levels` levels, every deeper value compact on a line of its own: a big
    document's text then costs little more than its compact form, and still reads one item a line."""
    if not _is_open_container(value):
        return dumps(value)
    return _outline_container(value, 0, levels, " " * indent)


def _outline_container(value: JsonObject | list[Json] | tuple[Json, ...], depth: int, levels: int, pad: str) -> str:
    # Recurses at most `levels` deep; everything below is written by the C encoder.
    is_object = isinstance(value, dict)
    start = "\n" + pad * (depth + 1)
    parts = []
    members: Iterable[tuple[str | None, Json]] = value.items() if isinstance(value, dict) else \
        ((None, item) for item in value)
    for name, item in members:
        text = (_outline_container(item, depth + 1, levels, pad) if depth + 1 < levels and _is_open_container(item)
                else dumps(item))
        parts.append(start + (encode_basestring(name) + ": " if name is not None else "") + text)
    open_, close = ("{", "}") if is_object else ("[", "]")
    return open_ + ",".join(parts) + "\n" + pad * depth + close


def _text_or_number(text: str) -> str:
    return text if text.__class__ is JsonNumber else encode_basestring(text)


def _compact_encoder(value: Json, level: int) -> list[str]:
    """The C encoder json.dumps uses, told to write a JsonNumber's text bare; it recurses, so a very
    deep value raises RecursionError and goes to _write instead."""
    encode: Callable[[Json, int], list[str]] = c_make_encoder(None, _not_json, _text_or_number, None, ":", ",",
                                                              False, False, True)
    return encode(value, level)


def _not_json(value: object) -> NoReturn:
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def preview(value: Json, chars: int) -> str:
    """The start of dumps(value), at least `chars` long when the whole is; stops writing there."""
    if not _is_open_container(value):
        return _scalar(value)
    if _is_short_and_flat(value, chars):
        return dumps(value)
    out = _BoundedParts(chars)
    try:
        _write(value, None, out)
    except _Full:
        pass
    return "".join(out)


def _is_short_and_flat(container: JsonObject | list[Json] | tuple[Json, ...], chars: int) -> bool:
    """Few members, none of them a container or a long text: the whole is at most a few kB, cheaper for
    the C encoder to write entirely than for _write to write in bounded pieces (a table cell's usual value)."""
    if len(container) > _SHORT_MEMBERS:
        return False
    items: Iterator[tuple[Any, Json]] = iter(container.items() if isinstance(container, dict) else enumerate(container))
    return all(_is_short_scalar(item, chars) and (type(key) is int or len(key) <= chars) for key, item in items)


def _is_short_scalar(value: Json, chars: int) -> bool:
    return value is None or isinstance(value, (bool, int, float)) or (isinstance(value, str) and len(value) <= chars)


_SHORT_MEMBERS = 32


class _Full(Exception):
    pass


class _BoundedParts(list[str]):
    def __init__(self, chars: int) -> None:
        super().__init__()
        self.room = chars

    def append(self, part: str) -> None:
        super().append(part)
        self.room -= len(part)
        if self.room < 0:
            raise _Full()


def _write(value: Json, indent: int | None, out: list[str]) -> None:
    """Append the pieces of the JSON text to `out`, with an explicit stack of open containers."""
    write = out.append
    if not _is_open_container(value):
        write(_scalar(value))
        return
    write("{" if isinstance(value, dict) else "[")
    stack = [_frame(value, 0)]
    child: Json
    while stack:
        frame = stack[-1]
        items, is_object, depth, first = frame
        start = _item_start(indent, depth + 1)
        separator = start if first else "," + start
        child = _write_members(items, separator, start, write) if is_object else \
            _write_items(items, separator, start, write)
        if child is None:
            stack.pop()
            close = "}" if is_object else "]"
            write(_item_start(indent, depth) + close if depth < INDENT_DEPTH_LIMIT else close)
            continue
        frame[3] = False
        stack.append(_frame(child, depth + 1))


def _write_members(items: Iterator[tuple[str, Json]], separator: str, start: str,
                   write: Callable[[str], None]) -> Json:
    """Write an object's members up to the first open container, which is answered (its name and
    bracket written); None when the object is done."""
    colon = ": " if start else ":"
    later = "," + start
    for name, item in items:
        simple = _SIMPLE_WRITERS.get(item.__class__)
        if simple is not None:
            write(separator + encode_basestring(name) + colon + simple(item))
        elif _is_open_container(item):
            write(separator + encode_basestring(name) + colon + ("{" if isinstance(item, dict) else "["))
            return item
        else:
            write(separator + encode_basestring(name) + colon + _scalar(item))
        separator = later
    return None


def _write_items(items: Iterator[Json], separator: str, start: str, write: Callable[[str], None]) -> Json:
    """As _write_members, for an array's items."""
    later = "," + start
    for item in items:
        simple = _SIMPLE_WRITERS.get(item.__class__)
        if simple is not None:
            write(separator + simple(item))
        elif _is_open_container(item):
            write(separator + ("{" if isinstance(item, dict) else "["))
            return item
        else:
            write(separator + _scalar(item))
        separator = later
    return None


def _is_open_container(value: Json) -> bool:
    return isinstance(value, (dict, list, tuple)) and len(value) > 0


def _frame(container: Json, depth: int) -> list[Any]:
    """[items, is an object, depth, nothing written yet] for one open container."""
    if isinstance(container, dict):
        return [iter(container.items()), True, depth, True]
    return [iter(container), False, depth, True]


def _item_start(indent: int | None, depth: int) -> str:
    if indent is None or depth > INDENT_DEPTH_LIMIT:
        return ""
    return "\n" + " " * (indent * depth)


_SIMPLE_WRITERS: dict[type, Callable[[Any], str]] = {
    JsonNumber: str, str: encode_basestring, bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null", int: int.__repr__}


def _scalar(value: Json) -> str:
    if isinstance(value, JsonNumber):
        return str(value)
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, (dict, list, tuple)):
        return "{}" if isinstance(value, dict) else "[]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
