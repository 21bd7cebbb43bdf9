"""The database page: its documents, paged by key, in table, JSON or metadata form; bulk delete;
the scan for conflicted documents."""

from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap

from browser import own_writes
from browser.audit_trail import audited
from browser.auth import remember_recent_database
from browser.couch.databases import database_info
from browser.couch.documents import (
    Listing,
    RecentWrite,
    bulk_delete,
    find_conflicts,
    list_documents,
    with_own_writes,
)
from browser.couch.errors import CouchSlow
from browser.couch.replication import is_replicator_database, shown
from browser.document_cells import common_fields, display_rows
from browser.failures import slow_notice, status_for
from browser.forms.documents import BulkDeleteForm, DocumentListForm
from browser.forms.query_string import StartForm
from browser.responses import render_page_or_fragment


@require_GET
def document_list(request, db):
    form = DocumentListForm(request.GET)
    options = form.values()
    listing = Listing(limit=options["limit"], descending=options["descending"],
                      include_design=options["include_design"], prefix=options["prefix"],
                      start=options["start"], before=options["before"], local=options["local"])
    info = database_info(request.couch, db)
    remember_recent_database(request, db, settings.RECENT_DATABASES_KEPT)
    lists = not listing.local or request.couch.flavour.lists_local_documents
    page = slow = read_back = None
    try:
        if lists:
            read_back = _agreeing_with_own_writes(request, db, listing, list_documents(request.couch, db, listing))
            page = _shown_page(db, read_back.page)
    except CouchSlow as exc:  # one slow node holds up the list: say so where the rows go, the filters kept
        slow = exc
    columns = options["columns"] or common_fields([row.doc for row in page.rows] if page else [])
    context = {"db": db, "info": info, "form": form, "page": page, "mode": options["mode"],
               "columns": columns, "rows": _rows_for_display(page, columns, options["mode"]),
               "local": listing.local, "slow": slow and slow_notice(slow, request.get_full_path()),
               "read_back": read_back}
    response = render_page_or_fragment(request, "browser/documents.html", "browser/_document_rows.html", context,
                                       status=status_for(slow) if slow else 200)
    return reswap(response, "innerHTML") if slow and request.htmx else response


def _agreeing_with_own_writes(request, db, listing, page):
    """The page as a quorum of copies holds the person's own recent writes on it (a cluster lists from one copy)."""
    return with_own_writes(request.couch, db, listing, page, own_writes.recent(request, db))


def _shown_page(db, page):
    if not is_replicator_database(db):
        return page
    return replace(page, rows=tuple(replace(row, doc=shown(db, row.doc)) for row in page.rows))


def _rows_for_display(page, columns, mode):
    if not page:
        return []
    shown = display_rows([row.doc or {} for row in page.rows], columns, mode == "json")
    return [{**item, "row": row} for item, row in zip(shown, page.rows, strict=True)]


@require_POST
def bulk_delete_documents(request, db):
    """First POST lists the selection for confirmation; the confirmed POST deletes in one _bulk_docs."""
    form = BulkDeleteForm(request.POST)
    selected = form.valid_selected()
    if not selected:
        messages.warning(request, "Select at least one document to delete.")
        return redirect("browser:database", db=db)
    if form.value("confirmed") != "yes":
        return render(request, "browser/bulk_delete_confirm.html", {"db": db, "selected": selected})
    with audited(request, "documents.bulk_delete", db, before=[{"id": d, "rev": r} for d, r in selected]) as entry:
        results = bulk_delete(request.couch, db, selected)
        entry.after = [{"id": r.id, "ok": r.ok, "error": r.error} for r in results]
    own_writes.remember(request, db, [RecentWrite(r.id, r.rev, deleted=True, accepted=r.accepted)
                                      for r in results if r.ok])
    return render(request, "browser/bulk_delete_results.html",
                  {"db": db, "results": results, "fewer_copies": own_writes.FEWER_COPIES})


@require_GET
def conflict_list(request, db):
    start = StartForm(request.GET).value("start")
    scan = find_conflicts(request.couch, db, start=start)
    return render(request, "browser/conflicts.html", {"db": db, "scan": scan, "start": start})
