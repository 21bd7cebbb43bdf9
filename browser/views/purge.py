"""Purge and revision limits (being built for issue 17)."""

from django.http import Http404


def database_limits(request, db):
    raise Http404("not built yet")


def document_purge(request, db, docid):
    raise Http404("not built yet")
