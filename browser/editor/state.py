"""The state of a document edit as it travels between browser and server: form rows or JSON text,
the revision the edit started from and the attachment stubs to send back unchanged."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from browser.couch import jsontext
from browser.couch.documents import editable_body, special_field_problem
from browser.couch.jsontext import Json, JsonObject, JsonSyntaxError
from browser.editor.rows import (
    ROW_BUDGET,
    EditorError,
    FieldNode,
    FormLine,
    apply_operation,
    form_lines,
    nodes_from_value,
    retyped,
    shape,
    value_from_nodes,
)
from browser.editor.text import number_notes

FORM, TEXT = "form", "text"
# A document opens in the form up to these sizes. A form row takes about half a kilobyte of HTML
# and five controls: at 1,000 values the page is already ~0.5 MB and 5,000 controls, where the text
# editor stays quick to scroll and search; and each level indents a row by 1.5rem, so past 16 levels
# the fields no longer fit a laptop screen.
FORM_DEFAULT_MOST_VALUES = 1_000
FORM_DEFAULT_MOST_DEPTH = 16
# The form is refused even when chosen beyond these: each value posts up to three fields and Django
# takes at most DATA_UPLOAD_MAX_NUMBER_FIELDS (100,000), and field names carry the row's path, so
# the page grows with depth times rows.
FORM_MOST_VALUES = 20_000
FORM_MOST_DEPTH = 64
# Past this many values the text editor indents only the top two levels (see text_of).
TEXT_OUTLINE_VALUES = 20_000
# The text editor names at most this many numbers CouchDB will write differently (and counts the rest).
NUMBER_NOTES_SHOWN = 20


@dataclass
class EditorState:
    mode: str
    text: str = ""
    root: FieldNode | None = None  # the form's rows; None in the text editor
    base_rev: str = ""
    attachments: str = ""
    error: str = ""
    error_line: int | None = None
    error_column: int | None = None
    note: str = ""
    # (path, as written, as CouchDB will store it) for the text's numbers CouchDB writes differently
    number_notes: list[tuple[str, str, str]] = field(default_factory=list)
    number_notes_total: int = 0


    @property
    def form_lines(self) -> Sequence[FormLine]:
        """The form's rows in page order (templates/browser/_field_rows.html draws them)."""
        return form_lines(self.root) if self.root is not None else ()


class EditorProblem(ValueError):
    pass


def state_for(doc: JsonObject, mode: str = FORM) -> EditorState:
    """The editor for a stored document; a document too big or too deep for the form opens as text,
    with a note saying why (the Form button still opens it in the form, up to FORM_MOST_*)."""
    body = editable_body(doc)
    stubs = doc.get("_attachments")
    state = EditorState(mode=mode if mode in (FORM, TEXT) else FORM, base_rev=str(doc.get("_rev") or ""),
                        attachments=jsontext.dumps(stubs) if stubs else "")
    if state.mode == FORM:
        state.note = _form_note(body, FORM_DEFAULT_MOST_VALUES, FORM_DEFAULT_MOST_DEPTH, chosen=False)
        state.mode = TEXT if state.note else FORM
    return _fill(state, body)


def _form_note(body: JsonObject, most_values: int, most_depth: int, chosen: bool) -> str:
    """Why `body` opens as text rather than in the form; "" when the form takes it."""
    values, depth = shape(body, most_values, most_depth)
    if values <= most_values and depth <= most_depth:
        return ""
    why = (f"it is nested more than {most_depth} levels deep" if depth > most_depth
           else f"it holds more than {most_values:,} values")
    if chosen:
        return f"This document stays in the JSON text editor: {why}, too many for the form."
    return (f"This document opened in the JSON text editor because {why}. "
            "Choose Form to edit it field by field anyway.")


def _fill(state: EditorState, body: JsonObject) -> EditorState:
    if state.mode == TEXT:
        state.text, state.root = text_of(body), None
        _note_numbers(state, body)
    else:
        state.root, state.text = nodes_from_value(body, budget=ROW_BUDGET), ""
    return state


def _note_numbers(state: EditorState, body: JsonObject) -> None:
    """The text editor's note on numbers CouchDB 3 will rewrite (the form notes them row by row)."""
    notes = number_notes(body)
    state.number_notes, state.number_notes_total = notes[:NUMBER_NOTES_SHOWN], len(notes)


def text_of(body: Json) -> str:
    """The body as the text editor shows it: indented throughout, or, past TEXT_OUTLINE_VALUES values,
    indented at the top two levels with one compact line per deeper item (a 5 MiB document then opens in
    about the time CouchDB takes to send it, instead of twice that in Python's indenting)."""
    values, _ = shape(body, TEXT_OUTLINE_VALUES, FORM_MOST_DEPTH)
    if values > TEXT_OUTLINE_VALUES:
        return jsontext.outline(body)
    return jsontext.dumps(body, indent=2)


def body_of(state: EditorState) -> JsonObject:
    """The document body the editor holds; raises EditorProblem and marks the state when it is invalid."""
    try:
        body = jsontext.loads_strict(state.text) if state.root is None else value_from_nodes(state.root)
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
    if state.mode == TEXT:
        _note_numbers(state, body)
    return body


def attachment_stubs(state: EditorState) -> JsonObject | None:
    if not state.attachments:
        return None
    try:
        stubs = jsontext.loads(state.attachments)
    except JsonSyntaxError:
        return None
    return stubs if isinstance(stubs, dict) else None


def switched(state: EditorState, mode: str) -> EditorState:
    """The same edit in the other editor; stays put (with the reason) while the content is invalid."""
    if mode == state.mode or mode not in (FORM, TEXT):
        return state
    try:
        body = body_of(state)
    except EditorProblem:
        return state
    state.note = _form_note(body, FORM_MOST_VALUES, FORM_MOST_DEPTH, chosen=True) if mode == FORM else ""
    if state.note:
        return state
    state.mode = mode
    return _fill(state, body)


def operated(state: EditorState, operation: str) -> EditorState:
    if state.root is None:  # the text editor has no rows
        return state
    if operation == "retype":
        retyped(state.root)
    else:
        apply_operation(state.root, operation)
    return state


def replaced_text(state: EditorState, body: JsonObject) -> EditorState:
    """The editor holding `body` as text (used for "merge by hand")."""
    state.mode = TEXT
    return _fill(state, body)
