"""The server page and the health check."""

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
    try:
        up = is_up(CouchClient())
    except (CouchError, CouchUnavailable) as exc:
        return JsonResponse({"status": "error", "couchdb": "down", "reason": str(exc)}, status=503)
    status = 200 if up else 503
    return JsonResponse({"status": "ok" if up else "error", "couchdb": "up" if up else "down"}, status=status)
