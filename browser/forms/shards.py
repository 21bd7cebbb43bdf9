"""The form that asks which shard a document id falls in."""

from django import forms


class ShardLookupForm(forms.Form):
    docid = forms.CharField(max_length=4000, strip=False, label="Document id",
                            help_text="Any id: the document need not exist.")
