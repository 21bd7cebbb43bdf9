"""What a 409 on save means for the person: the version saved meanwhile, the revision the edit started
from, and the three-way merge of the two edits (two-way when that revision was compacted away)."""

from dataclasses import dataclass

from browser.couch.documents import editable_body, get_document
from browser.couch.errors import NotFound
from browser.couch.replication import shown
from browser.editor.diff import diff
from browser.editor.merge import Merge, merge3


@dataclass(frozen=True)
class SaveConflict:
    theirs_rev: str
    theirs: dict
    base: dict | None  # the body the edit started from; None when compacted away (or not read: deleted)
    merge: Merge | None  # None when the document was deleted meanwhile
    base_missing: bool
    diff: tuple  # mine against theirs, field by field

    @property
    def deleted(self):
        return self.merge is None

    @property
    def theirs_attachments(self):
        return self.theirs.get("_attachments")


_UNREAD = object()
_DELETED = SaveConflict(theirs_rev="", theirs={}, base=None, merge=None, base_missing=False, diff=())


def conflict_for(client, db, docid, base_rev, mine, theirs_rev=None, take_theirs=(), base=_UNREAD):
    """GET the saved version (the current one, or `theirs_rev`) and the base revision, and merge.
    `base`: the base revision's body when this request already read it (a revision's body never changes)."""
    try:
        theirs = shown(db, get_document(client, db, docid, rev=theirs_rev))
    except NotFound:
        return _DELETED
    if theirs.get("_deleted"):
        return _DELETED
    if base is _UNREAD:
        base = _base_body(client, db, docid, base_rev)
    theirs_body = editable_body(theirs)
    return SaveConflict(theirs_rev=str(theirs.get("_rev", "")), theirs=theirs, base=base,
                        merge=merge3(base, mine, theirs_body, take_theirs), base_missing=base is None,
                        diff=tuple(diff(theirs_body, mine)))


def _base_body(client, db, docid, base_rev):
    # Compaction keeps only leaf revisions' bodies: an older base answers 404 and the merge is two-way.
    if not base_rev:
        return None
    try:
        base = get_document(client, db, docid, rev=base_rev)
    except NotFound:
        return None
    return None if base.get("_deleted") else editable_body(shown(db, base))
