"""The state of a document edit as it travels between browser and server: form rows or JSON text,
the revision the edit started from and the attachment stubs to send back unchanged."""

from dataclasses import dataclass

from browser.couch import jsontext
from browser.couch.documents import editable_body, special_field_problem
from browser.couch.jsontext import JsonSyntaxError
from browser.field_editor import (
    EditorError,
    apply_operation,
    nodes_from_post,
    nodes_from_value,
    retyped,
    value_from_nodes,
)

FORM, TEXT = "form", "text"


@dataclass
class EditorState:
    mode: str
    text: str = ""
    root: object = None
    base_rev: str = ""
    attachments: str = ""
    error: str = ""
    error_line: int | None = None
    error_column: int | None = None


class EditorProblem(ValueError):
    pass


def state_for(doc, mode=FORM):
    body = editable_body(doc)
    stubs = doc.get("_attachments")
    state = EditorState(mode=mode if mode in (FORM, TEXT) else FORM, base_rev=str(doc.get("_rev") or ""),
                        attachments=jsontext.dumps(stubs) if stubs else "")
    return _fill(state, body)


def _fill(state, body):
    if state.mode == TEXT:
        state.text, state.root = jsontext.dumps(body, indent=2), None
    else:
        state.root, state.text = nodes_from_value(body), ""
    return state


def state_from_post(post):
    mode = post.get("mode") if post.get("mode") in (FORM, TEXT) else FORM
    state = EditorState(mode=mode, base_rev=post.get("base_rev", ""), attachments=post.get("attachments", ""))
    if mode == TEXT:
        state.text = post.get("text", "").replace("\r\n", "\n")
    else:
        state.root = nodes_from_post(post)
    return state


def body_of(state):
    """The document body the editor holds; raises EditorProblem and marks the state when it is invalid."""
    try:
        body = value_from_nodes(state.root) if state.mode == FORM else jsontext.loads(state.text)
    except JsonSyntaxError as exc:
        state.error = f"The JSON is not valid at line {exc.line}, column {exc.column}: {exc.message}."
        state.error_line, state.error_column = exc.line, exc.column
        raise EditorProblem(state.error) from None
    except EditorError as exc:
        state.error = exc.message
        raise EditorProblem(state.error) from None
    if not isinstance(body, dict):
        state.error = "A document must be a JSON object: { … }."
        raise EditorProblem(state.error)
    problem = special_field_problem(body)
    if problem:
        state.error = problem
        raise EditorProblem(problem)
    return body


def attachment_stubs(state):
    if not state.attachments:
        return None
    try:
        stubs = jsontext.loads(state.attachments)
    except JsonSyntaxError:
        return None
    return stubs if isinstance(stubs, dict) else None


def switched(state, mode):
    """The same edit in the other editor; stays put (with the reason) while the content is invalid."""
    if mode == state.mode or mode not in (FORM, TEXT):
        return state
    try:
        body = body_of(state)
    except EditorProblem:
        return state
    state.mode = mode
    return _fill(state, body)


def operated(state, operation):
    if state.mode != FORM:
        return state
    if operation == "retype":
        retyped(state.root)
    else:
        apply_operation(state.root, operation)
    return state


def replaced_text(state, body):
    """The editor holding `body` as text (used for "merge by hand")."""
    state.mode = TEXT
    return _fill(state, body)
