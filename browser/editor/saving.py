"""Saving an edit, and what a 409 comes to: one policy, answered as an outcome for the view to render.

The edit is PUT with the revision it started from. When CouchDB answers 409, either the document now holds this
very edit (an earlier save went through though its answer never came) or the person is shown both edits merged
(conflicts.py) and chooses; saving from that screen PUTs the merge over the revision it showed. A write CouchDB
is too slow to answer is read back to say whether it happened; one CouchDB stored on fewer copies than it asks
for (202 Accepted) is saved, and says so. The edit is never lost: every outcome but a save leaves it in the editor.
Each revision is read at most once in a save (a revision's body never changes).
"""

import json
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from browser.couch import jsontext
from browser.couch.client import CouchClient
from browser.couch.documents import Written, editable_body, get_document, write_document
from browser.couch.errors import Conflict, CouchError, CouchSlow, CouchUnavailable, NotFound
from browser.couch.jsontext import JsonObject
from browser.couch.replication import is_replicator_database, secrets_kept
from browser.editor.conflicts import DELETED_MEANWHILE, SaveConflict, conflict_with
from browser.editor.state import EditorProblem, EditorState, attachment_stubs, body_of

# What the editor says after CouchDB's own sentence (see Failure).
EDIT_KEPT = "Your edit is kept: change it or try Save again."
NOTHING_SAVED_YET = "Nothing was saved yet. Your edit is kept: Save again in a moment."
_SAVE_AGAIN_IS_SAFE = "that cannot save it twice (if the first save went through meanwhile, this page says so)."

# The write's audit record, given the revision written over and the body: a context around the PUT
# (browser.audit_trail.design_audited), which may refuse the write by raising before it.
Audit = Callable[[str, JsonObject], AbstractContextManager[object]]


@dataclass(frozen=True)
class Saved:
    """The edit is stored as revision `rev`."""

    rev: str
    late_by: float | None = None  # CouchDB answered after this many seconds, or not at all: the write was read back
    earlier: bool = False  # an earlier save of this edit went through (its answer never came); this one wrote nothing
    accepted: bool = False  # CouchDB answered 202 Accepted: fewer copies than it asks for hold the save (Written)


@dataclass(frozen=True)
class MergedAndSaved:
    """The edit, merged with the revision saved meanwhile, is stored as revision `rev`."""

    rev: str
    kept_theirs: tuple[str, ...]  # the members the other person changed, as path labels
    accepted: bool = False  # as Saved.accepted


@dataclass(frozen=True)
class ConflictToShow:
    """Someone saved the document after the edit started: the person sees both edits and chooses."""

    conflict: SaveConflict


@dataclass(frozen=True)
class Failure:
    """Nothing is known to be saved. `error` is what CouchDB answered (its sentence comes first, then `reason`);
    None when the edit itself is not a document CouchDB takes, and `reason` says why."""

    reason: str
    error: CouchError | CouchUnavailable | None = None


SaveOutcome = Saved | MergedAndSaved | ConflictToShow | Failure


class _Revisions:
    """One document's revisions as one save reads and writes them, each revision read at most once."""

    def __init__(self, client: CouchClient, db: str, docid: str) -> None:
        self.client, self.db, self.docid = client, db, docid
        self._read: dict[str, JsonObject | None] = {}

    def at(self, rev: str) -> JsonObject | None:
        """Revision `rev` as stored (a tombstone too); None when there is no such revision or its body was
        compacted away, or when `rev` is empty."""
        if not rev:
            return None
        if rev not in self._read:
            try:
                self._read[rev] = get_document(self.client, self.db, self.docid, rev=rev)
            except NotFound:
                self._read[rev] = None
        return self._read[rev]

    def current(self) -> JsonObject | None:
        """The document as it is now, read anew (it may have moved on); None when there is none."""
        try:
            now: JsonObject = get_document(self.client, self.db, self.docid, history=False)
        except NotFound:
            return None
        if isinstance(now.get("_rev"), str):
            self._read.setdefault(now["_rev"], now)
        return now

    def secrets_put_back(self, body: JsonObject, rev: str) -> JsonObject:
        """The edited body with the secrets of a replicator document put back where the person left them as shown
        (hidden): from revision `rev`, or the current one when compaction removed it."""
        if not is_replicator_database(self.db):
            return body
        stored = self.at(rev) or self.current()
        # deleted meanwhile: the save answers 409, and the conflict screen says so
        return body if stored is None else secrets_kept(body, editable_body(stored))

    def put(self, body: JsonObject, rev: str, attachments: JsonObject | None) -> Written:
        return write_document(self.client, self.db, self.docid, body, rev=rev, attachments=attachments)


