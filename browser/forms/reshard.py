"""Forms of the resharding page: which database, splitting a range, stopping or resuming, removing a job."""

from django import forms

from browser.couch.reshard import RANGE_RE
from browser.forms.fields import DatabaseNameField


class ReshardDatabaseForm(forms.Form):
    """Which database's ranges to offer for a split (GET)."""

    db = DatabaseNameField(required=False, label="Database")


class ReshardStartForm(forms.Form):
    """POST /_reshard/jobs: split one range of a database (or every range), on one node or on all its copies."""

    db = DatabaseNameField(label="Database", widget=forms.HiddenInput)
    range = forms.CharField(required=False, max_length=17, label="Range to split")
    node = forms.CharField(required=False, max_length=1000, label="Node")

    def __init__(self, *args, ranges=(), nodes=(), **kwargs):
        super().__init__(*args, auto_id="split_%s", **kwargs)
        # What the person chose stays offered, known to CouchDB or not.
        ranges, nodes = self._with_chosen("range", ranges), self._with_chosen("node", nodes)
        self.fields["range"].widget = forms.RadioSelect(
            choices=[("", "Every range (all of them split in two)")] + [(r, r) for r in ranges])
        self.fields["node"].widget = forms.Select(
            choices=[("", "Every node holding a copy")] + [(n, n) for n in nodes])

    def _with_chosen(self, name, offered):
        chosen = self.data.get(name) if self.is_bound else None
        offered = list(offered)
        return offered + [chosen] if isinstance(chosen, str) and chosen and chosen not in offered else offered

    def clean_range(self):
        value = self.cleaned_data["range"]
        if value and not RANGE_RE.fullmatch(value):
            raise forms.ValidationError("A range is two 8-digit hexadecimal numbers, e.g. 00000000-7fffffff.")
        return value


class ReshardStateForm(forms.Form):
    """PUT /_reshard/state: stop or resume the whole resharding subsystem."""

    state = forms.ChoiceField(choices=[("running", "Resume"), ("stopped", "Stop")], widget=forms.HiddenInput)
    reason = forms.CharField(required=False, max_length=1000, label="Reason for stopping",
                             help_text="Kept by CouchDB and shown here until resharding is resumed.")


class ReshardJobForm(forms.Form):
    """DELETE /_reshard/jobs/{id}: which job to remove."""

    # CouchDB names jobs "001-" and a hash: nothing else is sent (no "..", no "/").
    job_id = forms.RegexField(regex=r"\A[0-9A-Za-z_-]{1,200}\Z", widget=forms.HiddenInput)
    db = DatabaseNameField(required=False, widget=forms.HiddenInput)
