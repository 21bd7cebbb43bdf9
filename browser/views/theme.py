"""Light, dark or the system's choice, remembered per browser in a cookie (it works without JavaScript)."""

from django.conf import settings
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from browser.auth import public
from browser.forms.theme import THEME_COOKIE, ThemeForm
from browser.responses import safe_next

YEAR = 365 * 24 * 3600


@public
@require_POST
def set_theme(request):
    form = ThemeForm(request.POST)
    response = redirect(safe_next(request, "/"))
    if form.is_valid():
        response.set_cookie(THEME_COOKIE, form.cleaned_data["theme"], max_age=YEAR, httponly=True, samesite="Lax",
                            secure=settings.COOKIES_SECURE)
    return response
