"""The form that adds or removes a name or role in a database's security object."""

from django import forms


class PermissionChangeForm(forms.Form):
    section = forms.ChoiceField(choices=[("admins", "Admins"), ("members", "Members")], label="Section")
    kind = forms.ChoiceField(choices=[("names", "User name"), ("roles", "Role")], label="By")
    value = forms.CharField(max_length=500, strip=True, label="Name or role",
                            widget=forms.TextInput(attrs={"list": "user-names", "autocomplete": "off"}))
    op = forms.ChoiceField(choices=[("add", "add"), ("remove", "remove")], initial="add", widget=forms.HiddenInput)
    unknown_ok = forms.BooleanField(required=False, label="Add this name although no such user exists (yet)")
