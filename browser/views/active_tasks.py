"""Active tasks, for server admins: every task on every node, refreshing itself while any runs."""

import time
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from browser.couch.databases import database_name_problem
from browser.couch.tasks import server_tasks, sort_tasks
from browser.denials import server_admin_required
from browser.forms.active_tasks import TaskListForm
from browser.responses import render_page_or_fragment


@server_admin_required
@require_GET
def active_task_list(request):
    form = TaskListForm(request.GET)
    chosen = form.cleaned_data if form.is_valid() else {}
    tasks = server_tasks(request.couch, time.time())
    shown = [t for t in tasks if not chosen.get("type") or t.type == chosen["type"]]
    query = {k: v for k, v in chosen.items() if v}
    context = {
        "form": form,
        "rows": [_row(t) for t in sort_tasks(shown, chosen.get("sort") or "database")],
        "total": len(tasks),
        "counts": _counts(tasks),
        "filtered": bool(chosen.get("type")),
        "refresh_url": reverse("browser:active-tasks") + (f"?{urlencode(query)}" if query else ""),
        "reports_tasks": request.couch.flavour.reports_active_tasks,
        "checked_at": time.strftime("%H:%M:%S UTC", time.gmtime()),
    }
    return render_page_or_fragment(request, "browser/active_tasks.html", "browser/_active_tasks.html", context,
                                   status=200 if form.is_valid() else 400)


def _counts(tasks):
    counts = {}
    for task in tasks:
        counts[task.kind] = counts.get(task.kind, 0) + 1
    return sorted(counts.items())


def _row(task):
    """The task with links to its database, its design document and its replication (None where there is none)."""
    database_ok = task.database and not database_name_problem(task.database)
    database_url = _link("browser:database", db=task.database) if database_ok else None
    design_url = (_link("browser:design-edit", db=task.database, ddoc=task.design_document)
                  if database_ok and task.design_document else None)
    replication_url = None
    if task.type == "replication":
        replication_url = (_link("browser:replication-doc", docid=task.doc_id) if task.from_replicator
                           else _link("browser:replication-job", job_id=task.replication_id)
                           if task.replication_id else None)
    return {"task": task, "database_url": database_url, "design_url": design_url, "replication_url": replication_url}


def _link(name, **kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # e.g. a replication id with "/" in it, which no job route takes
        return None
