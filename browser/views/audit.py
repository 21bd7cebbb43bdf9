"""The audit log, for server admins: newest first, every record searched by action, person or target."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser.audit_trail import AUDITED, audit_writer
from browser.couch import jsontext
from browser.couch.audit import list_records
from browser.couch.errors import BadRequest, NotFound
from browser.denials import server_admin_required
from browser.docdiff import diff
from browser.forms import AuditFilterForm


@server_admin_required
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = list_records(request.couch, settings.AUDIT_DATABASE, bookmark=filters.get("bookmark") or None,
                            action=filters.get("action", ""), who=filters.get("who", ""),
                            target=filters.get("target", ""))
    except (NotFound, BadRequest):
        page = None  # no audit database yet, or not prepared (no index)
    rows = [_shown(r) for r in (page.records if page else [])]
    context = {"form": form, "records": rows, "missing": page is None, "next_bookmark": page and page.next_bookmark,
               "database": settings.AUDIT_DATABASE, "recording": audit_writer() is not None, "audited": AUDITED}
    return render(request, "browser/audit.html", context)


# A record's changes listed field by field, at most this many (the whole JSON stays one click away).
CHANGES_SHOWN = 40


def _shown(record):
    before, after = record.get("before"), record.get("after")
    changes = diff({} if before is None else before, {} if after is None else after)
    return {**record, "changes": changes[:CHANGES_SHOWN], "more_changes": max(0, len(changes) - CHANGES_SHOWN),
            "before_text": jsontext.dumps(before, indent=2), "after_text": jsontext.dumps(after, indent=2)}
