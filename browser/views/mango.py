"""The Mango page: run and explain queries, page by bookmark, the team's history and saved queries."""

import re
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from django_htmx.http import push_url

from browser.couch import saved_queries
from browser.couch.documents import DESIGN_PREFIX
from browser.couch.errors import BadRequest, Conflict, CouchError, CouchSlow, ServerError
from browser.couch.flavour import ServerLacks
from browser.couch.queries import (
    READABLE_DDOC_PREFIX,
    Explanation,
    IndexInfo,
    create_readable_index,
    explain,
    explain_once_chosen,
    find,
    suggested_index_fields,
    with_scan_size,
)
from browser.couch.replication import is_replicator_database, shown
from browser.document_cells import common_fields, display_rows
from browser.failures import advice_for, sentence_for, status_for
from browser.forms.mango import MangoForm, MangoOpenForm, SaveQueryForm

# CouchDB refuses a sort no index serves (no_usable_index) and explains it with no index at all.
NO_INDEX = Explanation(index=IndexInfo(ddoc=None, name="", type="", fields=()), full_scan=False)
PLAIN_WORDS = {
    "no_usable_index": "No index can serve this sort. Create an index on the sort fields (below), or remove the sort.",
    "unsupported_mixed_sort": "All sort fields must go in the same direction (all asc or all desc).",
    "invalid_operator": "The selector uses an operator CouchDB does not know",
    "invalid_bookmark": "The bookmark is no longer valid: run the query again from the first page.",
    "invalid_key": "The query has a key CouchDB does not accept",
}


@require_http_methods(["GET", "POST"])
def mango_query(request, db):
    store = saved_queries.load(request.couch, db)
    if request.method == "GET" and "run" not in request.GET:
        return _opened(request, db, store)
    form = MangoForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _page(request, db, form, store, status=400)
    action = form.cleaned_data["action"]
    if request.method == "GET" and action not in ("run", "explain", "next"):
        action = "run"  # saving and creating indexes change things: only a form's POST does them
    if action == "save":
        store = _save(request, db, form, store)
    return _run(request, db, form, store, action)


def _run(request, db, form, store, action):
    """Explain, then run one page, unless it is a full scan of a big database not yet confirmed; a new run (not a
    page of it) goes to the history and into the address bar."""
    query, partition = form.query(), form.cleaned_data["partition"] or None
    bookmark = form.cleaned_data["bookmark"]
    explanation = result = slow = None
    held = False
    try:
        explanation = (_create_index(request, db, query, partition) if action == "create-index"
                       else explain(request.couch, db, query, partition=partition))
        explanation = with_scan_size(request.couch, db, explanation, partition)
        held = action != "explain" and _held_back(form, explanation)
        if action != "explain" and not held:
            result = find(request.couch, db, query, bookmark or None, partition=partition)
        if result is not None and is_replicator_database(db):
            result = replace(result, docs=[shown(db, doc) for doc in result.docs])
    except ServerLacks as exc:
        form.add_error("partition", str(exc))
    except (BadRequest, ServerError) as exc:
        form.add_error(None, _plain(exc))
        if exc.error == "no_usable_index":
            explanation = explanation or NO_INDEX
    except CouchSlow as exc:  # the query (or its index build) goes on in CouchDB: say so, keep the query
        form.add_error(None, _slow(exc, explanation))
        slow = exc
    extra = _results(form, query, explanation, result)
    if form.errors:
        return _page(request, db, form, store, status=status_for(slow) if slow else 400, extra=extra)
    if held:  # not run: the page explains it and offers an index, or the full scan on a second request
        return _page(request, db, form, store, extra={**extra, "held": True})
    if request.method == "POST" and action in ("run", "create-index") and not bookmark:
        store = _remember(request, db, form, store)
    extra.update(_pages(form, result, bookmark))
    response = _page(request, db, form, store, extra=extra)
    if request.method == "POST" and result is not None:
        push_url(response, request.path + extra["this_url"])
    return response


def _pages(form, result, bookmark):
    """Links to this page and to the first, previous and next pages (bookmarks kept in the URL, bounded)."""
    back, page = form.cleaned_data["back"], form.cleaned_data["page"] or (2 if bookmark else 1)
    links = {"page_number": page, "this_url": "?" + form.page_query(bookmark, back, page)}
    if result is not None and result.next_bookmark:
        links["next_url"] = "?" + form.page_query(result.next_bookmark, [*back, bookmark] if bookmark else [],
                                                  page + 1)
    if bookmark:
        links["first_url"] = "?" + form.page_query()
        links["prev_url"] = "?" + form.page_query(back[-1], back[:-1], page - 1) if back else (
            links["first_url"] if page <= 2 else None)
    return links


def _opened(request, db, store):
    """The page as a link opens it: empty, or with a query from the history (?history=N) or saved (?saved=name)."""
    link = MangoOpenForm(request.GET)
    if not link.is_valid():
        problems = [f"?{name}={link[name].value()}: {' '.join(errors)}" for name, errors in link.errors.items()]
        return _page(request, db, MangoForm(), store, status=400, extra={"problems": problems})
    query, problem = _stored_query(store, link.cleaned_data)
    initial = {**query, "partition": link.cleaned_data["partition"] or query.get("partition", "")}
    return _page(request, db, MangoForm(initial=initial), store, status=400 if problem else 200,
                 extra={"problems": [problem] if problem else []})