def save(client: CouchClient, db: str, docid: str, state: EditorState, *, audit: Audit, overwrite_rev: str = "",
         merge_with: str = "", take_theirs: Sequence[tuple[str, ...]] = ()) -> SaveOutcome:
    """Save the edit in `state`: over `overwrite_rev` when given ("save mine over"); else, when the 409 screen
    showed the revision `merge_with`, merged with it (members whose paths are in `take_theirs` keep theirs);
    else over the revision the edit started from. Marks `state` where the edit is invalid."""
    try:
        mine = body_of(state)
    except EditorProblem:
        return Failure(state.error)
    revisions = _Revisions(client, db, docid)
    try:
        if merge_with and not overwrite_rev:
            return _save_merged(revisions, state, mine, merge_with, take_theirs, audit)
        return _save_mine(revisions, state, mine, overwrite_rev or state.base_rev, take_theirs, audit)
    except CouchSlow as exc:  # a read before the write: the writes' own slowness is read back where they are made
        return Failure(NOTHING_SAVED_YET, exc)
    except (CouchError, CouchUnavailable) as exc:
        return Failure(EDIT_KEPT, exc)


def _save_mine(revisions: _Revisions, state: EditorState, mine: JsonObject, rev: str,
               take_theirs: Sequence[tuple[str, ...]], audit: Audit) -> SaveOutcome:
    try:
        with audit(rev, mine):
            written = revisions.put(revisions.secrets_put_back(mine, state.base_rev), rev, attachment_stubs(state))
    except Conflict:
        return _after_conflict(revisions, state, mine, take_theirs)
    except CouchSlow as exc:
        return _read_back(revisions, exc, rev, mine)
    return Saved(written.rev, accepted=written.accepted)


def _save_merged(revisions: _Revisions, state: EditorState, mine: JsonObject, theirs_rev: str,
                 take_theirs: Sequence[tuple[str, ...]], audit: Audit) -> SaveOutcome:
    """Save the three-way merge of mine with the revision the 409 screen showed; a 409 again when it moved on."""
    theirs = revisions.at(theirs_rev)
    if theirs is None or theirs.get("_deleted"):  # deleted meanwhile
        return _after_conflict(revisions, state, mine, take_theirs)
    conflict = conflict_with(revisions.db, theirs, revisions.at(state.base_rev), mine, take_theirs)
    merged = revisions.secrets_put_back(conflict.merge.body, conflict.theirs_rev)
    try:
        with audit(conflict.theirs_rev, merged):
            written = revisions.put(merged, conflict.theirs_rev, conflict.theirs_attachments)
    except Conflict:
        return _after_conflict(revisions, state, mine, take_theirs)
    except CouchSlow as exc:
        return _read_back(revisions, exc, conflict.theirs_rev, merged)
    return MergedAndSaved(written.rev, conflict.merge.theirs_changed_labels, accepted=written.accepted)


def _after_conflict(revisions: _Revisions, state: EditorState, mine: JsonObject,
                    take_theirs: Sequence[tuple[str, ...]]) -> SaveOutcome:
    """CouchDB answered 409: the document as it is now holds this very edit, or the person chooses."""
    now = revisions.current()
    if now is not None and _holds(now, mine):
        return Saved(now["_rev"], earlier=True)
    if now is None or now.get("_deleted"):
        return ConflictToShow(DELETED_MEANWHILE)
    return ConflictToShow(conflict_with(revisions.db, now, revisions.at(state.base_rev), mine, take_theirs))


def _read_back(revisions: _Revisions, exc: CouchSlow, started_rev: str, written: JsonObject) -> SaveOutcome:
    """CouchDB took the write but did not answer in time: read the document again and say whether it is saved.
    The edit is kept either way; saving it again is safe, as it carries the rev it started from."""
    if not exc.is_write:  # slow to answer a read before the write: nothing was sent
        return Failure(NOTHING_SAVED_YET, exc)
    try:
        now = revisions.current()
    except (CouchError, CouchUnavailable):
        return Failure("The document could not be read again to see whether it is saved. Your edit is kept: "
                       f"Save again; {_SAVE_AGAIN_IS_SAFE}", exc)
    if now is not None and _holds(now, written, started_rev):
        return Saved(now["_rev"], late_by=exc.seconds)
    if now is not None and now.get("_rev") == started_rev:
        return Failure(f"It is not saved yet: the document is still at revision {started_rev}, the one your edit "
                       "started from. CouchDB may still be writing it. Your edit is kept: Save again in a moment; "
                       f"{_SAVE_AGAIN_IS_SAFE}", exc)
    return Failure(f"The document changed meanwhile (now {'revision ' + str(now.get('_rev')) if now else 'deleted'}), "
                   "but not to your edit. Your edit is kept: Save again to see what differs and choose.", exc)


def saved_as(client: CouchClient, db: str, docid: str, body: JsonObject) -> str | None:
    """The document's current revision when it holds `body` (a write that went through though its answer never
    came); None when it does not, or cannot be read."""
    try:
        now = _Revisions(client, db, docid).current()
    except (CouchError, CouchUnavailable):
        return None
    return now["_rev"] if now is not None and _holds(now, body) else None


def _holds(now: JsonObject, body: JsonObject, started_rev: str | None = None) -> bool:
    """Whether `now` is a revision after `started_rev` whose body is `body`."""
    return (isinstance(now.get("_rev"), str) and now["_rev"] != started_rev
            and _same_body(editable_body(now), editable_body(body)))


def _same_body(one: JsonObject, other: JsonObject) -> bool:
    # CouchDB may write a number back in another form (1.50 as 1.5): compare values, not texts.
    try:
        return bool(json.loads(jsontext.dumps(one)) == json.loads(jsontext.dumps(other)))
    except (ValueError, RecursionError):
        return one == other
