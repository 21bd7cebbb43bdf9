"""Cluster pages (being built for issue 14)."""

from django.http import Http404


def cluster_overview(request):
    raise Http404("not built yet")
