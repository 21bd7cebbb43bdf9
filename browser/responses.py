"""Small helpers shared by the views."""

from urllib.parse import unquote, urlsplit, urlunsplit

from django.shortcuts import render
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, resolve, reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from browser.forms.query_string import NextForm


def render_page_or_fragment(request, page, fragment, context, status=200):
    """The fragment for an htmx request, the whole page otherwise: same URL, same data."""
    response = render(request, fragment if request.htmx else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def safe_next(request, fallback):
    target = NextForm(request.POST).value("next") or NextForm(request.GET).value("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return through_the_converters(target)
    return fallback


def through_the_converters(target):
    """The same page with its path rebuilt by reverse(), so a document id in it is escaped by
    DocumentIdConverter (a "next" written by hand may hold a ".." that the browser would resolve away)."""
    parts = urlsplit(target)
    prefix = get_script_prefix()
    if not parts.path.startswith(prefix):
        return target
    try:
        match = resolve("/" + unquote(parts.path[len(prefix):], errors="strict"))
        path = reverse(match.view_name, args=match.args, kwargs=match.kwargs) if match.url_name else None
    except (UnicodeDecodeError, Resolver404, NoReverseMatch):
        return target
    return urlunsplit((parts.scheme, parts.netloc, path or parts.path, parts.query, parts.fragment))
