"""The form editor: a JSON document as rows of (name, type, value), posted back and rebuilt exactly.

Field names in the form are `f:<path>:k` (member name), `f:<path>:t` (type) and `f:<path>:v` (value),
where a path is "r" for the document and "r.0.2" for the third child of its first member.
Every walk over the rows uses an explicit stack: documents may be nested deeper than Python recurses.
"""

import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from browser.couch import jsontext
from browser.couch.jsontext import Json, JsonNumber, JsonSyntaxError
from browser.editor.paths import name_label
from browser.editor.text import number_rewrite

ROOT = "r"
# Rows the form shows before it keeps subtrees as JSON text: documents the form opens by default
# (FORM_DEFAULT_MOST_VALUES) fit whole; past it the page stays as small as theirs.
ROW_BUDGET = 1_000
TYPES = (("string", "Text"), ("number", "Number"), ("boolean", "True/false"), ("null", "Null"),
         ("object", "Object"), ("array", "Array"), ("json", "JSON (edit as text)"))
CONTAINERS = ("object", "array")
_UNSAFE_IN_FORMS = {chr(c) for c in range(32) if chr(c) not in "\n\t"} | {"\r"}


@dataclass
class FieldNode:
    path: str
    key: str | None
    type: str
    value: str = ""
    children: list["FieldNode"] = field(default_factory=list)
    error: str = ""

    @property
    def depth(self) -> int:
        return self.path.count(".")

    @property
    def index(self) -> int:
        return int(self.path.rsplit(".", 1)[1]) if "." in self.path else 0

    @property
    def label(self) -> str:
        """How the row is named to assistive technology: "field name", 'field ["a.b"]' or "item 3"."""
        return f"field {name_label(self.key)}" if self.key is not None else f"item {self.index}"

    @property
    def line_count(self) -> int:
        return min(max(self.value.count("\n") + 1, 1), 20)

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINERS


class EditorError(ValueError):
    """The form holds values that are not valid; `nodes` carries the rows with their errors."""

    def __init__(self, nodes: FieldNode, message: str) -> None:
        self.nodes = nodes
        self.message = message
        super().__init__(message)


def type_of(value: Json) -> str:
    if isinstance(value, JsonNumber) or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return "number"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if any(ch in _UNSAFE_IN_FORMS for ch in value):
        # Browsers rewrite control characters and CR in form fields: edit such text as JSON instead.
        return "json"
    return "string"


def nodes_from_value(value: Json, path: str = ROOT, key: str | None = None, budget: int | None = None) -> FieldNode:
    """Rows for a JSON value (the document body is an object at the root). With a budget of rows,
    containers open level by level while their rows fit; each one that does not stays a single
    "json" row holding its text, which the person edits as it is or expands into rows. The value's
    own members always get rows."""
    root = _row_for(value, path, key)
    left = None if budget is None else budget - _size(value)
    pending: deque[tuple[FieldNode, Json]] = deque([(root, value)])
    while pending:
        node, value = pending.popleft()
        if node is not root and left is not None and value:
            if len(value) > left:
                _fold(node, value)
                continue
            left -= len(value)
        node.children = _child_rows(node, value)
        pending.extend((child, v) for child, v in zip(node.children, _values_of(value), strict=True)
                       if child.is_container)
    return root


def _size(value: Json) -> int:
    return len(value) if isinstance(value, (dict, list)) else 0


def _values_of(value: Json) -> Iterable[Json]:
    return value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()


def _child_rows(node: FieldNode, value: Json) -> list[FieldNode]:
    if node.type == "object":
        return [_row_for(v, f"{node.path}.{i}", k) for i, (k, v) in enumerate(value.items())]
    if node.type == "array":
        return [_row_for(v, f"{node.path}.{i}") for i, v in enumerate(value)]
    return []


def _fold(node: FieldNode, value: Json) -> None:
    node.type, node.value, node.children = "json", jsontext.dumps(value, indent=2), []


def expandable(node: FieldNode) -> bool:
    """A "json" row holding an object or an array, which the Expand button turns into rows."""
    return node.type == "json" and node.value.lstrip()[:1] in ("{", "[")


def _row_for(value: Json, path: str, key: str | None = None) -> FieldNode:
    """The row for one value, its children not yet made."""
    kind = type_of(value)
    node = FieldNode(path=path, key=key, type=kind)
    if kind == "json":
        node.value = jsontext.dumps(value)
    elif kind == "boolean":
        node.value = "true" if value else "false"
    elif kind == "number":
        node.value = str(value)
    elif kind == "string":
        node.value = value
    return node


def shape(value: Json, most_values: int, most_depth: int) -> tuple[int, int]:
    """(values, depth) of a JSON value: how many values it holds ({"a": [1]} holds 2) and how many
    containers deep it nests ({"a": [1]} is 2 deep); counting stops once either passes its most."""
    values, deepest = 0, 0
    pending = [(value, 1)]
    while pending and values <= most_values and deepest <= most_depth:
        value, depth = pending.pop()
        deepest = max(deepest, depth)
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        values += len(children)
        if values <= most_values:  # past it the answer is known: do not queue a big container's children
            pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return values, deepest


