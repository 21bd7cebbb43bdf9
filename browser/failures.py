"""One table from what CouchDB (or the network) answered to the status the person gets and the words
they read: the error pages, the editor, uploads and the middleware all ask here."""

from browser.couch.errors import CouchUnavailable

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


def status_for(exc):
    """CouchDB's own 4xx as it is; 503 when CouchDB did not answer; 502 when it failed."""
    if isinstance(exc, CouchUnavailable):
        return 503
    return exc.status if 400 <= exc.status < 500 else 502


def sentence_for(exc):
    """What happened, in words, with CouchDB's reason."""
    if isinstance(exc, CouchUnavailable):
        return f"CouchDB cannot be reached ({exc.reason})."
    template = _SENTENCES.get(exc.status, "CouchDB answered {status}: {reason}")
    return template.format(reason=exc.message, status=exc.status)
