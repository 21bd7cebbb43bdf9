"""The form editor: a JSON document as rows of (name, type, value), posted back and rebuilt exactly.

Field names in the form are `f:<path>:k` (member name), `f:<path>:t` (type) and `f:<path>:v` (value),
where a path is "r" for the document and "r.0.2" for the third child of its first member.
"""

from dataclasses import dataclass, field

from browser.couch import jsontext
from browser.couch.jsontext import JsonNumber, JsonSyntaxError

ROOT = "r"
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
    children: list = field(default_factory=list)
    error: str = ""

    @property
    def depth(self):
        return self.path.count(".")

    @property
    def index(self):
        return int(self.path.rsplit(".", 1)[1]) if "." in self.path else 0

    @property
    def line_count(self):
        return min(max(self.value.count("\n") + 1, 1), 20)

    @property
    def is_container(self):
        return self.type in CONTAINERS


class EditorError(ValueError):
    """The form holds values that are not valid; `nodes` carries the rows with their errors."""

    def __init__(self, nodes, message):
        self.nodes = nodes
        self.message = message
        super().__init__(message)


def type_of(value):
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


def nodes_from_value(value, path=ROOT, key=None):
    """Rows for a JSON value (the document body is an object at the root)."""
    kind = type_of(value)
    node = FieldNode(path=path, key=key, type=kind)
    if kind == "object":
        node.children = [nodes_from_value(v, f"{path}.{i}", k) for i, (k, v) in enumerate(value.items())]
    elif kind == "array":
        node.children = [nodes_from_value(v, f"{path}.{i}") for i, v in enumerate(value)]
    elif kind == "json":
        node.value = jsontext.dumps(value)
    elif kind == "boolean":
        node.value = "true" if value else "false"
    elif kind == "number":
        node.value = str(value)
    elif kind == "string":
        node.value = value
    return node


def nodes_from_post(data):
    """Rebuild the rows from posted form data (a QueryDict or dict)."""
    entries = {}
    for name in data:
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == "f" and parts[2] in ("k", "t", "v"):
            entries.setdefault(parts[1], {})[parts[2]] = data.get(name)
    if ROOT not in entries:
        entries[ROOT] = {"t": "object"}
    return _build(ROOT, entries, parent_type=None)


def _build(path, entries, parent_type):
    own = entries.get(path, {})
    kind = own.get("t") if own.get("t") in dict(TYPES) else "string"
    key = own.get("k", "") if parent_type == "object" else None
    node = FieldNode(path=path, key=key, type=kind, value=_text(own.get("v", "")))
    child_paths = sorted((p for p in entries if p.startswith(path + ".") and "." not in p[len(path) + 1:]),
                         key=lambda p: int(p.rsplit(".", 1)[1]) if p.rsplit(".", 1)[1].isdigit() else 0)
    node.children = [_build(p, entries, kind) for p in child_paths]
    return node


def _text(value):
    # Browsers send textarea line breaks as CRLF.
    return (value or "").replace("\r\n", "\n")


def value_from_nodes(root):
    """The JSON value the rows describe; raises EditorError with per-row messages."""
    errors = []
    value = _value(root, errors)
    if errors:
        count = len(errors)
        raise EditorError(root, "1 field needs attention." if count == 1 else f"{count} fields need attention.")
    return value


def _value(node, errors):
    node.error = ""
    kind = node.type
    if kind in CONTAINERS and not node.children and node.value.strip():
        _adopt_json_text(node, errors)
    if kind == "object":
        result = {}
        for child in node.children:
            if child.key in result:
                child.error = f"There is already a field named “{child.key}” here."
                errors.append(child.error)
            result[child.key] = _value(child, errors)
        return result
    if kind == "array":
        return [_value(child, errors) for child in node.children]
    return _scalar(node, errors)


def _adopt_json_text(node, errors):
    """A field switched to object/array from text: use its text when it is JSON of that kind."""
    try:
        parsed = jsontext.loads(node.value)
    except JsonSyntaxError:
        parsed = None
    expected = dict if node.type == "object" else list
    if isinstance(parsed, expected):
        node.children = nodes_from_value(parsed, node.path, node.key).children
    node.value = ""


def _scalar(node, errors):
    text = node.value
    if node.type == "string":
        return text
    if node.type == "number":
        if not jsontext.is_number_text(text):
            node.error = f"“{text}” is not a number (use digits, an optional sign, “.” and exponent)."
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
        return jsontext.loads(text if text.strip() else "null")
    except JsonSyntaxError as exc:
        node.error = f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}."
        errors.append(node.error)
        return None


def retyped(node):
    """After a type change: convert the row's content to the new type where it can be kept."""
    for child in node.children:
        retyped(child)
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
    return node


def find(root, path):
    if root.path == path:
        return root
    for child in root.children:
        if path == child.path or path.startswith(child.path + "."):
            return find(child, path)
    return None


def apply_operation(root, operation):
    """Apply one structural edit, written `verb:path` (add, remove, up, down)."""
    verb, _, path = operation.partition(":")
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


def _swap(items, a, b):
    items[a], items[b] = items[b], items[a]


def _new_key(node):
    existing = {c.key for c in node.children}
    n = len(node.children) + 1
    while f"field{n}" in existing:
        n += 1
    return f"field{n}"


def _renumber(node, path=ROOT):
    node.path = path
    for i, child in enumerate(node.children):
        _renumber(child, f"{path}.{i}")
    return node
