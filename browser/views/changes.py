"""The changes feed of a database: newest first and live, or oldest first from a sequence."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from browser import feed_pages
from browser.couch import changes as feed
from browser.couch.errors import BadRequest, NotFound
from browser.couch.flavour import ServerLacks
from browser.forms.changes import ChangesForm

# Live updates stop after this many new rows on one page: reload to see the newest.
LIVE_MOST = 500


@require_GET
def changes_feed(request, db):
    client = request.couch
    form = ChangesForm(request.GET)
    if request.htmx and form.is_valid() and form.cleaned_data["after"]:
        return _arrivals(request, db, form)
    form.offer_filters(feed.design_filters(client, db))
    if not client.flavour.filters_changes:
        form.mark_lacking("selector", "filter")
    context = {"db": db, "form": form, "filters_changes": client.flavour.filters_changes,
               "server_name": client.flavour.name}
    if not form.is_valid():
        return render(request, "browser/changes.html", context, status=400)
    data = form.cleaned_data
    include_docs = data["include_docs"]
    size = feed.DOCS_PAGE_SIZE if include_docs else feed.PAGE_SIZE
    try:
        if form.oldest_first:
            page = feed.oldest(client, db, form.change_filter(), data["since"] or "0", size, include_docs)
        else:
            page = _newest(request, db, form, size)
    except ServerLacks as exc:
        return render(request, "browser/changes.html", {**context, "refused": str(exc)}, status=501)
    except (BadRequest, NotFound) as exc:
        if isinstance(exc, NotFound) and not data["filter"]:
            raise
        return render(request, "browser/changes.html", {**context, "refused": _refusal(exc)}, status=exc.status)
    live = not form.oldest_first and not data["top"] and data["live"] != "off"
    context.update(page=page, size=size, include_docs=include_docs, live=live,
                   most_rows=f"{feed.MOST_ROWS_READ:,}",
                   **_page_queries(form, page, size))
    return render(request, "browser/changes.html", context)


def _newest(request, db, form, size):
    """A newest-first page: below the first, without the rows the pages above it showed (browser/feed_pages.py)."""
    data, name = form.cleaned_data, f"changes {db} {form.query(order=None, since=None, live=None)}"
    skip = data["skip"] or 0
    shown = feed_pages.shown_above(request, name, data["top"], skip, size)
    page = feed.newest(request.couch, db, form.change_filter(), data["top"], skip, size, data["include_docs"],
                       below=data["below"] or None, shown=shown)
    feed_pages.remember(request, name, page.top, skip, size, [change.id for change in page.changes], page.older)
    return page


def _page_queries(form, page, size):
    """The query strings of the links around a page: pause, resume, poll, newer, older, next..."""
    newest = {"order": None, "since": None}
    return {
        "poll_query": form.query(after=page.top, arrived=0, live="on"),
        "pause_query": form.query(live="off"),
        "resume_query": form.query(live=None),
        "newest_query": form.query(**newest),
        "newer_query": form.query(**newest, top=page.top, skip=page.skip - size) if page.skip > size
        else form.query(**newest),
        "older_query": form.query(**newest, top=page.top, skip=page.skip + size, live=None,
                                  below=page.changes[-1].id if page.changes else None),
        "oldest_query": form.query(order="oldest", since="0"),
        "first_query": form.query(since="0"),
        "next_query": form.query(since=page.next_since),
    }


def _arrivals(request, db, form):
    """What arrived after `after`: rows for the top of the table, and the next poll."""
    data = form.cleaned_data
    include_docs = data["include_docs"]
    try:
        arrivals = feed.arrived_since(request.couch, db, form.change_filter(), data["after"], include_docs)
    except (BadRequest, NotFound, ServerLacks):
        return render(request, "browser/_changes_poller.html",
                      {"db": db, "live": False, "stopped": True, "polling": True})
    arrived = (data["arrived"] or 0) + len(arrivals.changes)
    context = {"db": db, "form": form, "arrivals": arrivals, "arrived": arrived, "include_docs": include_docs,
               "polling": True, "pause_query": form.query(live="off"),
               "live": arrived < LIVE_MOST, "too_many": arrived >= LIVE_MOST, "live_most": LIVE_MOST,
               "poll_query": form.query(after=arrivals.last_seq, arrived=arrived, live="on")}
    return render(request, "browser/_changes_poller.html", context)


def _refusal(exc):
    if isinstance(exc, NotFound):
        return f"CouchDB found no such design filter: {exc.reason or exc.error}"
    return f"CouchDB refused this request for the feed ({exc.error}): {exc.reason or exc.message}"
