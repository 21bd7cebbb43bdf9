"""Fields that several areas' forms share: names checked against CouchDB's rules, revisions, typed JSON and
sequences."""

import re

from django import forms

from browser.couch import jsontext
from browser.couch.databases import database_name_problem
from browser.couch.partitions import PARTITION_MOST, partition_problem

REV_RE = re.compile(r"^\d+-[0-9a-zA-Z]+$")


class RuleCheckedField(forms.CharField):
    """Text checked against one of CouchDB's naming rules: `problem(value)` says what is wrong, or None."""

    def __init__(self, *, problem, **kwargs):
        self.problem = problem
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        message = value and self.problem(value)
        if message:
            raise forms.ValidationError(message, code="invalid_name")


class DatabaseNameField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=database_name_problem, strip=True, max_length=238, **kwargs)


class PartitionNameField(RuleCheckedField):
    """A partition of a partitioned database (issue 14): no ":", no leading "_"."""

    def __init__(self, **kwargs):
        super().__init__(problem=partition_problem, max_length=PARTITION_MOST, **kwargs)


class RevisionField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not REV_RE.match(value):
            raise forms.ValidationError("That is not a revision (like 3-a1b2…).")


class JsonField(forms.CharField):
    """JSON typed by a person: parsed without rounding numbers; errors name line and column."""

    def __init__(self, *, expect=None, **kwargs):
        self.expect = expect
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        if not text or not text.strip():
            return None
        try:
            parsed = jsontext.loads_strict(text.replace("\r\n", "\n"))
        except jsontext.JsonSyntaxError as exc:
            raise forms.ValidationError(f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}.") \
                from None
        if self.expect is dict and not isinstance(parsed, dict):
            raise forms.ValidationError("This must be a JSON object: { … }.")
        if self.expect is list and not isinstance(parsed, list):
            raise forms.ValidationError("This must be a JSON array: [ … ].")
        return parsed


# CouchDB answers a key 600 deep in a URL with a bare 400 (its request line is full) and keeps a
# selector 10,000 deep; no query a person means nests past a few levels.
QUERY_DEPTH_MOST = 100
TOO_DEEP = f"This JSON is nested deeper than {QUERY_DEPTH_MOST} levels; a query may nest at most {QUERY_DEPTH_MOST}."


def json_depth(value):
    """How many containers deep a parsed JSON value goes (a scalar is 0), level by level, without recursion."""
    depth, level = 0, [value]
    while level:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return depth


class QueryJsonField(JsonField):
    """JSON in a query (selector, key, filter), at most QUERY_DEPTH_MOST levels deep; `missing` is the value
    of an empty field, so that a typed `null` is told from nothing typed."""

    def __init__(self, *, missing=None, **kwargs):
        self.missing = missing
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value or not str(value).strip():
            return self.missing
        parsed = super().to_python(value)
        if json_depth(parsed) > QUERY_DEPTH_MOST:
            raise forms.ValidationError(TOO_DEEP)
        return parsed


# Sequences (of the changes feed, the deleted documents) are opaque strings, long on clusters.
SEQUENCE_MOST = 20_000


class SequenceField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=SEQUENCE_MOST, **kwargs)
