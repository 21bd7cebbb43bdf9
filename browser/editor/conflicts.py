"""What a 409 on save means for the person: the version saved meanwhile, the revision the edit started
from, and the three-way merge of the two edits (two-way when that revision was compacted away)."""

from collections.abc import Sequence
from dataclasses import dataclass

from browser.couch.documents import editable_body
from browser.couch.jsontext import JsonObject
from browser.couch.replication import shown
from browser.editor.diff import FieldDiff, diff
from browser.editor.merge import Merge, merge3


@dataclass(frozen=True)
class SaveConflict:
    theirs_rev: str
    theirs: JsonObject
    base: JsonObject | None  # the body the edit started from; None when compacted away (or not read: deleted)
    merge: Merge  # empty when the document was deleted meanwhile
    base_missing: bool
    diff: tuple[FieldDiff, ...]  # mine against theirs, field by field
    deleted: bool = False  # the document was deleted meanwhile: there is nothing to merge with

    @property
    def theirs_attachments(self) -> JsonObject | None:
        stubs: JsonObject | None = self.theirs.get("_attachments")
        return stubs


DELETED_MEANWHILE = SaveConflict(theirs_rev="", theirs={}, base=None, merge=merge3(None, {}, {}), base_missing=False,
                                 diff=(), deleted=True)


def conflict_with(db: str, theirs: JsonObject, base: JsonObject | None, mine: JsonObject,
                  take_theirs: Sequence[tuple[str, ...]] = ()) -> SaveConflict:
    """The 409 screen for the edit `mine` of database `db`'s document: `theirs` is the revision saved meanwhile
    as read (not deleted), `base` the revision the edit started from as read (None when compaction removed its
    body: the merge is then two-way); members whose paths are in `take_theirs` keep their version."""
    theirs = shown(db, theirs)
    base_body = None if base is None or base.get("_deleted") else editable_body(shown(db, base))
    theirs_body = editable_body(theirs)
    return SaveConflict(theirs_rev=str(theirs.get("_rev", "")), theirs=theirs, base=base_body,
                        merge=merge3(base_body, mine, theirs_body, take_theirs), base_missing=base_body is None,
                        diff=tuple(diff(theirs_body, mine)))
