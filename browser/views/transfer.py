"""Export a database or a Mango selection as a download; import a file into a database, new or existing.

The download starts at once and streams (the browser's download bar is the progress). An import
answers a page that streams too: a progress bar after every batch and the failed rows as they come,
then the totals; it works without JavaScript. What was stored stays, whatever happens later.
"""

from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from browser.audit_trail import audited
from browser.auth import TOKEN_KEY
from browser.couch.databases import create_database, database_exists, database_info
from browser.couch.errors import CouchError, CouchUnavailable
from browser.couch.transfer_export import FORMATS, export_chunks
from browser.couch.transfer_import import import_documents
from browser.denials import server_admin_required
from browser.failures import sentence_for
from browser.forms.transfer import ExportForm, ImportForm, ImportNewDatabaseForm

# The import page is rendered whole and sent in two halves around this mark, with the progress between.
PROGRESS_MARK = "<!--import-progress-->"
FAILURES_LISTED = 1000


@require_GET
def export_page(request, db):
    if "format" not in request.GET:
        return _export_form(request, db, ExportForm())
    form = ExportForm(request.GET)
    if not form.is_valid():
        return _export_form(request, db, form, status=400)
    choice = form.choice()
    response = StreamingHttpResponse(export_chunks(request.couch, db, choice),
                                     content_type=f"{FORMATS[choice.format]}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _file_name(db, choice.format))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _export_form(request, db, form, status=200):
    info = database_info(request.couch, db)
    return render(request, "browser/export.html", {"db": db, "form": form, "info": info}, status=status)


def _file_name(db, extension):
    return db.replace("/", "_") + "." + extension


@require_http_methods(["GET", "POST"])
def import_page(request, db):
    info = database_info(request.couch, db)  # an outsider is refused here, before any upload is read
    if request.method == "GET":
        return _import_form(request, db, ImportForm(), info)
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid() and _too_big(request):
        form.add_error("file", _too_big(request))
    if form.errors:
        return _import_form(request, db, form, info, status=400)
    return _import_response(request, db, form)


def _import_form(request, db, form, info, status=200):
    return render(request, "browser/import.html", {"db": db, "form": form, "info": info}, status=status)


@server_admin_required
@require_http_methods(["GET", "POST"])
def import_new_database(request):
    if request.method == "GET":
        return render(request, "browser/import_new.html", {"form": ImportNewDatabaseForm()})
    form = ImportNewDatabaseForm(request.POST, request.FILES)
    if form.is_valid() and _too_big(request):
        form.add_error("file", _too_big(request))
    if not form.errors and database_exists(request.couch, form.cleaned_data["database"]):
        form.add_error("database", "A database of this name exists: import into it from its own Import page.")
    if form.errors:
        return render(request, "browser/import_new.html", {"form": form}, status=400)
    with audited(request, "database.create", form.cleaned_data["database"], after={"by": "import"}) as entry:
        db = entry.target = create_database(request.couch, form.cleaned_data["database"])
    return _import_response(request, db, form, created=True)


def _too_big(request):
    limit = settings.MAX_UPLOAD_BYTES
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return f"This upload is larger than the dashboard accepts ({limit:,} bytes; setting MAX_UPLOAD_BYTES)."
    return ""


def _import_response(request, db, form, created=False):
    upload = form.cleaned_data["file"]
    context = {"db": db, "file_name": upload.name, "size": upload.size, "created": created,
               "keep_revisions": form.cleaned_data["keep_revisions"], "kind": form.kind_of_file()}
    head, tail = render_to_string("browser/import_run.html", context, request).split(PROGRESS_MARK)
    response = StreamingHttpResponse(_import_stream(request, db, form, context, head, tail),
                                     content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each batch's line on as it comes
    return response


def _import_stream(request, db, form, context, head, tail):
    yield head
    upload, listed, last = form.cleaned_data["file"], 0, None
    try:
        for progress in import_documents(request.couch, db, upload.file, context["kind"],
                                         keep_revisions=context["keep_revisions"]):
            shown = progress.failures[:max(0, FAILURES_LISTED - listed)]
            listed += len(shown)
            last = progress
            yield render_to_string("browser/_import_progress.html",
                                   {"progress": progress, "failures": shown, "size": upload.size,
                                    "unlisted": listed >= FAILURES_LISTED and progress.failures != shown})
    except (CouchError, CouchUnavailable) as exc:
        yield render_to_string("browser/_import_stopped.html", {"reason": sentence_for(exc), "progress": last})
    finally:
        upload.close()
    yield render_to_string("browser/_import_report.html",
                           {"progress": last, "listed": listed, "listed_most": FAILURES_LISTED, **context})
    _keep_fresh_token(request)
    yield tail


def _keep_fresh_token(request):
    # The session was saved before the stream began; a long import may have been given a fresh cookie since.
    if request.couch.token_refreshed and request.session.get(TOKEN_KEY):
        request.session[TOKEN_KEY] = request.couch.token
        request.session.save()
