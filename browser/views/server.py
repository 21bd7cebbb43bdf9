"""The server page and the health check."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser.auth import public, session_not_needed
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.server import is_up, server_info
from browser.session_store import StoreUnavailable, session_store


@require_GET
def server_page(request):
    context = {"info": server_info(request.couch)}
    return render(request, "browser/server.html", context)


@public
@session_not_needed
@require_GET
def healthz(request):
    """200 when CouchDB and the session store both answer; 503 naming which does not. Anonymous callers read
    this: the reasons never show CouchDB's URL or the store's."""
    couchdb_problem, store_problem = _couchdb_problem(), _store_problem()
    body = {"status": "error" if couchdb_problem or store_problem else "ok",
            "couchdb": "down" if couchdb_problem else "up",
            "session_store": "down" if store_problem else "up"}
    reasons = [f"{what}: {problem}" for what, problem in (("CouchDB", couchdb_problem),
                                                          ("session store", store_problem)) if problem]
    if reasons:
        body["reason"] = "; ".join(reasons)
    return JsonResponse(body, status=503 if reasons else 200)


def _couchdb_problem():
    # Its own short timeout: a hung CouchDB is a 503 within 2 s, before the container's health check gives up.
    try:
        up = is_up(CouchClient(timeout=settings.HEALTHZ_TIMEOUT))
    except CouchUnavailable as exc:
        return exc.reason
    except CouchError as exc:
        return f"it answered {exc.status} {exc.error}"
    return None if up else "it did not say it is up"


def _store_problem():
    try:
        session_store().ping()
    except StoreUnavailable as exc:
        return exc.reason
    return None
