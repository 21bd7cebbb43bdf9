"""The Mango page: run and explain queries, page by bookmark, the team's history and saved queries."""

from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from browser.couch import saved_queries
from browser.couch.errors import BadRequest, CouchError, ServerError
from browser.couch.queries import create_index, explain, find, suggested_index_fields
from browser.forms import MangoForm, SaveQueryForm
from browser.views.display import common_fields, display_rows

PLAIN_WORDS = {
    "no_usable_index": "No index can serve this sort. Create an index on the sort fields, or remove the sort.",
    "unsupported_mixed_sort": "All sort fields must go in the same direction (all asc or all desc).",
    "invalid_operator": "The selector uses an operator CouchDB does not know",
    "invalid_bookmark": "The bookmark is no longer valid: run the query again from the first page.",
    "invalid_key": "The query has a key CouchDB does not accept",
}


@require_http_methods(["GET", "POST"])
def mango_query(request, db):
    store = saved_queries.load(request.couch, db)
    if request.method == "GET":
        form = MangoForm(initial=_initial(store, request.GET))
        return _page(request, db, form, store)
    form = MangoForm(request.POST)
    if not form.is_valid():
        return _page(request, db, form, store, status=400)
    action = request.POST.get("action", "run")
    query = form.query()
    if action == "save":
        store = _save(request, db, form, store)
    elif action == "create-index":
        fields = suggested_index_fields(query)
        answer = create_index(request.couch, db, fields)
        messages.success(request, f"Index “{answer.get('name')}” {answer.get('result', 'created')} on "
                                  f"{', '.join(f'{f} {d}' for f, d in fields)}.")
    try:
        explanation = explain(request.couch, db, query)
        result = None if action == "explain" else find(request.couch, db, query, form.cleaned_data["bookmark"] or None)
    except (BadRequest, ServerError) as exc:
        form.add_error(None, _plain(exc))
        return _page(request, db, form, store, status=400)
    if action == "run" and not form.cleaned_data["bookmark"]:
        store = _remember(request, db, form, store)
    docs = result.docs if result else []
    columns = common_fields(docs, most=8)
    context = {"result": result, "explanation": explanation, "suggested": suggested_index_fields(query),
               "columns": columns, "rows": display_rows(docs, columns, form.cleaned_data["mode"] == "json"),
               "mode": form.cleaned_data["mode"]}
    return _page(request, db, form, store, extra=context)


def _initial(store, params):
    if params.get("history", "").isdigit() and int(params["history"]) < len(store["history"]):
        return store["history"][int(params["history"])]["query"]
    for entry in store["saved"]:
        if entry.get("name") == params.get("saved"):
            return entry["query"]
    return {}


def _remember(request, db, form, store):
    try:
        return saved_queries.record(request.couch, db, form.as_saved(), request.couch_user.name)
    except CouchError:
        return store  # a person who may query but not write keeps working without history


def _save(request, db, form, store):
    name_form = SaveQueryForm(request.POST)
    if not name_form.is_valid():
        messages.error(request, "Give the query a name to save it.")
        return store
    try:
        store = saved_queries.save(request.couch, db, name_form.cleaned_data["name"], form.as_saved(),
                                   request.couch_user.name)
    except CouchError as exc:
        messages.error(request, f"CouchDB did not save the query: {exc.message}")
        return store
    messages.success(request, f"Saved “{name_form.cleaned_data['name']}” for everyone using this database.")
    return store


def _plain(exc):
    words = PLAIN_WORDS.get(exc.error)
    if words and words.endswith("."):
        return words
    if words:
        return f"{words}: {exc.reason}"
    return f"CouchDB refused the query: {exc.message}"


def _page(request, db, form, store, status=200, extra=None):
    context = {"db": db, "form": form, "history": store["history"], "saved": store["saved"],
               "save_form": SaveQueryForm(), **(extra or {})}
    return render(request, "browser/mango.html", context, status=status)
