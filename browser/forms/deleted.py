"""Forms of the deleted documents pages: the list, one deletion, and restoring it."""

from urllib.parse import urlencode

from django import forms

from browser.forms.fields import SEQUENCE_MOST, RevisionField, SequenceField
from browser.forms.query_string import QueryStringForm

DELETED_ORDERS = [("newest", "Most recently deleted first"), ("oldest", "Oldest deletions first")]
DELETED_LIST_FIELDS = ("order", "since", "top", "skip", "below")


class DeletedListForm(forms.Form):
    """Which page of the deleted documents: newest first paged back from `top`, or oldest first from `since`."""

    order = forms.ChoiceField(required=False, choices=DELETED_ORDERS, label="Order")
    since = SequenceField(widget=forms.HiddenInput)
    top = SequenceField(widget=forms.HiddenInput)
    skip = forms.IntegerField(required=False, min_value=0, max_value=10**6, widget=forms.HiddenInput)
    below = forms.CharField(required=False, max_length=SEQUENCE_MOST, strip=False, widget=forms.HiddenInput)

    @property
    def oldest_first(self):
        return self.is_valid() and self.cleaned_data.get("order") == "oldest"

    def query(self, **overrides):
        """This list's query string with some parameters changed."""
        values = {name: self.data.get(name) for name in DELETED_LIST_FIELDS}
        values.update(overrides)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


class DeletedRevisionForm(QueryStringForm):
    """Which deletion of a document to show (?rev=), when it has several."""

    rev = RevisionField(required=False)


class RestoreDeletedForm(forms.Form):
    """Restore one deletion: its tombstone's revision, as the page showed it."""

    rev = RevisionField(widget=forms.HiddenInput)
