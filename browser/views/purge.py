"""Purge a document (entirely, or chosen leaf revisions) and a database's revision limits (_revs_limit,
_purged_infos_limit). A server without them is told so (browser/capabilities.py) and asked nothing."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from browser.audit_trail import audited
from browser.capabilities import needs
from browser.couch.errors import CouchError
from browser.couch.purge import (
    DEFAULT_LIMIT,
    LOCAL_PREFIX,
    document_leaves,
    purge_revisions,
    purged_infos_limit,
    revs_limit,
    set_purged_infos_limit,
    set_revs_limit,
)
from browser.couch.security import can_administer, get_security
from browser.denials import SERVER_ADMIN, denied_page
from browser.failures import sentence_for
from browser.forms.purge import PurgedInfosLimitForm, PurgeForm, RevsLimitForm

PURGE_NEEDS_SERVER_ADMIN = ("Purging needs a CouchDB server admin: CouchDB 3.5 refuses _purge to database "
                            "admins and members alike (it answers “You are not a server admin.”).")


@require_http_methods(["GET", "POST"])
@needs("has_purge")
def document_purge(request, db, docid):
    context = {"db": db, "docid": docid, "live": True}
    if not (request.couch_user and request.couch_user.is_server_admin):
        return denied_page(request, PURGE_NEEDS_SERVER_ADMIN, SERVER_ADMIN)
    if docid.startswith(LOCAL_PREFIX):
        return _cannot(request, context, "local", 400)
    leaves = document_leaves(request.couch, db, docid)
    if not leaves:
        return _cannot(request, context, "missing", 404)
    form = PurgeForm(request.POST or None, docid=docid, leaves=leaves)
    if request.method == "POST" and form.is_valid():
        response = _purge(request, db, docid, form, context)
        if response:
            return response
    live = [leaf for leaf in leaves if not leaf.deleted]
    context.update(form=form, leaves=leaves, conflicted=len(live) > 1, live=bool(live))
    return render(request, "browser/purge.html", context, status=400 if form.errors else 200)


def _cannot(request, context, why, status):
    """A _local document (not purgeable) or no such document."""
    return render(request, "browser/purge_cannot.html", {**context, "why": why, "live": why != "missing"},
                  status=status)


def _purge(request, db, docid, form, context):
    """Purge what the form chose and show CouchDB's answer; None (the form holding CouchDB's words) if refused."""
    try:
        # Only the id and revisions are recorded: never the body.
        with audited(request, "document.purge", db, before={"id": docid, "revs": list(form.chosen_revs())}) as entry:
            result = purge_revisions(request.couch, db, docid, form.chosen_revs())
            entry.after = {"id": docid, "purged": list(result.purged)}
    except CouchError as exc:
        if exc.status in (401, 403):
            raise
        # e.g. more revisions than the server's [purge] max_revisions_number allows in one request
        form.add_error(None, f"Nothing was purged. {sentence_for(exc)}")
        return None
    remaining = document_leaves(request.couch, db, docid, purged=result.purged)
    context.update(result=result, remaining=remaining,
                   not_purged=[r for r in result.requested if r not in result.purged],
                   live=any(not leaf.deleted for leaf in remaining))
    return render(request, "browser/purge_done.html", context)


@require_http_methods(["GET", "POST"])
@needs("has_revision_limits")
def database_limits(request, db):
    context = {"db": db, "default": DEFAULT_LIMIT}
    # Members may read _security and _revs_limit; anyone else is refused here, in words naming membership.
    security = get_security(request.couch, db)
    current = revs_limit(request.couch, db)
    is_server_admin = bool(request.couch_user and request.couch_user.is_server_admin)
    may_set_revs = is_server_admin or can_administer(security, request.couch_user)
    posted = request.POST if request.method == "POST" else None
    setting_revs = posted is not None and "revs_limit" in posted
    revs_form = RevsLimitForm(posted if setting_revs else None, initial={"revs_limit": current})
    infos_form = PurgedInfosLimitForm(posted if posted is not None and not setting_revs else None)
    if posted is not None:
        response = _set_limit(request, db, revs_form if setting_revs else infos_form,
                              may_set_revs if setting_revs else is_server_admin)
        if response:
            return response
    infos = purged_infos_limit(request.couch, db) if is_server_admin else None
    if not infos_form.is_bound:
        infos_form = PurgedInfosLimitForm(initial={"purged_infos_limit": infos})
    context.update(revs_limit=current, purged_infos_limit=infos, revs_form=revs_form, infos_form=infos_form,
                   may_set_revs=may_set_revs, is_server_admin=is_server_admin)
    return render(request, "browser/limits.html", context, status=400 if posted is not None else 200)


LIMITS = {
    "revs_limit": (revs_limit, set_revs_limit, "database.revs_limit",
                   "Setting _revs_limit needs an admin of this database (by name or role) or a server admin; "
                   "CouchDB 3.5 refuses it to members."),
    "purged_infos_limit": (purged_infos_limit, set_purged_infos_limit, "database.purged_infos_limit",
                           "Setting _purged_infos_limit needs a CouchDB server admin: CouchDB 3.5 refuses it to "
                           "database admins."),
}


def _set_limit(request, db, form, allowed):
    """Set one limit; answers a response when done or refused, None to show the form with its errors."""
    name = next(iter(form.fields))
    read, write, action, permission = LIMITS[name]
    if not allowed:
        # CouchDB 3.5 answers a member's PUT /{db}/_revs_limit with a 500: it is not sent at all.
        return denied_page(request, "Only admins may change this limit.", permission)
    if not form.is_valid():
        return None
    value = form.cleaned_data[name]
    before = read(request.couch, db)
    try:
        with audited(request, action, db, before=before, after=value):
            write(request.couch, db, value)
    except CouchError as exc:
        if exc.status in (401, 403):
            raise
        form.add_error(name, sentence_for(exc))
        return None
    messages.success(request, f"_{name} of “{db}” is now {value} (it was {before}).")
    return redirect("browser:database-limits", db=db)
