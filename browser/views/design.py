"""Design documents: list, create, edit views / validate_doc_update / options, delete one view, run a view."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser.audit_trail import AuditUnavailable, audited, design_audited, refusal_for
from browser.couch import jsontext
from browser.couch.documents import DESIGN_PREFIX, get_document, save_document
from browser.couch.errors import BadRequest, Conflict, CouchError, CouchSlow, CouchUnavailable, ServerError
from browser.couch.flavour import ServerLacks
from browser.couch.queries import is_empty_design, list_design_documents, query_view, view_info
from browser.couch.replication import shown as shown_in
from browser.couch.security import can_administer, get_security
from browser.couch.tasks import active_tasks
from browser.failures import sentence_for, slow_notice, status_for
from browser.forms.design import (
    DesignEditForm,
    NewDesignForm,
    ViewDeleteForm,
    ViewFormSet,
    ViewNameForm,
    ViewQueryForm,
    function_text,
    stored_rows,
    stored_views,
)

# An index with more changes than this to take in is read as it stands (update=lazy) when the view opens.
LAZY_FROM = 2000


@require_http_methods(["GET", "POST"])
def design_list(request, db):
    form = NewDesignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        docid = DESIGN_PREFIX + form.cleaned_data["name"]
        try:
            with audited(request, "design.update", db, after={"id": docid, "language": "javascript", "views": {}}):
                save_document(request.couch, db, docid, {"language": "javascript", "views": {}})
        except Conflict:
            form.add_error("name", "A design document with this name already exists.")
        else:
            return redirect("browser:design-edit", db=db, ddoc=form.cleaned_data["name"])
    ids = list_design_documents(request.couch, db)
    context = {"db": db, "ddocs": [d[len(DESIGN_PREFIX):] for d in ids], "form": form,
               "may_administer": _may_administer(request, db)}
    return render(request, "browser/design_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def design_edit(request, db, ddoc):
    docid = DESIGN_PREFIX + ddoc
    current = get_document(request.couch, db, docid)
    if request.method == "GET":
        return _as_stored(request, db, ddoc, current)
    form = DesignEditForm(request.POST)
    typed = (form.view_rows.typed_rows(), form.typed("validate_doc_update"), form.typed("options"),
             stored_rows(current))
    if not form.is_valid():
        return _editor(request, db, ddoc, *typed, form["rev"].value() or "", _problems(form), status=400)
    data = form.cleaned_data
    rev = data["overwrite_rev"] or data["rev"]
    try:
        with design_audited(request, db, docid, rev, _design_body(current, data)) as entry:
            entry.before = {"id": docid, **{k: v for k, v in current.items() if not k.startswith("_")}}
            save_document(request.couch, db, docid, _design_body(current, data), rev=rev)
    except AuditUnavailable as exc:
        return _editor(request, db, ddoc, *typed, rev, [refusal_for(exc)], status=503)
    except Conflict:
        errors = ["Someone changed this design document since you opened it; your text is kept. "
                  "Save over their version, or open it again to see it."]
        return _editor(request, db, ddoc, *typed, rev, errors, status=409, overwrite_rev=current["_rev"])
    except (BadRequest, ServerError) as exc:
        errors = [f"CouchDB refused the design document ({exc.error}): {exc.reason}"]
        return _editor(request, db, ddoc, *typed, rev, errors, status=400)
    except CouchUnavailable as exc:  # slow (it may be saved: the revision shown says) or unreachable
        errors = [f"{sentence_for(exc)} Your text is kept; open the design document again to see whether it is "
                  "saved before you save it again."]
        return _editor(request, db, ddoc, *typed, rev, errors, status=status_for(exc))
    messages.success(request, f"Saved _design/{ddoc}.")
    return redirect("browser:design-edit", db=db, ddoc=ddoc)


def _problems(form):
    """The form's errors as sentences, each naming the field it is about."""
    labels = {"rev": "Revision", "overwrite_rev": "Revision to save over", "options": "Options"}
    return [error if name == "__all__" else f"{labels.get(name, name)}: {error}"
            for name, errors in form.errors.items() for error in errors]


