"""One document: read, edit (form or text), create, copy, delete; saving never loses the edit."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from browser import own_writes
from browser.attachment_panel import attachments_context
from browser.audit_trail import AuditUnavailable, audited, design_audited, refusal_for
from browser.couch import jsontext
from browser.couch.databases import database_info
from browser.couch.documents import (
    RecentWrite,
    copy_document,
    create_document,
    delete_document,
    editable_body,
    get_document,
    rev_order,
    revisions,
    stored_document,
)
from browser.couch.errors import Conflict, CouchError, CouchSlow, CouchUnavailable
from browser.couch.replication import is_replicator_database, shown
from browser.couch.server import new_uuids
from browser.editor.saving import EDIT_KEPT, ConflictToShow, Failure, MergedAndSaved, Saved, save, saved_as
from browser.editor.state import (
    FORM,
    TEXT,
    EditorProblem,
    body_of,
    operated,
    replaced_text,
    state_for,
    switched,
)
from browser.failures import sentence_for, status_for
from browser.forms.document import (
    CopyDocumentForm,
    DeleteDocumentForm,
    DocumentEditorForm,
    DocumentViewForm,
    EditorModeForm,
    NewDocumentForm,
)
from browser.responses import render_page_or_fragment

COLLAPSE_OVER_BYTES = 1_000_000


@require_GET
def document_detail(request, db, docid):
    doc = shown(db, get_document(request.couch, db, docid))
    if DocumentViewForm(request.GET).value("download") == "json":
        response = HttpResponse(jsontext.dumps(stored_document(doc), indent=2),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = "attachment; filename=document.json"
        return response
    context = _detail_context(request, db, docid, doc, CopyDocumentForm())
    return render_page_or_fragment(request, "browser/document.html", "browser/_document_head.html", context)


def _detail_context(request, db, docid, doc, copy_form):
    text = jsontext.dumps(stored_document(doc), indent=2)
    mine = own_writes.latest_for(request, db, docid)
    # attachments_context brings db, docid, rev and the attachment panel.
    return {**attachments_context(request, db, docid, doc), "doc": doc, "text": text,
            "collapsed": len(text) > COLLAPSE_OVER_BYTES, "conflicts": doc.get("_conflicts") or [],
            "revisions_available": sum(1 for r in revisions(doc) if r.status == "available"),
            "copy_form": copy_form, "own_write": mine, "own_standing": mine and own_writes.standing(mine, doc)}


@require_http_methods(["GET", "POST"])
def document_edit(request, db, docid):
    if request.method == "GET":
        doc = shown(db, get_document(request.couch, db, docid, history=False))
        extra = {"panel": attachments_context(request, db, docid, doc)}
        mode = EditorModeForm(request.GET).value("mode") or FORM
        return _editor_page(request, db, docid, state_for(doc, mode), extra=extra)
    form = DocumentEditorForm(request.POST)
    if (edited := _row_operation_or_switch(form)) is not None:
        return _editor_page(request, db, docid, edited)
    if form.value("switch") == "merge":
        return _merge_by_hand(request, db, docid, form.state)
    return _save(request, db, docid, form)


def _row_operation_or_switch(form):
    """The editor after the row operation or the switch of editor the post asks for; None when it asks for neither."""
    if form.value("op"):
        return operated(form.state, form.value("op"))
    if form.value("switch") in (FORM, TEXT):
        return switched(form.state, form.value("switch"))
    return None


def _save(request, db, docid, form):
    state, take_theirs = form.state, form.cleaned_data["take_theirs"]
    try:
        outcome = save(request.couch, db, docid, state, overwrite_rev=form.value("overwrite_rev") or "",
                       merge_with=form.value("merge_theirs_rev") or "", take_theirs=take_theirs,
                       audit=lambda rev, body: design_audited(request, db, docid, rev, body))
    except AuditUnavailable as exc:
        state.error = refusal_for(exc)
        return _editor_page(request, db, docid, state, status=503)
    match outcome:
        case Saved(rev=rev, earlier=True):
            said = f"“{docid}” already holds your edit, as revision {rev}: an earlier save went through."
        case Saved(rev=rev, late_by=seconds) if seconds is not None:
            said = f"Saved “{docid}” as revision {rev} (CouchDB took longer than {seconds:g} seconds to say so)."
        case Saved(rev=rev):
            said = f"Saved “{docid}” as revision {rev}."
        case MergedAndSaved(rev=rev, kept_theirs=kept):
            said = f"Saved “{docid}” as revision {rev}" + (
                f", keeping the other person's changes to {', '.join(kept)}." if kept else ".")
        case ConflictToShow(conflict=conflict):
            state.error = ("Someone saved this document after you opened it. Your edit is kept below; "
                           "see what each of you changed, then choose.")
            return _editor_page(request, db, docid, state, status=409,
                                extra={"conflict": conflict, "take_theirs": take_theirs})
        case Failure(reason=reason, error=None):
            state.error = reason
            return _editor_page(request, db, docid, state, status=400)
        case Failure(reason=reason, error=error):
            state.error = f"{sentence_for(error)} {reason}"
            return _editor_page(request, db, docid, state, status=status_for(error))
    # Only a save reaches here: remembered, so that the list and this document's page agree with it.
    own_writes.remember(request, db, [RecentWrite(docid, outcome.rev, accepted=outcome.accepted)])
    if outcome.accepted:
        said += " " + own_writes.FEWER_COPIES
    messages.success(request, said)
    return redirect("browser:document", db=db, docid=docid)


def _merge_by_hand(request, db, docid, state):
    theirs = shown(db, get_document(request.couch, db, docid))
    try:
        mine = body_of(state)
    except EditorProblem:
        return _editor_page(request, db, docid, state, status=400)
    state = replaced_text(state, mine)
    state.base_rev = theirs["_rev"]
    state.attachments = jsontext.dumps(theirs["_attachments"]) if theirs.get("_attachments") else ""
    extra = {"merge": {"theirs_text": jsontext.dumps(editable_body(theirs), indent=2), "theirs_rev": theirs["_rev"]}}
    return _editor_page(request, db, docid, state, extra=extra)


def _editor_page(request, db, docid, state, status=200, extra=None):
    context = {"db": db, "docid": docid, "state": state,
               "secrets_hidden": is_replicator_database(db),
               "action": reverse("browser:document-edit", kwargs={"db": db, "docid": docid}), **(extra or {})}
    template = "browser/_editor.html" if request.htmx and not extra else "browser/document_edit.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
def document_new(request, db):
    id_form = NewDocumentForm(request.POST or request.GET or None,
                              partitioned=database_info(request.couch, db).partitioned)
    if request.method == "GET":
        state = replaced_text(state_for({}), {})
        return _new_page(request, db, id_form, state)
    form = DocumentEditorForm(request.POST)
    if (edited := _row_operation_or_switch(form)) is not None:
        return _new_page(request, db, id_form, edited)
    state = form.state
    try:
        body = body_of(state)
    except EditorProblem:
        return _new_page(request, db, id_form, state, status=400)
    id_form = NewDocumentForm(request.POST, partitioned=id_form.partitioned, typed_id=body.get("_id"))
    if not id_form.is_valid():
        return _new_page(request, db, id_form, state, status=400)
    if not editable_body(body) and not id_form.cleaned_data["create_empty"]:
        id_form.add_error("create_empty", "The document has no fields. Add one, or tick “Create it empty” to "
                                          "create an empty document.")
        return _new_page(request, db, id_form, state, status=400)
    asked_id = id_form.cleaned_data["docid"] or body.get("_id") or ""
    docid = id_form.cleaned_data["docid"] or None
    try:
        with design_audited(request, db, asked_id, None, body):
            # The id is fixed before the write, so that a write too slow to answer can be looked for.
            docid = docid or new_uuids(request.couch, 1)[0]
            docid, written = create_document(request.couch, db, body, docid)
    except Conflict:
        if (created_rev := saved_as(request.couch, db, docid, body)) is not None:
            return _created_earlier(request, db, docid, created_rev)
        id_form.add_error("docid", "A document with this id already exists.")
        return _new_page(request, db, id_form, state, status=409)
    except CouchSlow as exc:
        return _slow_create(request, db, id_form, state, exc, docid, body)
    except (CouchError, CouchUnavailable) as exc:
        state.error = f"{sentence_for(exc)} {EDIT_KEPT}"
        return _new_page(request, db, id_form, state, status=status_for(exc))
    except AuditUnavailable as exc:
        state.error = refusal_for(exc)
        return _new_page(request, db, id_form, state, status=503)
    own_writes.remember(request, db, [RecentWrite(docid, written.rev, accepted=written.accepted)])
    fewer = f" {own_writes.FEWER_COPIES}" if written.accepted else ""
    messages.success(request, f"Created “{docid}” (revision {written.rev}).{fewer}")
    return redirect("browser:document", db=db, docid=docid)


def _slow_create(request, db, id_form, state, exc, docid, mine):
    """CouchDB took the new document but did not answer in time: look for it under the id it was sent with.
    Not there yet: the form keeps the edit and that id, so creating it again cannot make a second copy."""
    if docid and exc.is_write and (created_rev := saved_as(request.couch, db, docid, mine)) is not None:
        return _created_earlier(request, db, docid, created_rev, exc)
    if not docid or not exc.is_write:
        outcome = "Nothing was created yet. Your document is kept: Create it again in a moment."
    else:
        outcome = (f"It is not created yet: there is no document “{docid}” with your fields. CouchDB may still be "
                   f"writing it. Your document is kept, with that id: Create it again in a moment; that cannot "
                   f"make a second copy (if the first went through meanwhile, this page says so).")
        id_form = NewDocumentForm({**request.POST.dict(), "docid": docid}, partitioned=id_form.partitioned,
                                  typed_id=mine.get("_id"))
        id_form.is_valid()
    state.error = f"{sentence_for(exc)} {outcome}"
    return _new_page(request, db, id_form, state, status=status_for(exc))


def _created_earlier(request, db, docid, rev, slow=None):
    waited = f" (CouchDB took longer than {slow.seconds:g} seconds to say so)" if slow else ""
    own_writes.remember(request, db, [RecentWrite(docid, rev)])
    messages.success(request, f"Created “{docid}” (revision {rev}){waited}.")
    return redirect("browser:document", db=db, docid=docid)


def _new_page(request, db, id_form, state, status=200):
    context = {"db": db, "id_form": id_form, "state": state,
               "action": reverse("browser:document-new", kwargs={"db": db})}
    template = "browser/_editor.html" if request.htmx else "browser/document_new.html"
    return render(request, template, context, status=status)


@require_POST
def document_copy(request, db, docid):
    form = CopyDocumentForm(request.POST)
    if form.is_valid():
        destination = form.cleaned_data["destination"]
        try:
            copy_document(request.couch, db, docid, destination)
        except Conflict:
            form.add_error("destination", "A document with this id already exists.")
        else:
            messages.success(request, f"Copied “{docid}” to “{destination}”.")
            return redirect("browser:document", db=db, docid=destination)
    doc = get_document(request.couch, db, docid)
    return render(request, "browser/document.html", _detail_context(request, db, docid, doc, form), status=400)


@require_http_methods(["GET", "POST"])
def document_delete(request, db, docid):
    form, changed = DeleteDocumentForm(request.POST or None), ""
    if request.method == "POST" and form.is_valid():
        try:
            with audited(request, "document.delete", db, before={"id": docid, "rev": form.cleaned_data["rev"]}):
                tombstone = delete_document(request.couch, db, docid, form.cleaned_data["rev"])
        except Conflict:
            changed = (f"Nothing was deleted: the document changed since you opened it (you confirmed revision "
                       f"{form.cleaned_data['rev']}). Below is what it holds now; delete again to delete that.")
        else:
            own_writes.remember(request, db, [RecentWrite(docid, tombstone.rev, deleted=True,
                                                          accepted=tombstone.accepted)])
            fewer = f" {own_writes.FEWER_COPIES}" if tombstone.accepted else ""
            messages.success(request, f"Deleted “{docid}”.{fewer}")
            return redirect("browser:database", db=db)
    # What goes is always the current revision, summed up; the revision travels in a hidden field.
    doc = get_document(request.couch, db, docid)
    seen = DocumentViewForm(request.GET).value("rev")
    if not form.is_bound or changed:
        form = DeleteDocumentForm(initial={"rev": doc.get("_rev", "")})
    context = {"db": db, "docid": docid, "form": form, "changed": changed, "summary": _deletion_summary(doc),
               "seen_rev": seen if seen and seen != doc.get("_rev") else ""}
    status = 409 if changed else 400 if form.errors else 200
    return render(request, "browser/document_delete.html", context, status=status)


def _deletion_summary(doc):
    """What deleting the current revision takes away: its fields, its attachments, and whether a conflicting
    revision then takes its place (CouchDB promotes one, so the document does not disappear)."""
    attachments = doc.get("_attachments") if isinstance(doc.get("_attachments"), dict) else {}
    conflicts = doc.get("_conflicts") if isinstance(doc.get("_conflicts"), list) else []
    sizes = [stub.get("length") for stub in attachments.values() if isinstance(stub, dict)]
    return {"rev": doc.get("_rev", ""), "field_count": len(editable_body(doc)),
            "attachment_names": sorted(attachments)[:20], "attachment_count": len(attachments),
            "attachment_bytes": sum(s for s in sizes if isinstance(s, int)), "conflict_count": len(conflicts),
            "next_winner": max(conflicts, key=rev_order) if conflicts else ""}
