"""The audit log, for server admins: newest first, every record searched by action, person or target, each
checked against its seal and the record before it; the whole chain checked on request."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser.audit_trail import AUDITED, audit_key, audit_writer
from browser.couch import jsontext
from browser.couch.audit import check_chain, check_records, list_records, seq_of
from browser.couch.errors import BadRequest, NotFound
from browser.denials import server_admin_required
from browser.editor.diff import diff
from browser.forms.audit import AuditFilterForm


@server_admin_required
@require_GET
def audit_log(request):
    form = AuditFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    try:
        page = list_records(request.couch, settings.AUDIT_DATABASE, bookmark=filters.get("bookmark") or None,
                            action=filters.get("action", ""), who=filters.get("who", ""),
                            target=filters.get("target", ""))
        checks = check_records(request.couch, settings.AUDIT_DATABASE, page.records, audit_key())
    except (NotFound, BadRequest):
        page, checks = None, {}  # no audit database yet, or not prepared (no index)
    rows = [_shown(r, checks.get(r.get("_id"))) for r in _one_row_per_action(page.records if page else [])]
    writer = audit_writer()
    context = {"form": form, "records": rows, "missing": page is None, "next_bookmark": page and page.next_bookmark,
               "database": settings.AUDIT_DATABASE, "recording": writer is not None, "audited": AUDITED,
               "writer_problem": writer.problem() if writer else "", "required": settings.AUDIT_REQUIRED,
               "chain": _whole_chain(request, writer) if filters.get("check") and page is not None else None}
    return render(request, "browser/audit.html", context)


def _whole_chain(request, writer):
    count, newest, problems = check_chain(request.couch, settings.AUDIT_DATABASE, audit_key())
    written = writer.highest_written if writer else 0
    if written > newest:
        problems.append(("", f"this dashboard wrote record {written}, but the log ends at {newest}: the newest "
                             "records were deleted or purged"))
    return {"count": count, "newest": newest, "problems": problems}


def _one_row_per_action(records):
    """An intent whose outcome is on the same page is read in its outcome's row; an intent alone stays (the
    action may or may not have happened)."""
    concluded = {str(r.get("of")) for r in records if r.get("phase") == "outcome"}
    return [r for r in records if not (r.get("phase") == "intent" and str(seq_of(r.get("_id"))) in concluded)]


# A record's changes listed field by field, at most this many (the whole JSON stays one click away).
CHANGES_SHOWN = 40


def _shown(record, check):
    before, after = record.get("before"), record.get("after")
    changes = diff({} if before is None else before, {} if after is None else after)
    return {**record, "changes": changes[:CHANGES_SHOWN], "more_changes": max(0, len(changes) - CHANGES_SHOWN),
            "before_text": jsontext.dumps(before, indent=2), "after_text": jsontext.dumps(after, indent=2),
            "check": check}