def _stored_query(store, wanted):
    """(the query's form text, a problem or None) for a place in the history or a saved query's name."""
    place, name = wanted["history"], wanted["saved"]
    if place is not None:
        if place < len(store["history"]):
            return store["history"][place]["query"], None
        return {}, f"The history holds {len(store['history'])} queries; there is no query at place {place}."
    if name:
        for entry in store["saved"]:
            if entry["name"] == name:
                return entry["query"], None
        return {}, f"No saved query is named “{name}”: it may have been removed."
    return {}, None


def _held_back(form, explanation):
    """A full scan of more documents than MANGO_FULL_SCAN_CONFIRM_ABOVE runs only when the person asked for it
    again: on a big database it outlasts the page, and CouchDB goes on reading every document regardless."""
    return explanation.scans_more_than(settings.MANGO_FULL_SCAN_CONFIRM_ABOVE) and not form.cleaned_data["full_scan"]


def _create_index(request, db, query, partition):
    """Create the index the query wants, and answer the explanation once CouchDB chooses it (a few seconds
    at most: on a cluster every node learns of it in its own time)."""
    fields = suggested_index_fields(query)
    answer = create_readable_index(request.couch, db, fields)
    name = str(answer.get("name") or "")
    ddoc = str(answer.get("id") or f"{DESIGN_PREFIX}{READABLE_DDOC_PREFIX}{name}")
    done = "already existed" if answer.get("result") == "exists" else "created"
    messages.success(request, f"Index “{name}” in {ddoc} {done}, on {', '.join(f'{f} {d}' for f, d in fields)}.")
    explanation = explain_once_chosen(request.couch, db, query, ddoc, name, partition=partition)
    if not explanation.uses(ddoc, name):
        why = ("its “Use index” names another index" if query.get("use_index") else
               "on a cluster a new index reaches each node in its own time; run the query again in a moment")
        messages.warning(request, f"CouchDB did not choose “{name}” for this query: {why}.")
    return explanation


def _results(form, query, explanation, result):
    docs = result.docs if result else []
    columns = _requested_columns(query.get("fields")) or common_fields(docs, most=8)
    mode = form.cleaned_data.get("mode")
    return {"result": result, "explanation": explanation, "suggested": suggested_index_fields(query),
            "columns": columns, "rows": display_rows(docs, columns, mode == "json"), "mode": mode}


def _requested_columns(fields):
    """The top-level members the query's "fields" ask for, in its order ("a.b" is a member of "a"; "a\\.b" is
    the member "a.b"), the id aside: it has a column of its own."""
    columns = []
    for field in fields or ():
        top = _UNESCAPED_DOT.split(str(field), maxsplit=1)[0].replace("\\.", ".")
        if top != "_id" and top not in columns:
            columns.append(top)
    return columns


_UNESCAPED_DOT = re.compile(r"(?<!\\)\.")


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
    name = name_form.cleaned_data["name"]
    try:
        store = saved_queries.save(request.couch, db, name, form.as_saved(), request.couch_user.name)
    except Conflict:
        messages.error(request, f"“{name}” was not saved: others changed the team's queries at the same "
                                "moment, three times. Your query is still here; save it again.")
    except CouchError as exc:
        messages.error(request, f"“{name}” was not saved: CouchDB refused ({exc.message}). "
                                "Your query is still here.")
    else:
        messages.success(request, f"Saved “{name}” for everyone using this database.")
    return store


def _slow(exc, explanation):
    """A query that outlasts the page goes on in CouchDB: say so, and why, from what its explanation says."""
    if explanation is None or "_find" not in exc.path.split("?")[0].split("/"):
        return f"{sentence_for(exc)} {advice_for(exc)}"
    still = (f"Your query is still running in CouchDB after {exc.seconds:g} s: this page stopped waiting, and CouchDB "
             "will finish it.")
    if explanation.full_scan:
        why = ("It reads every document, as no index fits it; an index makes it fast. Create the one offered below, "
               "then run the query again: the first run builds the index, once.")
    else:
        why = (f"It uses the index “{explanation.index.name}”, which CouchDB builds or brings up to date before it "
               "answers (after the index was created, or after many changes). Active tasks shows the indexer's "
               "progress; run the query again when it is done.")
    return f"{still} {why}"


def _plain(exc):
    if "not partitioned" in str(exc.reason):
        return "This database is not partitioned: empty “Within partition” to query the whole database."
    words = PLAIN_WORDS.get(exc.error)
    if words and words.endswith("."):
        return words
    if words:
        return f"{words}: {exc.reason}"
    return f"CouchDB refused the query: {exc.message}"


def _page(request, db, form, store, status=200, extra=None):
    context = {"db": db, "form": form, "history": store["history"], "saved": store["saved"],
               "skipped": store.get("skipped", 0), "save_form": SaveQueryForm(), **(extra or {})}
    return render(request, "browser/mango.html", context, status=status)
