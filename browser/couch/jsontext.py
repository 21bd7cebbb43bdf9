"""JSON that never rounds a number: numbers keep the exact text they were written with.

Python parses integers exactly but turns other numbers into floats, and browsers turn every
number into a double; CouchDB 3 keeps 9007199254740993 and 0.1000000000000000055 as written.
Documents pass through the dashboard as text -> these values -> text, unchanged.
"""

import json
import re

NUMBER_RE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


class JsonNumber(str):
    """A JSON number kept as its source text (int() and float() still work on it)."""

    def __repr__(self):
        return f"JsonNumber({str(self)!r})"


class JsonSyntaxError(ValueError):
    def __init__(self, message, line, column):
        self.message = message
        self.line = line
        self.column = column
        super().__init__(f"Line {line}, column {column}: {message}")


def _number(text):
    return JsonNumber(text)


def loads(text):
    """Parse JSON text; numbers become JsonNumber; errors name line and column."""
    try:
        return json.loads(text, parse_int=_number, parse_float=_number, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(exc.msg, exc.lineno, exc.colno) from None


def _reject_constant(name):
    raise json.JSONDecodeError(f"{name} is not valid JSON", name, 0)


def is_number_text(text):
    return bool(NUMBER_RE.fullmatch(text.strip()))


def dumps(value, indent=None):
    """Serialise, writing each JsonNumber's text as it is."""
    parts = []
    _write(value, parts, indent, 0)
    return "".join(parts)


def _write(value, out, indent, depth):
    if isinstance(value, JsonNumber):
        out.append(str(value))
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif isinstance(value, dict):
        _write_container(list(value.items()), "{", "}", out, indent, depth, keyed=True)
    elif isinstance(value, (list, tuple)):
        _write_container(list(value), "[", "]", out, indent, depth, keyed=False)
    else:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write_container(items, open_, close, out, indent, depth, keyed):
    if not items:
        out.append(open_ + close)
        return
    newline = "" if indent is None else "\n" + " " * (indent * (depth + 1))
    separator = "," if indent is None else ","
    colon = ":" if indent is None else ": "
    out.append(open_)
    for i, item in enumerate(items):
        if i:
            out.append(separator)
        out.append(newline)
        if keyed:
            key, item = item
            out.append(json.dumps(key, ensure_ascii=False) + colon)
        _write(item, out, indent, depth + 1)
    out.append("" if indent is None else "\n" + " " * (indent * depth))
    out.append(close)
