"""A template written in a test, rendered by the dashboard's own Jinja2 environment."""

from django.template import engines


def from_text(text):
    return engines["jinja2"].from_string(text)


def form_rows_html(root):
    """The form editor's rows for the tree under `root`, as the editor page writes them."""
    from browser.editor.state import FORM, EditorState

    return from_text('{% include "browser/_field_rows.html" %}').render({"state": EditorState(mode=FORM, root=root)})
