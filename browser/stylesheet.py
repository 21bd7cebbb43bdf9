"""The dashboard's stylesheet: written into the <head> of a page opened from outside, linked from the pages
reached inside the dashboard.

A linked stylesheet blocks the first paint until a second request comes back; written into the page, it
comes with the HTML. A page opened from outside the dashboard (typed, a bookmark, another site's link)
carries it, and asks the browser to fetch the file meanwhile; a page reached from one of the dashboard's own
(`Sec-Fetch-Site: same-origin`) links the file, which the browser has by then (hashed, cached for ten years),
and so saves 18 KB of HTML and its compression. The Content-Security-Policy names the written one's SHA-256,
so this one <style> is allowed and no other inline style is. It is this project's own file, never data
from CouchDB.
"""

import base64
import hashlib
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

STYLESHEET = "css/app.css"


@cache
def page_stylesheet():
    """(the stylesheet's text, ready for a <style> element; its CSP source, 'sha256-…')."""
    path = finders.find(STYLESHEET)
    if path:
        text = Path(path).read_text(encoding="utf-8")
    elif staticfiles_storage.exists(STYLESHEET):  # deployed with collectstatic's output only
        with staticfiles_storage.open(STYLESHEET) as collected:
            text = collected.read().decode("utf-8")
    else:
        raise ImproperlyConfigured(f"{STYLESHEET} is not among the static files")
    if "</" in text:
        raise ImproperlyConfigured(f"{STYLESHEET} must not contain '</': it would end the page's <style> element")
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return text, f"'sha256-{digest}'"


def is_linked_for(request: HttpRequest) -> bool:
    """Whether this page links the stylesheet rather than carrying it: a navigation from one of this site's
    pages, whose browser has fetched the file already. Browsers that do not say (older Safari) get it
    written, as before."""
    return request.headers.get("Sec-Fetch-Site") == "same-origin"
