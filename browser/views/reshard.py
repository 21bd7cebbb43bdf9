"""Resharding (being built for issue 17)."""

from django.http import Http404


def reshard_page(request):
    raise Http404("not built yet")
