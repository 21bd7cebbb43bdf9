"""Forms of the database list and of creating, opening and deleting a database."""

from django import forms

from browser.forms.fields import DatabaseNameField

PAGE_SIZES = (20, 50, 100)


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
    mismatch = "The name you typed does not match the database name."

    def __init__(self, *args, database, **kwargs):
        self.expected = database
        super().__init__(*args, **kwargs)

    def clean_confirm_name(self):
        typed = self.cleaned_data["confirm_name"]
        if typed != self.expected:
            raise forms.ValidationError(self.mismatch)
        return typed
