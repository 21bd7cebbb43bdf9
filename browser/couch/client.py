"""CouchClient: the only code that speaks HTTP to CouchDB."""

import json
import os
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import DefaultCookiePolicy
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from browser.couch import jsontext
from browser.couch.errors import CouchError, CouchSlow, CouchUnavailable
from browser.couch.flavour import CouchDB3 as Flavour
from browser.couch.flavour import flavour_for
from browser.couch.jsontext import Json
from browser.couch.wire import WholeSegment

# A requests timeout: seconds, or (connect, read) seconds.
Timeout = float | tuple[float, float]
Item = TypeVar("Item")
Answer = TypeVar("Answer")

AUTH_COOKIE = "AuthSession"
# Where no one request answers for many databases (pouchdb-server's database info, each database's _security),
# this many requests go at once: CouchDB 3.5 on 2 cores answered 10,000 _security reads in 13-14 s so, 23-25 s
# one after another, and 17-19 s 8 at a time (BENCHMARKS.md, issue 26).
READS_AT_ONCE = 16
_AUTH_COOKIE_RE = re.compile(r"(?:^|[\s,;])AuthSession=([^;,\s]*)")
_KEEP_SLASH_PREFIXES = ("_design/", "_local/")

_http_lock = threading.Lock()
_http: requests.Session | None = None


class ExactUrlSession(requests.Session):
    """Sends each URL exactly as couch_url built it: requests would turn "%2E" back into ".", so an id
    ".." became a dot segment that CouchDB, or a proxy in front of it, resolves to another resource."""

    def prepare_request(self, request: requests.Request) -> requests.PreparedRequest:
        prepared = super().prepare_request(request)
        prepared.url = request.url
        return prepared


def shared_http() -> requests.Session:
    """One pooled requests.Session per process; it never stores cookies, so people never share one."""
    global _http
    with _http_lock:
        if _http is None:
            http = ExactUrlSession()
            http.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            # requests would read proxies, CA bundles and ~/.netrc from the environment on every request
            # (~1.5 ms each); read them once. Never ~/.netrc: its password would go with every person's requests.
            http.trust_env = False
            http.proxies = get_environ_proxies(settings.COUCHDB_URL)
            http.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)
            http.mount("http://", adapter)
            http.mount("https://", adapter)
            _http = http
    return _http


def quote_segment(segment: object) -> str:
    """Percent-encode one path segment; `_design/` and `_local/` ids keep their first slash."""
    if isinstance(segment, WholeSegment):
        return _quote_one(segment)
    segment = str(segment)
    for prefix in _KEEP_SLASH_PREFIXES:
        if segment.startswith(prefix):
            return prefix + _quote_one(segment[len(prefix):])
    return _quote_one(segment)


def _quote_one(text: str) -> str:
    # "." and ".." would be resolved away as dot segments by HTTP clients: send them encoded.
    if text in (".", ".."):
        return text.replace(".", "%2E")
    return quote(text, safe="")


def couch_url(base_url: str, segments: Iterable[object] = (), params: Mapping[str, object] | None = None) -> str:
    """Build a CouchDB URL: base (maybe under a sub-path) + encoded segments + query string."""
    url = base_url.rstrip("/") + "/" + "/".join(quote_segment(s) for s in segments)
    if params:
        pairs = [(k, _param_text(v)) for k, v in params.items() if v is not None]
        if pairs:
            url += "?" + urlencode(pairs, quote_via=quote, safe="")
    return url


def _param_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def json_param(value: Json) -> str:
    """Query parameters such as keys and start_key are JSON on the wire."""
    return json.dumps(value, ensure_ascii=False)


def auth_token_from(response: requests.Response) -> str | None:
    """The AuthSession value CouchDB set on this response, if it set a non-empty one."""
    headers: Any = getattr(response.raw, "headers", None)
    values = headers.getlist("Set-Cookie") if hasattr(headers, "getlist") else []
    if not values and response.headers.get("Set-Cookie"):
        values = [response.headers["Set-Cookie"]]
    for value in values:
        match = _AUTH_COOKIE_RE.search(value)
        if match and match.group(1):
            return match.group(1)
    return None


