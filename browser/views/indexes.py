"""Mango indexes: list, create, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from browser.audit_trail import audited
from browser.couch.errors import BadRequest, CouchError, ServerError
from browser.couch.queries import create_index, delete_index, list_indexes
from browser.forms.indexes import IndexDeleteForm, IndexForm


@require_http_methods(["GET", "POST"])
def index_list(request, db):
    form = IndexForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                answer = create_index(request.couch, db, data["fields"], data["name"] or None, data["ddoc"] or None,
                                      data["partial_filter_selector"], data["index_type"])
            except (BadRequest, ServerError) as exc:
                form.add_error(None, f"CouchDB did not create the index: {exc.error} — {exc.reason}")
            else:
                messages.success(request, f"Index “{answer.get('name')}” {answer.get('result', 'created')}.")
                return redirect("browser:indexes", db=db)
        return _page(request, db, form, status=400)
    return _page(request, db, form)


@require_POST
def index_delete(request, db):
    form = IndexDeleteForm(request.POST)
    if not form.is_valid():
        problems = [f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()]
        return _page(request, db, IndexForm(), status=400, problems=problems)
    ddoc, index_type, name = (form.cleaned_data[k] for k in ("ddoc", "type", "name"))
    try:
        with audited(request, "index.delete", db, before={"ddoc": ddoc, "type": index_type, "name": name}):
            delete_index(request.couch, db, ddoc, index_type, name)
    except CouchError as exc:
        messages.error(request, f"CouchDB did not delete the index: {exc.message}")
    else:
        messages.success(request, f"Deleted the index “{name}”.")
    return redirect("browser:indexes", db=db)


def _page(request, db, form, status=200, problems=()):
    context = {"db": db, "indexes": list_indexes(request.couch, db), "form": form, "problems": problems}
    return render(request, "browser/indexes.html", context, status=status)
