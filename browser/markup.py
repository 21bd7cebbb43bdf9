"""HTML written in Python, where the template engine's cost per value showed: the document and
databases tables' rows, form widgets and the form editor's rows (BENCHMARKS.md, issue 15).

Each writer builds literal markup of its own and puts every other text (from CouchDB, from a person,
from a form) through `html.escape`, which is what Django's `escape` does underneath; it then hands the
pieces to `markup`, the one place that marks such HTML safe. Each writer is tested with hostile values:
tests/test_document_table.py, test_database_table.py, test_form_renderer.py (against Django's own widget
HTML), test_hostile_document_ids.py (the form editor).
"""

from django.utils.safestring import mark_safe


def markup(*pieces):
    """The pieces joined, as HTML the template engine writes as it is."""
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is a writer's own markup or escaped text
