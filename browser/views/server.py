"""The server page and the health check."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser.auth import public
from browser.couch.client import CouchClient
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.server import is_up, server_info


@require_GET
def server_page(request):
    context = {"info": server_info(request.couch)}
    return render(request, "browser/server.html", context)


@public
@require_GET
def healthz(request):
    # Its own short timeout: a hung CouchDB is a 503 within 2 s, before the container's health check gives up.
    try:
        up = is_up(CouchClient(timeout=settings.HEALTHZ_TIMEOUT))
    except (CouchError, CouchUnavailable) as exc:
        return JsonResponse({"status": "error", "couchdb": "down", "reason": str(exc)}, status=503)
    status = 200 if up else 503
    return JsonResponse({"status": "ok" if up else "error", "couchdb": "up" if up else "down"}, status=status)
