"""Per-request CouchDB identity, login enforcement, error pages and the Content-Security-Policy."""

import gzip
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect

from browser.auth import TOKEN_KEY, logged_in_user, login_expired
from browser.capabilities import lacking_page
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchSlow, CouchUnavailable, Forbidden, NotFound, ServerError, Unauthorized
from browser.couch.flavour import ServerLacks
from browser.couch.session import UserContext, current_user, is_admin_party
from browser.denials import denied_page, missing_permission
from browser.failures import sentence_for, slow_notice, status_for
from browser.session_backend import UnavailableSession
from browser.session_store import StoreUnavailable
from browser.stylesheet import page_stylesheet

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' {stylesheet}",
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = CONTENT_SECURITY_POLICY.format(stylesheet=page_stylesheet()[1])

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


# Requests a person makes on this site (its links, forms and htmx) or by typing the address or a bookmark.
_OWN_FETCH_SITES = {"same-origin", "none"}


class SameSiteGZipMiddleware(GZipMiddleware):
    """Gzip HTML pages, safely against BREACH: only pages the browser says this site asked for are compressed.

    BREACH needs an attacker's page to make the victim's browser send many requests with chosen input and
    watch the compressed length of answers that carry a secret beside that input. Pages here reflect input
    (keys, filters, form values) beside data only the person may read (documents, configuration), so the
    defence cannot be "no secret in the page". Instead: a request another site caused (`Sec-Fetch-Site:
    cross-site` or `same-site`, or a browser that does not say) gets its answer uncompressed, so its length
    tells the attacker nothing new. On top, Django masks the CSRF token afresh in every page and pads each
    gzip body by a random length. Streamed answers (attachments, exports) and anything but HTML are never
    compressed: files are often compressed already, and a download's length must stay its file's.
    """

    def process_response(self, request, response):
        if (response.streaming or response.has_header("Content-Disposition")
                or not response.get("Content-Type", "").startswith("text/html")):
            return response
        patch_vary_headers(response, ("Sec-Fetch-Site",))
        if request.headers.get("Sec-Fetch-Site") not in _OWN_FETCH_SITES:
            return response
        return self._gzipped(request, response)

    def _gzipped(self, request, response):
        # Django's GZipMiddleware for a page held in memory, at zlib's fastest level: a 150 KB page costs
        # 0.4 ms instead of 1.3 at Django's level 6, for about 15 % more bytes (BENCHMARKS.md).
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.headers.get("Accept-Encoding", "")):
            return response
        compressed = bytearray(gzip.compress(response.content, compresslevel=1, mtime=0))
        # BREACH: pad the header with a file name of random length, as Django's compress_string does.
        compressed[3] = gzip.FNAME
        compressed[10:10] = b"a" * secrets.randbelow(self.max_random_bytes) + b"\x00"
        if len(compressed) >= len(response.content):
            return response
        response.content = bytes(compressed)
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


class StoreSessionMiddleware(SessionMiddleware):
    """Django's session middleware, whose saving of the session at the end of a request may find the session
    store unreachable: that is the sessions-unavailable page, never a 500."""

    def process_response(self, request, response):
        try:
            return super().process_response(request, response)
        except StoreUnavailable as exc:
            return sessions_unavailable_page(request, exc, after_view=True)


