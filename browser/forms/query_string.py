"""The base of the forms that read a page's query string (paging, display, where to go next), and the two such
forms that several areas share."""

from django import forms


class QueryStringForm(forms.Form):
    """Paging and display parameters: a missing or malformed one reads as None, and the page starts over."""

    def value(self, name):
        self.is_valid()
        return self.cleaned_data.get(name) or None


class NextForm(QueryStringForm):
    next = forms.CharField(required=False, max_length=4000)


class StartForm(QueryStringForm):
    start = forms.CharField(required=False, max_length=1000)
