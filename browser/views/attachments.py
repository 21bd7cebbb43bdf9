"""Attachments of a document: list, preview, download (streamed), upload (streamed), delete, rename."""

from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser.attachment_panel import attachments_context
from browser.audit_trail import Entry, audited
from browser.couch import jsontext
from browser.couch.attachments import (
    CHUNK,
    RASTER_IMAGE_TYPES,
    AttachmentExists,
    attachments_of,
    delete_attachment,
    existing_attachment,
    open_attachment,
    put_attachment_on_latest,
    rename_attachment,
)
from browser.couch.documents import create_document, get_document
from browser.couch.errors import Conflict, CouchError, CouchSlow, CouchUnavailable, NotFound
from browser.failures import sentence_for, status_for
from browser.forms.attachments import (
    AttachmentNameForm,
    AttachmentViewForm,
    NewWithFilesForm,
    RenameAttachmentForm,
    UploadForm,
)
from browser.rendering.filters import size as size_text
from browser.visible_text import visible

PASSED_THROUGH = ("Content-Type", "Content-Length", "ETag", "Content-Range", "Accept-Ranges", "Last-Modified")


@require_GET
def attachment_list(request, db, docid):
    if not request.htmx:
        return redirect("browser:document", db=db, docid=docid)
    doc = get_document(request.couch, db, docid)
    return render(request, "browser/_attachments.html", attachments_context(request, db, docid, doc))


@require_GET
def attachment_download(request, db, docid):
    form = AttachmentNameForm(request.GET)
    if not form.is_valid():
        return render(request, "404.html", {"reason": "Name an attachment."}, status=404)
    name = form.cleaned_data["name"]
    upstream = open_attachment(request.couch, db, docid, name, request.headers.get("Range"))
    response = StreamingHttpResponse(_stream(upstream), status=upstream.status_code)
    for header in PASSED_THROUGH:
        if header in upstream.headers:
            response[header] = upstream.headers[header]
    inline = AttachmentViewForm(request.GET).value("inline") and _is_raster(upstream.headers.get("Content-Type", ""))
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever the file holds (HTML, SVG), it can never run script in the dashboard's origin.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-cache"
    return response


def _stream(upstream):
    try:
        yield from upstream.iter_content(CHUNK)
    finally:
        upstream.close()


def _is_raster(content_type):
    return content_type.split(";")[0].strip().lower() in RASTER_IMAGE_TYPES


@require_POST
def attachment_upload(request, db, docid):
    """One or more files from a multipart form; answers JSON to scripts and redirects plain forms."""
    too_big = _too_big(request)
    if too_big:
        return _upload_failed(request, db, docid, too_big, 413)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _upload_failed(request, db, docid, "Choose at least one file to upload.", 400)
    return _store_uploads(request, db, docid, form.cleaned_data["rev"] or None, form.cleaned_data["name"],
                          form.cleaned_data["replace"])


def _store_uploads(request, db, docid, rev, store_as="", replace=False):
    started_from = rev
    moved = False  # whether someone else changed the document meanwhile
    files = request.FILES.getlist("files")
    try:
        for upload in files:
            name = store_as if store_as and len(files) == 1 else upload.name
            with audited_replacement(request, db, docid, name, replace) as entry:
                new_rev, used, replaced = put_attachment_on_latest(
                    request.couch, db, docid, name, upload, upload.content_type, upload.size, rev, replace)
                entry.before = replaced and {"id": docid, "name": replaced.name, "length": replaced.length,
                                             "content_type": replaced.content_type, "digest": replaced.digest}
            moved = moved or used != rev
            rev = new_rev
    except AttachmentExists as exc:
        return _upload_failed(request, db, docid, _exists_message(exc.existing, "Uploading"), 409,
                              exists=exc.existing.name)
    except (CouchError, CouchUnavailable) as exc:
        return _upload_failed(request, db, docid, _upload_message(exc), status_for(exc))
    if _wants_json(request):
        doc = get_document(request.couch, db, docid)
        stubs = doc.get("_attachments") or {}
        return JsonResponse({"ok": True, "rev": rev, "started_from": started_from, "moved": moved,
                             "attachments": jsontext.dumps(stubs)})
    messages.success(request, "Uploaded.")
    return redirect("browser:document", db=db, docid=docid)


def _too_big(request):
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.MAX_UPLOAD_BYTES
    if length > limit:
        return f"This upload is larger than the dashboard accepts ({limit:,} bytes; setting MAX_UPLOAD_BYTES)."
    return ""


def _upload_message(exc):
    return f"{sentence_for(exc)} Nothing was stored."


def _wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def _exists_message(existing, doing):
    return (f"{doing} would replace the attachment “{visible(existing.name)}” ({existing.content_type or 'no type'}, "
            f"{size_text(existing.length)}) already in this document. Nothing was stored: confirm to replace it.")


