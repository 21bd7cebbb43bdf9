"""Every input, query strings included, goes through one of these forms."""

import re

from django import forms

from browser.couch.databases import database_name_problem
from browser.couch.documents import id_problem

PAGE_SIZES = (20, 50, 100)
_REV_RE = re.compile(r"^\d+-[0-9a-zA-Z]+$")


class LoginForm(forms.Form):
    username = forms.CharField(max_length=512, strip=False,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class DatabaseListForm(forms.Form):
    prefix = forms.CharField(required=False, max_length=238, strip=False, label="Name starts with")
    start = forms.CharField(required=False, max_length=238, strip=False)
    before = forms.CharField(required=False, max_length=238, strip=False)
    size = forms.TypedChoiceField(choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False,
                                  empty_value=PAGE_SIZES[0], label="Per page")

    def page_args(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "prefix": data.get("prefix") or "",
            "start": data.get("start") or None,
            "before": data.get("before") or None,
            "limit": data.get("size") or PAGE_SIZES[0],
        }


class DatabaseNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 238)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        problem = database_name_problem(value)
        if problem:
            raise forms.ValidationError(problem, code="invalid_database_name")


class DatabaseCreateForm(forms.Form):
    name = DatabaseNameField(label="Database name",
                             help_text="Lowercase letters, digits and _ $ ( ) + - /; starts with a letter.")
    partitioned = forms.BooleanField(required=False, label="Partitioned")
    shards_q = forms.IntegerField(required=False, min_value=1, max_value=256, label="Shards (q)")
    replicas_n = forms.IntegerField(required=False, min_value=1, max_value=16, label="Replicas (n)")


class OpenDatabaseForm(forms.Form):
    name = DatabaseNameField(label="Database name")


class DatabaseDeleteForm(forms.Form):
    confirm_name = forms.CharField(max_length=238, strip=False, label="Type the database name to confirm")

    def __init__(self, *args, database, **kwargs):
        self.database = database
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if typed != self.database:
            raise forms.ValidationError("The name you typed does not match the database name.")
        return typed


DOC_PAGE_SIZES = (20, 50, 100, 500)
DISPLAY_MODES = (("table", "Table"), ("json", "JSON"), ("meta", "Metadata"))


class DocumentListForm(forms.Form):
    start = forms.CharField(required=False, strip=False)
    before = forms.CharField(required=False, strip=False)
    jump = forms.CharField(required=False, strip=False, label="Jump to id (prefix)")
    size = forms.TypedChoiceField(choices=[(n, n) for n in DOC_PAGE_SIZES], coerce=int, required=False,
                                  empty_value=DOC_PAGE_SIZES[0], label="Per page")
    order = forms.ChoiceField(choices=[("asc", "Ascending"), ("desc", "Descending")], required=False,
                              label="Order")
    design = forms.ChoiceField(choices=[("show", "Show"), ("hide", "Hide")], required=False,
                               label="Design documents")
    mode = forms.ChoiceField(choices=DISPLAY_MODES, required=False, label="Display")
    columns = forms.CharField(required=False, strip=True, label="Columns (comma-separated fields)")
    kind = forms.ChoiceField(choices=[("all", "All documents"), ("local", "Local documents")], required=False,
                             label="Documents")

    def values(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "start": data.get("start") or None,
            "before": data.get("before") or None,
            "prefix": data.get("jump") or "",
            "limit": data.get("size") or DOC_PAGE_SIZES[0],
            "descending": data.get("order") == "desc",
            "include_design": data.get("design") != "hide",
            "mode": data.get("mode") or "table",
            "columns": [c.strip() for c in (data.get("columns") or "").split(",") if c.strip()],
            "local": data.get("kind") == "local",
        }


class DocumentIdField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and id_problem(value):
            raise forms.ValidationError(id_problem(value), code="invalid_id")


class NewDocumentForm(forms.Form):
    docid = DocumentIdField(required=False, label="Document id",
                            help_text="Leave empty for an id from the server. Start with _design/ for a design "
                                      "document or _local/ for a local one.")


class CopyDocumentForm(forms.Form):
    destination = DocumentIdField(label="Copy to id")


class RevisionField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not _REV_RE.match(value):
            raise forms.ValidationError("That is not a revision (like 3-a1b2…).")


class DeleteDocumentForm(forms.Form):
    rev = RevisionField()


class ResolveConflictForm(forms.Form):
    keep = RevisionField(label="Revision to keep")
    merged = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 12}),
                             label="Body to save (JSON); leave as it is to keep the chosen revision unchanged")


def attachment_name_problem(name):
    if not name:
        return "Enter an attachment name."
    if name.startswith("_"):
        return "Attachment names may not start with “_”."
    return None


class AttachmentNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("strip", False)
        kwargs.setdefault("max_length", 4000)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if (value or self.required) and attachment_name_problem(value):
            raise forms.ValidationError(attachment_name_problem(value))


class AttachmentNameForm(forms.Form):
    name = AttachmentNameField()
    rev = RevisionField(required=False)


class RenameAttachmentForm(forms.Form):
    name = AttachmentNameField()
    new_name = AttachmentNameField(label="New name")
    rev = RevisionField()


class UploadForm(forms.Form):
    rev = RevisionField(required=False)
    # Browsers send only a file's base name; this lets one file be stored as "dir/sub/file.json".
    name = AttachmentNameField(required=False, label="Store as (optional, one file)")

    def clean(self):
        if not self.files.getlist("files"):
            raise forms.ValidationError("Choose at least one file.")
        return super().clean()
