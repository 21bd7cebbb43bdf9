"""Recording what people did, through the audit writer, and telling them when the record could not be written."""

import functools

from django.conf import settings
from django.contrib import messages

from browser.couch.audit import AuditWriter

# What the audit log records; shown on the audit page when no writer is configured.
AUDITED = ("permission changes", "user changes", "database deletions", "bulk document deletions",
           "replication starts, stops, restarts and deletions (never their credentials)",
           "purges and limit changes (document id and revisions, never the body)",
           "resharding (splits started, jobs removed, the subsystem stopped or resumed)",
           "configuration changes (never secret values)", "restores of deleted documents")


def audit_writer():
    """The process's writer, or None when AUDIT_WRITER_NAME / its password are not set."""
    if not (settings.AUDIT_WRITER_NAME and settings.AUDIT_WRITER_PASSWORD):
        return None
    return _writer(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD)


@functools.cache
def _writer(name, password):
    return AuditWriter(name, password)


def note(request, action, target, before=None, after=None):
    """Record an action; the action has happened whatever becomes of the record."""
    writer = audit_writer()
    if writer is None:
        return False
    who = request.couch_user.name if request.couch_user else None
    result = writer.record(settings.AUDIT_DATABASE, who, action, target, before, after)
    if not result.ok:
        messages.warning(request, f"Done, but the audit record is missing ({result.problem}): "
                                  f"ask a server admin to check the “{settings.AUDIT_DATABASE}” database.")
    return result.ok
