"""Partition pages (being built for issue 14)."""

from django.http import Http404


def partition_home(request, db):
    raise Http404("not built yet")
