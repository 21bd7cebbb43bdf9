"""Resharding, for server admins on CouchDB 3: the subsystem's state, its jobs (live while any runs), splitting
a database's range, stopping and resuming the subsystem, removing a job; the chosen database's ranges."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from browser.audit_trail import audited
from browser.capabilities import needs
from browser.couch import reshard
from browser.couch.databases import database_name_problem
from browser.couch.errors import CouchError, NotFound
from browser.couch.shards import shard_map
from browser.denials import server_admin_required
from browser.forms.reshard import ReshardDatabaseForm, ReshardJobForm, ReshardStartForm, ReshardStateForm
from browser.responses import render_page_or_fragment


@server_admin_required
@needs("has_reshard")
@require_GET
def reshard_page(request):
    chooser = ReshardDatabaseForm(request.GET)
    db = chooser.cleaned_data["db"] if chooser.is_valid() else ""
    context = _context(request.couch, db, chooser)
    return render_page_or_fragment(request, "browser/reshard.html", "browser/_reshard_live.html", context,
                                   status=200 if chooser.is_valid() else 400)


@server_admin_required
@needs("has_reshard")
@require_POST
def reshard_start(request):
    form = ReshardStartForm(request.POST)
    if not form.is_valid():
        refused = "Choose a database to split." if "db" in form.errors else None
        return _page_again(request, form.data.get("db", ""), form, status=400, refused=refused)
    data = form.cleaned_data
    asked = {"range": data["range"] or "(every range)", "node": data["node"] or "(every copy)"}
    try:
        with audited(request, "resharding.split", data["db"], after=asked) as entry:
            started = reshard.start_split(request.couch, data["db"], data["range"] or None, data["node"] or None)
            entry.after = {**asked, "jobs": [s.id for s in started if s.ok]}
    except CouchError as exc:
        return _page_again(request, data["db"], form, status=exc.status if 400 <= exc.status < 500 else 502,
                           refused=f"CouchDB refused the split ({exc.error}): {exc.reason or exc.message}")
    for s in started:
        where = f"{s.shard or data['db']} on {s.node or 'a node'}"
        if s.ok:
            messages.success(request, f"Split started for {where} (job {s.id}).")
        else:
            messages.error(request, f"CouchDB did not split {where}: {s.problem}")
    return _back(data["db"])


@server_admin_required
@needs("has_reshard")
@require_POST
def reshard_state(request):
    form = ReshardStateForm(request.POST)
    if not form.is_valid():
        return _page_again(request, "", status=400, state_form=form)
    running = form.cleaned_data["state"] == "running"
    try:
        with audited(request, "resharding.resume" if running else "resharding.stop", "_reshard",
                     after={"state": form.cleaned_data["state"], "reason": form.cleaned_data["reason"]}):
            reshard.set_state(request.couch, running, form.cleaned_data["reason"])
    except CouchError as exc:
        messages.error(request, f"CouchDB refused ({exc.error}): {exc.reason or exc.message}")
    else:
        messages.success(request, "Resharding resumed." if running else "Resharding stopped: no job runs until "
                                                                          "it is resumed.")
    return redirect("browser:reshard")


@server_admin_required
@needs("has_reshard")
@require_POST
def reshard_job_delete(request):
    form = ReshardJobForm(request.POST)
    if not form.is_valid():
        return _page_again(request, "", status=400, refused="Choose a job to remove.")
    job_id = form.cleaned_data["job_id"]
    try:
        with audited(request, "resharding.delete_job", job_id):
            reshard.delete_job(request.couch, job_id)
    except NotFound:
        messages.info(request, f"Job {job_id} is gone already.")
    except CouchError as exc:
        messages.error(request, f"CouchDB refused to remove job {job_id} ({exc.error}): {exc.reason or exc.message}")
    else:
        messages.success(request, f"Job {job_id} removed.")
    return _back(form.cleaned_data["db"])


def _back(db):
    return redirect(reverse("browser:reshard") + (f"?{urlencode({'db': db})}" if db else ""))


def _page_again(request, db, start_form=None, status=400, **extra):
    chooser = ReshardDatabaseForm({"db": db})
    db = chooser.cleaned_data["db"] if chooser.is_valid() else ""
    context = {**_context(request.couch, db, chooser, start_form), **extra}
    return render(request, "browser/reshard.html", context, status=status)


def _context(client, db, chooser, start_form=None, state_form=None):
    """The subsystem, its jobs, and the chosen database's ranges with the form to split them."""
    context = {"chooser": chooser, "db": db, "state_form": state_form or ReshardStateForm(),
               "live_url": reverse("browser:reshard") + (f"?{urlencode({'db': db})}" if db else "")}
    try:
        jobs = reshard.jobs(client)
        context.update(summary=reshard.summary(client), rows=[_row(j) for j in jobs],
                       active=any(j.active for j in jobs))
    except CouchError as exc:
        context["problem"] = f"CouchDB answered no resharding state ({exc.error}): {exc.reason or exc.message}"
    if db:
        context.update(_layout(client, db, start_form))
    return context


def _row(job):
    """A job with links to its database and the database's shards (None for a name no page takes)."""
    if not job.db or database_name_problem(job.db):
        return {"job": job, "db_url": None, "shards_url": None}
    return {"job": job, "db_url": _link("browser:database", job.db),
            "shards_url": _link("browser:database-shards", job.db)}


def _link(name, db):
    try:
        return reverse(name, kwargs={"db": db})
    except NoReverseMatch:
        return None


def _layout(client, db, start_form):
    try:
        layout = shard_map(client, db)
    except NotFound:
        return {"db_problem": f"There is no database “{db}” on this server."}
    except CouchError as exc:
        return {"db_problem": f"CouchDB did not say how “{db}” is sharded ({exc.error}): {exc.reason or exc.message}"}
    ranges = [s.range for s in layout.ranges]
    form = ReshardStartForm(start_form.data if start_form else None, initial={"db": db}, ranges=ranges,
                            nodes=layout.nodes)
    if start_form is not None:
        form.is_valid()
    return {"layout": layout, "start_form": form}
