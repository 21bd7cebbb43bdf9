"""Configuration pages (being built for issue 14)."""

from django.http import Http404


def config_page(request):
    raise Http404("not built yet")
