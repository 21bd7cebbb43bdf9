"""Forms of the Mango index page: creating and deleting an index."""

from django import forms

from browser.couch import jsontext
from browser.forms.fields import QueryJsonField
from browser.forms.mango import parse_sort


class IndexForm(forms.Form):
    fields = forms.CharField(label="Fields (e.g. “type, price desc”)")
    name = forms.CharField(required=False, max_length=200, label="Index name (optional)")
    ddoc = forms.CharField(required=False, max_length=200, label="Design document (optional)")
    partial_filter_selector = QueryJsonField(expect=dict, required=False,
                                             label="Partial filter selector (JSON, optional)",
                                             widget=forms.Textarea(attrs={"rows": 3, "class": "json-text"}))
    index_type = forms.ChoiceField(choices=[("json", "json"), ("text", "text")], initial="json", label="Type")

    def clean_fields(self):
        try:
            specs = parse_sort(self.cleaned_data["fields"])
        except (ValueError, jsontext.JsonSyntaxError) as exc:
            raise forms.ValidationError(str(exc)) from None
        if not specs:
            raise forms.ValidationError("Name at least one field.")
        return [next(iter(s.items())) for s in specs]


class IndexDeleteForm(forms.Form):
    ddoc = forms.CharField(max_length=4000, strip=False)
    type = forms.CharField(max_length=100)
    name = forms.CharField(max_length=4000, strip=False)
