"""Forms of a document's attachments: upload, rename, delete, preview, and a new document for files."""

from django import forms

from browser.forms.fields import RevisionField, RuleCheckedField
from browser.forms.query_string import QueryStringForm


def attachment_name_problem(name):
    if not name:
        return "Enter an attachment name."
    if name.startswith("_"):
        return "Attachment names may not start with “_”."
    return None


class AttachmentNameField(RuleCheckedField):
    def __init__(self, **kwargs):
        super().__init__(problem=attachment_name_problem, **kwargs)


class AttachmentNameForm(forms.Form):
    name = AttachmentNameField()
    rev = RevisionField(required=False)


class RenameAttachmentForm(forms.Form):
    name = AttachmentNameField()
    new_name = AttachmentNameField(label="New name")
    rev = RevisionField()
    # Given only from the page that showed what the new name would replace.
    replace = forms.BooleanField(required=False)


class UploadForm(forms.Form):
    rev = RevisionField(required=False)
    # Browsers send only a file's base name; this lets one file be stored as "dir/sub/file.json".
    name = AttachmentNameField(required=False, label="Store as (optional, one file)")
    replace = forms.BooleanField(required=False, label="Replace an attachment that has the same name")

    def clean(self):
        if not self.files.getlist("files"):
            raise forms.ValidationError("Choose at least one file.")
        return super().clean()


class NewWithFilesForm(forms.Form):
    """A new document for files: the files come along, or a script says how many it uploads next (the document
    is created first, empty, so that each file's upload shows its progress)."""

    files_follow = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def clean(self):
        data = super().clean()
        if not self.files.getlist("files") and not data.get("files_follow"):
            raise forms.ValidationError("Choose at least one file: a new document is made to hold files.")
        return data


class AttachmentViewForm(QueryStringForm):
    preview = forms.CharField(required=False, max_length=10_000)
    inline = forms.BooleanField(required=False)