def _design_body(current, data):
    """The design document with the edited members; members the page does not edit are kept."""
    body = {k: v for k, v in current.items() if not k.startswith("_")}
    body["language"] = current.get("language", "javascript")
    body["views"] = data["views"]
    vdu = data["validate_doc_update"]
    for name, value in (("validate_doc_update", vdu.strip() and vdu), ("options", data["options"])):
        if value:
            body[name] = value
        else:
            body.pop(name, None)
    return body


def _options_text(ddoc):
    return jsontext.dumps(ddoc["options"], indent=2) if ddoc.get("options") else ""


def _as_stored(request, db, ddoc, current, errors=(), status=200):
    """The editor with the design document as CouchDB has it."""
    return _editor(request, db, ddoc, stored_rows(current), function_text(current.get("validate_doc_update")),
                   _options_text(current), stored_rows(current), current["_rev"], errors, status)


def _editor(request, db, ddoc, rows, vdu, options_text, stored, rev, errors=(), status=200, overwrite_rev=""):
    """The editor with `rows` as typed, and a new row; only the views CouchDB has (`stored`) are offered to run
    or delete, and a typed row that differs from its stored view says it is not saved."""
    context = {"db": db, "ddoc": ddoc, "formset": ViewFormSet(initial=rows, stored=stored), "stored": stored,
               "vdu": vdu, "options": options_text,
               "rev": rev, "errors": errors, "overwrite_rev": overwrite_rev,
               "may_administer": _may_administer(request, db)}
    return render(request, "browser/design_edit.html", context, status=status)


def _may_administer(request, db):
    """Writing design documents needs an admin of the database, as CouchDB's _security says (members may read it)."""
    user = request.couch_user
    return bool(user) and (user.is_server_admin or can_administer(get_security(request.couch, db), user))


@require_POST
def view_delete(request, db, ddoc):
    """Remove one view; the design document stays unless nothing at all is left in it."""
    docid = DESIGN_PREFIX + ddoc
    current = get_document(request.couch, db, docid)
    form = ViewDeleteForm(request.POST)
    if not form.is_valid():
        return _as_stored(request, db, ddoc, current, _problems(form), status=400)
    name = form.cleaned_data["view"]
    views = {k: v for k, v in stored_views(current).items() if k != name}
    body = {**{k: v for k, v in current.items() if not k.startswith("_")}, "views": views}
    try:
        if is_empty_design({**body, "_id": docid}):
            with audited(request, "document.delete", db, before={"id": docid, "rev": current["_rev"]}):
                request.couch.delete_json(db, docid, params={"rev": current["_rev"]})
            messages.success(request, f"Deleted the view “{name}”; _design/{ddoc} held nothing else and was removed.")
            return redirect("browser:design-list", db=db)
        with design_audited(request, db, docid, form.cleaned_data["rev"] or current["_rev"], body):
            save_document(request.couch, db, docid, body, rev=form.cleaned_data["rev"] or current["_rev"])
    except Conflict:
        messages.error(request, "The design document changed since you opened it; look again before deleting.")
    except CouchError as exc:
        messages.error(request, f"CouchDB refused: {exc.message}")
    else:
        messages.success(request, f"Deleted the view “{name}”; the rest of _design/{ddoc} is kept.")
    return redirect("browser:design-edit", db=db, ddoc=ddoc)


