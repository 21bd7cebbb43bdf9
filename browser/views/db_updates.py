"""Server-wide database updates, for server admins: newest first and live, paged back by sequence."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from browser import feed_pages
from browser.audit_trail import audited
from browser.capabilities import needs
from browser.couch import db_updates as feed
from browser.couch.databases import database_name_problem
from browser.couch.errors import CouchError, PreconditionFailed
from browser.denials import server_admin_required
from browser.forms.db_updates import DbUpdatesForm, GlobalChangesCreateForm

# Live updates stop after this many new rows on one page: reload to see the newest.
LIVE_MOST = 500


@server_admin_required
@needs("has_db_updates")
@require_GET
def database_updates(request):
    client = request.couch
    form = DbUpdatesForm(request.GET)
    if not form.is_valid():
        return render(request, "browser/db_updates.html", {"form": form}, status=400)
    data = form.cleaned_data
    if request.htmx and data["after"]:
        return _arrivals(request, form)
    try:
        page = _newest(request, data)
    except (feed.UpdatesUnavailable, CouchError) as exc:
        missing = isinstance(exc, feed.UpdatesUnavailable) and exc.missing
        # A server without _global_changes works as it should: the page says what is missing, and offers it.
        return render(request, "browser/db_updates.html", _unavailable(exc), status=200 if missing else 503)
    context = dict(page=page, rows=_rows(client, page.updates), size=feed.PAGE_SIZE, form=form,
                   most_rows=feed.MOST_ROWS_READ,
                   live=not data["top"] and data["live"] != "off", **_page_queries(form, page))
    return render(request, "browser/db_updates.html", context)


@server_admin_required
@needs("has_db_updates")
@require_POST
def global_changes_create(request):
    form = GlobalChangesCreateForm(request.POST, database=feed.GLOBAL_CHANGES)
    if not form.is_valid():
        context = {"setup_form": form, "missing_global_changes": True, "unavailable": _MISSING_WORDS}
        return render(request, "browser/db_updates.html", context, status=400)
    try:
        with audited(request, "global_changes.create", feed.GLOBAL_CHANGES):
            feed.create_global_changes(request.couch)
    except PreconditionFailed:
        messages.info(request, f"The “{feed.GLOBAL_CHANGES}” database exists already.")
    except CouchError as exc:
        messages.error(request, f"CouchDB refused to create “{feed.GLOBAL_CHANGES}” ({exc.error}): "
                                f"{exc.reason or exc.message}")
    else:
        messages.success(request, f"Created “{feed.GLOBAL_CHANGES}”: database updates are recorded from now on.")
    return redirect("browser:db-updates")


_MISSING_WORDS = (f"CouchDB keeps database updates in its “{feed.GLOBAL_CHANGES}” database, which does not exist "
                  "on this server: nothing is recorded yet.")


def _unavailable(exc):
    if isinstance(exc, feed.UpdatesUnavailable) and exc.missing:
        return {"unavailable": _MISSING_WORDS, "missing_global_changes": True,
                "setup_form": GlobalChangesCreateForm(database=feed.GLOBAL_CHANGES)}
    if isinstance(exc, feed.UpdatesUnavailable):
        return {"unavailable": str(exc)}
    return {"unavailable": f"CouchDB answered no database updates ({exc.error}): {exc.reason or exc.message}"}


def _newest(request, data):
    """A page of the newest updates: below the first, without those the pages above it showed (feed_pages)."""
    size, skip = feed.PAGE_SIZE, data["skip"] or 0
    shown = feed_pages.shown_above(request, "db_updates", data["top"], skip, size)
    page = feed.newest(request.couch, data["top"], skip, size, below=data["below"] or None, shown=shown)
    feed_pages.remember(request, "db_updates", page.top, skip, size, [update.key for update in page.updates],
                        page.older)
    return page


def _page_queries(form, page):
    size = feed.PAGE_SIZE
    return {
        "poll_query": form.query(after=page.top, arrived=0, live="on", top=None, skip=None, below=None),
        "pause_query": form.query(live="off"),
        "resume_query": form.query(live=None),
        "newest_query": form.query(top=None, skip=None, below=None),
        "newer_query": form.query(top=page.top, skip=page.skip - size, below=None) if page.skip > size
        else form.query(top=None, skip=None, below=None),
        "older_query": form.query(top=page.top, skip=page.skip + size, live=None,
                                  below=page.updates[-1].key if page.updates else None),
    }


def _arrivals(request, form):
    """What arrived after `after`: rows for the top of the table, and the next poll."""
    data = form.cleaned_data
    try:
        arrivals = feed.arrived_since(request.couch, data["after"])
    except (feed.UpdatesUnavailable, CouchError):
        return render(request, "browser/_db_updates_poller.html", {"live": False, "stopped": True, "polling": True})
    arrived = (data["arrived"] or 0) + len(arrivals.updates)
    context = {"form": form, "rows": _rows(request.couch, arrivals.updates), "arrived": arrived, "polling": True,
               "pause_query": form.query(live="off", after=None, arrived=None),
               "live": arrived < LIVE_MOST, "too_many": arrived >= LIVE_MOST, "live_most": LIVE_MOST,
               "poll_query": form.query(after=arrivals.last_seq, arrived=arrived, live="on")}
    return render(request, "browser/_db_updates_poller.html", context)


def _rows(client, updates):
    """Each update with a link to its database: None when it does not exist now, or no page takes its name."""
    try:
        now = feed.existing(client, updates)
    except CouchError:
        now = set()
    return [{"update": u, "gone": u.db_name not in now,
             "url": _database_url(u.db_name) if u.db_name in now else None} for u in updates]


def _database_url(name):
    if not name or database_name_problem(name):
        return None
    try:
        return reverse("browser:database", kwargs={"db": name})
    except NoReverseMatch:
        return None
