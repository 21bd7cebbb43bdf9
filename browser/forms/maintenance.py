"""The form of a database's maintenance actions: compaction and view cleanup."""

from django import forms


class MaintenanceForm(forms.Form):
    action = forms.ChoiceField(choices=[("compact", "compact"), ("compact-views", "compact-views"),
                                        ("cleanup", "cleanup")],
                               error_messages={"invalid_choice": "“%(value)s” is not a maintenance action."})
    ddoc = forms.CharField(required=False, max_length=4000, strip=False)

    def clean(self):
        data = super().clean()
        if data.get("action") == "compact-views" and not data.get("ddoc"):
            raise forms.ValidationError("Say which design document's views to compact.")
        return data
