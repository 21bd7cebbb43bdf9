"""Design documents: list, create, edit views / validate_doc_update / options, delete one view, run a view."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser.couch import jsontext
from browser.couch.documents import DESIGN_PREFIX, get_document, save_document
from browser.couch.errors import BadRequest, Conflict, CouchError, ServerError
from browser.couch.jsontext import JsonSyntaxError
from browser.couch.queries import REDUCE_BUILTINS, is_empty_design, list_design_documents, query_view, view_info
from browser.couch.tasks import active_tasks
from browser.forms import REDUCE_CHOICES, NewDesignForm, ViewQueryForm, views_from_post

NEW_VIEW = {"name": "", "map": "function (doc) {\n  emit(doc._id, 1);\n}", "reduce": "", "custom": ""}


@require_http_methods(["GET", "POST"])
def design_list(request, db):
    form = NewDesignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        docid = DESIGN_PREFIX + form.cleaned_data["name"]
        try:
            save_document(request.couch, db, docid, {"language": "javascript", "views": {}})
        except Conflict:
            form.add_error("name", "A design document with this name already exists.")
        else:
            return redirect("browser:design-edit", db=db, ddoc=form.cleaned_data["name"])
    ids = list_design_documents(request.couch, db)
    context = {"db": db, "ddocs": [d[len(DESIGN_PREFIX):] for d in ids], "form": form}
    return render(request, "browser/design_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def design_edit(request, db, ddoc):
    docid = DESIGN_PREFIX + ddoc
    current = get_document(request.couch, db, docid)
    if request.method == "GET":
        return _editor(request, db, ddoc, _rows_from(current), current.get("validate_doc_update", ""),
                       _options_text(current), current["_rev"])
    views, errors = views_from_post(request.POST)
    vdu = request.POST.get("validate_doc_update", "").replace("\r\n", "\n")
    options_text = request.POST.get("options", "").replace("\r\n", "\n")
    options = _parse_options(options_text, errors)
    rev = request.POST.get("overwrite_rev") or request.POST.get("rev", "")
    if not errors:
        body = _design_body(current, views, vdu, options)
        try:
            save_document(request.couch, db, docid, body, rev=rev)
        except Conflict:
            errors.append("Someone changed this design document since you opened it; your text is kept. "
                          "Save over their version, or open it again to see it.")
            return _editor(request, db, ddoc, _rows_from_post(request.POST), vdu, options_text, rev, errors,
                           status=409, overwrite_rev=current["_rev"])
        except (BadRequest, ServerError) as exc:
            errors.append(f"CouchDB refused the design document ({exc.error}): {exc.reason}")
        else:
            messages.success(request, f"Saved _design/{ddoc}.")
            return redirect("browser:design-edit", db=db, ddoc=ddoc)
    return _editor(request, db, ddoc, _rows_from_post(request.POST), vdu, options_text, rev, errors, status=400)


def _design_body(current, views, vdu, options):
    """The design document with the edited members; members the page does not edit are kept."""
    body = {k: v for k, v in current.items() if not k.startswith("_")}
    body["language"] = current.get("language", "javascript")
    body["views"] = views
    for name, value in (("validate_doc_update", vdu.strip() and vdu), ("options", options)):
        if value:
            body[name] = value
        else:
            body.pop(name, None)
    return body


def _parse_options(text, errors):
    if not text.strip():
        return None
    try:
        options = jsontext.loads(text)
    except JsonSyntaxError as exc:
        errors.append(f"Options: invalid JSON at line {exc.line}, column {exc.column}: {exc.message}.")
        return None
    if not isinstance(options, dict):
        errors.append("Options must be a JSON object.")
        return None
    return options


def _rows_from(ddoc):
    rows = []
    for name, view in sorted((ddoc.get("views") or {}).items()):
        reduce_fn = view.get("reduce") or ""
        builtin = reduce_fn if reduce_fn in REDUCE_BUILTINS else ("custom" if reduce_fn else "")
        rows.append({"name": name, "map": view.get("map", ""), "reduce": builtin,
                     "custom": reduce_fn if builtin == "custom" else ""})
    return rows


def _rows_from_post(post):
    rows = []
    for key in post:
        if key.startswith("view-") and key.endswith("-name"):
            i = key[len("view-"):-len("-name")]
            rows.append({f: post.get(f"view-{i}-{f}", "") for f in ("name", "map", "reduce", "custom")})
    return [r for r in rows if r["name"] or r["map"].strip()]


def _options_text(ddoc):
    return jsontext.dumps(ddoc["options"], indent=2) if ddoc.get("options") else ""


def _editor(request, db, ddoc, rows, vdu, options_text, rev, errors=(), status=200, overwrite_rev=""):
    context = {"db": db, "ddoc": ddoc, "rows": rows, "new_view": NEW_VIEW, "vdu": vdu, "options": options_text,
               "rev": rev, "errors": errors, "overwrite_rev": overwrite_rev,
               "reduce_choices": REDUCE_CHOICES}
    return render(request, "browser/design_edit.html", context, status=status)


@require_POST
def view_delete(request, db, ddoc):
    """Remove one view; the design document stays unless nothing at all is left in it."""
    docid = DESIGN_PREFIX + ddoc
    current = get_document(request.couch, db, docid)
    name = request.POST.get("view", "")
    views = {k: v for k, v in (current.get("views") or {}).items() if k != name}
    body = {**{k: v for k, v in current.items() if not k.startswith("_")}, "views": views}
    try:
        if is_empty_design({**body, "_id": docid}):
            request.couch.delete_json(db, docid, params={"rev": current["_rev"]})
            messages.success(request, f"Deleted the view “{name}”; _design/{ddoc} held nothing else and was removed.")
            return redirect("browser:design-list", db=db)
        save_document(request.couch, db, docid, body, rev=request.POST.get("rev") or current["_rev"])
    except Conflict:
        messages.error(request, "The design document changed since you opened it; look again before deleting.")
    except CouchError as exc:
        messages.error(request, f"CouchDB refused: {exc.message}")
    else:
        messages.success(request, f"Deleted the view “{name}”; the rest of _design/{ddoc} is kept.")
    return redirect("browser:design-edit", db=db, ddoc=ddoc)


@require_GET
def view_run(request, db, ddoc):
    view = request.GET.get("view", "")
    form = ViewQueryForm(request.GET if "run" in request.GET else None)
    context = {"db": db, "ddoc": ddoc, "view": view, "form": form, "info": view_info(request.couch, db, ddoc),
               "tasks": active_tasks(request.couch, db)}
    if form.is_bound and form.is_valid():
        limit = form.cleaned_data.get("limit") or 20
        try:
            answer = query_view(request.couch, db, ddoc, view, form.couch_params(limit))
        except (BadRequest, ServerError) as exc:
            form.add_error(None, f"CouchDB refused the query ({exc.error}): {exc.reason}")
        else:
            context.update(_result_context(request, answer, limit))
    return render(request, "browser/view_run.html", context, status=400 if form.errors else 200)


def _result_context(request, answer, limit):
    rows = answer.get("rows", [])
    shown = rows[:limit]
    extra = rows[limit] if len(rows) > limit else None
    next_url = None
    if extra is not None:
        params = request.GET.copy()
        params["startkey"] = jsontext.dumps(extra.get("key"))
        params.pop("key", None)
        params.pop("skip", None)
        if "id" in extra:
            params["startkey_docid"] = extra["id"]
        else:
            params.pop("startkey_docid", None)
        next_url = "?" + params.urlencode()
    reduced = bool(shown) and "id" not in shown[0]
    return {"rows": [{"id": r.get("id"), "key": jsontext.dumps(r.get("key")),
                      "value": jsontext.dumps(r.get("value")),
                      "doc": jsontext.dumps(r["doc"], indent=2) if r.get("doc") else ""} for r in shown],
            "reduced": reduced, "total_rows": answer.get("total_rows"), "offset": answer.get("offset"),
            "next_url": next_url}
