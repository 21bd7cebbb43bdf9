"""Small helpers shared by the views."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme


def render_page_or_fragment(request, page, fragment, context, status=200):
    """The fragment for an htmx request, the whole page otherwise: same URL, same data."""
    response = render(request, fragment if request.htmx else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def safe_next(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback
