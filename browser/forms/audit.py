"""The audit log's filter."""

from django import forms


class AuditFilterForm(forms.Form):
    action = forms.CharField(required=False, max_length=100, label="Action")
    who = forms.CharField(required=False, max_length=300, label="Who")
    target = forms.CharField(required=False, max_length=300, label="Target contains")
    bookmark = forms.CharField(required=False, max_length=10_000, widget=forms.HiddenInput)
    check = forms.BooleanField(required=False, label="Check the whole chain")