def audited_replacement(request, db, docid, name, replace):
    """An upload that may replace an attachment is recorded (a new file alone is not): `entry.before` says
    what it replaced, if anything."""
    if not replace:
        return nullcontext(Entry(db))
    return audited(request, "attachment.replace", db, after={"id": docid, "name": name})


def _upload_failed(request, db, docid, message, status, exists=""):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": message, "exists": exists}, status=status)
    messages.error(request, message)
    return redirect("browser:document", db=db, docid=docid)


@require_POST
def new_document_with_files(request, db):
    """A new, empty document (id from the server) to hold files dropped on the database page.
    Scripts say how many files follow, then upload each with progress; a plain form sends the files along.
    Without either, nothing is created."""
    too_big = _too_big(request)
    if too_big:
        messages.error(request, too_big)
        return redirect("browser:database", db=db)
    form = NewWithFilesForm(request.POST, request.FILES)
    if not form.is_valid():
        message = " ".join(form.non_field_errors()) or "The number of files to follow is not valid."
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": message}, status=400)
        messages.error(request, message)
        return redirect("browser:database", db=db)
    docid, written = create_document(request.couch, db, {})
    rev = written.rev
    if request.FILES.getlist("files"):
        return _store_uploads(request, db, docid, rev)
    return JsonResponse({"docid": docid, "rev": rev,
                         "upload_url": reverse("browser:attachment-upload", kwargs={"db": db, "docid": docid}),
                         "document_url": reverse("browser:document", kwargs={"db": db, "docid": docid})})


@require_http_methods(["GET", "POST"])
def attachment_delete(request, db, docid):
    form = AttachmentNameForm(request.POST or request.GET)
    if not form.is_valid():
        return redirect("browser:document", db=db, docid=docid)
    name = form.cleaned_data["name"]
    if request.method == "POST" and not form.cleaned_data["rev"]:
        # CouchDB deletes an attachment of one revision: without it there is nothing safe to send.
        messages.error(request, "The page did not say which revision of the document you saw: open it again.")
        return redirect("browser:document", db=db, docid=docid)
    if request.method == "POST":
        try:
            with audited(request, "attachment.delete", db, before={"id": docid, "name": name,
                                                                   "rev": form.cleaned_data["rev"]}):
                delete_attachment(request.couch, db, docid, name, form.cleaned_data["rev"])
        except (Conflict, NotFound):
            messages.error(request, "The document changed since you opened it: look again before deleting.")
        else:
            messages.success(request, f"Deleted the attachment “{name}”.")
        return redirect("browser:document", db=db, docid=docid)
    return render(request, "browser/attachment_delete.html", {"db": db, "docid": docid, "form": form, "name": name})


@require_POST
def attachment_rename(request, db, docid):
    """Rename in one write; onto a name that is taken, only after the person saw what will be replaced."""
    form = RenameAttachmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("browser:document", db=db, docid=docid)
    data = form.cleaned_data
    try:
        taken = None if data["replace"] or data["new_name"] == data["name"] else existing_attachment(
            request.couch, db, docid, data["new_name"], data["rev"])
        if taken:
            return _confirm_rename(request, db, docid, form, taken)
        with audited(request, "attachment.rename", db, before={"id": docid, "name": data["name"], "rev": data["rev"]},
                     after={"id": docid, "name": data["new_name"], "replaced": data["replace"]}):
            rename_attachment(request.couch, db, docid, data["name"], data["new_name"], data["rev"],
                              replace=data["replace"])
    except AttachmentExists as exc:  # taken since the check
        return _confirm_rename(request, db, docid, form, exc.existing)
    except CouchSlow as exc:  # stored or not: look
        if not _renamed(request, db, docid, data["name"], data["new_name"]):
            raise
        messages.success(request, f"Renamed “{data['name']}” to “{data['new_name']}” (CouchDB took longer than "
                                  f"{exc.seconds:g} seconds to confirm it).")
    except (Conflict, NotFound):
        messages.error(request, "The document changed since you opened it: look again before renaming.")
    else:
        replaced = " (the attachment that had that name is replaced)" if data["replace"] else ""
        messages.success(request, f"Renamed “{data['name']}” to “{data['new_name']}”{replaced}.")
    return redirect("browser:document", db=db, docid=docid)


def _renamed(request, db, docid, old, new):
    """Whether the document as stored now has `new` and no longer `old` (a rename whose answer never came)."""
    try:
        names = {info.name for info in attachments_of(get_document(request.couch, db, docid))}
    except (CouchError, CouchUnavailable):
        return False
    return new in names and old not in names


def _confirm_rename(request, db, docid, form, existing):
    context = {"db": db, "docid": docid, "form": form, "existing": existing,
               "replaced_text": _exists_message(existing, "Renaming")}
    return render(request, "browser/attachment_rename_confirm.html", context, status=409)
