"""Typed errors for CouchDB answers; each carries CouchDB's own `error` and `reason`."""


class CouchError(Exception):
    """CouchDB answered with an error status."""

    status = None

    def __init__(self, status, error="", reason="", method="", path=""):
        self.status = status
        self.error = error or ""
        self.reason = reason or ""
        self.method = method
        self.path = path
        super().__init__(f"{status} {self.error}: {self.reason}".strip())

    @property
    def message(self):
        """A sentence for a person: CouchDB's reason, or its error name."""
        return self.reason or self.error or f"CouchDB answered {self.status}."


class BadRequest(CouchError):
    status = 400


class Unauthorized(CouchError):
    status = 401


class Forbidden(CouchError):
    status = 403


class NotFound(CouchError):
    status = 404


class Conflict(CouchError):
    status = 409


class PreconditionFailed(CouchError):
    status = 412


class PayloadTooLarge(CouchError):
    status = 413


class UnsupportedMediaType(CouchError):
    status = 415


class ServerError(CouchError):
    """CouchDB itself failed (5xx)."""


class CouchUnavailable(Exception):
    """CouchDB could not be reached, or did not answer in time."""

    def __init__(self, url, reason):
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


ERROR_BY_STATUS = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


def error_for(status, body, method="", path=""):
    """The typed error for a CouchDB status and its (parsed JSON or text) body."""
    error, reason = "", ""
    if isinstance(body, dict):
        error = str(body.get("error") or "")
        # pouchdb-server's Mango errors say `message` where CouchDB says `reason`.
        reason = str(body.get("reason") or body.get("message") or "")
    elif isinstance(body, str):
        reason = body.strip()[:500]
    if status >= 500:
        cls = ServerError
    else:
        cls = ERROR_BY_STATUS.get(status, CouchError)
    return cls(status, error, reason, method, path)
