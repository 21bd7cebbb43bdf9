"""Revisions (open, diff, restore) and conflicts (compare, choose, remove the losers)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from browser.couch import jsontext
from browser.couch.documents import (
    LOCAL_PREFIX,
    editable_body,
    get_document,
    leaf_with_attachments,
    open_revisions,
    resolve_conflict,
    revisions,
    revisions_at,
    save_document,
)
from browser.couch.errors import Conflict, NotFound
from browser.couch.jsontext import JsonSyntaxError
from browser.couch.purge import document_leaves
from browser.couch.replication import secrets_kept, shown
from browser.editor.diff import diff
from browser.editor.revtree import build_tree
from browser.forms.document import DocumentViewForm
from browser.forms.history import ResolveConflictForm, RestoreRevisionForm


@require_http_methods(["GET", "POST"])
def document_revisions(request, db, docid):
    current = get_document(request.couch, db, docid)
    if request.method == "POST":
        return _restore(request, db, docid, current)
    chosen_rev = DocumentViewForm(request.GET).value("rev")
    context = {"db": db, "docid": docid, "current_rev": current["_rev"], "revisions": revisions(current),
               "tree": _revision_tree(request, db, docid, current, focus=chosen_rev)}
    if chosen_rev:
        try:
            old = get_document(request.couch, db, docid, rev=chosen_rev)
        except NotFound:
            context.update(chosen_rev=chosen_rev, chosen_missing=True)
            return render(request, "browser/revisions.html", context, status=404)
        old, current = shown(db, old), shown(db, current)
        context.update(chosen_rev=chosen_rev, old_text=jsontext.dumps(old, indent=2),
                       diff=diff(editable_body(old), editable_body(current)))
    return render(request, "browser/revisions.html", context)


def _revision_tree(request, db, docid, current, focus=None):
    """Every leaf (GET ?open_revs=all) with its history (_bulk_get with revs=true), as a tree to draw."""
    if docid.startswith(LOCAL_PREFIX):
        return None  # local documents keep no revision tree
    pairs = [(docid, leaf.rev) for leaf in document_leaves(request.couch, db, docid)]
    leaves = revisions_at(request.couch, db, pairs, revs=True).values()
    return build_tree(leaves, winner=current.get("_rev"), revs_info=current.get("_revs_info") or (), focus=focus)


def _restore(request, db, docid, current):
    form = RestoreRevisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a revision to restore.")
        return redirect("browser:document-revisions", db=db, docid=docid)
    old = get_document(request.couch, db, docid, rev=form.cleaned_data["rev"])
    try:
        new_rev = save_document(request.couch, db, docid, old, rev=form.cleaned_data["current_rev"],
                                attachments=current.get("_attachments"))
    except Conflict:
        messages.error(request, "The document changed while you were looking; compare again before restoring.")
        return redirect("browser:document-revisions", db=db, docid=docid)
    messages.success(request, f"Restored revision {form.cleaned_data['rev']} as {new_rev}.")
    return redirect("browser:document", db=db, docid=docid)


@require_http_methods(["GET", "POST"])
def document_conflicts(request, db, docid):
    winner = get_document(request.couch, db, docid)
    leaves = [winner["_rev"], *(winner.get("_conflicts") or [])]
    bodies = open_revisions(request.couch, db, docid, leaves)
    # What the page shows of a replicator document is scrubbed; a merged body typed from it gets its secrets back.
    shown_winner, shown_bodies = shown(db, winner), {rev: shown(db, body) for rev, body in bodies.items()}
    # ?rev= chooses the revision to keep and puts its body in the box (the radios fetch it with htmx).
    chosen = DocumentViewForm(request.GET).value("rev")
    chosen = chosen if chosen in leaves and request.method == "GET" else winner["_rev"]
    initial = {"keep": chosen, "merged": _box_text(_chosen_body(shown_winner, shown_bodies, chosen)),
               "filled_from": chosen}
    form = ResolveConflictForm(request.POST or None, initial=initial)
    stale = ""
    if request.method == "POST" and form.is_valid():
        if set(form.cleaned_data["seen"]) != set(leaves):
            # What was typed or chosen refers to revisions that changed: start again from what is there now.
            form, stale = ResolveConflictForm(initial=initial), _leaves_changed(form.cleaned_data["seen"], leaves)
        else:
            response = _resolve(request, db, docid, form, winner, leaves, bodies)
            if response:
                return response
    candidates = [{"rev": rev, "is_winner": rev == winner["_rev"],
                   "text": jsontext.dumps(editable_body(shown_bodies.get(rev, {})), indent=2),
                   "diff": diff(editable_body(shown_winner), editable_body(shown_bodies.get(rev, {})))}
                  for rev in leaves]
    context = {"db": db, "docid": docid, "winner_rev": winner["_rev"], "candidates": candidates, "form": form,
               "leaves": leaves, "stale": stale, "tree": _revision_tree(request, db, docid, winner), "box_rev": chosen}
    status = 409 if stale else 400 if form.errors else 200
    return render(request, "browser/document_conflicts.html", context, status=status)


def _resolve(request, db, docid, form, winner, leaves, bodies):
    """Act only on the leaves the person saw; keep the chosen version on the winning branch."""
    keep, winner_rev = form.cleaned_data["keep"], winner["_rev"]
    if keep not in leaves:
        form.add_error("keep", "That revision is not one of the conflicting revisions any more.")
        return None
    # The box as the page filled it (a page from before ?rev= filled it with the winner) keeps `keep` as it is.
    filled_from = form.cleaned_data.get("filled_from") or winner_rev
    filled = winner if filled_from == winner_rev else bodies.get(filled_from)
    merged = _merged_body(form, editable_body(shown(db, filled)) if filled is not None else None)
    if merged is False:
        return None
    if merged is not None:
        merged = secrets_kept(merged, editable_body(filled if filled is not None else winner))
    body = merged if merged is not None else (None if keep == winner_rev else editable_body(bodies.get(keep, {})))
    try:
        new_rev, results = resolve_conflict(request.couch, db, docid, winner_rev,
                                            [r for r in leaves if r != winner_rev], body,
                                            _attachments_for(request, db, docid, keep, winner, bodies))
    except Conflict:
        form.add_error(None, "The winning revision changed while you were choosing. Nothing was removed; "
                             "look at the revisions below and choose again.")
        return None
    failures = [r for r in results if not r.ok]
    if failures:
        form.add_error(None, f"Kept your choice as revision {new_rev}, but CouchDB refused to remove some "
                             "conflicting revisions: " + "; ".join(f"{r.error}: {r.reason}" for r in failures) + ".")
        return None
    kept = "the merged body" if merged is not None else f"revision {keep}"
    messages.success(request, f"Kept {kept} as {new_rev}; removed {len(leaves) - 1} conflicting revision(s).")
    return redirect("browser:document", db=db, docid=docid)


def _leaves_changed(seen, leaves):
    new = [r for r in leaves if r not in seen]
    gone = [r for r in seen if r not in leaves]
    parts = ([f"new: {', '.join(new)}"] if new else []) + ([f"gone: {', '.join(gone)}"] if gone else [])
    return ("The conflicting revisions changed since you opened this page (" + "; ".join(parts) + "). "
            "Nothing was removed: look at the revisions as they are now and choose again.")


def _attachments_for(request, db, docid, keep, winner, bodies):
    """The attachments of the kept version, as the winner's stubs or, where they differ, inline."""
    kept = bodies.get(keep, {}).get("_attachments") or {}
    winners = winner.get("_attachments") or {}
    if keep == winner["_rev"] or _digests(kept) == _digests(winners):
        return winners or None
    return leaf_with_attachments(request.couch, db, docid, keep).get("_attachments") or None


def _digests(stubs):
    return {name: stub.get("digest") for name, stub in stubs.items()}


def _chosen_body(shown_winner, shown_bodies, rev):
    return shown_winner if rev == shown_winner.get("_rev") else shown_bodies.get(rev, {})


def _box_text(body):
    return jsontext.dumps(editable_body(body), indent=2)


def _merged_body(form, prefilled):
    """The merged body when the person edited the chosen revision's text; None keeps that revision as it is."""
    text = form.cleaned_data.get("merged") or ""
    if not text.strip():
        return None
    try:
        merged = jsontext.loads_strict(text.replace("\r\n", "\n"))
    except JsonSyntaxError as exc:
        form.add_error("merged", f"Invalid JSON at line {exc.line}, column {exc.column}: {exc.message}.")
        return False
    if not isinstance(merged, dict):
        form.add_error("merged", "The body must be a JSON object.")
        return False
    return None if jsontext.dumps(merged) == jsontext.dumps(prefilled) else merged