@require_GET
def view_run(request, db, ddoc):
    """A view runs as soon as it is opened (limit 20, reduced if it reduces), with its code shown; opened,
    it asks update=lazy, so a view whose index is still building answers at once with what is indexed."""
    named = ViewNameForm(request.GET)
    form = ViewQueryForm(request.GET)
    view = named.cleaned_data["view"] if named.is_valid() else ""
    info, tasks = view_info(request.couch, db, ddoc), active_tasks(request.couch, db)
    building = _index_building(info, tasks, ddoc)
    context = {"db": db, "ddoc": ddoc, "view": view, "form": form, "problems": _problems(named),
               "info": info, "tasks": tasks, "building": building, "slow": None}
    status = 200
    if view and form.is_valid():
        limit = form.cleaned_data.get("limit") or 20
        params = form.couch_params(limit)
        if building and not form.cleaned_data.get("update"):
            params["update"] = "lazy"  # answer now with what is indexed, and let the index build meanwhile
        try:
            answer = query_view(request.couch, db, ddoc, view, params, partition=form.cleaned_data["partition"] or None)
        except ServerLacks as exc:
            form.add_error("partition", str(exc))
        except (BadRequest, ServerError) as exc:
            form.add_error(None, _refused(exc))
        except CouchSlow as exc:  # the index goes on being built in CouchDB: say so on this page, the query kept
            context["slow"], status = slow_notice(exc), status_for(exc)
        else:
            context.update(_result_context(db, form, answer, limit))
    context["code"] = _view_code(request, db, ddoc, view)
    return render(request, "browser/view_run.html", context, status=400 if form.errors or named.errors else status)


def _view_code(request, db, ddoc, view):
    """The view's map and reduce text as stored (anything that is not text shown as JSON), or None."""
    try:
        stored = stored_views(get_document(request.couch, db, DESIGN_PREFIX + ddoc)).get(view)
    except CouchError:
        return None
    stored = stored if isinstance(stored, dict) else ({"map": stored} if stored is not None else None)
    return stored and {"map": function_text(stored.get("map")), "reduce": function_text(stored.get("reduce"))}


def _index_building(info, tasks, ddoc):
    """{"progress", "pending"} while this design document's index has more than LAZY_FROM changes left to take
    in (CouchDB 3's _info, and its indexer task, where the server has them), else None. A small index's
    indexer task shows for a moment too (asking _info starts it), so a task alone does not count."""
    index = info.get("view_index") if isinstance(info, dict) and isinstance(info.get("view_index"), dict) else {}
    pending = index.get("updates_pending", {}).get("total") if isinstance(index.get("updates_pending"), dict) else None
    task = next((t for t in tasks or () if t.get("type") == "indexer"
                 and str(t.get("design_document", "")) in (ddoc, DESIGN_PREFIX + ddoc)), {})
    left = _whole(task.get("total_changes")) - _whole(task.get("changes_done"))
    pending = max(_whole(pending), left)
    return {"progress": task.get("progress"), "pending": pending} if pending > LAZY_FROM else None


def _whole(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _refused(exc):
    if "not partitioned" in str(exc.reason):
        return "This database is not partitioned: empty the partition field to query the whole view."
    if "`partition` parameter is not supported" in str(exc.reason):
        return ("This view cannot run within a partition: its design document says \"partitioned\": false. "
                "Empty the partition field to query it over the whole database.")
    if exc.error:
        return f"CouchDB refused the query ({exc.error}): {exc.reason}"
    # CouchDB answers a query string longer than its request line limit with a bare 400.
    return f"CouchDB refused the query without saying why ({exc.message}); a very long key or keys may be the cause."


def _result_context(db, form, answer, limit):
    rows = answer.get("rows", [])
    shown = rows[:limit]
    more = len(rows) > limit
    next_query = form.next_page(rows[limit]) if more else None
    reduced = bool(shown) and "id" not in shown[0]
    return {"rows": [{"id": r.get("id"), "key": jsontext.dumps(shown_in(db, r.get("key"))),
                      "value": jsontext.dumps(shown_in(db, r.get("value"))),
                      "doc": jsontext.dumps(shown_in(db, r["doc"]), indent=2) if r.get("doc") else ""}
                     for r in shown],
            "reduced": reduced, "total_rows": answer.get("total_rows"), "offset": answer.get("offset"),
            "next_url": f"?{next_query}" if next_query else None, "more_for_keys": more and not next_query}
