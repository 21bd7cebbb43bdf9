"""Names in our URLs.

Database names: "/" is written "~" because WSGI decodes %2F before routing.

Document ids: every "/"-separated segment is written as it is, except that a segment made of "~"s
followed by "." or ".." gets one more "~" in front. So "." is "~.", ".." is "~..", "~.." is "~~..",
and no segment of a link is ever "." or "..", which browsers and proxies resolve away.
reverse() then percent-encodes the rest ("%" becomes "%25", so "%2e" in an id never reaches the browser
as a dot segment either); WSGI has decoded it all again by the time to_python sees it.
"""

import re

from browser.couch.databases import database_name_problem

ESCAPE = "~"
_NEEDS_ESCAPE = re.compile(r"~*\.\.?")
_ESCAPED = re.compile(r"~+\.\.?")


class DatabaseNameConverter:
    """Only what can be a database's name: CouchDB's naming rule, or a system database. So `/db/_node/…`,
    `_stats`, `_config` and the like never reach CouchDB's server endpoints as if they were a database."""

    # "~" is not allowed in CouchDB database names, so it cannot clash with a real character.
    regex = r"[^/]+"

    def to_python(self, value):
        name = value.replace("~", "/")
        if database_name_problem(name):
            raise ValueError(name)
        return name

    def to_url(self, value):
        return value.replace("/", "~")


def escape_dot_segments(docid):
    if "." not in docid:
        return docid
    return "/".join(ESCAPE + segment if _NEEDS_ESCAPE.fullmatch(segment) else segment
                    for segment in docid.split("/"))


def unescape_dot_segments(path):
    return "/".join(segment[len(ESCAPE):] if _ESCAPED.fullmatch(segment) else segment
                    for segment in path.split("/"))


class DocumentIdConverter:
    """A document id as the rest of the path: any characters, "/" and line breaks included."""

    regex = r"[\s\S]+"

    def to_python(self, value):
        return unescape_dot_segments(value)

    def to_url(self, value):
        return escape_dot_segments(value)
