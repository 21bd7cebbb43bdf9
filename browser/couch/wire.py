"""Spellings every layer of browser/couch shares on the wire: the client, the flavour and the concept
modules. It imports nothing of browser/couch, so each of them can import it."""

DESIGN_PREFIX = "_design/"
LOCAL_PREFIX = "_local/"
# Sorts after every character CouchDB's collation gives an id: the end of an id range.
ID_END = "\ufff0"


class WholeSegment(str):
    """A path segment whose every "/" is encoded, `_design/` included (e.g. `_index/_design%2Fx`)."""
