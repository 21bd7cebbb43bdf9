"""Recording what people did, as them, and telling them when the record could not be written."""

from django.conf import settings
from django.contrib import messages

from browser.couch.audit import ensure_audit_database, record
from browser.couch.errors import CouchError


def note(request, action, target, before=None, after=None):
    """Record an action in the audit database; the action has happened whatever becomes of the record."""
    who = request.couch_user.name if request.couch_user else None
    result = record(request.couch, settings.AUDIT_DATABASE, who, action, target, before, after)
    if not result.ok and request.couch_user and request.couch_user.is_server_admin:
        # A server admin's first audited action sets the audit database up.
        try:
            ensure_audit_database(request.couch, settings.AUDIT_DATABASE)
        except CouchError:
            pass
        result = record(request.couch, settings.AUDIT_DATABASE, who, action, target, before, after)
    if not result.ok:
        messages.warning(request, f"Done, but the audit record is missing ({result.problem}): "
                                  f"ask a server admin to check the “{settings.AUDIT_DATABASE}” database.")
    return result.ok
