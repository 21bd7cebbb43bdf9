"""Forms of a database's document list: paging, display and deleting a selection."""

from django import forms

from browser.forms.fields import REV_RE
from browser.forms.query_string import QueryStringForm

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


class BulkDeleteForm(QueryStringForm):
    """The selection ("<rev> <id>" each) and whether the person has confirmed it."""

    selected = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    confirmed = forms.ChoiceField(required=False, choices=[("yes", "yes")])

    def clean_selected(self):
        return [pair for pair in (_selection(v) for v in (self.cleaned_data["selected"] or [])[:10_000]) if pair]

    def valid_selected(self):
        self.is_valid()
        return self.cleaned_data.get("selected") or []


def _selection(value):
    rev, _, docid = str(value).partition(" ")
    return (docid, rev) if docid and REV_RE.match(rev) else None
