"""The login form."""

from django import forms


class LoginForm(forms.Form):
    username = forms.CharField(max_length=512, strip=False,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
