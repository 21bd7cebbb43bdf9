"""Forms of export and import."""

from django import forms

from browser.couch.transfer import field_paths
from browser.couch.transfer_export import ExportChoice
from browser.forms.fields import DatabaseNameField, QueryJsonField

FORMAT_CHOICES = [("ndjson", "NDJSON (one document per line)"), ("json", "JSON array"),
                  ("csv", "CSV (typed header row)")]
IMPORT_KINDS = [("auto", "From the file name (.csv, .ndjson/.jsonl, else a JSON array)"),
                ("json", "JSON array"), ("ndjson", "NDJSON (one document per line)"),
                ("csv", "CSV with a header row")]
FIELDS_MOST = 200
CSV_VALUE_CHOICES = [("spreadsheet", "For spreadsheets: a text cell starting with = + - @, a tab or a line break "
                                     "gets a leading ' so that it cannot run as a formula"),
                     ("raw", "Raw values (for programs, not spreadsheets): imports again exactly")]


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="ndjson", label="Format")
    fields = forms.CharField(required=False, max_length=10_000, label="Fields (comma-separated, dotted for nested)",
                             help_text="E.g. “name, address.city” (_id comes too); a backslash keeps a dot, comma "
                                       "or colon in a name (“dot\\.ted”). Leave empty for whole documents: in "
                                       "CSV, a column for every field.")
    selector = QueryJsonField(expect=dict, required=False,
                              label="Only documents matching this Mango selector (JSON, optional)",
                              widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "class": "json-text"}))
    include_design = forms.BooleanField(required=False, initial=True, label="Include design documents")
    attachments = forms.BooleanField(required=False, label="Attachments inline (base64; JSON and NDJSON)")
    # Not required: an address without it gets the safe cells.
    csv_values = forms.ChoiceField(choices=CSV_VALUE_CHOICES, required=False, initial="spreadsheet",
                                   widget=forms.RadioSelect, label="CSV cells")

    def clean_fields(self):
        fields = tuple(dict.fromkeys(field_paths(self.cleaned_data.get("fields") or "")))
        if len(fields) > FIELDS_MOST:
            raise forms.ValidationError(f"Name at most {FIELDS_MOST} fields.")
        if any(any(not part for part in path) for path in fields):
            raise forms.ValidationError("A field name has an empty part (two dots, or a dot at an end).")
        return fields

    def clean(self):
        data = super().clean()
        if data.get("format") == "csv" and data.get("attachments"):
            self.add_error("attachments", "CSV cannot hold attachments: choose JSON or NDJSON.")
        return data

    def choice(self):
        data = self.cleaned_data
        return ExportChoice(format=data["format"], fields=data["fields"], selector=data["selector"],
                            include_design=data["include_design"], attachments=data["attachments"],
                            csv_raw=data.get("csv_values") == "raw")


class ImportForm(forms.Form):
    file = forms.FileField(label="File to import")
    kind = forms.ChoiceField(choices=IMPORT_KINDS, initial="auto", required=False, label="The file is")
    keep_revisions = forms.BooleanField(
        required=False, label="Keep the documents’ revisions (_rev)",
        help_text="As a replica would (new_edits=false): re-importing stores nothing new, but a document "
                  "that differs from the one already there becomes a conflict of it.")

    def kind_of_file(self):
        kind = self.cleaned_data["kind"]
        if kind and kind != "auto":
            return kind
        name = (self.cleaned_data["file"].name or "").lower()
        if name.endswith(".csv"):
            return "csv"
        if name.endswith((".ndjson", ".jsonl")):
            return "ndjson"
        return "json"


class ImportNewDatabaseForm(ImportForm):
    database = DatabaseNameField(label="New database name")

    field_order = ["database", "file", "kind", "keep_revisions"]
