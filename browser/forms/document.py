"""Forms of one document: creating, copying, deleting it, and what its editor posts."""

import json

from django import forms

from browser.couch.documents import id_problem, partitioned_id_problem
from browser.editor.rows import nodes_from_post
from browser.editor.state import FORM, TEXT, EditorState
from browser.forms.fields import RevisionField, RuleCheckedField
from browser.forms.query_string import QueryStringForm


class DocumentIdField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=id_problem, **kwargs)


class NewDocumentForm(forms.Form):
    """The id of a new document: typed here, or as "_id" in the JSON (`typed_id`), or left to the server
    (except in a partitioned database, where it must be "partition:id")."""

    docid = DocumentIdField(required=False, label="Document id",
                            help_text="Leave empty for an id from the server (or give “_id” in the JSON). Start "
                                      "with _design/ for a design document or _local/ for a local one.")
    # An empty document is created only when asked for: an empty or truncated POST must not make one.
    create_empty = forms.BooleanField(required=False, label="Create it empty (no fields)")

    def __init__(self, *args, partitioned=False, typed_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partitioned, self.typed_id = partitioned, typed_id
        if partitioned:
            self.fields["docid"].help_text = ("This database is partitioned: give “partition:id”, for example "
                                              "“sensor-1:reading-42” (or _design/… or _local/…).")

    def clean_docid(self):
        docid, typed = self.cleaned_data.get("docid") or "", self.typed_id
        if typed is not None and not isinstance(typed, str):
            raise forms.ValidationError("The “_id” in the JSON must be a string.")
        if typed is not None and docid and typed != docid:
            raise forms.ValidationError(f"The JSON says “_id”: “{typed}”, but this field says “{docid}”: "
                                        "make them the same, or leave one empty.")
        docid = docid or typed or ""
        problem = id_problem(docid) if typed and not self.cleaned_data.get("docid") else None
        if not problem and self.partitioned:
            problem = partitioned_id_problem(docid) if docid else "Enter an id: “partition:id”."
        if problem:
            raise forms.ValidationError(problem)
        return docid


class CopyDocumentForm(forms.Form):
    destination = DocumentIdField(label="Copy to id")


class DeleteDocumentForm(forms.Form):
    rev = RevisionField(widget=forms.HiddenInput,
                        error_messages={"required": "The page did not say which revision to delete; reload it."})


class EditedTextField(forms.CharField):
    """Text the editor posts, kept exactly as sent: not stripped, and not refused for a NUL character (Django's
    CharField would drop the whole value; the JSON parser says where the character is instead)."""

    def __init__(self, **kwargs):
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = []


class EditorModeForm(QueryStringForm):
    """Which editor a link opens (`?mode=text`): all the editor's GET reads."""

    mode = forms.ChoiceField(required=False, choices=[(FORM, "form"), (TEXT, "text")])


class DocumentEditorForm(EditorModeForm):
    """Everything the document editor posts, read in one place. The edit: which editor (`mode`), the revision it
    started from, the attachment stubs to send back, and the JSON `text` or the form's rows (`f:<path>:k|t|v`,
    browser/editor/rows.py). What the post asks for besides saving: a row operation, a switch of editor, saving
    over a revision. From the 409 screen: the saved revision to merge with, and the members for which the person
    chose the other version (radios `take-N` = "theirs", with the member's path in `path-N`).

    A missing or malformed action reads as None (see QueryStringForm.value); `clean()` always builds the editor's
    state, `cleaned_data["state"]`, so that the edit is never lost."""

    base_rev = EditedTextField()
    attachments = EditedTextField()
    text = EditedTextField()
    op = forms.CharField(required=False, max_length=10_000)
    switch = forms.ChoiceField(required=False, choices=[(FORM, "form"), (TEXT, "text"), ("merge", "merge")])
    overwrite_rev = RevisionField(required=False)
    merge_theirs_rev = RevisionField(required=False)
    PATH_MOST = 10_000

    def clean(self):
        data = super().clean()
        mode = data.get("mode") or FORM
        state = EditorState(mode=mode, base_rev=data["base_rev"], attachments=data["attachments"])
        if mode == TEXT:
            state.text = data["text"].replace("\r\n", "\n")  # browsers send a textarea's line breaks as CRLF
        else:
            state.root = nodes_from_post(self.data)
        data["state"] = state
        data["take_theirs"] = [path for key, value in self.data.items()
                               if key.startswith("take-") and value == "theirs"
                               for path in [self._path(self.data.get("path-" + key[len("take-"):], ""))] if path]
        return data

    @property
    def state(self):
        """The edit this post holds, in the editor's terms (browser/editor/state.py)."""
        self.is_valid()
        return self.cleaned_data["state"]

    def _path(self, text):
        if len(text) > self.PATH_MOST:
            return None
        try:
            path = json.loads(text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
            return None
        return tuple(path)


class DocumentViewForm(QueryStringForm):
    download = forms.ChoiceField(required=False, choices=[("json", "json")])
    rev = RevisionField(required=False)
