"""Turning documents into table cells and pretty JSON, shared by the document list and query results."""

from collections import Counter

from browser.couch import jsontext

CELL_CHARS = 120


def common_fields(docs, most=6):
    """The most common top-level fields of a page of documents (CouchDB's own "_" members aside)."""
    counts = Counter(k for doc in docs for k in (doc or {}) if not k.startswith("_"))
    return [name for name, _ in counts.most_common(most)]


def cell(doc, column):
    if column not in doc:
        return ""
    value = doc[column]
    # A cell shows 120 characters: write no more of a 5 MB value than that.
    text = value if isinstance(value, str) else jsontext.preview(value, CELL_CHARS)
    return text if len(text) <= CELL_CHARS else text[:CELL_CHARS - 1] + "…"


def display_rows(docs, columns, with_json):
    return [{"doc_id": (doc or {}).get("_id"), "cells": [cell(doc or {}, c) for c in columns],
             "json": jsontext.dumps(doc, indent=2) if with_json else ""} for doc in docs]
