"""Users (server admins): list, create, change roles, set a password, delete, and which databases grant
them access. Any logged-in person: change their own password and stay logged in."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from browser.audit_trail import audited
from browser.auth import remember_login, remember_own_password_right
from browser.couch.client import CouchClient
from browser.couch.databases import count_databases
from browser.couch.errors import Conflict, CouchError, Forbidden, NotFound, Unauthorized
from browser.couch.security import scan_access, server_admin_names
from browser.couch.session import login
from browser.couch.users import (
    can_change_own_password,
    create_user,
    delete_user,
    find_user,
    list_users,
    public_view,
    update_user,
)
from browser.denials import server_admin_required
from browser.forms.query_string import StartForm
from browser.forms.users import AccessScanForm, NewUserForm, PasswordForm, UserActionForm, UserDeleteForm, UserRolesForm
from browser.responses import render_page_or_fragment

# Databases whose _security one request reads (several at once): ~0.7 s on CouchDB 3.5, so the progress moves.
SCAN_PAGE = 500
OWN_PASSWORD_REFUSED = ("This CouchDB server does not let users change their own password (its _users database is "
                        "for server admins only, as CouchDB 3 is by default). Ask a server admin to set a "
                        "new one for you.")


@server_admin_required
@require_http_methods(["GET", "POST"])
def user_list(request):
    form = NewUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with audited(request, "user.create", data["name"], after={"name": data["name"], "roles": data["roles"]}):
                create_user(request.couch, data["name"], data["password"], data["roles"])
        except Conflict:
            form.add_error("name", "A user with this name already exists.")
        else:
            messages.success(request, f"Created the user “{data['name']}”.")
            return redirect("browser:users")
    paging = StartForm(request.GET)
    users, next_start = list_users(request.couch, start=paging.value("start"))
    context = {"users": users, "next_start": next_start, "form": form}
    return render(request, "browser/users.html", context, status=400 if form.errors else 200)


@server_admin_required
@require_http_methods(["GET", "POST"])
def user_edit(request, name):
    user = find_user(request.couch, name)
    if user is None:
        return render(request, "404.html", {"reason": f"There is no user “{name}”."}, status=404)
    action = UserActionForm(request.POST).value("action")
    roles_form = UserRolesForm(request.POST if action == "roles" else None, initial={"roles": ", ".join(user.roles)})
    password_form = PasswordForm(request.POST if action == "password" else None)
    delete_form = UserDeleteForm(request.POST if action == "delete" else None, user=name)
    if request.method == "POST":
        response = _apply(request, name, action, roles_form, password_form, delete_form)
        if response:
            return response
    context = {"user": user, "roles_form": roles_form, "password_form": password_form, "delete_form": delete_form}
    return render(request, "browser/user_edit.html", context, status=400 if request.method == "POST" else 200)


def _apply(request, name, action, roles_form, password_form, delete_form):
    if action == "roles" and roles_form.is_valid():
        with audited(request, "user.roles", name, after={"roles": roles_form.cleaned_data["roles"]}) as entry:
            before, _ = update_user(request.couch, name, roles=roles_form.cleaned_data["roles"])
            entry.before, entry.after = public_view(before), {**public_view(before), **entry.after}
        messages.success(request, f"Roles of “{name}” saved.")
        return redirect("browser:user-edit", name=name)
    if action == "password" and password_form.is_valid():
        with audited(request, "user.password", name):
            update_user(request.couch, name, password=password_form.cleaned_data["password"])
        messages.success(request, f"New password set for “{name}”; their old sessions no longer work.")
        return redirect("browser:user-edit", name=name)
    if action == "delete" and delete_form.is_valid():
        with audited(request, "user.delete", name) as entry:
            entry.before = public_view(delete_user(request.couch, name))
        messages.success(request, f"Deleted the user “{name}”.")
        return redirect("browser:users")
    return None


@require_http_methods(["GET", "POST"])
def own_password(request):
    """Any logged-in person: a new password for themselves, then a fresh session so they stay logged in."""
    user = request.couch_user
    allowed = bool(user.name) and can_change_own_password(request.couch, user.name)
    remember_own_password_right(request, allowed)
    form = PasswordForm(request.POST or None)
    if not allowed:
        return render(request, "browser/own_password.html", {"form": None, "refused": OWN_PASSWORD_REFUSED},
                      status=403 if request.method == "POST" else 200)
    if request.method == "POST" and form.is_valid():
        try:
            with audited(request, "user.password", user.name):
                update_user(request.couch, user.name, password=form.cleaned_data["password"])
        except (Forbidden, Unauthorized, NotFound):
            form.add_error(None, OWN_PASSWORD_REFUSED)
        else:
            _log_in_again(request, user.name, form.cleaned_data["password"])
            messages.success(request, "Your password is changed; you are still logged in.")
            return redirect("browser:databases")
    return render(request, "browser/own_password.html", {"form": form}, status=400 if form.errors else 200)


def _log_in_again(request, name, password):
    client = CouchClient()
    try:
        fresh = login(client, name, password)
    except CouchError:
        return
    remember_login(request, client.token, fresh)
    remember_own_password_right(request, True)
    request.couch.token = client.token


@server_admin_required
@require_GET
def user_access(request, name):
    """Which databases grant `name` access, and through what: a stretch of databases per request, the next
    one asked for by the page itself (or by following its link)."""
    user = find_user(request.couch, name)
    roles = user.roles if user else ()
    is_admin = name in (server_admin_names(request.couch) or [])
    form = AccessScanForm(request.GET)
    total = form.value("total") or count_databases(request.couch)
    scan = scan_access(request.couch, name, roles, is_admin, start=form.value("start"), limit=SCAN_PAGE)
    scanned = (form.value("scanned") or 0) + scan.scanned
    context = {"name": name, "user": user, "found": scan.found, "next_start": scan.next_start, "scanned": scanned,
               "total": max(total, scanned), "is_server_admin": is_admin, "page_size": SCAN_PAGE,
               "progress_out_of_band": bool(request.htmx)}
    return render_page_or_fragment(request, "browser/user_access.html", "browser/_user_access_rows.html", context)