class CouchClient:
    """Talks to CouchDB as one person, identified by their AuthSession cookie (or anonymous)."""

    def __init__(self, token: str | None = None, base_url: str | None = None, timeout: float | None = None,
                 http: requests.Session | None = None, flavour: type[Flavour] | None = None) -> None:
        self.base_url: str = base_url or settings.COUCHDB_URL
        self.timeout: float = timeout or settings.COUCHDB_TIMEOUT
        self.token = token
        self.token_refreshed = False
        self._http = http or shared_http()
        self._flavour = flavour(self) if flavour else None

    @property
    def flavour(self) -> Flavour:
        """How this server differs from CouchDB 3 (browser/couch/flavour.py), bound to this client: its kind
        given, or asked once per process."""
        if self._flavour is None:
            self._flavour = flavour_for(self)
        return self._flavour

    def url(self, *segments: object, params: Mapping[str, object] | None = None) -> str:
        return couch_url(self.base_url, segments, params)

    def request(self, method: str, *segments: object, params: Mapping[str, object] | None = None,
                json_body: Json = None, data: Any = None, headers: Mapping[str, str] | None = None,
                stream: bool = False, timeout: Timeout | None = None) -> requests.Response:
        """Send one request; answer the response or raise a typed error."""
        url = self.url(*segments, params=params)
        all_headers = {"Accept": "application/json"}
        if json_body is not None:
            data = json.dumps(json_body, ensure_ascii=False).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if self.token:
            all_headers["Cookie"] = f"{AUTH_COOKIE}={self.token}"
        try:
            response = self._http.request(
                method, url, data=data, headers=all_headers, stream=stream,
                timeout=timeout or self.timeout, allow_redirects=False,
            )
        except requests.ConnectTimeout:
            seconds = _limit(timeout or self.timeout, 0)
            raise CouchUnavailable(self.base_url, f"no connection within {seconds:g} seconds") from None
        except requests.Timeout:
            # Connected and asked: CouchDB is slow (a big write, an index to build), not gone.
            seconds = _limit(timeout or self.timeout, -1)
            raise CouchSlow(self.base_url, seconds, method, url[len(self.base_url.rstrip("/")):]) from None
        except requests.ConnectionError as exc:
            raise CouchUnavailable(self.base_url, _connection_reason(exc)) from None
        self._remember_token(response)
        if response.status_code >= 400:
            body = _body_of(response)
            response.close()
            raise self._error_for(response.status_code, body, method, url[len(self.base_url.rstrip("/")):])
        return response

    def _error_for(self, status: int, body: Json, method: str, path: str) -> CouchError:
        """The typed error for an answer, as this server's flavour reads it. GET / itself (which tells the
        flavour), and any answer while the server cannot say which it is, are read as CouchDB 3's."""
        flavour: Flavour | type[Flavour] = Flavour
        if path != "/":
            try:
                flavour = self.flavour
            except (CouchError, CouchUnavailable):
                pass
        return flavour.error_for(status, body, method, path)

    def transfer_timeout(self, length: float | None) -> tuple[float, float]:
        """(connect, read) for a request that moves `length` bytes, or writes a document that holds them:
        connect as quickly as ever; wait a minute per 100 MB, at least the usual timeout."""
        return (self.timeout, max(self.timeout, 60 * (length or 0) / 100_000_000))

    def get_json(self, *segments: object, params: Mapping[str, object] | None = None) -> Json:
        return self.request("GET", *segments, params=params).json()

    def post_json(self, *segments: object, body: Json, params: Mapping[str, object] | None = None) -> Json:
        return self.request("POST", *segments, params=params, json_body=body).json()

    def put_json(self, *segments: object, body: Json = None, params: Mapping[str, object] | None = None) -> Json:
        return self.request("PUT", *segments, params=params, json_body=body).json()

    def delete_json(self, *segments: object, params: Mapping[str, object] | None = None) -> Json:
        return self.request("DELETE", *segments, params=params).json()

    def get_exact(self, *segments: object, params: Mapping[str, object] | None = None) -> Json:
        """GET a JSON answer whose numbers must not be rounded (documents, rows)."""
        return jsontext.loads(self.request("GET", *segments, params=params).text)

    def send_exact(self, method: str, *segments: object, body: Json, params: Mapping[str, object] | None = None,
                   headers: Mapping[str, str] | None = None, timeout: Timeout | None = None) -> Json:
        """Send a JSON body written by jsontext, so numbers go out exactly as they came in."""
        return self.send_exact_status(method, *segments, body=body, params=params, headers=headers,
                                      timeout=timeout)[1]

    def send_exact_status(self, method: str, *segments: object, body: Json,
                          params: Mapping[str, object] | None = None, headers: Mapping[str, str] | None = None,
                          timeout: Timeout | None = None) -> tuple[int, Json]:
        """send_exact, with the status of the answer: a write CouchDB stored on fewer copies than its write
        quorum asks is answered 202 Accepted, not 201 Created."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        data = jsontext.dumps(body).encode()
        answer = self.request(method, *segments, params=params, data=data, headers=all_headers, timeout=timeout)
        return answer.status_code, jsontext.loads(answer.text)

    def read_each(self, read: Callable[[Item], Answer], items: Sequence[Item]) -> list[Answer]:
        """read(item) for every item, READS_AT_ONCE requests at a time over the shared connections; answers in
        the items' order. `read` handles its own errors: the first one it lets through is raised here."""
        if len(items) < 2:
            return [read(item) for item in items]
        with ThreadPoolExecutor(max_workers=min(READS_AT_ONCE, len(items))) as pool:
            return list(pool.map(read, items))

    def _remember_token(self, response: requests.Response) -> None:
        fresh = auth_token_from(response)
        if fresh and fresh != self.token:
            self.token = fresh
            self.token_refreshed = True


def _body_of(response: requests.Response) -> Json:
    try:
        return response.json()
    except ValueError:
        try:
            return response.text
        except Exception:  # noqa: BLE001 - a body we cannot read says nothing more
            return ""


def _limit(timeout: Timeout, which: int) -> float:
    """The connect (0) or read (-1) part of a requests timeout, a number or a (connect, read) pair."""
    return timeout[which] if isinstance(timeout, tuple) else timeout


def _connection_reason(exc: Exception) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "the connection was refused (is CouchDB running?)"
    if "Name or service not known" in text or "nodename nor servname" in text or "Failed to resolve" in text:
        return "the host name could not be resolved"
    if "SSL" in text or "certificate" in text:
        return "the TLS connection failed"
    return "the connection failed"