# A row's path as the form writes it: "r", then ".<index>" per level (ASCII digits only: "²" is a digit to
# str.isdigit but not to int()).
_PATH = re.compile(r"r(?:\.[0-9]+)*")


def nodes_from_post(data: Mapping[str, str]) -> FieldNode:
    """Rebuild the rows from posted form data (a QueryDict or dict), in time linear in its size."""
    entries: dict[str, dict[str, str]] = {}
    for name in data:
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == "f" and parts[2] in ("k", "t", "v") and _PATH.fullmatch(parts[1]):
            entries.setdefault(parts[1], {})[parts[2]] = data[name]
    if ROOT not in entries:
        entries[ROOT] = {"t": "object"}
    return _build(entries)


def _build(entries: dict[str, dict[str, str]]) -> FieldNode:
    children_of: defaultdict[str, list[str]] = defaultdict(list)
    for path in entries:
        parent, dot, _ = path.rpartition(".")
        if dot:
            children_of[parent].append(path)
    root = _posted_row(ROOT, entries[ROOT], parent_type=None)
    pending = [root]
    while pending:
        node = pending.pop()
        paths = sorted(children_of.get(node.path, ()), key=_position)
        node.children = [_posted_row(p, entries[p], node.type) for p in paths]
        pending.extend(node.children)
    return root


def _posted_row(path: str, own: dict[str, str], parent_type: str | None) -> FieldNode:
    kind = own.get("t") or ""
    kind = kind if kind in dict(TYPES) else "string"
    key = own.get("k", "") if parent_type == "object" else None
    return FieldNode(path=path, key=key, type=kind, value=_text(own.get("v", "")))


def _position(path: str) -> int:
    last = path.rsplit(".", 1)[1]
    return int(last) if last.isascii() and last.isdigit() else 0


def _text(value: str | None) -> str:
    # Browsers send textarea line breaks as CRLF.
    return (value or "").replace("\r\n", "\n")


def value_from_nodes(root: FieldNode) -> Json:
    """The JSON value the rows describe; raises EditorError with per-row messages."""
    errors: list[str] = []
    value = _value(root, errors)
    if errors:
        count = len(errors)
        raise EditorError(root, "1 field needs attention." if count == 1 else f"{count:,} fields need attention.")
    return value


def _value(root: FieldNode, errors: list[str]) -> Json:
    """Children are valued before their parents: a pre-order list of the rows, walked backwards."""
    order = _pre_order_rows(root, visit=lambda node: _prepare(node, errors))
    values: dict[int, Json] = {}
    for node in reversed(order):
        values[id(node)] = _container_value(node, values, errors) if node.type in CONTAINERS \
            else _scalar(node, errors)
    return values[id(root)]


def _prepare(node: FieldNode, errors: list[str]) -> None:
    node.error = ""
    if node.type in CONTAINERS and not node.children and node.value.strip():
        _adopt_json_text(node, errors)


def _container_value(node: FieldNode, values: dict[int, Json], errors: list[str]) -> Json:
    if node.type == "array":
        return [values.pop(id(child)) for child in node.children]
    result = {}
    for child in node.children:
        if child.key in result:
            child.error = f"There is already a field named “{child.key}” here."
            errors.append(child.error)
        result[child.key] = values.pop(id(child))
    return result


def _adopt_json_text(node: FieldNode, errors: list[str]) -> None:
    """A field switched to object/array from text: use its text when it is JSON of that kind."""
    try:
        parsed = jsontext.loads_strict(node.value)
    except JsonSyntaxError:
        parsed = None
    expected = dict if node.type == "object" else list
    if isinstance(parsed, expected):
        node.children = nodes_from_value(parsed, node.path, node.key, ROW_BUDGET).children
    node.value = ""


def _scalar(node: FieldNode, errors: list[str]) -> Json:
    text = node.value
    if node.type == "string":
        return text
    if node.type == "number":
        if not jsontext.is_number_text(text):
            node.error = f"“{text}” is not a number (use digits, an optional sign, “.” and exponent)."
            errors.append(node.error)
            return None
        if not jsontext.is_in_double_range(text):
            node.error = f"{text.strip()} is too large: CouchDB accepts numbers up to about ±1.8e308."
            errors.append(node.error)
            return None
        return JsonNumber(text.strip())
    if node.type == "boolean":
        if text not in ("true", "false"):
            node.error = "Choose true or false."
            errors.append(node.error)
        return text == "true"
    if node.type == "null":
        return None
    try:
        return jsontext.loads_strict(text if text.strip() else "null")
    except JsonSyntaxError as exc:
        node.error = f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}."
        errors.append(node.error)
        return None


def retyped(root: FieldNode) -> FieldNode:
    """After a type change: convert the rows' content to the new types where it can be kept
    (children before their parents)."""
    for node in reversed(_pre_order_rows(root)):
        _retype_one(node)
    return root


