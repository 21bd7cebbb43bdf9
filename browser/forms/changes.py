"""The changes feed's form: what to show and where a page starts."""

from urllib.parse import urlencode

from django import forms

from browser.couch.changes import ChangeFilter
from browser.forms.fields import SEQUENCE_MOST, QueryJsonField, SequenceField

CHANGE_ORDERS = [("newest", "Newest first"), ("oldest", "Oldest first")]
CHANGES_FEED_FIELDS = ("order", "id_prefix", "selector", "filter", "include_docs", "since", "live")


class ChangesForm(forms.Form):
    order = forms.ChoiceField(required=False, choices=CHANGE_ORDERS, label="Order")
    id_prefix = forms.CharField(required=False, max_length=1000, strip=False, label="Document id starts with")
    selector = QueryJsonField(required=False, expect=dict, max_length=10_000, label="Mango selector",
                              widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
                              help_text='Only changes of documents matching it, e.g. {"type": "order"}.')
    filter = forms.CharField(required=False, max_length=1000, label="Design filter", widget=forms.Select)
    include_docs = forms.BooleanField(required=False, label="Show the documents")
    since = SequenceField(label="Start after sequence (oldest first)")
    live = forms.ChoiceField(required=False, choices=[("on", "on"), ("off", "off")], widget=forms.HiddenInput)
    top = SequenceField(widget=forms.HiddenInput)
    skip = forms.IntegerField(required=False, min_value=0, max_value=10**6, widget=forms.HiddenInput)
    below = forms.CharField(required=False, max_length=SEQUENCE_MOST, strip=False, widget=forms.HiddenInput)
    after = SequenceField(widget=forms.HiddenInput)
    arrived = forms.IntegerField(required=False, min_value=0, max_value=10**9, widget=forms.HiddenInput)

    def offer_filters(self, design_filters):
        """The design filters to choose from (and the one asked for, known or not)."""
        current = self.data.get("filter") or ""
        names = list(design_filters) + ([current] if current and current not in design_filters else [])
        self.fields["filter"].widget.choices = [("", "(none)")] + [(n, n) for n in names]

    def clean_filter(self):
        name = self.cleaned_data["filter"]
        if name and "/" not in name.strip("/"):
            raise forms.ValidationError("A design filter is named “design document/filter”.")
        return name

    def clean(self):
        data = super().clean()
        if data.get("filter") and (data.get("id_prefix") or data.get("selector") is not None):
            raise forms.ValidationError("CouchDB applies one filter at a time: choose a design filter, or an id "
                                        "prefix and a selector.")
        return data

    def mark_lacking(self, *names):
        """Shown but greyed out: the server cannot filter this way (the page says so)."""
        for name in names:
            self.fields[name].widget.attrs.update({"disabled": True, "aria-describedby": "filters-lacking"})

    def change_filter(self):
        data = self.cleaned_data
        return ChangeFilter(id_prefix=data.get("id_prefix") or "", selector=data.get("selector"),
                            design_filter=data.get("filter") or "")

    @property
    def oldest_first(self):
        return self.cleaned_data.get("order") == "oldest"

    def query(self, **overrides):
        """The query string of this feed (as the person typed it) with some parameters changed."""
        values = {name: self.data.get(name) for name in CHANGES_FEED_FIELDS}
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})
