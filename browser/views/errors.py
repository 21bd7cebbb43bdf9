"""Django's own error pages, in the dashboard's layout."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "404.html", {"reason": "There is no page at this address."}, status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    return render(request, "403.html", {"reason": str(exception or ""), "permission": ""}, status=403)


def bad_request(request, exception=None):
    """A form over the dashboard's limits (MAX_FORM_BYTES, or more fields than Django reads) is answered 413 with
    the limit and how to go on, instead of Django's bare 400: the request body was never read, so nothing was
    saved. Django's other refusals are a plain 400."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        context = {"too_many_fields": False, "limit_mb": _megabytes(limit), "limit_bytes": f"{limit:,}"}
    elif isinstance(exception, TooManyFieldsSent):
        context = {"too_many_fields": True, "limit_fields": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"}
    else:
        return render(request, "400.html", status=400)
    return render(request, "413.html", context, status=413)


def _megabytes(size):
    text = f"{size / (1024 * 1024):.1f}"
    return text[:-2] if text.endswith(".0") else text
