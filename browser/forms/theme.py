"""The light, dark or system theme a browser chose, remembered in a cookie."""

from django import forms

THEMES = ("system", "dark", "light")
THEME_COOKIE = "theme"


class ThemeForm(forms.Form):
    theme = forms.ChoiceField(choices=[(t, t) for t in THEMES])

    @staticmethod
    def chosen(value):
        return value if value in THEMES else "system"

    @staticmethod
    def after(theme):
        """The theme the toggle offers next: system → dark → light → system."""
        return THEMES[(THEMES.index(theme) + 1) % len(THEMES)]


def theme_of(request):
    """The theme this browser chose: "light", "dark" or "system"."""
    return ThemeForm.chosen(request.COOKIES.get(THEME_COOKIE))
