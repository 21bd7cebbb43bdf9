"""Replication: list saved replications and jobs with their live state, start one, and stop, restart or
delete it. Every replication shown has gone through couch.replication's scrub; no credential is rendered."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser.audit_trail import audited
from browser.capabilities import needs
from browser.couch import replication as rep
from browser.couch.errors import Conflict, CouchError, Forbidden, NotFound, Unauthorized
from browser.forms.replication import ConfirmDeleteForm, JobIdForm, ListPageForm, ReplicationStartForm
from browser.login_throttle import LoginRefused, checked_login, client_address
from browser.rendering.filters import count_or_dash
from browser.responses import render_page_or_fragment

PAGE = 20
NO_SCHEDULER = ("CouchDB shows the live state of replications (_scheduler) to server admins only: you see the "
                "state CouchDB writes into the document when it ends (completed or failed).")
NO_REPLICATOR = ("This CouchDB keeps its _replicator database for server admins (CouchDB 3's default), so you "
                 "cannot save a replication. You can run one without saving it (transient, POST /_replicate) and "
                 "stop it by its id. A server admin can let you save replications by adding you, or a role of "
                 "yours, to the members of _replicator.")


def _is_admin(request):
    return bool(request.couch_user and request.couch_user.is_server_admin)


@require_GET
@needs("runs_replications")
def replication_list(request):
    paging = ListPageForm(request.GET)
    context = {"is_admin": _is_admin(request), "skip": paging.value("skip") or 0,
               "jobs_skip": paging.value("jobs_skip") or 0}
    try:
        context["docs"] = rep.scheduler_docs(request.couch, PAGE, context["skip"])
        context["jobs"] = rep.scheduler_jobs(request.couch, PAGE, context["jobs_skip"])
    except Unauthorized:
        context["scheduler_note"] = NO_SCHEDULER
        try:
            context["docs"] = rep.find_replications(request.couch, PAGE, paging.value("bookmark"))
        except (Unauthorized, Forbidden, NotFound):
            context["replicator_note"] = NO_REPLICATOR
    rows = list(getattr(context.get("docs"), "rows", ())) + list(getattr(context.get("jobs"), "rows", ()))
    context["live"] = any(r.live for r in rows)
    return render_page_or_fragment(request, "browser/replications.html", "browser/_replication_list.html", context)


@require_http_methods(["GET", "POST"])
@needs("runs_replications")
def replication_start(request):
    person = request.couch_user.name if request.couch_user else None
    form = ReplicationStartForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid() and _credentials_work(request, form):
        try:
            return _start(request, form)
        except CouchError as exc:
            form.add_error(None, _refusal(exc))
    status = 400 if form.errors else 200
    return render(request, "browser/replication_start.html", {"form": form, "person": person},
                  status=status)


def _credentials_work(request, form):
    """Each password forwarded for this same CouchDB is checked first, as the login form checks one: throttled,
    naming the person's address. A wrong one would make CouchDB's replicator retry it from the node's own
    address until CouchDB locks that account there, for everybody."""
    for field, name, password in form.credentials_for_this_server():
        try:
            checked_login(client_address(request), name, password)
        except LoginRefused as refusal:
            form.add_error(field, refusal.message)
            return False
    return True


def _start(request, form):
    data = form.cleaned_data
    if data["mode"] == "named":
        docid = data["name"] or rep.new_document_id()
        with audited(request, "replication.start", docid, after=form.shown()):
            rep.start_named(request.couch, docid, form.body())
        messages.success(request, f"Saved the replication “{docid}”; CouchDB has started it.")
        return redirect("browser:replication-doc", docid=docid)
    with audited(request, "replication.start", "(transient)", after=form.shown()) as entry:
        result = rep.start_transient(request.couch, form.body())
        entry.target = result.job_id or "(transient)"
    if result.job_id:
        messages.success(request, "The continuous replication is running.")
        return redirect("browser:replication-job", job_id=result.job_id)
    if result.finished:
        messages.success(request, "The replication is done: " + (
            "nothing new to copy." if result.no_changes else
            f"{count_or_dash(result.docs_written or 0)} documents written, "
            f"{count_or_dash(result.doc_write_failures or 0)} failures."))
    else:
        messages.info(request, f"CouchDB is still copying after {rep.TRANSIENT_WAIT} seconds; it goes on.")
    return redirect("browser:replications")


def _refusal(exc):
    if isinstance(exc, Forbidden) and "not allowed to access this db" in exc.message:
        return f"{NO_REPLICATOR} CouchDB said: {rep.text_of(exc.message)}"
    if isinstance(exc, Forbidden):
        return f"CouchDB refused this: {rep.text_of(exc.message)}"
    if isinstance(exc, Conflict):
        return "A replication with this name exists already: choose another name."
    reason = rep.text_of(exc.message)
    return f"{rep.problem_for(reason)} CouchDB said ({exc.status}): {reason}"


@require_GET
@needs("runs_replications")
def replication_doc(request, docid):
    try:
        document = rep.replicator_document(request.couch, docid)
    except NotFound:
        return render(request, "404.html", {"reason": "There is no such saved replication."}, status=404)
    context = {"docid": docid, "document": rep.text_of(document, 20_000), "job": None,
               "credentials": {side: rep.side_of(document.get(side)).has_credentials for side in ("source", "target")}
               if isinstance(document, dict) else {}}
    try:
        context["replication"] = rep.scheduler_doc(request.couch, docid) or rep.from_document(document)
        if context["replication"].job_id:
            context["job"] = rep.scheduler_job(request.couch, context["replication"].job_id)
    except Unauthorized:
        context["replication"], context["scheduler_note"] = rep.from_document(document), NO_SCHEDULER
    return render_page_or_fragment(request, "browser/replication_doc.html", "browser/_replication_doc.html",
                                   context)


@require_POST
@needs("runs_replications")
def replication_doc_restart(request, docid):
    try:
        with audited(request, "replication.restart", docid) as entry:
            entry.before = rep.restart_named(request.couch, docid)
    except (NotFound, Conflict, Forbidden) as exc:
        messages.error(request, f"Not restarted: {_refusal(exc)}")
    else:
        messages.success(request, "Restarted: CouchDB starts the replication afresh.")
    return redirect("browser:replication-doc", docid=docid)


@require_http_methods(["GET", "POST"])
@needs("runs_replications")
def replication_doc_delete(request, docid):
    form = ConfirmDeleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with audited(request, "replication.delete", docid) as entry:
                entry.before = rep.delete_named(request.couch, docid)
        except (NotFound, Conflict, Forbidden) as exc:
            form.add_error(None, f"Not deleted: {_refusal(exc)}")
        else:
            messages.success(request, f"Stopped the replication and deleted “{docid}”.")
            return redirect("browser:replications")
    return render(request, "browser/replication_delete.html", {"docid": docid, "form": form},
                  status=400 if form.errors else 200)


@require_GET
@needs("runs_replications")
def replication_job(request, job_id):
    if not JobIdForm({"job_id": job_id}).is_valid():
        return render(request, "404.html", {"reason": "That is not a replication id."}, status=404)
    context = {"job_id": job_id, "job": None}
    try:
        context["job"] = rep.scheduler_job(request.couch, job_id)
    except Unauthorized:
        context["scheduler_note"] = NO_SCHEDULER
    return render_page_or_fragment(request, "browser/replication_job.html", "browser/_replication_job.html",
                                   context)


@require_POST
@needs("runs_replications")
def replication_job_stop(request, job_id):
    if not JobIdForm({"job_id": job_id}).is_valid():
        return render(request, "404.html", {"reason": "That is not a replication id."}, status=404)
    try:
        with audited(request, "replication.stop", job_id):
            rep.cancel_transient(request.couch, job_id)
    except NotFound:
        messages.error(request, "No such transient replication is running (it ended, or it is a saved one: "
                                "delete its document to stop it).")
    except (Unauthorized, Forbidden) as exc:
        messages.error(request, f"Not stopped: only the person who started it or a server admin may stop it "
                                f"({rep.text_of(exc.message)}).")
    else:
        messages.success(request, "Stopped the replication.")
    return redirect("browser:replication-job", job_id=job_id)
