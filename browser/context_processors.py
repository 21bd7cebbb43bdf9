from functools import cache

from django.conf import settings
from django.template.backends.utils import csrf_input
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from browser.auth import may_change_own_password
from browser.forms.theme import ThemeForm, theme_of
from browser.stylesheet import is_linked_for, page_stylesheet


def couch(request):
    """Who is logged in, for the header; decided by the middleware from CouchDB's answers."""
    theme = theme_of(request)
    return {
        "couch_user": getattr(request, "couch_user", None),
        "admin_party": getattr(request, "admin_party", False),
        "may_change_own_password": may_change_own_password(request.session) if hasattr(request, "session") else False,
        "couchdb_url": settings.COUCHDB_URL if getattr(request, "couch_user", None) else "",
        "theme": theme,
        "next_theme": ThemeForm.after(theme),
        "nav": nav_urls(get_script_prefix()),
        "stylesheet": page_stylesheet()[0],
        "stylesheet_linked": is_linked_for(request),
        # One masked token a page, as Django's own template engine writes it: the Jinja2 backend's lazy
        # csrf_input masks afresh (32 os.urandom reads) for every form on the page.
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
    }


NAV_PAGES = ("databases", "server", "replications", "active-tasks", "cluster", "db-updates", "reshard", "config",
             "users", "audit", "own-password", "logout", "theme")


@cache
def nav_urls(script_prefix):
    """The header's links, which every page shows: reversed once per process, not fifteen times a page."""
    return {name.replace("-", "_"): reverse(f"browser:{name}") for name in NAV_PAGES}
