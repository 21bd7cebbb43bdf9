"""The audit log, for server admins: newest first, filtered by action, person or target."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser.couch import jsontext
from browser.couch.audit import list_records
from browser.couch.errors import NotFound, Unauthorized
from browser.forms import AuditFilterForm
from browser.middleware import forbidden_page


@require_GET
def audit_log(request):
    if not request.couch_user.is_server_admin:
        return forbidden_page(request, Unauthorized(401, "unauthorized", "You are not a server admin.", "GET",
                                                    "/" + settings.AUDIT_DATABASE))
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        records, next_start = list_records(request.couch, settings.AUDIT_DATABASE, start=filters.get("start") or None,
                                           action=filters.get("action", ""), who=filters.get("who", ""),
                                           target=filters.get("target", ""))
    except NotFound:
        records, next_start = None, None
    rows = [{**r, "before_text": jsontext.dumps(r.get("before"), indent=2),
             "after_text": jsontext.dumps(r.get("after"), indent=2)} for r in records or []]
    context = {"form": form, "records": rows, "missing": records is None, "next_start": next_start,
               "database": settings.AUDIT_DATABASE}
    return render(request, "browser/audit.html", context)
