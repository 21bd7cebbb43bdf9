"""Mango indexes: list, create, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from browser.couch.errors import BadRequest, CouchError, ServerError
from browser.couch.queries import create_index, delete_index, list_indexes
from browser.forms import IndexForm


@require_http_methods(["GET", "POST"])
def index_list(request, db):
    form = IndexForm(request.POST or None)
    status = 200
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
        status = 400
    context = {"db": db, "indexes": list_indexes(request.couch, db), "form": form}
    return render(request, "browser/indexes.html", context, status=status)


@require_POST
def index_delete(request, db):
    ddoc, index_type, name = (request.POST.get(k, "") for k in ("ddoc", "type", "name"))
    try:
        delete_index(request.couch, db, ddoc, index_type, name)
    except CouchError as exc:
        messages.error(request, f"CouchDB did not delete the index: {exc.message}")
    else:
        messages.success(request, f"Deleted the index “{name}”.")
    return redirect("browser:indexes", db=db)
