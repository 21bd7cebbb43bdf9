"""Database permissions, and who can access a database and why."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from browser.audit_trail import audited
from browser.couch.errors import CouchError, Forbidden, ServerError, Unauthorized
from browser.couch.security import (
    can_administer,
    get_security,
    is_public,
    normalised,
    put_security,
    server_admin_names,
    who_has_access,
    with_entry,
)
from browser.couch.users import list_users, user_exists
from browser.forms.access import PermissionChangeForm

SUGGESTIONS = 500
ACCESS_USERS_CHECKED = 2000


@require_http_methods(["GET", "POST"])
def permissions(request, db):
    security = get_security(request.couch, db)
    may_edit = can_administer(security, request.couch_user)
    form = PermissionChangeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_edit:
            messages.error(request, "Only admins of this database or server admins can change its permissions.")
            status = 403
        elif form.is_valid() and not _unknown_user(request, form):
            return _change(request, db, security, form.cleaned_data)
        elif form.is_valid():
            status = 400
        else:
            messages.error(request, "Say which section, whether a name or a role, and which one.")
            status = 400
    shown = normalised(security)
    context = {"db": db, "sections": [("admins", shown["admins"]), ("members", shown["members"])],
               "may_edit": may_edit, "public": is_public(security),
               "form": form if status == 400 else PermissionChangeForm(), "suggestions": _user_names(request),
               "unknown_user": status == 400 and form.has_error("value", "unknown_user")}
    return render(request, "browser/permissions.html", context, status=status)


def _change(request, db, before, data):
    after = with_entry(before, data["section"], data["kind"], data["value"], data["op"] == "add")
    try:
        with audited(request, "security.update", db, before=before, after=after):
            put_security(request.couch, db, after)
    except (Unauthorized, Forbidden, ServerError) as exc:
        # CouchDB answers a member's attempt with 500 no_majority rather than 403.
        messages.error(request, f"CouchDB refused the change ({exc.error or exc.status}: {exc.reason}). "
                                "Only admins of this database or server admins can change its permissions.")
        return redirect("browser:permissions", db=db)
    what = "name" if data["kind"] == "names" else "role"
    verb = "Added" if data["op"] == "add" else "Removed"
    messages.success(request, f"{verb} the {what} “{data['value']}” {'to' if verb == 'Added' else 'from'} "
                              f"{data['section']}.")
    return redirect("browser:permissions", db=db)


def _unknown_user(request, form):
    """Whether a name about to be added belongs to nobody (a typo such as “wt-alcie”): then the form says so
    and asks for a tick to add it anyway. Unknown when this person may not read _users: added, with a note."""
    data = form.cleaned_data
    if data["op"] != "add" or data["kind"] != "names" or data["unknown_ok"]:
        return False
    known = user_exists(request.couch, data["value"])
    if known is None:
        messages.info(request, f"Whether a user “{data['value']}” exists could not be checked: only server admins "
                               "can read the _users database.")
        return False
    if not known:
        form.add_error("value", forms.ValidationError(
            f"There is no user “{data['value']}”. Check the spelling, or tick the box to add the name anyway "
            "(for a user who will be created later).", code="unknown_user"))
    return not known


def _user_names(request):
    """Names from _users for suggestions, when this person may read it (server admins by default)."""
    try:
        users, _ = list_users(request.couch, limit=SUGGESTIONS)
    except CouchError:
        # Refused (401/403): no suggestions then.
        return []
    return [u.name for u in users]


@require_GET
def database_access(request, db):
    security = get_security(request.couch, db)
    admins = server_admin_names(request.couch)
    try:
        users, more = list_users(request.couch, limit=ACCESS_USERS_CHECKED)
    except CouchError:
        users, more = None, None
    report = who_has_access(security, users, admins, request.couch_user)
    context = {"db": db, "report": report, "more_users": more, "server_admins": admins,
               "public": is_public(security), "users_checked": ACCESS_USERS_CHECKED}
    return render(request, "browser/database_access.html", context)
