"""Recording what people did, through the audit writer: the intent first, then the action, then its outcome.

With AUDIT_REQUIRED=1 an action whose intent cannot be recorded is not done (as HashiCorp Vault refuses a
request it cannot log): `audited` raises AuditUnavailable before the action, and the person reads why.
By default the action goes ahead and the person is warned that its record is missing."""

import functools
import hashlib
import hmac
import logging
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render

from browser.couch.audit import AuditWriter
from browser.couch.errors import CouchError, CouchSlow, CouchUnavailable

logger = logging.getLogger("couchadmin.audit")

# What the audit log records; shown on the audit page when no writer is configured.
AUDITED = ("permission changes", "user changes", "database creations and deletions",
           "document deletions, one or many", "design document changes (validate_doc_update included)",
           "index deletions", "compaction and view cleanup", "the creation of _global_changes",
           "replication starts, stops, restarts and deletions (never their credentials)",
           "purges and limit changes (document id and revisions, never the body)",
           "resharding (splits started, jobs removed, the subsystem stopped or resumed)",
           "configuration changes (never secret values)", "restores of deleted documents")


class AuditUnavailable(Exception):
    """AUDIT_REQUIRED is on and the intent could not be recorded: the action must not run."""

    def __init__(self, problem):
        super().__init__(problem)
        self.problem = problem


def audit_key():
    """The key that seals records, derived from SECRET_KEY (records sealed under another key read as altered)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"couchadmin audit chain", hashlib.sha256).digest()


def audit_writer():
    """The process's writer, or None when AUDIT_WRITER_NAME / its password are not set."""
    if not (settings.AUDIT_WRITER_NAME and settings.AUDIT_WRITER_PASSWORD):
        return None
    return _writer(settings.AUDIT_WRITER_NAME, settings.AUDIT_WRITER_PASSWORD, audit_key())


@functools.cache
def _writer(name, password, key):
    return AuditWriter(name, password, key)


@dataclass
class Entry:
    """What the action may add to its record while it runs: the values it only learns then, or a failure."""

    target: str
    before: Any = None
    after: Any = None
    failure: str = ""
    result: str = "done"

    def failed(self, reason):
        self.failure, self.result = reason, "failed"

    def unknown(self, reason):
        self.failure, self.result = reason, "unknown"


@contextmanager
def audited(request, action, target, before=None, after=None):
    """Record the intent, run the block (the action), record its outcome: done, or failed and why."""
    entry, writer = Entry(target, before, after), audit_writer()
    if writer is None:
        if settings.AUDIT_REQUIRED:
            raise AuditUnavailable("no audit writer is configured (AUDIT_WRITER_PASSWORD is not set)")
        yield entry
        return
    who = request.couch_user.name if request.couch_user else None
    intent = writer.record(settings.AUDIT_DATABASE, who, action, target, before, after, phase="intent")
    if not intent.ok:
        if settings.AUDIT_REQUIRED:
            raise AuditUnavailable(intent.problem)
        _warn_missing(request, intent.problem)
    try:
        yield entry
    except CouchSlow as exc:
        entry.unknown(f"CouchDB took longer than {exc.seconds:g} seconds to answer: it may still have been done")
        raise
    except (CouchError, CouchUnavailable) as exc:
        entry.failed(exc.reason if isinstance(exc, CouchUnavailable) else exc.message)
        raise
    except Exception:
        entry.failed("the dashboard stopped with an error before the action finished")
        raise
    finally:
        outcome = writer.record(settings.AUDIT_DATABASE, who, action, entry.target, entry.before, entry.after,
                                phase="outcome", of=intent.seq, result=entry.result,
                                **({"reason": entry.failure} if entry.failure else {}))
        if intent.ok and not outcome.ok:
            _warn_missing(request, outcome.problem)


def _warn_missing(request, problem):
    messages.warning(request, f"Done, but the audit record is missing ({problem}): "
                              f"ask a server admin to check the “{settings.AUDIT_DATABASE}” database.")


class AuditRequiredMiddleware:
    """Turns AuditUnavailable into a page that says nothing was done, and why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, AuditUnavailable):
            return None
        return render(request, "audit_required.html", {"problem": exception.problem,
                                                       "database": settings.AUDIT_DATABASE}, status=503)


def report_writer_at_start():
    """Say in the log, once the server starts, when the audit writer cannot log in (and how to fix it)."""
    writer = audit_writer()
    if writer is None:
        logger.warning("Audit: no writer is configured (AUDIT_WRITER_PASSWORD): nothing will be recorded%s.",
                       ", and every audited action will be refused (AUDIT_REQUIRED=1)" if settings.AUDIT_REQUIRED
                       else "")
        return
    threading.Thread(target=_log_writer_problem, args=(writer,), daemon=True, name="audit-writer-check").start()


def _log_writer_problem(writer):
    problem = writer.problem()
    if problem:
        logger.error("Audit: %s", problem)


def design_audited(request, db, docid, rev, body):
    """`audited` for a write of a design document (its views, filters and validate_doc_update change what the
    database does), a context that records nothing for any other document."""
    if not str(docid).startswith("_design/"):
        return nullcontext(Entry(docid))
    return audited(request, "design.update", db, before={"id": docid, "rev": rev}, after={"id": docid, **body})


def refusal_for(exc):
    """What a form says when AUDIT_REQUIRED refused its action: the person's text stays where it was."""
    return (f"Nothing was saved: this dashboard acts only when it can record the action in the audit log "
            f"(AUDIT_REQUIRED=1), and the record could not be written ({exc.problem}). Your text is kept; "
            "try again once a server admin has fixed the audit writer.")
