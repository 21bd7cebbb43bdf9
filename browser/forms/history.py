"""Forms of a document's revisions and conflicts: resolving them and restoring an old revision."""

from django import forms

from browser.forms.fields import REV_RE, RevisionField


class RevisionListField(forms.Field):
    """Several revisions posted under one name (hidden inputs)."""

    widget = forms.MultipleHiddenInput
    MOST = 1000

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, (list, tuple)) or len(value) > self.MOST:
            raise forms.ValidationError("The list of revisions is not valid; reload the page.")
        return [str(v) for v in value]

    def validate(self, value):
        super().validate(value)
        if any(not REV_RE.match(rev) for rev in value):
            raise forms.ValidationError("The list of revisions is not valid; reload the page.")


class ResolveConflictForm(forms.Form):
    keep = RevisionField(label="Revision to keep")
    seen = RevisionListField(error_messages={"required": "The page did not say which revisions you saw; reload it."})
    merged = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 12}),
                             label="Body to save (JSON); leave as it is to keep the chosen revision unchanged")
    # The revision whose body the page put in the box: the box left as it was keeps the chosen revision.
    filled_from = RevisionField(required=False, widget=forms.HiddenInput)


class RestoreRevisionForm(forms.Form):
    rev = RevisionField()
    current_rev = RevisionField()
