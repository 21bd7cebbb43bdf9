"""One table from what CouchDB (or the network) answered to the status the person gets and the words
they read: the error pages, the editor, uploads and the middleware all ask here."""

from browser.couch.errors import CouchSlow, CouchUnavailable

_SENTENCES = {
    400: "CouchDB refused the request as invalid: {reason}",
    401: ("CouchDB refused this as unauthorized ({reason}). If your session ended, log in again in another "
          "tab, then try again here."),
    403: "CouchDB refused this: {reason}",
    404: "CouchDB has no such thing: {reason}",
    409: "It changed on the server meanwhile (409 conflict): {reason}",
    412: "CouchDB refused this because it already exists or a precondition failed: {reason}",
    413: ("CouchDB refused this as too large (413; its max_http_request_size, max_document_size or "
          "max_attachment_size)."),
    415: "CouchDB refused the content type: {reason}",
    416: "CouchDB cannot serve that byte range (416): {reason}",
}


# What to do when CouchDB is slow, by what it was asked: the first part of the path that names it.
_SLOW_ADVICE = (
    ("_find", "A query that no index serves reads every document of the database. Create an index on the "
              "fields it selects and sorts on (the Mango page offers one), then run it again; CouchDB builds "
              "the index on its first use, which takes a while once."),
    ("_view", "CouchDB builds or brings up to date a view's index when the view is asked, which takes long "
              "after many changes. Active tasks shows the indexer's progress; open the page again when it is "
              "done, or ask with update=false to read the index as it is."),
    ("_all_docs", "In a cluster every node holding a shard of the database must answer: one slow or "
                  "overloaded node holds up the list. The Cluster page shows how each node answers."),
)
_SLOW_WRITE = ("A change may still be made after the dashboard stopped waiting: look at what you changed "
               "before doing it again. Writes to documents holding large attachments take CouchDB longest.")
_SLOW_READ = ("Wait a moment and try again. Active tasks shows what CouchDB is busy with; if it is often this "
              "slow, the dashboard can be given longer (COUCHDB_TIMEOUT).")


def status_for(exc):
    """CouchDB's own 4xx as it is; 503 when CouchDB cannot be reached; 504 when it is too slow to answer;
    502 when it failed."""
    if isinstance(exc, CouchSlow):
        return 504
    if isinstance(exc, CouchUnavailable):
        return 503
    return exc.status if 400 <= exc.status < 500 else 502


def advice_for(exc):
    """What to do about a CouchDB slower than the dashboard waits, given what it was asked."""
    if exc.is_write:
        return _SLOW_WRITE
    parts = exc.path.split("?")[0].split("/")
    return next((words for name, words in _SLOW_ADVICE if name in parts), _SLOW_READ)


def slow_notice(exc, again=None):
    """What a page says where CouchDB outlasted the wait: that it is slow (not down), what to do, and the
    address that asks again (a read's), if any."""
    return {"sentence": sentence_for(exc), "advice": advice_for(exc), "write": exc.is_write, "again": again}


def sentence_for(exc):
    """What happened, in words, with CouchDB's reason."""
    if isinstance(exc, CouchSlow):
        return (f"CouchDB is taking longer than {exc.seconds:g} seconds to answer; the work may still complete "
                f"in CouchDB.")
    if isinstance(exc, CouchUnavailable):
        return f"CouchDB cannot be reached ({exc.reason})."
    template = _SENTENCES.get(exc.status, "CouchDB answered {status}: {reason}")
    return template.format(reason=exc.message, status=exc.status)