def _retype_one(node: FieldNode) -> None:
    if node.type in CONTAINERS:
        if node.type == "array":
            for child in node.children:
                child.key = None
        else:
            for i, child in enumerate(node.children):
                if child.key is None:
                    child.key = f"field{i + 1}"
    elif node.children:
        was = "array" if node.children[0].key is None else "object"
        value = _value(FieldNode(node.path, node.key, was, children=node.children), [])
        node.children = []
        node.value = jsontext.dumps(value, indent=2) if node.type == "json" else ""
    elif node.type in CONTAINERS and node.value.strip():
        _adopt_json_text(node, [])


def _pre_order_rows(root: FieldNode, visit: Callable[[FieldNode], None] | None = None) -> list[FieldNode]:
    """The rows in page order; `visit` runs on each before its children are listed."""
    order, pending = [], [root]
    while pending:
        node = pending.pop()
        if visit:
            visit(node)
        order.append(node)
        pending.extend(reversed(node.children))
    return order


def find(root: FieldNode, path: str) -> FieldNode | None:
    node: FieldNode | None = root
    while node is not None and node.path != path:
        node = next((c for c in node.children if path == c.path or path.startswith(c.path + ".")), None)
    return node


def apply_operation(root: FieldNode, operation: str) -> FieldNode:
    """Apply one structural edit, written `verb:path` (add, remove, up, down, expand)."""
    verb, _, path = operation.partition(":")
    if verb == "expand":
        return _expand(root, path)
    if verb == "add":
        target = find(root, path)
        if target and target.is_container:
            key = None if target.type == "array" else _new_key(target)
            target.children.append(FieldNode(path=f"{path}.{len(target.children)}", key=key, type="string"))
        return _renumber(root)
    parent = find(root, path.rsplit(".", 1)[0]) if "." in path else None
    if parent is None:
        return root
    position = next((i for i, c in enumerate(parent.children) if c.path == path), None)
    if position is None:
        return root
    if verb == "remove":
        parent.children.pop(position)
    elif verb == "up" and position > 0:
        _swap(parent.children, position - 1, position)
    elif verb == "down" and position < len(parent.children) - 1:
        _swap(parent.children, position, position + 1)
    return _renumber(root)


def _expand(root: FieldNode, path: str) -> FieldNode:
    """A "json" row holding an object or an array becomes its rows (their own subtrees budgeted)."""
    node = find(root, path)
    if node is None or not expandable(node):
        return root
    try:
        parsed = jsontext.loads_strict(node.value)
    except JsonSyntaxError as exc:
        node.error = f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}."
        return root
    node.type = "object" if isinstance(parsed, dict) else "array"
    node.value, node.error = "", ""
    node.children = nodes_from_value(parsed, node.path, node.key, ROW_BUDGET).children
    return root


def _swap(items: list[FieldNode], a: int, b: int) -> None:
    items[a], items[b] = items[b], items[a]


def _new_key(node: FieldNode) -> str:
    existing = {c.key for c in node.children}
    n = len(node.children) + 1
    while f"field{n}" in existing:
        n += 1
    return f"field{n}"


def _renumber(root: FieldNode) -> FieldNode:
    root.path = ROOT
    pending = [root]
    while pending:
        node = pending.pop()
        for i, child in enumerate(node.children):
            child.path = f"{node.path}.{i}"
        pending.extend(node.children)
    return root


@dataclass(frozen=True)
class FormLine:
    """One step of the form in page order: a row, or the end of a container's rows (`ends`)."""

    node: FieldNode
    parent_type: str | None
    ends: bool = False

    @property
    def is_root(self) -> bool:
        return self.node.path == ROOT

    @property
    def heading(self) -> str:
        """The row's group label: its name with a capital first letter."""
        label = self.node.label
        return label[:1].upper() + label[1:]

    @property
    def whose(self) -> str:
        """Whose rows a container's fieldset holds, for its hidden legend."""
        node = self.node
        if node.key is not None:
            return name_label(node.key)
        return "this object" if node.type == "object" else "this array"

    @property
    def expandable(self) -> bool:
        return expandable(self.node)

    @property
    def stored_number(self) -> str:
        """How CouchDB will store this number, when that differs from the text (else "")."""
        return number_rewrite(self.node.value) if self.node.type == "number" else ""


def form_lines(root: FieldNode) -> list[FormLine]:
    """The rows in page order, each container's rows followed by its end, so that a template draws
    the whole tree in one loop instead of including itself once per level."""
    lines = [FormLine(root, None)]
    pending = [(root, iter(root.children))]
    while pending:
        parent, children = pending[-1]
        child = next(children, None)
        if child is None:
            pending.pop()
            lines.append(FormLine(parent, None, ends=True))
            continue
        lines.append(FormLine(child, parent.type))
        if child.is_container:
            pending.append((child, iter(child.children)))
    return lines
