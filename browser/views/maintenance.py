"""Maintenance: compact the database, compact a design document's views, clean up old view indexes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from browser.audit_trail import audited
from browser.couch.errors import CouchError
from browser.couch.queries import list_design_documents
from browser.couch.security import can_administer, get_security
from browser.couch.tasks import active_tasks, compact_database, compact_views, view_cleanup
from browser.forms.maintenance import MaintenanceForm
from browser.responses import render_page_or_fragment

ACTIONS = {"compact": "Database compaction started.", "compact-views": "View compaction started.",
           "cleanup": "View cleanup started."}


@require_http_methods(["GET", "POST"])
def maintenance(request, db):
    if request.method == "GET":
        return _page(request, db, MaintenanceForm())
    form = MaintenanceForm(request.POST)
    if not form.is_valid():
        return _page(request, db, form, status=400)
    action = form.cleaned_data["action"]
    try:
        with audited(request, f"maintenance.{action}", db, after={"ddoc": form.cleaned_data["ddoc"] or None}):
            _start(request.couch, db, action, form.cleaned_data["ddoc"])
    except CouchError as exc:
        messages.error(request, f"CouchDB refused ({exc.error}): {exc.reason or exc.message}")
    else:
        messages.success(request, ACTIONS[action])
    return redirect("browser:maintenance", db=db)


def _start(client, db, action, ddoc):
    if action == "compact":
        compact_database(client, db)
    elif action == "compact-views":
        compact_views(client, db, ddoc)
    else:
        view_cleanup(client, db)


def _page(request, db, form, status=200):
    ddocs = [d.split("/", 1)[1] for d in list_design_documents(request.couch, db)]
    context = {"db": db, "ddocs": ddocs, "tasks": active_tasks(request.couch, db), "form": form,
               "may_administer": _may_administer(request, db)}
    return render(request, "browser/maintenance.html", context, status=status)


def _may_administer(request, db):
    """Compaction and cleanup need an admin of the database, as CouchDB's _security says (members may read it)."""
    user = request.couch_user
    return bool(user) and (user.is_server_admin or can_administer(get_security(request.couch, db), user))


@require_GET
def task_progress(request, db):
    context = {"db": db, "tasks": active_tasks(request.couch, db)}
    return render_page_or_fragment(request, "browser/maintenance_tasks.html", "browser/_tasks.html", context)