class CouchSessionMiddleware:
    """Gives each request a CouchClient acting as the logged-in person, and keeps their cookie fresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session_unavailable = None
        try:
            if request.session.get(TOKEN_KEY) and login_expired(request.session, settings.SESSION_COOKIE_AGE):
                request.session.flush()
        except StoreUnavailable as exc:
            # Nobody is recognised until the store is back; every page but /healthz says so (process_view).
            request.session, request.session_unavailable = UnavailableSession(request.session.session_key), exc
        request.couch = CouchClient(token=request.session.get(TOKEN_KEY))
        request.couch_user = logged_in_user(request.session)
        request.admin_party = False
        response = self.get_response(request)
        # CouchDB sends a fresh AuthSession as the old one ages; keeping it is what keeps people logged in.
        if request.couch.token_refreshed and request.session.get(TOKEN_KEY):
            request.session[TOKEN_KEY] = request.couch.token
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.session_unavailable and not getattr(view_func, "session_not_needed", False):
            return sessions_unavailable_page(request, request.session_unavailable)
        if getattr(view_func, "couch_login_not_required", False) or request.couch_user:
            return None
        try:
            party = is_admin_party(request.couch)
        except CouchUnavailable as exc:
            return unavailable_page(request, exc)
        except CouchError as exc:
            return server_error_page(request, exc)
        if party:
            request.admin_party = True
            request.couch_user = UserContext(name=None, roles=("_admin",))
            return None
        return to_login(request)

    def process_exception(self, request, exception):
        if isinstance(exception, StoreUnavailable):
            return sessions_unavailable_page(request, exception)
        if isinstance(exception, CouchUnavailable):
            return unavailable_page(request, exception)
        if isinstance(exception, Unauthorized):
            return self._unauthorized(request, exception)
        if isinstance(exception, Forbidden):
            return forbidden_page(request, exception)
        if isinstance(exception, NotFound):
            return render(request, "404.html", {"reason": exception.message}, status=404)
        if isinstance(exception, (ServerError, CouchError)):
            return server_error_page(request, exception)
        if isinstance(exception, ServerLacks):
            # A request the flavour refused to send: the same page as a view that @needs what it lacks.
            return lacking_page(request, str(exception))
        return None

    def _unauthorized(self, request, exception):
        # CouchDB answers 401 both to an expired session and to a logged-in person on a
        # server-admin endpoint: only the first should send them to the login page.
        if request.couch.token and not request.admin_party:
            try:
                still_logged_in = not current_user(request.couch).is_anonymous
            except CouchError:
                still_logged_in = False
            if still_logged_in:
                return forbidden_page(request, exception)
        request.session.flush()
        return to_login(request)


def to_login(request):
    next_url = request.get_full_path()
    if request.htmx and request.htmx.current_url_abs_path:
        next_url = request.htmx.current_url_abs_path
    url = reverse("browser:login") + "?" + urlencode({"next": next_url})
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def forbidden_page(request, exception):
    return denied_page(request, exception.message, missing_permission(exception), couch_said=True)


def shown_couchdb_url(request):
    """Only a logged-in person reads where CouchDB is: to anybody else it is an internal address."""
    return settings.COUCHDB_URL if getattr(request, "couch_user", None) else ""


def unavailable_page(request, exception):
    """503: CouchDB cannot be reached. 504: it took the request and is slower than the dashboard waits, so the
    page says the work may still complete, what to do, and (for a read) offers to ask again."""
    context = {"couchdb_url": shown_couchdb_url(request), "reason": exception.reason, "slow": None}
    if isinstance(exception, CouchSlow):
        context["slow"] = slow_notice(exception, request.get_full_path() if request.method == "GET" else None)
    return render(request, "503.html", context, status=status_for(exception))


# Never sent back into a page, not even to the person who typed them.
_NOT_KEPT = ("csrfmiddlewaretoken",)


def sessions_unavailable_page(request, exception, after_view=False):
    """503: the session store cannot be reached. Before the view ran, what a POST carried (an unsaved edit) is
    kept in the page, as a form that sends it again to the same address once the store is back; passwords are
    not kept. After it ran (only the session could not be saved), the page says the request may have been
    done, and offers nothing to send twice."""
    posted = request.method == "POST" and not after_view
    kept = [(name, value) for name, values in request.POST.lists() if name not in _NOT_KEPT
            and "password" not in name.lower() for value in values] if posted else []
    context = {"reason": exception.reason, "kept": kept, "again": request.get_full_path(), "after_view": after_view,
               "long_texts": [(name, value) for name, value in kept if "\n" in value or len(value) > 80]}
    return render(request, "sessions_unavailable.html", context, status=503)


def server_error_page(request, exception):
    """CouchDB's own 4xx shown as what it is, with its reason; a 5xx as CouchDB failing (502)."""
    status = status_for(exception)
    context = {"couchdb_url": shown_couchdb_url(request), "status": exception.status, "reason": exception.message,
               "sentence": sentence_for(exception)}
    return render(request, "502.html" if status == 502 else "couch_refused.html", context, status=status)
