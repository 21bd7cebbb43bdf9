"""Forms of the user pages: creating a user, their roles and password, deleting them, and what a user can reach."""

from django import forms

from browser.forms.databases import DatabaseDeleteForm
from browser.forms.query_string import QueryStringForm, StartForm


class UserDeleteForm(DatabaseDeleteForm):
    confirm_name = forms.CharField(max_length=1000, strip=False, label="Type the user name to confirm")
    mismatch = "The name you typed does not match the user name."

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, database=user, **kwargs)


def _roles(text):
    return [r.strip() for r in (text or "").split(",") if r.strip()]


class RolesField(forms.CharField):
    def to_python(self, value):
        roles = _roles(super().to_python(value))
        for role in roles:
            if role.startswith("_"):
                raise forms.ValidationError(f"Roles starting with “_” are CouchDB's own: “{role}”.")
        return roles


class NewUserForm(forms.Form):
    name = forms.CharField(max_length=500, label="User name")
    password = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput(render_value=False),
                               label="Password")
    roles = RolesField(required=False, label="Roles (comma-separated)")

    def clean_name(self):
        name = self.cleaned_data["name"]
        if name.startswith("_") or ":" in name:
            raise forms.ValidationError("A user name may not start with “_” or contain “:”.")
        return name


class UserRolesForm(forms.Form):
    roles = RolesField(required=False, label="Roles (comma-separated)")


class PasswordForm(forms.Form):
    password = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput, label="New password")
    confirm = forms.CharField(max_length=1024, strip=False, widget=forms.PasswordInput, label="New password again")

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("confirm"):
            raise forms.ValidationError("The two passwords differ.")
        return data


class UserActionForm(QueryStringForm):
    action = forms.ChoiceField(required=False, choices=[(a, a) for a in ("roles", "password", "delete")])


class AccessScanForm(StartForm):
    """Where the scan goes on, and what the earlier requests counted (shown in its progress, nothing more)."""

    scanned = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    total = forms.IntegerField(required=False, min_value=0, max_value=10**9)
