"""Deleted documents: the list of a database's deletions, one deletion's last body, and restore in one click."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from browser import feed_pages, own_writes
from browser.audit_trail import audited
from browser.couch import deleted as tombstones
from browser.couch import jsontext
from browser.couch.documents import RecentWrite, editable_body
from browser.couch.errors import BadRequest, Conflict
from browser.couch.replication import shown
from browser.forms.deleted import DeletedListForm, DeletedRevisionForm, RestoreDeletedForm

# A last body longer than this is folded away (as the document page does) with its length said.
COLLAPSE_OVER_CHARS = 1_000_000


@require_GET
def deleted_list(request, db):
    client, form = request.couch, DeletedListForm(request.GET)
    context = {"db": db, "form": form, "filters_changes": client.flavour.filters_changes,
               "server_name": client.flavour.name, "restore_form": RestoreDeletedForm()}
    if not form.is_valid():
        return render(request, "browser/deleted.html", context, status=400)
    data = form.cleaned_data
    try:
        if form.oldest_first:
            read_back = _agreeing(request, db, tombstones.tombstones_oldest(client, db, data["since"] or "0"))
        else:
            read_back = _newest(request, db, data)
    except BadRequest as exc:
        context["refused"] = f"CouchDB refused to read the feed ({exc.error}): {exc.reason or exc.message}"
        return render(request, "browser/deleted.html", context, status=400)
    page = read_back.page
    context.update(page=page, read_back=read_back, size=tombstones.PAGE_SIZE,
                   most_rows=f"{tombstones.feed.MOST_ROWS_READ:,}", **_page_queries(form, page))
    return render(request, "browser/deleted.html", context)


def _newest(request, db, data):
    """A page of the latest deletions: below the first, without those the pages above it showed."""
    name, size, skip = f"deleted {db}", tombstones.PAGE_SIZE, data["skip"] or 0
    shown = feed_pages.shown_above(request, name, data["top"], skip, size)
    page = tombstones.tombstones_newest(request.couch, db, data["top"], skip, data["below"] or None, shown=shown)
    read_back = _agreeing(request, db, page, newest=not data["top"])
    feed_pages.remember(request, name, page.top, skip, size, [tomb.id for tomb in read_back.page.changes],
                        page.older)
    return read_back


def _agreeing(request, db, page, newest=False):
    """The feed reads one copy of each shard: the person's own deletions and restores are read back at quorum."""
    return tombstones.with_own_deletions(request.couch, db, page, own_writes.recent(request, db), newest)


def _page_queries(form, page):
    size, newest = tombstones.PAGE_SIZE, {"order": None, "since": None}
    return {
        "newest_query": form.query(**newest, top=None, skip=None, below=None),
        "newer_query": form.query(**newest, top=page.top, skip=page.skip - size, below=None) if page.skip > size
        else form.query(**newest, top=None, skip=None, below=None),
        "older_query": form.query(**newest, top=page.top, skip=page.skip + size,
                                  below=page.changes[-1].id if page.changes else None),
        "oldest_query": form.query(order="oldest", since="0", top=None, skip=None, below=None),
        "next_query": form.query(order="oldest", since=page.next_since, top=None, skip=None, below=None),
    }


@require_http_methods(["GET", "POST"])
def deleted_document(request, db, docid):
    if request.method == "POST":
        return _restore(request, db, docid)
    found = tombstones.deleted_document(request.couch, db, docid, DeletedRevisionForm(request.GET).value("rev"))
    context = {"db": db, "docid": docid, "found": found, "restore_form": RestoreDeletedForm()}
    if found.last_body is not None:
        text = jsontext.dumps(editable_body(shown(db, found.last_body)), indent=2)
        stubs = found.last_body.get("_attachments")
        context.update(text=text, collapsed=len(text) > COLLAPSE_OVER_CHARS,
                       attachments=sorted(stubs.items()) if isinstance(stubs, dict) else [])
    return render(request, "browser/deleted_document.html", context)


def _restore(request, db, docid):
    form = RestoreDeletedForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a deletion to restore (the page sends its revision).")
        return redirect("browser:deleted-documents", db=db)
    rev = form.cleaned_data["rev"]
    try:
        with audited(request, "document.restore", db, before={"id": docid, "rev": rev}) as entry:
            restored, new_rev = tombstones.restore(request.couch, db, docid, rev)
            entry.before["restored_rev"], entry.after = restored, {"id": docid, "rev": new_rev}
    except tombstones.NotRestorable as exc:
        messages.error(request, str(exc))
        return redirect("browser:deleted-document", db=db, docid=docid)
    except Conflict:
        messages.error(request, "The document changed while you were restoring it (re-created or deleted again): "
                                "nothing was overwritten. Look at it as it is now.")
        return redirect("browser:deleted-document", db=db, docid=docid)
    own_writes.remember(request, db, [RecentWrite(docid, new_rev)])
    messages.success(request, f"Restored the document as revision {new_rev} (the body of revision {restored}).")
    return redirect("browser:document", db=db, docid=docid)
