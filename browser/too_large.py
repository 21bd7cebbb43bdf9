"""A form over the dashboard's limits (MAX_FORM_BYTES, or more fields than Django reads) is answered 413 with
the limit and how to go on, instead of Django's bare 400: the request body was never read, so nothing was saved."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render

from browser.views import errors


def bad_request(request, exception=None):
    """handler400: "too large" for a form over a limit; Django's other refusals as before."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        context = {"too_many_fields": False, "limit_mb": _megabytes(limit), "limit_bytes": f"{limit:,}"}
    elif isinstance(exception, TooManyFieldsSent):
        context = {"too_many_fields": True, "limit_fields": f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"}
    else:
        return errors.bad_request(request, exception)
    return render(request, "413.html", context, status=413)


def _megabytes(size):
    text = f"{size / (1024 * 1024):.1f}"
    return text[:-2] if text.endswith(".0") else text
