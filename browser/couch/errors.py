"""Typed errors for CouchDB answers; each carries CouchDB's own `error` and `reason`."""

from typing import Any


class CouchError(Exception):
    """CouchDB answered with an error status."""

    status: int | None = None

    def __init__(self, status: int, error: str = "", reason: str = "", method: str = "", path: str = "") -> None:
        self.status: int = status
        self.error = error or ""
        self.reason = reason or ""
        self.method = method
        self.path = path
        super().__init__(f"{status} {self.error}: {self.reason}".strip())

    @property
    def message(self) -> str:
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

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


# POSTs that only read: a timeout on them cannot have left a change behind.
_READING_POSTS = ("_find", "_explain", "_all_docs", "_bulk_get", "_dbs_info", "_view", "_design_docs", "_local_docs",
                  "_changes", "_revs_diff", "_missing_revs", "_session", "_search", "_nouveau")


class CouchSlow(CouchUnavailable):
    """CouchDB took the request but has not answered within `seconds`: it is slow or busy, not unreachable,
    and the work asked for (a write, an index being built) may still complete there. A subclass of
    CouchUnavailable, so that whoever only needs "no answer" (the health check, a node probe) still has one."""

    def __init__(self, url: str, seconds: float, method: str = "", path: str = "") -> None:
        self.seconds = seconds
        self.method = method
        self.path = path
        super().__init__(url, f"no answer within {seconds:g} seconds")

    @property
    def is_write(self) -> bool:
        """Whether what was asked may change something (so it may have been done)."""
        if self.method in ("GET", "HEAD", "OPTIONS"):
            return False
        if self.method == "POST":
            parts = self.path.split("?")[0].split("/")
            return not any(part in _READING_POSTS for part in parts)
        return True


ERROR_BY_STATUS: dict[int, type[CouchError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
}


def error_for(status: int, body: Any, method: str = "", path: str = "") -> CouchError:
    """The typed error for a CouchDB status and its (parsed JSON or text) body."""
    error, reason = "", ""
    if isinstance(body, dict):
        error = str(body.get("error") or "")
        reason = str(body.get("reason") or "")
    elif isinstance(body, str):
        reason = body.strip()[:500]
    cls: type[CouchError]
    if status >= 500:
        cls = ServerError
    else:
        cls = ERROR_BY_STATUS.get(status, CouchError)
    return cls(status, error, reason, method, path)
